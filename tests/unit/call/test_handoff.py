"""The hand-off guard: a transfer goes through only when the department is open and someone
is there; otherwise the caller is told and offered a callback (keypad or voice)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from ari_app.ari.rest import AriHttpError
from ari_app.call.handoff import HandoffGuard, QueueAvailability, yes_or_no
from ari_app.conversation.agent_port import AgentOutput, Say, ToolUsed, TransferRequest, TurnEnd
from tests.fixtures.answers import KnownAnswers

READER = KnownAnswers(
    {"yes please": "yes", "yes, please.": "yes", "yep go ahead": "yes", "no thanks": "no",
     "no thanks.": "no"}
)  # fmt: skip
SALES = TransferRequest("Sales", "402", "Alice wants a quote.")


@dataclass
class TransferringAgent:
    """Asked for a person, uses the transfer tool and ends the turn with the transfer."""

    transfer: TransferRequest = SALES
    sensitive: bool = False
    turns: list[str] = field(default_factory=list)
    closed: bool = False

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        self.turns.append(text)
        if "sales" in text:
            yield Say("One moment.", filler=True)
            yield ToolUsed("transfer_to_department", True, 0.1)
            yield Say("Putting you through to Sales now.")
            yield TurnEnd(transfer=self.transfer)
            return
        yield Say(f"You said {text}.")
        yield TurnEnd()

    def record_heard(self, text: str) -> None:
        pass

    async def close(self) -> None:
        self.closed = True


@dataclass
class QueueVars:
    """``AriRest.get_channel_var`` answering ``QUEUE_MEMBER(<queue>,<what>)``."""

    counts: dict[str, int]
    asked: list[str] = field(default_factory=list)

    async def get_channel_var(self, channel_id: str, variable: str) -> str:
        self.asked.append(variable)
        if not self.counts:
            raise AriHttpError(500, "GET", "/channels/x/variable", "no such queue")
        what = variable.rsplit(",", 1)[1].rstrip(")")
        return str(self.counts[what])


def _guard(counts: dict[str, int], *, filer: bool = True, signed_in: bool = True) -> HandoffGuard:
    async def file_callback(transfer: TransferRequest) -> str:
        return f"Done. {transfer.department} will call you back."

    return HandoffGuard(
        TransferringAgent(),
        QueueAvailability(QueueVars(counts), "chan-1"),  # type: ignore[arg-type]
        file_callback if filer else None,
        can_call_back=lambda: signed_in,
        answers=READER.factory(),
    )


async def _turn(guard: HandoffGuard, text: str) -> tuple[list[str], TurnEnd]:
    out = [o async for o in guard.turn(text)]
    end = out[-1]
    assert isinstance(end, TurnEnd)
    return [o.text for o in out if isinstance(o, Say)], end


@pytest.mark.parametrize(
    "counts",
    [
        {"free": 1},
        {"free": 0, "logged": 2, "paused": 1},  # one agent busy on a call: wait in the queue
        {},  # the queue cannot be read: let Asterisk queue the caller
    ],
)
async def test_someone_there_the_transfer_goes_through(counts: dict[str, int]) -> None:
    said, end = await _turn(_guard(counts), "a human in sales")
    assert end.transfer == SALES
    assert said == ["One moment.", "Putting you through to Sales now."]


async def test_nobody_there_offers_a_callback_and_key_1_files_it() -> None:
    guard = _guard({"free": 0, "logged": 1, "paused": 1})
    said, end = await _turn(guard, "a human in sales")
    assert end.transfer is None and not end.hangup
    assert "Putting you through to Sales now." not in said
    assert "nobody in Sales can take your call right now" in " ".join(said)
    assert "call you back" in said[-1] and guard.offered == SALES
    said, end = await _turn(guard, "1")
    assert said[0] == "Done. Sales will call you back." and guard.callbacks == ["Sales"]
    assert guard.offered is None and not end.hangup


async def test_a_closed_department_says_when_it_opens_and_no_declines() -> None:
    guard = _guard({"free": 3})
    guard.inner.transfer = TransferRequest(  # type: ignore[attr-defined]
        "Sales", "402", "", open_now=False, opens="Monday at 8:00 AM"
    )
    said, end = await _turn(guard, "a human in sales")
    assert said[1] == "Sales is closed right now; it opens Monday at 8:00 AM."
    assert end.transfer is None and guard.offered is not None
    said, _ = await _turn(guard, "no thanks")
    assert guard.callbacks == [] and "anything else" in said[0]


async def test_an_unrelated_answer_goes_to_the_agent_and_drops_the_offer() -> None:
    guard = _guard({"free": 0, "logged": 0, "paused": 0})
    await _turn(guard, "a human in sales")
    said, _ = await _turn(guard, "what is on my calendar")
    assert said == ["You said what is on my calendar."] and guard.offered is None


async def test_without_callbacks_the_caller_is_told_and_the_call_ends() -> None:
    for guard in (_guard({"free": 0}, filer=False), _guard({"free": 0}, signed_in=False)):
        guard.availability.rest.counts.update(logged=0, paused=0)  # type: ignore[attr-defined]
        said, end = await _turn(guard, "a human in sales")
        assert end.hangup and end.transfer is None and said[-1].endswith("Goodbye.")


async def test_a_failing_callback_is_said_plainly() -> None:
    async def broken(transfer: TransferRequest) -> str:
        raise RuntimeError("database down")

    guard = _guard({"free": 0, "logged": 0, "paused": 0})
    guard.file_callback = broken
    await _turn(guard, "a human in sales")
    said, end = await _turn(guard, "yes please")
    assert "couldn't set up the callback" in said[0] and end.error == "callback_failed"


@pytest.mark.parametrize(
    ("text", "answer"),
    [("1", True), ("Yes, please.", True), ("yep go ahead", True), ("2", False),
     ("No thanks.", False), ("what time is it", None)],
)  # fmt: skip
async def test_yes_or_no(text: str, answer: bool | None) -> None:
    assert await yes_or_no(text, "Call you back?", READER.factory()) is answer
    assert await yes_or_no(text, "Call you back?", None) is (answer if text in "12" else None)
