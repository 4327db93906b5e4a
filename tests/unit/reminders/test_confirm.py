"""Reminder call-outs confirm the person before saying anything of the reminder."""

from __future__ import annotations

from dataclasses import dataclass

from ari_app.conversation.agent_port import Say, TurnEnd
from ari_app.reminders.confirm import ConfirmFirst
from ari_app.reminders.dialog import SILENCE_MARK, ReminderDialog


@dataclass
class Check:
    ok: bool
    outcome: str
    attempts_left: int


def _gate(identify: str = "pin", fails_left: int = 2) -> tuple[ConfirmFirst, list[str]]:
    tried: list[str] = []
    left = [fails_left]

    async def check(pin: str) -> Check:
        tried.append(pin)
        if pin == "7253":
            return Check(True, "ok", 3)
        left[0] -= 1
        return Check(False, "locked" if left[0] < 0 else "wrong_pin", max(0, left[0]))

    dialog = ReminderDialog("Maria Garcia", "Pick up the biopsy results")
    return ConfirmFirst("Maria Garcia", dialog, dialog.greeting, check, identify=identify), tried  # type: ignore[arg-type]


async def _say(gate: ConfirmFirst, text: str) -> tuple[str, TurnEnd]:
    said, end = [], None
    async for item in gate.turn(text):
        if isinstance(item, Say):
            said.append(item.text)
        elif isinstance(item, TurnEnd):
            end = item
    assert end is not None
    return " ".join(said), end


async def test_nothing_of_the_reminder_before_the_pin() -> None:
    gate, tried = _gate()
    assert "Maria" in gate.greeting and "biopsy" not in gate.greeting and gate.sensitive
    said, end = await _say(gate, "1111")
    assert "didn't match" in said and "biopsy" not in said and not end.hangup
    said, end = await _say(gate, "seven two five three")
    assert "biopsy" in said and not end.hangup and gate.confirmed and not gate.sensitive
    assert tried == ["1111", "7253"]
    said, end = await _say(gate, "1")  # now the reminder's own dialog answers
    assert "marked it done" in said and end.hangup


async def test_voicemail_silence_gets_only_a_goodbye() -> None:
    gate, tried = _gate()
    said, end = await _say(gate, SILENCE_MARK)
    assert said == "Goodbye." and end.hangup and tried == [] and not gate.confirmed


async def test_lockout_ends_the_call_without_content() -> None:
    gate, _ = _gate(fails_left=1)
    await _say(gate, "0000")
    said, end = await _say(gate, "0001")
    assert end.hangup and "biopsy" not in said and gate.refused


async def test_key_mode_asks_for_1_from_the_person() -> None:
    gate, tried = _gate("key")
    assert "press 1" in gate.greeting and not gate.sensitive
    said, end = await _say(gate, "2")
    assert end.hangup and "biopsy" not in said and gate.refused
    gate, _ = _gate("key")
    said, _ = await _say(gate, "1")
    assert "biopsy" in said and tried == []
