"""The reminder call's dialog: choices by voice (as the answer reader labels them) and keypad,
durations, unclear answers."""

from __future__ import annotations

import pytest

from ari_app.conversation.agent_port import AgentOutput, Say, TurnEnd
from ari_app.reminders.dialog import (
    SILENCE_MARK,
    ReminderDialog,
    snooze_minutes_in,
    speak_minutes,
)
from tests.fixtures.answers import KnownAnswers

READER = KnownAnswers(
    {
        "done.": "done", "i finished it": "done", "mark it as done": "done",
        "snooze": "snooze", "snooze it for twenty minutes please.": "snooze",
        "remind me later": "snooze", "snooze for an hour": "snooze", "snooze 2 hours": "snooze",
        "i haven't done it yet": "snooze", "say that again": "repeat", "goodbye": "heard",
        "got it, thanks": "heard",
    }
)  # fmt: skip


def dialog_of(name: str, text: str, **kw: int) -> ReminderDialog:
    return ReminderDialog(name, text, answers=READER.factory(), **kw)


async def _turn(dialog: ReminderDialog, text: str) -> tuple[str, TurnEnd]:
    out: list[AgentOutput] = [o async for o in dialog.turn(text)]
    end = out[-1]
    assert isinstance(end, TurnEnd)
    return " ".join(o.text for o in out if isinstance(o, Say)), end


def test_the_greeting_speaks_the_reminder_and_the_choices() -> None:
    dialog = ReminderDialog("Maria Garcia", "Call the dentist.")
    assert dialog.greeting.startswith("Hello Maria, this is Switchboard")
    assert "Call the dentist. Say done, or snooze." in dialog.greeting
    assert "press 1 for done, 2 to snooze" in dialog.greeting
    assert dialog.outcome == "sent"


@pytest.mark.parametrize("said", ["1", "Done.", "I finished it", "mark it as done"])
async def test_done(said: str) -> None:
    dialog = dialog_of("Maria", "x")
    text, end = await _turn(dialog, said)
    assert dialog.outcome == "done" and end.hangup and "marked it done" in text
    if said != "1":
        assert READER.asked[-1] == ("reminder", "Your reminder: x. Say done, or snooze.", said)


async def test_not_done_yet_snoozes_and_an_acknowledgement_leaves_it_delivered() -> None:
    dialog = dialog_of("Maria", "x", snooze_minutes=15)
    await _turn(dialog, "I haven't done it yet")
    assert (dialog.outcome, dialog.snooze_minutes) == ("snoozed", 15)
    dialog = dialog_of("Maria", "x")
    text, end = await _turn(dialog, "got it, thanks")
    assert dialog.outcome == "sent" and end.hangup and "Goodbye" in text


@pytest.mark.parametrize(
    ("said", "minutes"),
    [
        ("2", 10),
        ("snooze", 10),
        ("Snooze it for twenty minutes please.", 20),
        ("remind me later", 10),
        ("in 45 minutes", 45),
        ("snooze for an hour", 60),
        ("half an hour", 30),
        ("snooze 2 hours", 120),
    ],
)
async def test_snooze(said: str, minutes: int) -> None:
    dialog = dialog_of("Maria", "x", snooze_minutes=10)
    text, end = await _turn(dialog, said)
    assert (dialog.outcome, dialog.snooze_minutes) == ("snoozed", minutes)
    assert end.hangup and speak_minutes(minutes) in text


async def test_repeat_then_unclear_answers_then_giving_up() -> None:
    dialog = dialog_of("Maria", "Call the dentist", max_unclear=2)
    text, end = await _turn(dialog, "say that again")
    assert "Call the dentist" in text and not end.hangup
    for _ in range(2):
        text, end = await _turn(dialog, "what about the weather")
        assert "didn't catch that" in text and not end.hangup
    text, end = await _turn(dialog, "blue")
    assert end.hangup and dialog.outcome == "sent"


async def test_silence_and_goodbye_end_the_call_leaving_the_reminder_heard() -> None:
    for said in (SILENCE_MARK, "goodbye"):
        dialog = dialog_of("Maria", "x")
        _, end = await _turn(dialog, said)
        assert end.hangup and dialog.outcome == "sent"


async def test_without_a_reader_only_keys_and_lengths_count() -> None:
    dialog = ReminderDialog("Maria", "x")
    text, _end = await _turn(dialog, "done")
    assert "didn't catch that" in text and dialog.outcome == "sent"
    await _turn(dialog, "2")
    assert dialog.outcome == "snoozed"


def test_durations() -> None:
    assert snooze_minutes_in("no number here") is None
    assert snooze_minutes_in("for 3 days") is None
    assert snooze_minutes_in("5 mins") == 5
    assert snooze_minutes_in("extra pizza minutes") is None  # "a" inside a word
    assert snooze_minutes_in("in 90 hours") == 24 * 60  # capped at a day
    assert speak_minutes(10) == "10 minutes" and speak_minutes(60) == "an hour"
    assert speak_minutes(120) == "2 hours"
