"""Hand-off to humans, checked before the caller is moved: is the department open, and is
anyone there to answer? If not, the caller is told so and offered a callback, which the data
side turns into a todo for the department.

:class:`HandoffGuard` wraps the call's agent (:class:`ConversationAgent`): it lets every turn
through, but holds a turn's transfer (and the "putting you through" words that come with it)
until :class:`QueueAvailability` answers. The callback offer is a one-question dialog: yes
(or key 1) files the callback, no (or key 2) goes back to the agent, anything else is passed
to the agent as a new request. Spoken answers are understood by meaning
(:mod:`ari_app.call.answers`: "sure, no problem" is a yes).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from ari_app.ari.rest import AriHttpError, AriRest
from ari_app.call.answers import AnswersFactory, read_answer
from ari_app.conversation.agent_port import (
    AgentOutput,
    ConversationAgent,
    Say,
    ToolUsed,
    TransferRequest,
    TurnEnd,
)

log = logging.getLogger(__name__)

TRANSFER_TOOL = "transfer_to_department"

KEYS = {"1": True, "2": False}


async def yes_or_no(text: str, question: str, answers: AnswersFactory | None) -> bool | None:
    """True for yes (or key 1), False for no (or key 2), None when it is neither."""
    said = text.strip()
    if said in KEYS:
        return KEYS[said]
    label = await read_answer(answers, "callback", question, said)
    return {"yes": True, "no": False}.get(label)


@dataclass(frozen=True)
class Unavailable:
    """Why the caller cannot be put through now, as said to them."""

    reason: str
    """``closed`` or ``nobody``."""
    spoken: str


CallbackFiler = Callable[[TransferRequest], Awaitable[str]]
"""Files a callback for the transfer's department; returns the sentence confirming it."""


class QueueAvailability:
    """Asks Asterisk whether a department's queue has someone to answer.

    ``QUEUE_MEMBER(<queue>,free)`` counts members logged in, not paused and not on a call;
    ``logged`` and ``paused`` tell busy agents (the caller waits in the queue) from nobody
    at all (unregistered phones, everybody paused).
    """

    def __init__(self, rest: AriRest, channel_id: str) -> None:
        self.rest = rest
        self.channel_id = channel_id

    async def check(self, transfer: TransferRequest) -> Unavailable | None:
        """None when the caller can be put through; otherwise why not."""
        name = transfer.department or "that department"
        if not transfer.open_now:
            when = f"; it opens {transfer.opens}" if transfer.opens else ""
            return Unavailable("closed", f"{name} is closed right now{when}.")
        try:
            free = await self._count(transfer.queue, "free")
            if free > 0:
                return None
            logged = await self._count(transfer.queue, "logged")
            paused = await self._count(transfer.queue, "paused")
        except (AriHttpError, ValueError) as exc:  # unknown queue, old Asterisk: let it queue
            log.warning("queue %s: cannot read its members (%s); queueing", transfer.queue, exc)
            return None
        if logged > paused:
            return None  # agents are on calls: the caller waits in the queue
        return Unavailable("nobody", f"Sorry, nobody in {name} can take your call right now.")

    async def _count(self, queue: str, what: str) -> int:
        value = await self.rest.get_channel_var(self.channel_id, f"QUEUE_MEMBER({queue},{what})")
        return int(value or 0)


class HandoffGuard:
    """Wraps the call's agent; turns an impossible transfer into a callback offer."""

    def __init__(
        self,
        inner: ConversationAgent,
        availability: QueueAvailability,
        file_callback: CallbackFiler | None = None,
        *,
        can_call_back: Callable[[], bool] = lambda: True,
        answers: AnswersFactory | None = None,
    ) -> None:
        self.inner = inner
        self.availability = availability
        self.file_callback = file_callback
        self.can_call_back = can_call_back
        """False while a callback cannot be filed (the caller has not signed in)."""
        self.offered: TransferRequest | None = None
        self.callbacks: list[str] = []
        """Departments a callback was filed for during this call."""
        self.unavailable: list[Unavailable] = []
        self.answers = answers
        """Understands spoken answers to the callback offer."""
        self.question = ""

    @property
    def sensitive(self) -> bool:
        """As the wrapped agent (a PIN is never expected while a callback is offered)."""
        return self.inner.sensitive

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        """One turn: the callback answer, or the wrapped agent's turn with its transfer checked."""
        offered, self.offered = self.offered, None
        if offered is not None:
            answer = await yes_or_no(text, self.question, self.answers)
            if answer is not None:
                async for out in self._answer_offer(offered, answer):
                    yield out
                return
        held: list[Say] = []
        transferring = False
        async for out in self.inner.turn(text):
            if isinstance(out, ToolUsed) and out.name == TRANSFER_TOOL and out.ok:
                transferring = True
            elif isinstance(out, Say) and transferring and not out.filler:
                held.append(out)
                continue
            elif isinstance(out, TurnEnd) and out.transfer is not None:
                async for checked in self._check(out, held):
                    yield checked
                return
            yield out
        for say in held:
            yield say

    async def _check(self, end: TurnEnd, held: list[Say]) -> AsyncIterator[AgentOutput]:
        transfer = end.transfer
        assert transfer is not None
        problem = await self.availability.check(transfer)
        if problem is None:
            for say in held:
                yield say
            yield end
            return
        log.info("transfer to %s not possible: %s", transfer.queue, problem.reason)
        self.unavailable.append(problem)
        yield Say(problem.spoken)
        if self.file_callback is None or not self.can_call_back():
            yield Say("Please try again later. Goodbye.")
            yield TurnEnd(hangup=True, error=end.error)
            return
        self.offered = transfer
        self.question = f"Would you like someone from {transfer.department} to call you back?"
        yield Say(f"{self.question} Say yes or no, or press 1 for yes.")
        yield TurnEnd(error=end.error)

    async def _answer_offer(
        self, transfer: TransferRequest, answer: bool
    ) -> AsyncIterator[AgentOutput]:
        if not answer or self.file_callback is None:
            yield Say("All right. Is there anything else I can help with?")
            yield TurnEnd()
            return
        try:
            confirmation = await self.file_callback(transfer)
        except Exception:
            log.exception("filing a callback for %s failed", transfer.department)
            yield Say("Sorry, I couldn't set up the callback. Please try again later.")
            yield TurnEnd(error="callback_failed")
            return
        self.callbacks.append(transfer.department)
        yield Say(confirmation)
        yield Say("Is there anything else I can help with?")
        yield TurnEnd()

    def record_heard(self, text: str) -> None:
        """Pass on what the caller heard of the last reply."""
        self.inner.record_heard(text)

    async def close(self) -> None:
        """Close the wrapped agent."""
        await self.inner.close()
