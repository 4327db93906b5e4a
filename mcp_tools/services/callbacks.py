"""Callbacks: a caller who could not reach a department (closed, or nobody free) asks to be
called back; the request becomes a todo on that department's list.

The todo is owned by the caller (so it shows on their list too), carries the department,
is high priority, and is due when the department next opens (at once when it is open).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from mcp_tools import hours
from mcp_tools.audit import record
from mcp_tools.db.base import utcnow
from mcp_tools.db.models import Department, Tenant, Todo, User
from mcp_tools.db.session import Database
from mcp_tools.errors import NotFound
from mcp_tools.policy import Actor, Role
from mcp_tools.services.auth import normalise_number
from mcp_tools.timeparse import zone


@dataclass(frozen=True)
class Callback:
    """The todo a callback request became."""

    todo_id: int
    department: str
    title: str
    due_at: datetime


class CallbackRequests:
    """Turns callback requests into department todos (scoped to the caller's tenant)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def request(
        self,
        tenant_id: int,
        user_id: int,
        department: str,
        caller_number: str,
        *,
        reason: str = "",
        call_id: str | None = None,
        now: datetime | None = None,
    ) -> Callback:
        """Create the callback todo for ``department`` (its name or queue number)."""
        at = now or utcnow()
        async with self.db.scoped(tenant_id) as session, session.begin():
            key = department.strip()
            dept = (
                await session.execute(
                    select(Department).where(
                        or_(func.lower(Department.name) == key.lower(), Department.queue == key)
                    )
                )
            ).scalar_one_or_none()
            if dept is None:
                raise NotFound(f"There is no department {department!r}.")
            user = await session.get(User, user_id)
            if user is None:
                raise NotFound(f"There is no user {user_id}.")
            tenant = await session.get(Tenant, tenant_id)
            todo = callback_todo(
                dept, user, tenant.timezone if tenant else "UTC", caller_number, reason, at
            )
            session.add(todo)
            await session.flush()
            actor = Actor(tenant_id, user.id, Role.MEMBER, "voice", call_id, user.name)
            record(
                session,
                actor,
                "call.callback",
                "todo",
                todo.id,
                detail={"department": dept.name, "queue": dept.queue},
            )
            assert todo.due_at is not None
            return Callback(todo.id, dept.name, todo.title, todo.due_at)


def callback_todo(
    dept: Department, user: User, tz: str, caller_number: str, reason: str, at: datetime
) -> Todo:
    """The department's high-priority todo to call ``user`` back, due when it next opens."""
    local = at.astimezone(zone(tz))
    opens = (
        None
        if hours.is_open(dept.open_hours, local)
        else hours.next_opening(dept.open_hours, local)
    )
    due = opens.astimezone(at.tzinfo) if opens else at
    number = normalise_number(caller_number) or "their usual number"
    return Todo(
        owner_id=user.id,
        department_id=dept.id,
        title=f"Call back {user.name} on {number}"[:300],
        notes=(reason or "").strip()[:2000],
        priority="high",
        due_at=due,
    )
