"""Silero VAD on real Piper speech, line noise and silence; the segmenter on top of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from ari_app.media.codec import resample, silence
from ari_app.speech.bargein import (
    BargeIn,
    BargeInCancelled,
    BargeInConfig,
    BargeInDetector,
    BargeInSuspected,
)
from ari_app.speech.ports import VadError
from ari_app.speech.segmenter import Segmenter, SegmenterConfig, SpeechEnded, SpeechStarted
from ari_app.speech.vad_silero import silero_model_path
from ari_app.speech.wer import words
from tests.fixtures.speech import line_noise, phone_path

Speak = Callable[..., bytes]
SENTENCE = "Please add a meeting with the design team on Friday afternoon."


def test_model_comes_from_the_wheel_without_torch() -> None:
    import sys

    path = silero_model_path()
    assert path.name == "silero_vad.onnx" and path.is_file()
    assert "torch" not in sys.modules


@pytest.mark.parametrize("rate", [8000, 16000])
def test_speech_is_found_in_piper_audio(rate: int, speak: Speak, silero_vad_model: Any) -> None:
    audio = resample(phone_path(speak(SENTENCE)), 16000, rate)
    windows = silero_vad_model.stream(rate).process(audio)
    assert all(w.duration_ms == 32.0 for w in windows)
    speech = [w for w in windows if w.probability >= 0.5]
    assert len(speech) / len(windows) > 0.5


@pytest.mark.parametrize("rate", [8000, 16000])
@pytest.mark.parametrize("kind", ["silence", "line-noise", "loud-noise", "hum"])
def test_no_speech_in_noise_or_silence(rate: int, kind: str, silero_vad_model: Any) -> None:
    n = 3 * rate
    if kind == "silence":
        audio = silence(3000, rate)
    elif kind == "line-noise":
        audio = resample(line_noise(3.0), 16000, rate)
    elif kind == "loud-noise":
        audio = resample(line_noise(3.0, level=3000.0, seed=3), 16000, rate)
    else:
        hum = 4000 * np.sin(2 * np.pi * 60 * np.arange(n) / rate)
        audio = hum.astype(np.int16).tobytes()
    windows = silero_vad_model.stream(rate).process(audio)
    assert max(w.probability for w in windows) < 0.5


def test_any_chunking_gives_the_same_decisions(speak: Speak, silero_vad_model: Any) -> None:
    audio = phone_path(speak("Transfer me to sales, please."))
    whole = silero_vad_model.stream(16000).process(audio)
    stream = silero_vad_model.stream(16000)
    pieces = []
    for i in range(0, len(audio), 642):
        pieces.extend(stream.process(audio[i : i + 642]))
    assert [w.start_ms for w in pieces] == [w.start_ms for w in whole]
    assert np.allclose([w.probability for w in pieces], [w.probability for w in whole])


def test_streams_do_not_share_state(speak: Speak, silero_vad_model: Any) -> None:
    audio = phone_path(speak("Transfer me to sales, please."))
    a, b = silero_vad_model.stream(16000), silero_vad_model.stream(16000)
    b.process(line_noise(1.0))
    a.reset()
    first = [w.probability for w in a.process(audio)]
    again = silero_vad_model.stream(16000)
    assert np.allclose(first, [w.probability for w in again.process(audio)])


def test_bad_input_raises_vad_error(silero_vad_model: Any) -> None:
    with pytest.raises(VadError):
        silero_vad_model.stream(44100)
    with pytest.raises(VadError):
        silero_vad_model.stream(16000).process(b"\x00")


@pytest.mark.parametrize("rate", [8000, 16000])
def test_segmenter_end_to_end(
    rate: int, speak: Speak, silero_vad_model: Any, whisper_stt: Any
) -> None:
    first = phone_path(speak("Transfer me to sales, please."))
    second = phone_path(speak("What is on my calendar for Friday?"))
    noise_1s = line_noise(1.0, level=150.0)
    call16 = noise_1s + first + line_noise(1.5, level=150.0, seed=2) + second + noise_1s
    call = resample(call16, 16000, rate)
    first_start_ms = 1000.0
    first_end_ms = first_start_ms + len(first) / 32
    stream = silero_vad_model.stream(rate)
    seg = Segmenter(SegmenterConfig(end_silence_ms=600))
    events = []
    for i in range(0, len(call), 640):  # 20 ms frames at 16 kHz, 40 ms at 8 kHz
        events.extend(seg.feed_all(stream.process(call[i : i + 640])))
    events.extend(seg.flush())
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded] * 2
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    assert first_start_ms - 50 <= ended[0].start_ms <= first_start_ms + 400
    assert ended[0].end_ms <= first_end_ms + 300  # Silero decays over a few windows
    assert ended[0].detected_ms - ended[0].end_ms <= 600 + 64
    heard = [
        whisper_stt.transcribe_sync(resample(e.audio, rate, 16000) if rate != 16000 else e.audio)
        for e in ended
    ]
    assert {"transfer", "sales"} <= set(words(heard[0].text)), heard[0]
    assert {"calendar", "friday"} <= set(words(heard[1].text)), heard[1]


def _barge(audio: bytes, vad: Any, cfg: BargeInConfig) -> list[object]:
    det = BargeInDetector(cfg)
    det.assistant_started(0.0)
    events: list[object] = []
    for w in vad.stream(16000).process(audio):
        ev = det.feed(w)
        if ev:
            events.append(ev)
    return events


def test_barge_in_on_real_speech_is_fast(speak: Speak, silero_vad_model: Any) -> None:
    lead_ms = 500.0
    audio = line_noise(0.5, level=150.0) + phone_path(speak("No, wait, stop. Cancel that."))
    events = _barge(audio, silero_vad_model, BargeInConfig())
    assert [type(e) for e in events] == [BargeInSuspected, BargeIn]
    suspected = events[0]
    assert isinstance(suspected, BargeInSuspected)
    # from the start of the caller's audio to "pause playout"
    assert suspected.detected_ms - lead_ms <= 400, suspected


# Piper draws "Mm-hm." out to 880 ms (700 ms of speech): longer than people say it.
@pytest.mark.parametrize("word", ["Mm.", "Okay.", "Yeah.", "Uh-huh.", "Right."])
def test_backchannel_is_cancelled_not_confirmed(
    word: str, speak: Speak, silero_vad_model: Any
) -> None:
    audio = line_noise(0.3, level=150.0) + phone_path(speak(word)) + line_noise(0.5, level=150.0)
    events = _barge(audio, silero_vad_model, BargeInConfig())
    assert not any(isinstance(e, BargeIn) for e in events), events
    assert [type(e) for e in events] in ([], [BargeInSuspected, BargeInCancelled])


def test_line_noise_never_barges_in(silero_vad_model: Any) -> None:
    assert _barge(line_noise(5.0, level=2000.0), silero_vad_model, BargeInConfig()) == []


def test_listener_with_real_vad_while_the_assistant_speaks(
    speak: Speak, silero_vad_model: Any
) -> None:
    from ari_app.speech.listener import Listener

    lis = Listener(silero_vad_model.stream(8000))
    caller = resample(phone_path(speak("No, wait, stop. Cancel that.")), 16000, 8000)
    lis.feed(resample(line_noise(0.5, level=150.0), 16000, 8000))
    lis.assistant_started()
    events = []
    for i in range(0, len(caller), 160):  # 20 ms μ-law-sized frames of s16le at 8 kHz
        events.extend(lis.feed(caller[i : i + 160]))
    events.extend(lis.feed(silence(1000, 8000)))
    kinds = [type(e) for e in events]
    assert BargeInSuspected in kinds and BargeIn in kinds
    assert kinds[-1] is SpeechEnded
    ended = events[-1]
    assert isinstance(ended, SpeechEnded)
    assert len(lis.for_stt(ended)) > 2 * len(ended.audio) - 8


def _shipped() -> BargeInConfig:
    from ari_app.speech.factory import bargein_config
    from switchboard.settings import SpeechSettings

    return bargein_config(SpeechSettings())


def test_shipped_eager_barge_in_pauses_fast_and_confirms(
    speak: Speak, silero_vad_model: Any
) -> None:
    lead_ms = 500.0
    audio = line_noise(0.5, level=150.0) + phone_path(speak("Stop. Tell me a long story again."))
    events = _barge(audio, silero_vad_model, _shipped())
    kinds = [type(e) for e in events]
    assert kinds[0] is BargeInSuspected and BargeIn in kinds, events
    assert not any(isinstance(e, BargeIn) for e in events[: kinds.index(BargeIn)][1:-1])
    suspected = events[0]
    assert isinstance(suspected, BargeInSuspected)
    assert suspected.detected_ms - lead_ms <= 300, suspected  # "St-" is soft: the VAD waits


@pytest.mark.parametrize("word", ["Mm.", "Okay.", "Yeah.", "Uh-huh.", "Right."])
def test_shipped_eager_barge_in_never_cuts_a_backchannel(
    word: str, speak: Speak, silero_vad_model: Any
) -> None:
    audio = line_noise(0.3, level=150.0) + phone_path(speak(word)) + line_noise(0.5, level=150.0)
    events = _barge(audio, silero_vad_model, _shipped())
    assert not any(isinstance(e, BargeIn) for e in events), events


@pytest.mark.parametrize("level", [150.0, 2000.0])
def test_shipped_eager_barge_in_ignores_line_noise(level: float, silero_vad_model: Any) -> None:
    assert _barge(line_noise(5.0, level=level), silero_vad_model, _shipped()) == []
