"""The turn-end decision: model verdicts and transcripts in, finished-or-wait out."""

from __future__ import annotations

import pytest

from ari_app.speech.turn_end import TurnEndConfig, TurnEndDecider, ends_dangling

KEY = (1000.0, 2500.0)


@pytest.mark.parametrize(
    ("text", "dangling"),
    [
        ("Remind me to call the bank at", True),
        ("Remind me to call the bank at.", True),  # Whisper's full stop proves nothing
        ("I need to add, um,", True),
        ("Book a meeting with", True),
        ("Add buy milk to my to do list.", False),
        ("What's on my calendar for?", True),  # Whisper punctuates fragments too
        ("Can you", True),
        ("Could you check?", True),
        ("Please add.", True),
        ("Well,", True),
        ("What do I have?", False),
        ("Mm-hmm.", False),
        ("Stop.", False),
        ("", False),
    ],
)
def test_dangling_words(text: str, dangling: bool) -> None:
    assert ends_dangling(text) is dangling


def test_finished_needs_the_model_and_the_words() -> None:
    decider = TurnEndDecider()
    decider.paused(KEY)
    assert decider.model(KEY, 0.97) is None  # the words are not in yet
    verdict = decider.words(KEY, "Add buy milk to my list.")
    assert verdict is not None and verdict.finished and verdict.reason == "complete"
    assert verdict.probability == 0.97


def test_the_answers_may_come_in_either_order() -> None:
    decider = TurnEndDecider()
    decider.paused(KEY)
    assert decider.words(KEY, "What is on my calendar tomorrow?") is None
    verdict = decider.model(KEY, 0.9)
    assert verdict is not None and verdict.finished


def test_an_unfinished_sound_waits_without_the_words() -> None:
    decider = TurnEndDecider()
    decider.paused(KEY)
    verdict = decider.model(KEY, 0.02)
    assert verdict is not None and not verdict.finished
    assert verdict.reason == "model_unfinished"
    assert decider.words(KEY, "I need to add") is None  # already decided


def test_a_falling_fragment_is_caught_by_its_last_word() -> None:
    decider = TurnEndDecider()
    decider.paused(KEY)
    decider.model(KEY, 0.97)
    verdict = decider.words(KEY, "Remind me to call the bank at")
    assert verdict is not None and not verdict.finished and verdict.reason == "words_unfinished"


def test_nothing_understood_leaves_it_to_the_model() -> None:
    decider = TurnEndDecider()
    decider.paused(KEY)
    decider.words(KEY, None)
    verdict = decider.model(KEY, 0.8)
    assert verdict is not None and verdict.finished


def test_without_the_words_check_the_model_alone_decides() -> None:
    decider = TurnEndDecider(TurnEndConfig(use_words=False))
    decider.paused(KEY)
    verdict = decider.model(KEY, 0.6)
    assert verdict is not None and verdict.finished


def test_answers_about_an_older_pause_or_after_speech_resumed_are_ignored() -> None:
    decider = TurnEndDecider()
    decider.paused(KEY)
    decider.paused((1000.0, 3200.0))
    assert decider.model(KEY, 0.99) is None
    assert decider.words(KEY, "done.") is None
    decider.resumed()
    assert decider.open_key is None
    assert decider.model((1000.0, 3200.0), 0.99) is None
