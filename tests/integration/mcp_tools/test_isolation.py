"""Tenant isolation, tool by tool: tenant A's owner aims every tool at tenant B's data.

Nothing of B may show up in any answer, every B target is "not found", and B's rows and audit
log are byte-for-byte the same afterwards. The table of targets must name every tool the
server lists, so a new tool cannot skip this test.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mcp_tools.db.models import (
    AuditEntry,
    Department,
    Event,
    EventAttendee,
    Reminder,
    Team,
    TeamMember,
    Todo,
    User,
    UserPhone,
)
from tests.fixtures.mcp_env import Tenant, ToolEnv

B_MARKERS = ("Globex", "Zara", "Quinn", "Otto", "Berg", "Billing", "+15550200")
SNAPSHOT_MODELS = (
    Todo,
    Reminder,
    Event,
    EventAttendee,
    Team,
    TeamMember,
    User,
    UserPhone,
    Department,
    AuditEntry,
)


def targets(b: Tenant) -> dict[str, list[tuple[dict[str, Any], bool]]]:
    """Per tool: argument sets aimed at B, and whether the call must fail (B target)."""
    todo, team_todo = b.items["todo"], b.items["team_todo"]
    rem, ev = b.items["reminder"], b.items["event"]
    return {
        "create_todo": [({"title": "isolation probe"}, False)],
        "list_todos": [({"status": "all", "limit": 50}, False)],
        "get_todo": [({"todo_id": todo}, True), ({"todo_id": team_todo}, True)],
        "update_todo": [
            ({"todo_id": todo, "title": "pwned"}, True),
            ({"todo_id": team_todo, "status": "done"}, True),
        ],
        "complete_todo": [({"todo_id": todo}, True), ({"todo_id": team_todo}, True)],
        "delete_todo": [({"todo_id": todo}, True), ({"todo_id": team_todo}, True)],
        "search_todos": [({"query": "Globex secret plan"}, False)],
        "create_team_todo": [({"team": "Ops", "title": "pwned"}, True)],
        "assign_todo": [
            ({"todo_id": team_todo, "person": "John Smith"}, True),
            ({"todo_id": todo, "person": "Zara Quinn"}, True),
        ],
        "list_team_todos": [({"team": "Ops"}, True)],
        "list_my_assignments": [({"status": "all"}, False)],
        "create_reminder": [({"text": "probe", "when": "in 3 hours"}, False)],
        "list_reminders": [({"include_past": True}, False)],
        "update_reminder": [({"reminder_id": rem, "text": "pwned"}, True)],
        "cancel_reminder": [({"reminder_id": rem}, True)],
        "snooze_reminder": [({"reminder_id": rem}, True)],
        "create_event": [
            ({"title": "probe", "start": "in 5 hours", "attendees": ["Zara Quinn"]}, True)
        ],
        "list_events": [({"days": 31}, False)],
        "get_event": [({"event_id": ev}, True)],
        "update_event": [({"event_id": ev, "title": "pwned"}, True)],
        "delete_event": [({"event_id": ev}, True)],
        "find_free_slots": [({"attendees": ["Zara Quinn"]}, True)],
        "check_conflicts": [({"start": "in 2 days", "attendees": ["Otto Berg"]}, True)],
        "create_team": [({"name": "Isolation probe team"}, False)],
        "list_teams": [({}, False)],
        "get_team": [({"team": "Ops"}, True)],
        "add_team_member": [
            ({"team": "Ops", "person": "John Park"}, True),
            ({"team": "Dev", "person": "Zara Quinn"}, True),
        ],
        "remove_team_member": [({"team": "Ops", "person": "John Smith"}, True)],
        "change_member_role": [({"team": "Ops", "person": "John Smith", "role": "owner"}, True)],
        "list_team_members": [({"team": "Ops"}, True)],
        "search_users": [({"query": "Zara Quinn"}, False), ({"query": "Otto"}, False)],
        "get_user": [({"person": "Zara Quinn"}, True), ({"person": "Otto Berg"}, True)],
        "get_my_profile": [({}, False)],
        "update_my_profile": [({"aliases": ["Ali"]}, False)],
        "report_team_workload": [({"team": "Ops"}, True)],
        "report_overdue": [({"team": "Ops"}, True), ({}, False)],
        "get_departments": [({}, False)],
        "transfer_to_department": [({"department": "Billing"}, True)],
    }


def _strings(args: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for v in args.values():
        out += [x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)]
    return sorted(out, key=len, reverse=True)


async def snapshot(env: ToolEnv, tenant: Tenant) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of a tenant, column by column."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with env.db.scoped(tenant.id) as session:
        for model in SNAPSHOT_MODELS:
            cols = [c.key for c in model.__table__.columns]
            rows = (await session.execute(select(model).order_by(model.id))).scalars().all()
            out[model.__tablename__] = [tuple(getattr(r, c) for c in cols) for r in rows]
    return out


async def test_every_tool_is_isolated(tool_env: ToolEnv) -> None:
    table = targets(tool_env.b)
    before = await snapshot(tool_env, tool_env.b)
    async with tool_env.as_user("a_owner") as c:
        listed = {t.name for t in (await c.session.list_tools()).tools}
        assert listed == set(table), "every tool needs an isolation target"
        assert len(listed) == 38
        for tool, cases in table.items():
            for args, must_fail in cases:
                r = await c.call_raw(tool, args)
                seen = f"{r.text} {r.data}"
                for value in _strings(args):  # echoing the caller's own words is no leak
                    seen = seen.replace(value, "")
                for marker in B_MARKERS:
                    assert marker not in seen, f"{tool}{args} leaked {marker}: {seen[:300]}"
                if must_fail:
                    assert not r.ok, f"{tool}{args} reached tenant B: {r.text}"
                    assert r.code in ("not_found", "ambiguous", "forbidden"), (tool, r.text)
    assert await snapshot(tool_env, tool_env.b) == before


async def test_tenant_b_token_cannot_reach_tenant_a(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_owner") as c:
        made = await c.call("create_todo", title="Acme only")
        assert made.ok
    todo_id = made.data["todo"]["id"]
    async with tool_env.as_user("b_owner") as c:
        for tool in ("get_todo", "complete_todo", "delete_todo"):
            r = await c.call(tool, todo_id=todo_id)
            assert not r.ok and r.code == "not_found"
        r = await c.call("get_team", team="Dev")
        assert not r.ok
        r = await c.call("transfer_to_department", department="Sales")
        assert not r.ok
    async with tool_env.db.scoped(tool_env.a.id) as session:
        todo = await session.get(Todo, todo_id)
        assert todo is not None and todo.status == "open"
