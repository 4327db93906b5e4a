"""The spoken side of a reminder call-out (pure: text in, replies out).

The greeting speaks the reminder and the choices. The user answers by voice ("done",
"snooze for twenty minutes", "say that again") or keypad (1 done, 2 snooze, 3 repeat). Spoken
answers are understood by meaning (:mod:`ari_app.call.answers`): "I haven't done it yet" is a
snooze, "got it, thanks" only acknowledges (the reminder stays delivered, not done); a length
said with a snooze ("in twenty minutes") sets it.
:class:`ReminderDialog` follows the conversation's agent interface; :attr:`outcome` says what
the call achieved (``done``, ``snoozed`` with :attr:`snooze_minutes`, or ``sent``: heard,
nothing chosen).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from ari_app.call.answers import AnswersFactory, read_answer
from ari_app.conversation.agent_port import AgentOutput, Say, TurnEnd
from mcp_tools.timeparse import find_duration_minutes

SILENCE_MARK = "T"
"""What the call feeds the dialog when the user has said nothing for a while."""

KEYS = {"1": "done", "2": "snooze", "3": "repeat"}
MAX_SNOOZE_MINUTES = 24 * 60


def snooze_minutes_in(text: str) -> int | None:
    """Minutes in "for 20 minutes", "ten minutes", "an hour", "half an hour" (at most a
    day); else None."""
    minutes = find_duration_minutes(text)
    return None if minutes is None else min(minutes, MAX_SNOOZE_MINUTES)


def first_name(name: str) -> str:
    """How the call greets the user."""
    return name.split()[0] if name.strip() else "there"


def speak_minutes(minutes: int) -> str:
    """ "ten minutes", "1 hour", "90 minutes" as a person says it."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return "an hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


class ReminderDialog:
    """One reminder call's dialog; :attr:`outcome` is what the user chose."""

    sensitive = False

    def __init__(
        self,
        user_name: str,
        text: str,
        *,
        snooze_minutes: int = 10,
        max_unclear: int = 2,
        answers: AnswersFactory | None = None,
    ) -> None:
        self.user_name = user_name
        self.text = text.strip().rstrip(".")
        self.default_snooze = snooze_minutes
        self.max_unclear = max_unclear
        self.outcome = "sent"
        self.snooze_minutes = snooze_minutes
        self.unclear = 0
        self.heard: list[str] = []
        self.answers = answers

    @property
    def greeting(self) -> str:
        """The reminder and the choices."""
        return (
            f"Hello {first_name(self.user_name)}, this is Switchboard with your reminder: "
            f"{self.text}. Say done, or snooze. Or press 1 for done, 2 to snooze."
        )

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        """Answer the user's choice."""
        said = text.strip()
        if said == SILENCE_MARK:
            yield Say("I'll leave it there. Goodbye.")
            yield TurnEnd(hangup=True)
            return
        question = f"Your reminder: {self.text}. Say done, or snooze."
        label = KEYS.get(said) or await read_answer(self.answers, "reminder", question, said)
        minutes = snooze_minutes_in(said) if label in ("snooze", "unclear") else None
        if label == "snooze" or minutes is not None:
            self.outcome = "snoozed"
            self.snooze_minutes = minutes or self.default_snooze
            yield Say(f"Okay, I'll remind you again in {speak_minutes(self.snooze_minutes)}.")
            yield Say("Goodbye.")
            yield TurnEnd(hangup=True)
            return
        if label == "done":
            self.outcome = "done"
            yield Say("Great, I've marked it done. Goodbye.")
            yield TurnEnd(hangup=True)
            return
        if label == "repeat":
            yield Say(f"Your reminder: {self.text}. Say done, or snooze.")
            yield TurnEnd()
            return
        if label == "heard":
            yield Say("Okay. Goodbye.")
            yield TurnEnd(hangup=True)
            return
        self.unclear += 1
        if self.unclear > self.max_unclear:
            yield Say("Sorry, I still didn't get that. I'll leave the reminder as it is. Goodbye.")
            yield TurnEnd(hangup=True)
            return
        yield Say("Sorry, I didn't catch that. Say done, or snooze. Or press 1 or 2.")
        yield TurnEnd()

    def record_heard(self, text: str) -> None:
        """The user spoke over the reply: keep what they heard."""
        self.heard.append(text)

    async def close(self) -> None:
        """Nothing to release."""
