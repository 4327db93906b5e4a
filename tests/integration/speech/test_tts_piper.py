"""Piper with the bundled joe voice: rates, pieces, determinism, no JSON spoken."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ari_app.media.codec import pcm16_to_array
from ari_app.speech.ports import TtsChunk, TtsError


@pytest.mark.parametrize("rate", [8000, 16000, 24000])
def test_output_rate_and_duration(rate: int, piper_tts: Any) -> None:
    chunks = list(piper_tts.synthesize_sync("Your meeting is at three.", rate))
    assert chunks and all(c.sample_rate == rate for c in chunks)
    total_ms = sum(c.duration_ms for c in chunks)
    assert 800 < total_ms < 4000
    samples = pcm16_to_array(b"".join(c.pcm for c in chunks)).astype(np.float64)
    assert np.sqrt(np.mean(samples**2)) > 500  # not silent


def test_deterministic(piper_tts: Any) -> None:
    a = b"".join(c.pcm for c in piper_tts.synthesize_sync("Deterministic output, please."))
    b = b"".join(c.pcm for c in piper_tts.synthesize_sync("Deterministic output, please."))
    assert a == b


def test_long_first_sentence_is_split_for_early_audio(piper_tts: Any) -> None:
    text = (
        "Sure, I have added a todo to call the bank tomorrow at nine, and I set a reminder "
        "for eight thirty. Anything else?"
    )
    pieces = piper_tts.pieces(text)
    assert pieces[0].endswith("nine,")
    assert len(pieces) == 3


async def test_async_synthesis_yields_piece_by_piece(piper_tts: Any) -> None:
    chunks: list[TtsChunk] = [
        c async for c in piper_tts.synthesize("First sentence. Second sentence.", 16000)
    ]
    assert [c.text for c in chunks] == ["First sentence.", "Second sentence."]


def test_json_is_never_spoken(piper_tts: Any) -> None:
    with pytest.raises(TtsError) as err:
        list(piper_tts.synthesize_sync('{"tool": "add_todo", "args": {}}'))
    assert err.value.code == "tts_bad_text"
    assert list(piper_tts.synthesize_sync("   ")) == []
