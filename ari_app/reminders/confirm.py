"""Who answered a reminder call-out? Nothing of the reminder is said until they prove it.

Whoever picks up (the user, a family member, voicemail) first hears only that Switchboard has
a reminder for the user's first name and is asked for the user's PIN (``identify = "pin"``) or,
where a tenant chose it, to press 1 if they are that person (``identify = "key"``). Only then
does :class:`ConfirmFirst` hand the call to the reminder's own dialog, whose greeting speaks
the reminder. Silence (a voicemail box recording) gets a goodbye with no content. Wrong PINs
are counted by the data side like any sign-in (lockout per user and per calling number).

Pure dialog logic over a narrow PIN-check interface; the call feeds it text and keys.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal, Protocol

from ari_app.conversation.agent_port import AgentOutput, ConversationAgent, Say, TurnEnd
from ari_app.reminders.dialog import SILENCE_MARK, first_name
from ari_app.speech.normalise import extract_digits

log = logging.getLogger(__name__)

Identify = Literal["pin", "key"]


class PinOutcome(Protocol):
    """What the check says (``mcp_tools`` PinResult fits)."""

    ok: bool
    outcome: str
    attempts_left: int


PinChecker = Callable[[str], Awaitable[PinOutcome]]
"""Checks a PIN for the reminder's user (tenant, user and called number are bound in)."""


class ConfirmFirst:
    """The call-out's agent: confirm the person, then the reminder dialog."""

    def __init__(
        self,
        user_name: str,
        dialog: ConversationAgent,
        dialog_greeting: str,
        check_pin: PinChecker,
        *,
        identify: Identify = "pin",
    ) -> None:
        self.user_name = user_name
        self.dialog = dialog
        self.dialog_greeting = dialog_greeting
        self.check_pin = check_pin
        self.identify = identify
        self.confirmed = False
        """The person proved who they are; the reminder may be spoken."""
        self.refused = False

    @property
    def greeting(self) -> str:
        """What anyone who answers hears: no reminder content."""
        first = first_name(self.user_name)
        if self.identify == "key":
            return (
                f"Hello, this is Switchboard with a reminder for {first}. "
                f"If you are {first}, press 1."
            )
        return (
            f"Hello, this is Switchboard with a reminder for {first}. "
            "To hear it, please key or say your PIN."
        )

    @property
    def sensitive(self) -> bool:
        """True while the PIN is expected (kept out of transcripts)."""
        return not self.confirmed and self.identify == "pin"

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        """Confirm the person, then pass every turn to the reminder's dialog."""
        if self.confirmed:
            async for item in self.dialog.turn(text):
                yield item
            return
        said = text.strip()
        if said == SILENCE_MARK:  # nobody (or a voicemail box): leave nothing behind
            yield Say("Goodbye.")
            yield TurnEnd(hangup=True)
            return
        outputs = await (self._key(said) if self.identify == "key" else self._pin(said))
        for item in outputs:
            yield item

    async def _key(self, said: str) -> list[AgentOutput]:
        if said == "1":
            self.confirmed = True
            return [Say(self.dialog_greeting), TurnEnd()]
        self.refused = True
        return [Say("Sorry to bother you. Goodbye."), TurnEnd(hangup=True)]

    async def _pin(self, said: str) -> list[AgentOutput]:
        digits = extract_digits(said)
        if not digits:
            return [Say("Please key or say your PIN, or hang up."), TurnEnd()]
        try:
            check = await self.check_pin(digits)
        except Exception as exc:  # the data side is away: say nothing of the reminder
            log.warning("reminder call-out: PIN check failed: %r", exc)
            return [Say("Sorry, I can't check PINs right now. Goodbye."), TurnEnd(hangup=True)]
        if check.ok:
            self.confirmed = True
            return [Say(self.dialog_greeting), TurnEnd()]
        if check.outcome == "locked" or check.attempts_left <= 0:
            self.refused = True
            return [Say("That PIN didn't match. Goodbye."), TurnEnd(hangup=True)]
        return [Say("That PIN didn't match. Please try again."), TurnEnd()]

    def record_heard(self, text: str) -> None:
        """Barge-in bookkeeping goes to the dialog once it speaks."""
        if self.confirmed:
            self.dialog.record_heard(text)

    async def close(self) -> None:
        """Close the dialog."""
        await self.dialog.close()
