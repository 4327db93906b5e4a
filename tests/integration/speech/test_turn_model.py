"""Smart Turn v3.2 on real Piper speech over the phone path, fed as the app feeds it.

The audio each decision sees is what the segmenter hands over at the first 200 ms pause
(Silero VAD, the app's own thresholds), so these are the model's real inputs.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any

import pytest

from ari_app.media.codec import silence
from ari_app.speech.factory import model_cache, segmenter_config
from ari_app.speech.segmenter import Segmenter, SpeechPaused
from ari_app.speech.turn_model import SmartTurnModel, smart_turn_path
from switchboard.settings import SpeechSettings
from tests.fixtures.speech import phone_path

Speak = Callable[..., bytes]

FINISHED = (
    "Add buy milk to my to do list.",
    "What is on my calendar tomorrow?",
    "Remind me to call the bank at nine.",
    "Book a meeting with Sarah on Friday at three.",
    "Mark the milk task as done.",
)
HESITATING = ("I need to add,", "Add a reminder for, uh,", "So,", "Move my meeting with, um,")


@pytest.fixture(scope="module")
def turn_model() -> SmartTurnModel:
    return SmartTurnModel.load(smart_turn_path(model_cache(SpeechSettings())))


def _first_pause(audio: bytes, silero_vad_model: Any) -> bytes:
    segmenter = Segmenter(segmenter_config(SpeechSettings()))
    stream = silero_vad_model.stream(16000)
    for window in stream.process(audio + silence(1000, 16000)):
        for event in segmenter.feed(window):
            if isinstance(event, SpeechPaused) and event.check:  # when the model is asked
                return event.audio
    raise AssertionError("no pause found")


def test_the_model_comes_from_the_cache_without_pipecat(turn_model: SmartTurnModel) -> None:
    assert importlib.util.find_spec("pipecat") is None
    assert "pipecat" not in sys.modules
    assert turn_model.probability_sync(silence(500, 16000)) >= 0.0


@pytest.mark.parametrize("text", FINISHED)
def test_finished_requests_are_complete(
    text: str, speak: Speak, silero_vad_model: Any, turn_model: SmartTurnModel
) -> None:
    audio = _first_pause(phone_path(speak(text)), silero_vad_model)
    assert turn_model.probability_sync(audio) >= 0.5


@pytest.mark.parametrize("text", HESITATING)
def test_a_hesitation_is_not_the_end(
    text: str, speak: Speak, silero_vad_model: Any, turn_model: SmartTurnModel
) -> None:
    audio = _first_pause(phone_path(speak(text)), silero_vad_model)
    assert turn_model.probability_sync(audio) < 0.5


async def test_decisions_run_on_the_models_worker(
    speak: Speak, silero_vad_model: Any, turn_model: SmartTurnModel
) -> None:
    audio = _first_pause(phone_path(speak(FINISHED[0])), silero_vad_model)
    assert await turn_model.probability(audio) == turn_model.probability_sync(audio)
