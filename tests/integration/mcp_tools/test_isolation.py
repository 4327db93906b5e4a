"""Tenant isolation, tool by tool: tenant A's owner aims every tool at tenant B's data.

Nothing of B may show up in any answer, every B target is "not found", and B's rows and audit
log are byte-for-byte the same afterwards. The table of targets must name every tool the
server lists, so a new tool cannot skip this test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
    """Per tool: argument sets aimed at B, and whether the call must fail (B target).

    B's items are named both exactly (``#id``, as the agent does after a pick) and in words
    (their titles); a confirmation is attempted too: none of it may reach B.
    """
    todo, team_todo = f"#{b.items['todo']}", f"#{b.items['team_todo']}"
    rem, ev = f"#{b.items['reminder']}", f"#{b.items['event']}"
    yes = {"confirm": "1999999999.AAAAAAAAAAAAAAAAAAAAAAAA"}
    return {
        "create_todo": [({"title": "isolation probe"}, False)],
        "list_todos": [({"status": "all", "limit": 50}, False)],
        "get_todo": [
            ({"todo": todo}, True),
            ({"todo": team_todo}, True),
            ({"todo": "Globex secret plan"}, True),
        ],
        "update_todo": [
            ({"todo": todo, "title": "pwned"}, True),
            ({"todo": team_todo, "status": "done"}, True),
            ({"todo": "the Globex ops task", "status": "done"}, True),
        ],
        "complete_todo": [
            ({"todo": todo}, True),
            ({"todo": team_todo}, True),
            ({"todo": "Globex secret plan"}, True),
        ],
        "delete_todo": [
            ({"todo": todo}, True),
            ({"todo": team_todo, **yes}, True),
            ({"todo": "Globex secret plan"}, True),
        ],
        "search_todos": [({"query": "Globex secret plan"}, False)],
        "create_team_todo": [({"team": "Ops", "title": "pwned"}, True)],
        "assign_todo": [
            ({"todo": team_todo, "person": "John Smith"}, True),
            ({"todo": todo, "person": "Zara Quinn"}, True),
            ({"todo": "Globex ops task", "person": "Alice Smith"}, True),
        ],
        "list_team_todos": [({"team": "Ops"}, True)],
        "list_my_assignments": [({"status": "all"}, False)],
        "create_reminder": [({"text": "probe", "when": "in 3 hours"}, False)],
        "list_reminders": [({"include_past": True}, False)],
        "update_reminder": [
            ({"reminder": rem, "text": "pwned"}, True),
            ({"reminder": "Globex", "text": "pwned"}, True),
        ],
        "cancel_reminder": [({"reminder": rem}, True), ({"reminder": rem, **yes}, True)],
        "snooze_reminder": [({"reminder": rem}, True), ({}, False)],
        "create_event": [
            ({"title": "probe", "start": "in 5 hours", "attendees": ["Zara Quinn"]}, True)
        ],
        "list_events": [({"days": 31}, False)],
        "get_event": [({"event": ev}, True), ({"event": "the Globex board meeting"}, True)],
        "update_event": [
            ({"event": ev, "title": "pwned"}, True),
            ({"event": "Globex board", "title": "pwned"}, True),
        ],
        "delete_event": [({"event": ev}, True), ({"event": "Globex board meeting", **yes}, True)],
        "find_free_slots": [({"attendees": ["Zara Quinn"]}, True)],
        "check_conflicts": [({"start": "in 2 days", "attendees": ["Otto Berg"]}, True)],
        "create_team": [({"name": "Isolation probe team"}, False)],
        "list_teams": [({}, False)],
        "get_team": [({"team": "Ops"}, True)],
        "add_team_member": [
            ({"team": "Ops", "person": "John Park"}, True),
            ({"team": "Dev", "person": "Zara Quinn"}, True),
        ],
        "remove_team_member": [
            ({"team": "Ops", "person": "John Smith"}, True),
            ({"team": "Ops", "person": "John Smith", **yes}, True),
        ],
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
        "request_callback": [({"department": "Billing", "reason": "Globex invoice"}, True)],
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
        assert len(listed) == 39
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
        made = await c.call("create_todo", title="Acme only zanzibar")
        assert made.ok
        asked = await c.call("delete_todo", todo="zanzibar")
        token = asked.data["needs_confirmation"]["token"]
    todo_id = made.data["todo"]["id"]
    async with tool_env.as_user("b_owner") as c:
        for tool in ("get_todo", "complete_todo", "delete_todo"):
            for ref in (f"#{todo_id}", "Acme only zanzibar", "zanzibar"):
                r = await c.call(tool, todo=ref)
                assert not r.ok and r.code == "not_found", (tool, ref, r.text)
        r = await c.call("delete_todo", todo=f"#{todo_id}", confirm=token)  # A's yes, B's call
        assert not r.ok and r.code == "not_found"
        r = await c.call("get_team", team="Dev")
        assert not r.ok
        r = await c.call("transfer_to_department", department="Sales")
        assert not r.ok and r.text.startswith("There's no Sales department.")
        assert r.text.endswith("I can put you through to Billing.")  # B's only department
        assert "Acme" not in r.text
    async with tool_env.db.scoped(tool_env.a.id) as session:
        todo = await session.get(Todo, todo_id)
        assert todo is not None and todo.status == "open"


async def test_another_users_items_are_not_found(tool_env: ToolEnv) -> None:
    """In one tenant, a member's personal todo, reminder and event are nobody else's: not by
    "#id", not by title, and not with the owner's own yes."""
    uid = tool_env.a.users["103"]  # John Park
    later = datetime.now(UTC) + timedelta(days=3)
    async with tool_env.db.scoped(tool_env.a.id) as session, session.begin():
        todo = Todo(owner_id=uid, title="Water the bonsai")
        reminder = Reminder(user_id=uid, text="Bonsai fertiliser", remind_at=later)
        event = Event(
            owner_id=uid, title="Bonsai club", starts_at=later, ends_at=later + timedelta(hours=1)
        )
        session.add_all([todo, reminder, event])
        await session.flush()
        ids = {"todo": todo.id, "reminder": reminder.id, "event": event.id}
    async with tool_env.as_user("a_member") as c:  # the owner is asked, and gets a token
        token = (await c.call("delete_todo", todo="bonsai")).data["needs_confirmation"]["token"]
    before = await snapshot(tool_env, tool_env.a)
    calls: list[tuple[str, dict[str, Any]]] = []
    for ref in (f"#{ids['todo']}", "water the bonsai", "bonsai"):
        calls += [
            ("get_todo", {"todo": ref}),
            ("update_todo", {"todo": ref, "title": "mine now"}),
            ("complete_todo", {"todo": ref}),
            ("delete_todo", {"todo": ref, "confirm": token}),
            ("assign_todo", {"todo": ref, "person": "Maria"}),
        ]
    for ref in (f"#{ids['reminder']}", "bonsai fertiliser"):
        calls += [
            ("update_reminder", {"reminder": ref, "text": "mine now"}),
            ("cancel_reminder", {"reminder": ref}),
            ("snooze_reminder", {"reminder": ref}),
        ]
    for ref in (f"#{ids['event']}", "the bonsai club"):
        calls += [
            ("get_event", {"event": ref}),
            ("update_event", {"event": ref, "title": "mine now"}),
            ("delete_event", {"event": ref}),
        ]
    async with tool_env.as_user("a_member2") as c:  # Maria: same tenant, other person
        for tool, args in calls:
            r = await c.call(tool, **args)
            assert not r.ok and r.code == "not_found", (tool, args, r.text)
            assert "Bonsai" not in r.text, (tool, args, r.text)
    after = await snapshot(tool_env, tool_env.a)
    before.pop("audit_log"), after.pop("audit_log")  # refusals are audited, by design
    assert after == before
