"""Departments callers can reach, and the transfer action handed back to the telephony side."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mcp_tools import hours
from mcp_tools.db.models import Department, Tenant
from mcp_tools.fuzzy import Named, match_one
from mcp_tools.repos.common import listing, text_arg
from mcp_tools.timeparse import speak_time, zone
from mcp_tools.work import Reply, Work

QUEUE_CONTEXT = "ext-queues"


async def _all(w: Work) -> tuple[list[Department], str]:
    rows = await w.session.execute(select(Department).order_by(Department.name))
    tenant = await w.session.get(Tenant, w.actor.tenant_id)
    return list(rows.scalars().all()), tenant.timezone if tenant else "UTC"


def department_data(d: Department, tz: str, w: Work) -> dict[str, Any]:
    """Structured view of a department, with whether it is open now."""
    local = w.now.astimezone(zone(tz))
    nxt = hours.next_opening(d.open_hours, local)
    return {
        "id": d.id,
        "name": d.name,
        "queue": d.queue,
        "description": d.description,
        "open_now": hours.is_open(d.open_hours, local),
        "next_opening": nxt.isoformat() if nxt else None,
    }


async def list_departments(w: Work) -> Reply:
    """The departments a caller can be put through to."""
    departments, tz = await _all(w)
    data = {"departments": [department_data(d, tz, w) for d in departments]}
    if not departments:
        return Reply("There are no departments to transfer to.", data)
    lines = [f"{d['name']}{'' if d['open_now'] else ' (closed now)'}" for d in data["departments"]]
    return Reply(
        f"I can put you through to {listing(lines, 'department', 8).split(': ', 1)[1]}.", data
    )


async def transfer_to_department(w: Work, department: str, reason: str | None) -> Reply:
    """Check the department and hand back a transfer action (the caller side performs it).

    A closed department still gives an action, marked ``open_now: false`` with when it
    ``opens``: the caller side tells the caller and offers a callback instead of queueing.
    """
    name = text_arg(department, "department", 80)
    departments, tz = await _all(w)
    dept = match_one(name, [Named(d, d.name, (d.name,)) for d in departments], "department")
    info = department_data(dept, tz, w)
    why = text_arg(reason, "reason", 300, required=False)
    action = {
        "type": "transfer",
        "department": dept.name,
        "queue": dept.queue,
        "context": QUEUE_CONTEXT,
        "extension": dept.queue,
        "priority": 1,
        "reason": why,
    }
    if not info["open_now"]:
        nxt = hours.next_opening(dept.open_hours, w.now.astimezone(zone(tz)))
        opens = speak_time(nxt, tz, w.now) if nxt else ""
        # The phone side offers a callback instead of queueing the caller.
        action |= {"open_now": False, "opens": opens}
        w.audit("call.transfer.closed", "department", dept.id, {"queue": dept.queue})
        when = f"; it opens {opens}" if opens else ""
        return Reply(
            f"{dept.name} is closed right now{when}.", {"action": action, "department": info}
        )
    w.audit("call.transfer", "department", dept.id, {"queue": dept.queue})
    return Reply(f"Putting you through to {dept.name} now.", {"action": action, "department": info})
