"""Call records for the telephony side: start, identify, append turns, finish.

Transcripts never hold a PIN: caller turns have runs of 4–6 digits masked before storing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mcp_tools.db.base import utcnow
from mcp_tools.db.models import Call, CallTurn
from mcp_tools.db.session import Database
from mcp_tools.errors import NotFound
from mcp_tools.services.auth import normalise_number

_DIGIT_RUN = re.compile(r"(?<!\d)(?:\d[\s-]?){3,5}\d(?!\d)")
SPEAKERS = ("caller", "assistant", "system", "agent")


def mask_digits(text: str) -> str:
    """Mask every run of 4 to 6 digits (spaced or not) so a spoken PIN is never stored."""
    return _DIGIT_RUN.sub("[digits]", text)


@dataclass(frozen=True)
class TurnRecord:
    """One stored utterance."""

    seq: int
    speaker: str
    text: str
    at: datetime
    timings: dict[str, Any]


@dataclass(frozen=True)
class CallRecord:
    """A call as stored."""

    call_id: str
    tenant_id: int
    caller_number: str
    did: str
    user_id: int | None
    started_at: datetime
    ended_at: datetime | None
    outcome: str
    summary: str
    transferred_to: str | None
    timings: dict[str, Any]
    turns: list[TurnRecord] = field(default_factory=list)
    direction: str = "inbound"


class CallRecords:
    """Writes and reads call records, scoped to the call's tenant."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def start(
        self,
        tenant_id: int,
        call_id: str,
        caller_number: str,
        did: str,
        *,
        direction: str = "inbound",
        user_id: int | None = None,
    ) -> None:
        """Record that a call began (``outbound``: a call-out, ``caller_number`` is whom we
        rang and ``did`` the number we rang from)."""
        async with self.db.scoped(tenant_id) as session, session.begin():
            session.add(
                Call(
                    call_id=call_id,
                    caller_number=normalise_number(caller_number),
                    did=normalise_number(did),
                    direction=direction,
                    user_id=user_id,
                )
            )

    async def identify(self, tenant_id: int, call_id: str, user_id: int) -> None:
        """Attach the signed-in user to the call."""
        async with self.db.scoped(tenant_id) as session, session.begin():
            (await self._call(session, call_id)).user_id = user_id

    async def append_turn(
        self,
        tenant_id: int,
        call_id: str,
        speaker: str,
        text: str,
        timings: dict[str, float] | None = None,
    ) -> int:
        """Append one utterance (caller digits masked); returns its sequence number."""
        if speaker not in SPEAKERS:
            raise ValueError(f"speaker must be one of {SPEAKERS}")
        async with self.db.scoped(tenant_id) as session, session.begin():
            call = await self._call(session, call_id, lock=True)
            last = await session.execute(
                select(func.max(CallTurn.seq)).where(CallTurn.call_pk == call.id)
            )
            seq = (last.scalar_one_or_none() or 0) + 1
            stored = mask_digits(text) if speaker == "caller" else text
            session.add(
                CallTurn(
                    call_pk=call.id,
                    seq=seq,
                    speaker=speaker,
                    text=stored,
                    timings=dict(timings or {}),
                )
            )
            return seq

    async def finish(
        self,
        tenant_id: int,
        call_id: str,
        outcome: str,
        summary: str = "",
        timings: dict[str, Any] | None = None,
        transferred_to: str | None = None,
    ) -> None:
        """Record how the call ended (``completed``, ``transferred``, ``abandoned``, ...)."""
        async with self.db.scoped(tenant_id) as session, session.begin():
            call = await self._call(session, call_id)
            call.ended_at = utcnow()
            call.outcome = outcome[:24]
            call.summary = mask_digits(summary)
            call.transferred_to = transferred_to
            call.timings = {**call.timings, **(timings or {})}

    async def get(self, tenant_id: int, call_id: str) -> CallRecord:
        """A call with its turns."""
        async with self.db.scoped(tenant_id) as session:
            call = await self._call(session, call_id)
            turns = (
                await session.execute(
                    select(CallTurn).where(CallTurn.call_pk == call.id).order_by(CallTurn.seq)
                )
            ).scalars()
            return CallRecord(
                call_id=call.call_id,
                tenant_id=call.tenant_id,
                caller_number=call.caller_number,
                did=call.did,
                user_id=call.user_id,
                started_at=call.started_at,
                ended_at=call.ended_at,
                outcome=call.outcome,
                summary=call.summary,
                transferred_to=call.transferred_to,
                timings=dict(call.timings),
                turns=[TurnRecord(t.seq, t.speaker, t.text, t.at, dict(t.timings)) for t in turns],
                direction=call.direction,
            )

    @staticmethod
    async def _call(session: AsyncSession, call_id: str, *, lock: bool = False) -> Call:
        query = select(Call).where(Call.call_id == call_id)
        if lock:
            query = query.with_for_update()
        call = (await session.execute(query)).scalar_one_or_none()
        if call is None:
            raise NotFound(f"There is no call {call_id[:40]}.")
        return call
