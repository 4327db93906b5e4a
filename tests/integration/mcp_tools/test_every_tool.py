"""Every tool the server lists succeeds once over MCP (table must cover all 38), and every
write lands in the audit log with actor, action, target, channel and call id."""

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
    ids: dict[str, int] = {}

    def todo() -> dict[str, Any]:
        return {"todo_id": ids["todo"]}

    steps: list[tuple[str, Any]] = [
        ("create_todo", lambda: {"title": "smoke todo", "due": "tomorrow at 10am"}),
        ("list_todos", lambda: {}),
        ("get_todo", todo),
        ("update_todo", lambda: {**todo(), "priority": "urgent"}),
        ("search_todos", lambda: {"query": "smoke"}),
        ("assign_todo", lambda: {**todo(), "person": "Maria Garcia"}),
        ("complete_todo", todo),
        ("delete_todo", todo),
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
        ("create_reminder", lambda: {"text": "smoke", "when": "in 3 hours"}),
        ("list_reminders", lambda: {}),
        ("update_reminder", lambda: {"reminder_id": ids["reminder"], "when": "in 4 hours"}),
        ("snooze_reminder", lambda: {"reminder_id": ids["reminder"], "duration": "an hour"}),
        ("cancel_reminder", lambda: {"reminder_id": ids["reminder"]}),
        (
            "create_event",
            lambda: {"title": "smoke", "start": "in 2 days at 10am", "attendees": ["Mia"]},
        ),
        ("list_events", lambda: {"days": 7}),
        ("get_event", lambda: {"event_id": ids["event"]}),
        ("update_event", lambda: {"event_id": ids["event"], "duration": "45 minutes"}),
        ("check_conflicts", lambda: {"start": "in 2 days at 11am", "attendees": ["Maria"]}),
        ("find_free_slots", lambda: {"day": "next tuesday"}),
        ("delete_event", lambda: {"event_id": ids["event"]}),
        ("search_users", lambda: {"query": "garcia"}),
        ("get_user", lambda: {"person": "Maria"}),
        ("get_my_profile", lambda: {}),
        ("update_my_profile", lambda: {"email": "alice@example.com"}),
        ("get_departments", lambda: {}),
        ("transfer_to_department", lambda: {"department": "general"}),
    ]
    async with tool_env.client(token) as c:
        listed = {t.name for t in (await c.session.list_tools()).tools}
        assert {name for name, _ in steps} == listed
        for name, args in steps:
            r = await c.call(name, **args())
            assert r.ok, (name, r.text)
            assert r.text and "\n" not in r.text and len(r.text) < 400, (name, r.text)
            for key in ("todo", "reminder", "event"):
                if key in r.data and isinstance(r.data[key], dict):
                    ids[key] = r.data[key]["id"]
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
    } <= actions
    for r in rows:
        assert r.channel == "voice" and r.outcome == "ok"
        assert r.actor_user_id == tool_env.a.users["101"] and r.actor
        assert r.target_type and r.target_id
