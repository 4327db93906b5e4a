"""``switchboard bench speech``: the local speech models' cost on this machine.

Measures, with the bundled models and nothing else running: model load times; Silero VAD
microseconds per 32 ms window (8 and 16 kHz); Piper time to first audio (the first piece of
a reply) and real-time factor; Whisper latency from end of an utterance to text, over
Piper-voiced commands sent through the phone path (8 kHz μ-law), with their word error rate.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping
from typing import Any

import click

from switchboard.cli.common import emit, json_option

COMMANDS = (
    "Add a to-do to call the bank tomorrow at nine.",
    "Transfer me to sales, please.",
    "What is on my calendar for Friday?",
    "Remind me to send the report at 3 p.m.",
    "Assign the code review to Maria.",
    "Mark my first task as done.",
    "Cancel my meeting with the design team.",
    "Read me my todos for today.",
)
REPLIES = (
    "Done.",
    "Sure, I have added a todo to call the bank tomorrow at nine, and set a reminder.",
    "You have three meetings on Friday. The first one is at ten with the design team.",
    "Okay, I am transferring you to sales now.",
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


def run_speech_bench(repeat: int = 2, whisper_model: str = "tiny.en") -> dict[str, Any]:
    """Load the models, measure, and return one flat-ish result mapping."""
    from ari_app.media.codec import resample, ulaw_decode, ulaw_encode
    from ari_app.speech.stt_whisper import WhisperConfig, WhisperStt, model_dir
    from ari_app.speech.tts_piper import PiperTts
    from ari_app.speech.vad_silero import SileroVadModel
    from ari_app.speech.wer import word_error_rate
    from switchboard.settings import default_cache_dir

    t = time.perf_counter()
    tts = PiperTts.load(deterministic=True)
    load_tts = _ms(t)
    t = time.perf_counter()
    stt = WhisperStt.load(
        WhisperConfig(model_path=model_dir(whisper_model, default_cache_dir() / "models"))
    )
    load_stt = _ms(t)
    t = time.perf_counter()
    vad = SileroVadModel.load()
    load_vad = _ms(t)

    first_audio: list[float] = []
    rtf: list[float] = []
    for _ in range(repeat):
        for reply in REPLIES:
            t = time.perf_counter()
            chunks = tts.synthesize_sync(reply, 16000)
            first = next(chunks)
            first_audio.append(_ms(t))
            audio_ms = first.duration_ms + sum(c.duration_ms for c in chunks)
            rtf.append(_ms(t) / audio_ms)

    phone = {}
    for text in COMMANDS:
        pcm = b"".join(c.pcm for c in tts.synthesize_sync(text, 16000))
        phone[text] = resample(ulaw_decode(ulaw_encode(resample(pcm, 16000, 8000))), 8000, 16000)
    stt.transcribe_sync(phone[COMMANDS[0]])  # warm-up
    stt_ms: list[float] = []
    pairs: list[tuple[str, str]] = []
    for _ in range(repeat):
        for text, audio in phone.items():
            t = time.perf_counter()
            result = stt.transcribe_sync(audio)
            stt_ms.append(_ms(t))
            pairs.append((text, result.text))

    vad_us: dict[int, float] = {}
    sample = b"".join(phone.values())
    for rate in (8000, 16000):
        audio = resample(sample, 16000, rate) if rate != 16000 else sample
        stream = vad.stream(rate)
        t = time.perf_counter()
        windows = stream.process(audio)
        vad_us[rate] = _ms(t) * 1000.0 / len(windows)

    return {
        "load_ms": {"piper": load_tts, "whisper": load_stt, "silero": load_vad},
        "stt": {
            "backend": f"faster-whisper {whisper_model} int8 (phone path: 8 kHz μ-law → 16 kHz)",
            "n": len(stt_ms),
            "p50_ms": statistics.median(stt_ms),
            "p95_ms": _pct(stt_ms, 0.95),
            "max_ms": max(stt_ms),
            "wer": word_error_rate(pairs),
        },
        "tts": {
            "backend": "piper joe-medium → 16 kHz",
            "n": len(first_audio),
            "first_audio_p50_ms": statistics.median(first_audio),
            "first_audio_p95_ms": _pct(first_audio, 0.95),
            "rtf_p50": statistics.median(rtf),
        },
        "vad": {
            "backend": "silero v6 onnxruntime, 1 thread",
            "us_per_window_8k": vad_us[8000],
            "us_per_window_16k": vad_us[16000],
            "window_ms": 32.0,
        },
    }


def format_speech(r: Mapping[str, Any]) -> str:
    """Human-readable summary of :func:`run_speech_bench`."""
    s, t, v, load = r["stt"], r["tts"], r["vad"], r["load_ms"]
    return "\n".join(
        [
            f"load: piper {load['piper']:.0f} ms, whisper {load['whisper']:.0f} ms, "
            f"silero {load['silero']:.0f} ms",
            f"STT {s['backend']}, {s['n']} utterances: p50 {s['p50_ms']:.0f} ms, "
            f"p95 {s['p95_ms']:.0f} ms, "
            f"max {s['max_ms']:.0f} ms, WER {s['wer'] * 100:.1f} %",
            f"TTS first audio ({t['n']} replies): p50 {t['first_audio_p50_ms']:.0f} ms, "
            f"p95 {t['first_audio_p95_ms']:.0f} ms, RTF {t['rtf_p50']:.3f}",
            f"VAD: {v['us_per_window_8k']:.0f} µs per 32 ms window at 8 kHz, "
            f"{v['us_per_window_16k']:.0f} µs at 16 kHz",
        ]
    )


@click.command("speech")
@click.option("--repeat", default=2, show_default=True, help="Passes over the test phrases.")
@click.option(
    "--whisper-model",
    type=click.Choice(["tiny.en", "base"]),
    default="tiny.en",
    show_default=True,
    help="base needs `make whisper-base`.",
)
@json_option
def speech(repeat: int, whisper_model: str, as_json: bool) -> None:
    """STT latency and WER, TTS first-audio latency, VAD cost (bundled local models)."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    emit(run_speech_bench(repeat, whisper_model), as_json, format_speech)
