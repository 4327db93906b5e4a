"""What the console reads from the team data: people, departments, call records, statistics.

Every query goes through ``Database.scoped(tenant_id)`` (tenant isolation by construction);
only the sign-in look-up of a tenant by its slug is unscoped. The console writes nothing here.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from mcp_tools.db.base import utcnow
from mcp_tools.db.models import (
    AuditEntry,
    Call,
    CallTurn,
    Department,
    Team,
    TeamMember,
    Tenant,
    Todo,
    User,
)
from mcp_tools.db.session import Database
from mcp_tools.errors import NotFound
from mcp_tools.services.calls import CallRecords

SUPERVISOR_ROLES = ("owner", "admin")
TRANSFERRED = "transferred"
AI_RESOLVED = "completed"


@dataclass(frozen=True)
class Person:
    """A tenant user as the console needs them."""

    tenant_id: int
    tenant_slug: str
    user_id: int
    user_number: str
    name: str
    role: str
    active: bool


@dataclass(frozen=True)
class DepartmentInfo:
    """A department and its queue."""

    name: str
    queue: str


@dataclass(frozen=True)
class ScreenPop:
    """What the console shows when a handed-off call rings."""

    call_id: str
    caller_number: str
    caller_name: str
    teams: list[str]
    summary: str
    outcome: str
    transferred_to: str | None
    started_at: str
    transcript: list[dict[str, Any]]
    actions: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass
class DashboardStats:
    """Figures for the supervisors' dashboard (from the call records and the work data)."""

    calls_per_hour: list[dict[str, Any]] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    workload: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    """Open callback todos of the departments, oldest due first."""


class Directory:
    """Read-only views over ``mcp_tools`` for the console."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.records = CallRecords(db)

    async def person(self, tenant_slug: str, user_number: str) -> Person | None:
        """Find a user by tenant slug and user number (the sign-in form)."""
        async with self.db.unscoped() as session:
            tenant = (
                await session.execute(select(Tenant).where(Tenant.slug == tenant_slug.strip()))
            ).scalar_one_or_none()
        if tenant is None:
            return None
        async with self.db.scoped(tenant.id) as session:
            user = (
                await session.execute(select(User).where(User.user_number == user_number.strip()))
            ).scalar_one_or_none()
            if user is None:
                return None
            return Person(
                tenant.id, tenant.slug, user.id, user.user_number, user.name, user.role, user.active
            )

    async def person_by_id(self, tenant_id: int, user_id: int) -> Person | None:
        """Find a user by ids (one-time links)."""
        async with self.db.scoped(tenant_id) as session:
            user = (
                await session.execute(select(User).where(User.id == user_id))
            ).scalar_one_or_none()
        async with self.db.unscoped() as session:
            tenant = (
                await session.execute(select(Tenant).where(Tenant.id == tenant_id))
            ).scalar_one_or_none()
        if user is None or tenant is None:
            return None
        return Person(
            tenant.id, tenant.slug, user.id, user.user_number, user.name, user.role, user.active
        )

    async def is_supervisor(self, tenant_id: int, user_id: int, role: str) -> bool:
        """Tenant admins and owners, and admins or owners of any team, supervise."""
        if role in SUPERVISOR_ROLES:
            return True
        async with self.db.scoped(tenant_id) as session:
            rows = await session.execute(
                select(TeamMember.role).where(TeamMember.user_id == user_id)
            )
            return any(r in SUPERVISOR_ROLES for r in rows.scalars())

    async def departments(self, tenant_id: int) -> list[DepartmentInfo]:
        """All of the tenant's departments."""
        async with self.db.scoped(tenant_id) as session:
            rows = (await session.execute(select(Department).order_by(Department.queue))).scalars()
            return [DepartmentInfo(d.name, d.queue) for d in rows]

    async def user_teams(self, tenant_id: int, user_id: int) -> list[str]:
        """Names of the teams a user belongs to."""
        async with self.db.scoped(tenant_id) as session:
            rows = await session.execute(
                select(Team.name)
                .join(TeamMember, TeamMember.team_id == Team.id)
                .where(TeamMember.user_id == user_id)
                .order_by(Team.name)
            )
            return list(rows.scalars())

    async def agent_departments(
        self, tenant_id: int, user_id: int, role: str
    ) -> list[DepartmentInfo]:
        """Departments an agent works: all for tenant admins; else those named like one of
        their teams, plus the general department."""
        departments = await self.departments(tenant_id)
        if role in SUPERVISOR_ROLES:
            return departments
        teams = {t.lower() for t in await self.user_teams(tenant_id, user_id)}
        return [d for d in departments if d.name.lower() in teams or d.name.lower() == "general"]

    async def names(self, tenant_id: int, user_ids: set[int]) -> dict[int, str]:
        """Names of some users."""
        if not user_ids:
            return {}
        async with self.db.scoped(tenant_id) as session:
            rows = await session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
            return {int(uid): str(name) for uid, name in rows.all()}

    async def screen_pop(
        self,
        tenant_id: int,
        call_id: str,
        *,
        viewer: tuple[int, str] | None = None,
        ttl_s: float | None = None,
    ) -> ScreenPop | None:
        """The call record behind a handed-off call, or None when the tenant has no such call
        or ``viewer`` (user id, tenant role) may not read it: only agents of the department
        the call was handed to (tenant admins: any), for ``ttl_s`` after the hand-off."""
        try:
            record = await self.records.get(tenant_id, call_id)
        except NotFound:
            return None
        if viewer is not None and not await self._may_read(tenant_id, record, viewer, ttl_s):
            return None
        name, teams = "", []
        if record.user_id is not None:
            name = (await self.names(tenant_id, {record.user_id})).get(record.user_id, "")
            teams = await self.user_teams(tenant_id, record.user_id)
        async with self.db.scoped(tenant_id) as session:
            audit = (
                await session.execute(
                    select(AuditEntry)
                    .where(AuditEntry.call_id == call_id, AuditEntry.outcome == "ok")
                    .order_by(AuditEntry.at)
                )
            ).scalars()
            actions = [
                {
                    "action": a.action,
                    "target": f"{a.target_type} {a.target_id}".strip(),
                    "detail": _short_detail(a.detail),
                    "at": a.at.isoformat(),
                }
                for a in audit
            ]
        for tool in record.timings.get("tools", []) if isinstance(record.timings, dict) else []:
            if isinstance(tool, dict):
                actions.append(
                    {"action": str(tool.get("name", "tool")), "target": "", "detail": ""}
                )
        return ScreenPop(
            call_id=record.call_id,
            caller_number=record.caller_number,
            caller_name=name,
            teams=teams,
            summary=record.summary,
            outcome=record.outcome,
            transferred_to=record.transferred_to,
            started_at=record.started_at.isoformat(),
            transcript=[{"speaker": t.speaker, "text": t.text} for t in record.turns],
            actions=actions,
        )

    async def _may_read(
        self, tenant_id: int, record: Any, viewer: tuple[int, str], ttl_s: float | None
    ) -> bool:
        """Whether a viewer may read a call's screen-pop (see :meth:`screen_pop`)."""
        handed_to = (record.transferred_to or "").strip().lower()
        handed_at = record.ended_at or record.started_at
        if not handed_to:
            return False  # never handed to a person: nobody's screen-pop
        if ttl_s is not None and utcnow() - handed_at > timedelta(seconds=ttl_s):
            return False
        user_id, role = viewer
        mine = await self.agent_departments(tenant_id, user_id, role)
        return any(handed_to in (d.name.lower(), d.queue) for d in mine)

    async def dashboard(self, tenant_id: int, *, hours: int = 24) -> DashboardStats:
        """Calls per hour, outcomes, per-stage latency and open/overdue todos per person."""
        now = utcnow()
        since = now - timedelta(hours=hours)
        stats = DashboardStats()
        async with self.db.scoped(tenant_id) as session:
            calls = list(
                (await session.execute(select(Call).where(Call.started_at >= since))).scalars()
            )
            turn_timings = (
                await session.execute(
                    select(CallTurn.timings)
                    .join(Call, Call.id == CallTurn.call_pk)
                    .where(Call.started_at >= since, CallTurn.speaker == "caller")
                )
            ).scalars()
            todos = list(
                (await session.execute(select(Todo).where(Todo.status == "open"))).scalars()
            )
        stats.calls_per_hour = _per_hour(calls, now, hours)
        stats.outcomes = dict(Counter(c.outcome for c in calls))
        stats.latency_ms = _latencies(turn_timings)
        stats.workload = await self._workload(tenant_id, todos, now)
        stats.callbacks = await self._callbacks(tenant_id, todos, now)
        return stats

    async def _callbacks(
        self, tenant_id: int, todos: list[Todo], now: datetime
    ) -> list[dict[str, Any]]:
        waiting = sorted(
            (t for t in todos if t.department_id is not None),
            key=lambda t: t.due_at or t.created_at,
        )
        if not waiting:
            return []
        async with self.db.scoped(tenant_id) as session:
            names = dict(
                (await session.execute(select(Department.id, Department.name))).tuples().all()
            )
        return [
            {
                "id": t.id,
                "department": names.get(t.department_id or 0, ""),
                "title": t.title,
                "notes": t.notes,
                "due_at": t.due_at.isoformat() if t.due_at else None,
                "overdue": t.due_at is not None and t.due_at < now,
            }
            for t in waiting[:50]
        ]

    async def _workload(
        self, tenant_id: int, todos: list[Todo], now: datetime
    ) -> list[dict[str, Any]]:
        per: dict[int, dict[str, int]] = {}
        for todo in todos:
            who = todo.assignee_id or todo.owner_id
            row = per.setdefault(who, {"open": 0, "overdue": 0})
            row["open"] += 1
            if todo.due_at is not None and todo.due_at < now:
                row["overdue"] += 1
        names = await self.names(tenant_id, set(per))
        rows = [{"person": names.get(uid, f"user {uid}"), **n} for uid, n in per.items()]
        return sorted(rows, key=lambda r: (-r["open"], r["person"]))


def _per_hour(calls: list[Call], now: datetime, hours: int) -> list[dict[str, Any]]:
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    buckets: list[dict[str, Any]] = [
        {"hour": (start + timedelta(hours=i)).isoformat(), "ai": 0, "transferred": 0, "other": 0}
        for i in range(hours)
    ]
    for call in calls:
        index = int((call.started_at - start).total_seconds() // 3600)
        if 0 <= index < hours:
            kind = {AI_RESOLVED: "ai", TRANSFERRED: "transferred"}.get(call.outcome, "other")
            buckets[index][kind] += 1
    return buckets


def _latencies(rows: Any) -> dict[str, dict[str, float]]:
    values: dict[str, list[float]] = {}
    for timings in rows:
        for stage, ms in (timings or {}).items():
            if isinstance(ms, int | float):
                values.setdefault(stage, []).append(float(ms))
    return {
        stage: {
            "p50": round(statistics.median(v), 1),
            "p95": round(sorted(v)[max(0, int(len(v) * 0.95) - 1)], 1),
            "n": float(len(v)),
        }
        for stage, v in sorted(values.items())
    }


def _short_detail(detail: dict[str, Any]) -> str:
    parts = [f"{k}: {v}" for k, v in detail.items() if isinstance(v, str | int | float)]
    return ", ".join(parts)[:200]
