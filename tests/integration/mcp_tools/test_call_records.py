"""Call records: start, identify, turns (digits masked), finish; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from mcp_tools.db.session import Database
from mcp_tools.errors import NotFound
from mcp_tools.services.calls import CallRecords


async def test_call_record_lifecycle(seeded_db: tuple[Database, int]) -> None:
    db, tenant = seeded_db
    calls = CallRecords(db)
    call_id = f"chan-{uuid.uuid4().hex[:8]}"
    await calls.start(tenant, call_id, "+1 555 0112", "+15550100")
    await calls.identify(tenant, call_id, 2)
    seqs = await asyncio.gather(
        *[calls.append_turn(tenant, call_id, "assistant", f"line {i}") for i in range(5)]
    )
    assert sorted(seqs) == [1, 2, 3, 4, 5]
    await calls.append_turn(
        tenant, call_id, "caller", "my pin is 4 8 2 1 and room 12", {"stt_ms": 210.0}
    )
    await calls.finish(
        tenant, call_id, "transferred", "Wanted sales", {"agent_ms": 800}, transferred_to="402"
    )
    record = await calls.get(tenant, call_id)
    assert record.caller_number == "+15550112" and record.user_id == 2
    assert record.outcome == "transferred" and record.transferred_to == "402"
    assert record.turns[-1].text == "my pin is [digits] and room 12"
    assert record.turns[-1].timings == {"stt_ms": 210.0}
    assert record.ended_at is not None and record.timings == {"agent_ms": 800}
    with pytest.raises(NotFound):
        await calls.get(tenant + 999, call_id)
