"""Departments callers can reach, and the transfer action handed back to the telephony side."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mcp_tools import hours
from mcp_tools.db.models import Department, Tenant, UserPhone
from mcp_tools.errors import NotFound, said
from mcp_tools.fuzzy import Named, match_one
from mcp_tools.repos.common import listing, text_arg
from mcp_tools.services.callbacks import callback_todo
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


def _match(name: str, departments: list[Department]) -> Department:
    """The department ``name`` means; when none, say which ones there are."""
    words = [x for x in text_arg(name, "department", 80).split() if x.lower() not in _FILLERS]
    query = " ".join(words) or name
    try:
        return match_one(query, [Named(d, d.name, (d.name, d.queue)) for d in departments],
                         "department")  # fmt: skip
    except NotFound:
        names = [d.name for d in departments]
        there = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
        offer = f" I can put you through to {there}." if names else ""
        raise NotFound(f"There's no {said(query)} department.{offer}") from None


_FILLERS = frozenset({"the", "department", "team", "dept", "desk", "queue", "someone", "in"})


async def request_callback(w: Work, department: str, reason: str | None) -> Reply:
    """Have a department call the caller back: a high-priority todo on its list, due when it
    next opens (anyone may ask, Viewers too, as for a transfer)."""
    departments, tz = await _all(w)
    dept = _match(department, departments)
    why = text_arg(reason, "reason", 300, required=False)
    rows = await w.session.execute(
        select(UserPhone.number).where(UserPhone.user_id == w.user_id).order_by(UserPhone.id)
    )
    number = rows.scalars().first() or ""
    todo = callback_todo(dept, w.me, tz, number, why, w.now)
    w.session.add(todo)
    await w.session.flush()
    w.audit("call.callback", "todo", todo.id, {"department": dept.name, "queue": dept.queue})
    later = todo.due_at is not None and todo.due_at > w.now
    when = f" {speak_time(todo.due_at, tz, w.now)}" if later and todo.due_at else ""
    return Reply(
        f"I've asked {dept.name} to call you back{when}.",
        {"department": department_data(dept, tz, w), "todo_id": todo.id},
    )


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
    departments, tz = await _all(w)
    dept = _match(department, departments)
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
