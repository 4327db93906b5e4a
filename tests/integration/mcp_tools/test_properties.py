"""Property tests on tool arguments (hypothesis): whatever the model sends, the answer is a
tool result with one clear sentence, never an escaped exception, and a failed call writes
nothing."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.mcp_env import Tenant, ToolEnv, scratch_tenant
from tests.integration.mcp_tools.test_isolation import snapshot

TOOLS = [
    "create_todo",
    "list_todos",
    "get_todo",
    "update_todo",
    "complete_todo",
    "delete_todo",
    "search_todos",
    "create_team_todo",
    "assign_todo",
    "list_team_todos",
    "list_my_assignments",
    "create_reminder",
    "list_reminders",
    "update_reminder",
    "cancel_reminder",
    "snooze_reminder",
    "create_event",
    "list_events",
    "get_event",
    "update_event",
    "delete_event",
    "find_free_slots",
    "check_conflicts",
    "create_team",
    "list_teams",
    "get_team",
    "add_team_member",
    "remove_team_member",
    "change_member_role",
    "list_team_members",
    "search_users",
    "get_user",
    "get_my_profile",
    "update_my_profile",
    "report_team_workload",
    "report_overdue",
    "get_departments",
    "transfer_to_department",
]
KEYS = [
    "title",
    "due",
    "priority",
    "notes",
    "status",
    "limit",
    "todo_id",
    "query",
    "team",
    "assignee",
    "person",
    "text",
    "when",
    "reminder_id",
    "duration",
    "include_past",
    "start",
    "end",
    "attendees",
    "location",
    "event_id",
    "day",
    "days",
    "name",
    "description",
    "role",
    "aliases",
    "timezone",
    "email",
    "department",
    "reason",
    "user_id",
    "tenant_id",
]
NASTY = [
    "'; DROP TABLE todos; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "{{7*7}}",
    "../../etc/passwd",
    "\x00",
    "nul\x00byte",
    "\u202eevil",
    "😀" * 50,
    "2026-02-30",
    "31 February",
    "25:99",
    "yesterday at 13pm",
    "9999-12-31T23:59",
    "0000-00-00",
    "tomorrow at 3",
    "next week",
    "-1",
    "NaN",
    "1e309",
    "",
    " ",
    "null",
]
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(min_size=3000, max_size=6000, alphabet="ab c"),
    st.lists(st.one_of(st.text(max_size=10), st.integers(), st.sampled_from(NASTY)), max_size=30),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
arguments = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)
EXAMPLES = int(os.environ.get("SWITCHBOARD_TEST_EXAMPLES", "60"))
"""Examples per property test; raise it for a thorough run."""
SENTENCE = re.compile(r"^[^\n]{3,300}[.?]$")


@pytest.fixture(scope="module")
async def scratch(tool_env: ToolEnv) -> AsyncIterator[Tenant]:
    """A demo-shaped tenant of its own: random writes here cannot disturb other tests."""
    yield await scratch_tenant(tool_env.db, f"prop-{uuid.uuid4().hex[:6]}")


def assert_clear(text: str) -> None:
    assert SENTENCE.match(text), f"not one clear sentence: {text[:400]!r}"
    assert "Traceback" not in text and "pydantic" not in text.lower()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tool=st.sampled_from(TOOLS), args=arguments)
async def test_any_arguments_give_a_clear_answer(
    tool_env: ToolEnv, scratch: Tenant, tool: str, args: Any
) -> None:
    before = await snapshot(tool_env, scratch)
    async with tool_env.client(tool_env.token(scratch, "103", "member")) as c:
        r = await c.call_raw(tool, args)
    if not r.ok:
        assert_clear(r.text)
        after = await snapshot(tool_env, scratch)
        before.pop("audit_log"), after.pop("audit_log")  # refusals are audited, by design
        assert after == before, f"{tool}({args}) failed but wrote something"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(when=st.sampled_from(NASTY) | st.text(max_size=30))
async def test_impossible_times_write_nothing(
    tool_env: ToolEnv, scratch: Tenant, when: str
) -> None:
    before = await snapshot(tool_env, scratch)
    async with tool_env.client(tool_env.token(scratch, "103", "member")) as c:
        results = [
            await c.call("create_reminder", text="probe", when=when),
            await c.call("create_event", title="probe", start=when),
        ]
    failed = [r for r in results if not r.ok]
    for r in failed:
        assert_clear(r.text)
    if len(failed) == len(results):
        after = await snapshot(tool_env, scratch)
        before.pop("audit_log"), after.pop("audit_log")
        assert after == before


async def test_typical_bad_input_messages(tool_env: ToolEnv) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("get_todo", {"todo_id": "seven"}, "The todo id must be a whole number."),
        ("get_todo", {}, "The todo id is missing."),
        ("get_todo", {"todo_id": 2**40}, "I couldn't find that todo."),
        ("list_todos", {"limit": 5000}, "The limit is too large."),
        (
            "create_todo",
            {"title": "x" * 5000},
            "The todo title is too long; keep it under 300 characters.",
        ),
        ("create_todo", {"title": "   "}, "I need the todo title."),
        (
            "create_todo",
            {"title": "ok", "priority": "extreme"},
            "Priority must be low, normal, high or urgent.",
        ),
        (
            "create_reminder",
            {"text": "x", "when": "31 February"},
            "I couldn't understand '31 February' as a day or time.",
        ),
        (
            "create_reminder",
            {"text": "x", "when": "2026-02-30T10:00"},
            "2026-02-30T10:00 is not a real date.",
        ),
        (
            "create_event",
            {"title": "x", "start": "03/04 at 10am"},
            "Do you mean 4 March or 3 April?",
        ),
        (
            "create_event",
            {"title": "x", "start": "tomorrow at 9", "attendees": "Maria"},
            "The attendees must be a list.",
        ),
        ("no_such_tool", {}, "There is no tool called no_such_tool."),
        (
            "change_member_role",
            {"team": "Dev", "person": "John Park", "role": "emperor"},
            "'emperor' is not a role; say owner, admin, member or viewer.",
        ),
    ]
    async with tool_env.as_user("a_owner") as c:
        for tool, args, expected in cases:
            r = await c.call_raw(tool, args)
            assert not r.ok and r.text == expected, (tool, r.text)
