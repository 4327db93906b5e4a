"""Every tool the server lists succeeds once over MCP (table must cover all 39), items named in
words, destructive ones after a yes; every write lands in the audit log with actor, action,
target, channel and call id, and a question alone writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from mcp_tools.db.models import AuditEntry
from tests.fixtures.mcp_env import ToolEnv


async def test_every_tool_succeeds_and_writes_are_audited(tool_env: ToolEnv) -> None:
    call_id = f"call-{uuid.uuid4().hex[:8]}"
    team = f"Smoke {uuid.uuid4().hex[:4]}"
    token = tool_env.token(tool_env.a, "101", "owner", call_id=call_id)
    items: dict[str, dict[str, Any]] = {}
    confirming = {
        "delete_todo",
        "delete_event",
        "cancel_reminder",
        "remove_team_member",
        "change_member_role",
    }

    steps: list[tuple[str, Any]] = [
        ("create_todo", lambda: {"title": "smoke alarm batteries", "due": "tomorrow at 10am"}),
        ("list_todos", lambda: {}),
        ("get_todo", lambda: {"todo": "the smoke alarm"}),
        ("update_todo", lambda: {"todo": "smoke alarm batteries", "priority": "urgent"}),
        ("search_todos", lambda: {"query": "smoke"}),
        ("assign_todo", lambda: {"todo": "alarm batteries", "person": "Maria Garcia"}),
        ("complete_todo", lambda: {"todo": "smoke alarm"}),
        ("delete_todo", lambda: {"todo": f"#{items['todo']['id']}"}),
        ("create_team", lambda: {"name": team}),
        ("list_teams", lambda: {}),
        ("get_team", lambda: {"team": team}),
        ("add_team_member", lambda: {"team": team, "person": "John Park"}),
        ("change_member_role", lambda: {"team": team, "person": "John Park", "role": "admin"}),
        ("list_team_members", lambda: {"team": team}),
        ("create_team_todo", lambda: {"team": team, "title": "team smoke", "assignee": "Park"}),
        ("list_team_todos", lambda: {"team": team}),
        ("list_my_assignments", lambda: {}),
        ("report_team_workload", lambda: {"team": team}),
        ("report_overdue", lambda: {"team": team}),
        ("remove_team_member", lambda: {"team": team, "person": "John Park"}),
        ("create_reminder", lambda: {"text": "smoke detector test", "when": "in 3 hours"}),
        ("list_reminders", lambda: {}),
        ("update_reminder", lambda: {"reminder": "smoke detector", "when": "in 4 hours"}),
        ("snooze_reminder", lambda: {"reminder": "the detector one", "duration": "an hour"}),
        ("cancel_reminder", lambda: {"reminder": "smoke detector test"}),
        (
            "create_event",
            lambda: {"title": "smoke drill", "start": "in 2 days at 10am", "attendees": ["Mia"]},
        ),
        ("list_events", lambda: {"days": 7}),
        ("get_event", lambda: {"event": "the smoke drill"}),
        ("update_event", lambda: {"event": "smoke drill", "duration": "45 minutes"}),
        ("check_conflicts", lambda: {"start": "in 2 days at 11am", "attendees": ["Maria"]}),
        ("find_free_slots", lambda: {"day": "next tuesday"}),
        ("delete_event", lambda: {"event": "drill"}),
        ("search_users", lambda: {"query": "garcia"}),
        ("get_user", lambda: {"person": "Maria"}),
        ("get_my_profile", lambda: {}),
        ("update_my_profile", lambda: {"email": "alice@example.com"}),
        ("get_departments", lambda: {}),
        ("transfer_to_department", lambda: {"department": "general"}),
        ("request_callback", lambda: {"department": "the sales team", "reason": "a quote"}),
    ]
    async with tool_env.client(token) as c:
        listed = {t.name for t in (await c.session.list_tools()).tools}
        assert {name for name, _ in steps} == listed
        for name, args in steps:
            if name in confirming:
                audited = await _audit_count(tool_env, call_id)
                asked = await c.call(name, **args())
                assert asked.ok and asked.text.endswith("? Yes or no?"), (name, asked.text)
                assert asked.data["needs_confirmation"]["token"], name
                assert await _audit_count(tool_env, call_id) == audited  # asking writes nothing
            r = await (c.confirmed if name in confirming else c.call)(name, **args())
            assert r.ok, (name, r.text)
            assert r.text and "\n" not in r.text and len(r.text) < 400, (name, r.text)
            assert "needs_confirmation" not in r.data, name
            item = r.data.get("item")
            if item is not None:
                assert set(item) == {"kind", "id", "title"} and item["title"] in r.text, name
                assert f"number {item['id']}" not in r.text, (name, r.text)
                if name.startswith("create_"):
                    items[item["kind"]] = item
                else:
                    assert item == items[item["kind"]], name  # the item named in words
    async with tool_env.db.scoped(tool_env.a.id) as session:
        rows = (
            (await session.execute(select(AuditEntry).where(AuditEntry.call_id == call_id)))
            .scalars()
            .all()
        )
    actions = {r.action for r in rows}
    assert {
        "todo.create",
        "todo.update",
        "todo.assign",
        "todo.complete",
        "todo.delete",
        "team.create",
        "team.add_member",
        "team.change_role",
        "team.remove_member",
        "team_todo.create",
        "reminder.create",
        "reminder.update",
        "reminder.snooze",
        "reminder.cancel",
        "event.create",
        "event.update",
        "event.delete",
        "profile.update",
        "call.transfer",
        "call.callback",
    } <= actions
    for entry in rows:
        assert entry.channel == "voice" and entry.outcome == "ok"
        assert entry.actor_user_id == tool_env.a.users["101"] and entry.actor
        assert entry.target_type and entry.target_id


async def _audit_count(env: ToolEnv, call_id: str) -> int:
    return await env.count(AuditEntry, env.a, AuditEntry.call_id == call_id)
