"""Piper pieces lose their quiet start (first audio sooner), nothing else."""

from __future__ import annotations

import numpy as np

from ari_app.speech.tts_piper import trim_leading_silence

RATE = 22050


def test_leading_silence_is_cut_to_the_kept_margin() -> None:
    quiet = np.full(int(0.06 * RATE), 0.001, dtype=np.float32)
    t = np.arange(int(0.5 * RATE)) / RATE
    voice = (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    out = trim_leading_silence(np.concatenate([quiet, voice]), RATE, keep_ms=10)
    lead_ms = (len(out) - len(voice)) / RATE * 1000
    assert 5 <= lead_ms <= 16
    assert np.array_equal(out[-len(voice) :], voice)  # the voice itself is untouched


def test_all_quiet_or_empty_audio_is_unchanged() -> None:
    quiet = np.zeros(1000, dtype=np.float32)
    assert len(trim_leading_silence(quiet, RATE)) == 1000
    assert len(trim_leading_silence(np.zeros(0, dtype=np.float32), RATE)) == 0
