"""Turn-taking at pauses: fakes that follow the STT and turn-model ports, a scripted VAD."""

from __future__ import annotations

import asyncio

from ari_app.conversation.turn_taking import TurnTaking
from ari_app.speech.listener import Listener
from ari_app.speech.ports import Transcript
from ari_app.speech.segmenter import (
    Segmenter,
    SegmenterConfig,
    SpeechEnded,
    SpeechPaused,
    SpeechResumed,
)
from tests.unit.speech.fake_vad import FakeVad, tone

CONFIG = SegmenterConfig(
    min_speech_ms=96, end_silence_ms=2000, post_roll_ms=150, tentative_silence_ms=192
)


class FakeStt:
    """Says ``text``; counts the calls."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls = 0

    async def transcribe(self, pcm16k: bytes) -> Transcript:
        self.calls += 1
        await asyncio.sleep(0.01)
        return Transcript(self.text, 0.9, audio_ms=len(pcm16k) / 32)


class FakeTurnModel:
    """Answers ``p`` after a short delay; counts the calls."""

    def __init__(self, p: float) -> None:
        self.p = p
        self.calls = 0

    async def probability(self, pcm16k: bytes) -> float:
        self.calls += 1
        await asyncio.sleep(0.005)
        return self.p


def _setup(text: str, p: float) -> tuple[Listener, TurnTaking, list[SpeechEnded], FakeStt]:
    listener = Listener(FakeVad(), Segmenter(CONFIG))
    ended: list[SpeechEnded] = []
    stt = FakeStt(text)
    turns = TurnTaking(listener, stt, FakeTurnModel(p), ended.append)
    return listener, turns, ended, stt


def _feed(listener: Listener, turns: TurnTaking, pcm: bytes) -> list[object]:
    events = listener.feed(pcm)
    for event in events:
        if isinstance(event, SpeechPaused):
            turns.paused(event)
        elif isinstance(event, SpeechResumed):
            turns.resumed()
    return list(events)


async def test_a_finished_request_ends_at_the_first_pause_and_reuses_its_transcript() -> None:
    listener, turns, ended, stt = _setup("Add milk to my list.", 0.95)
    _feed(listener, turns, tone(800) + bytes(2 * 16000 * 250 // 1000))
    await asyncio.sleep(0.05)
    assert len(ended) == 1
    assert ended[0].detected_ms - ended[0].end_ms < 300  # not the 2 s cap
    transcript = await turns.transcript(ended[0])
    assert transcript.text == "Add milk to my list." and stt.calls == 1


async def test_an_unfinished_pause_waits_and_speech_goes_on_in_the_same_utterance() -> None:
    listener, turns, ended, _ = _setup("I need to add", 0.02)
    _feed(listener, turns, tone(600) + bytes(2 * 16000 * 600 // 1000))
    await asyncio.sleep(0.05)
    assert ended == []
    events = _feed(listener, turns, tone(500))
    assert any(isinstance(e, SpeechResumed) for e in events)
    assert listener.segmenter.in_speech


async def test_words_that_dangle_overrule_a_confident_model() -> None:
    listener, turns, ended, _ = _setup("Remind me to call the bank at", 0.97)
    _feed(listener, turns, tone(800) + bytes(2 * 16000 * 400 // 1000))
    await asyncio.sleep(0.05)
    assert ended == []


async def test_the_cap_ends_an_unfinished_utterance() -> None:
    listener, turns, ended, _ = _setup("I need to add", 0.02)
    events = _feed(listener, turns, tone(600) + bytes(2 * 16000 * 2100 // 1000))
    assert any(isinstance(e, SpeechEnded) for e in events)
    await asyncio.sleep(0.05)
    assert ended == []  # the segmenter ended it itself; nothing twice


async def test_recognition_starts_at_the_early_pause_and_the_model_is_asked_at_the_check() -> None:
    config = SegmenterConfig(
        min_speech_ms=96,
        end_silence_ms=2000,
        post_roll_ms=128,
        tentative_silence_ms=128,
        check_silence_ms=224,
    )
    listener = Listener(FakeVad(), Segmenter(config))
    ended: list[SpeechEnded] = []
    stt, model = FakeStt("Add milk to my list."), FakeTurnModel(0.95)
    turns = TurnTaking(listener, stt, model, ended.append)
    events = _feed(listener, turns, tone(800) + bytes(2 * 16000 * 160 // 1000))
    assert [e.check for e in events if isinstance(e, SpeechPaused)] == [False]
    await asyncio.sleep(0.05)
    assert (stt.calls, model.calls, ended) == (1, 0, [])  # words known, not yet asked
    events = _feed(listener, turns, bytes(2 * 16000 * 96 // 1000))
    assert [e.check for e in events if isinstance(e, SpeechPaused)] == [True]
    await asyncio.sleep(0.05)
    assert (stt.calls, model.calls, len(ended)) == (1, 1, 1)  # one recognition, reused
