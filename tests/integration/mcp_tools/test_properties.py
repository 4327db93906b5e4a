"""Property tests on tool arguments (hypothesis): whatever the model sends, the answer is a
tool result with one clear sentence, never an escaped exception, and a failed call writes
nothing."""

from __future__ import annotations

import base64
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
    "request_callback",
]
DESTRUCTIVE = ["delete_todo", "delete_event", "cancel_reminder", "remove_team_member",
               "change_member_role"]  # fmt: skip
KEYS = [
    "title",
    "due",
    "priority",
    "notes",
    "status",
    "limit",
    "todo",
    "query",
    "team",
    "assignee",
    "person",
    "text",
    "when",
    "reminder",
    "duration",
    "include_past",
    "start",
    "end",
    "attendees",
    "location",
    "event",
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
    "confirm",
    "user_id",
    "tenant_id",
    "todo_id",
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
    "#",
    "#0",
    "#-1",
    "# 1",
    "#1",
    "#999999999",
    "#99999999999999999999",
    "#1 OR 1=1",
    "all",
    "everything",
    "the one",
    "my two o'clock on wednesday",
    "at 99 pm",
    "yes",
    "1999999999.AAAAAAAAAAAAAAAAAAAAAAAA",
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
    """A demo-shaped tenant of its own: random writes here cannot disturb other tests. John
    Park (103) has a todo, a reminder and an event there, and is in the Dev team with others."""
    tenant = await scratch_tenant(tool_env.db, f"prop-{uuid.uuid4().hex[:6]}")
    async with tool_env.client(tool_env.token(tenant, "103", "member")) as c:
        for tool, args in [
            ("create_todo", {"title": "Renew passport"}),
            ("create_reminder", {"text": "Take the bins out", "when": "in 5 hours"}),
            ("create_event", {"title": "Dentist", "start": "in 2 days at 10am"}),
        ]:
            assert (await c.call(tool, **args)).ok, tool
    yield tenant


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


REFS = {
    "todo": ["Renew passport", "passport", "the passport one", "#1"],
    "reminder": ["bins", "Take the bins out"],
    "event": ["Dentist", "the dentist"],
}
FORGED = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.builds(
        lambda expires, mac: f"{expires}.{base64.urlsafe_b64encode(mac).decode()}",
        st.integers(min_value=0, max_value=10**10),
        st.binary(min_size=18, max_size=18),
    ),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tool=st.sampled_from(DESTRUCTIVE), pick=st.integers(0, 9), confirm=FORGED)
async def test_forged_confirmations_change_nothing(
    tool_env: ToolEnv, scratch: Tenant, tool: str, pick: int, confirm: str
) -> None:
    """Whatever ``confirm`` a client makes up, a destructive tool at most asks again."""
    args: dict[str, Any] = {"confirm": confirm}
    if tool.endswith(("_todo", "_event", "_reminder")):
        kind = tool.rsplit("_", 1)[1]
        refs = REFS[kind]
        args[kind] = refs[pick % len(refs)]
    else:
        args |= {"team": "Dev", "person": ["John Smith", "John Park"][pick % 2], "role": "owner"}
    who = ("103", "member") if "team" not in args else ("101", "owner")  # Dev: member, owner
    before = await snapshot(tool_env, scratch)
    async with tool_env.client(tool_env.token(scratch, *who)) as c:
        r = await c.call_raw(tool, args)
    if r.ok:
        assert r.text.endswith("? Yes or no?") and r.data["needs_confirmation"]["token"]
    else:
        assert_clear(r.text)
    after = await snapshot(tool_env, scratch)
    before.pop("audit_log"), after.pop("audit_log")
    assert after == before, f"{tool}({args}) changed something: {r.text}"


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
        ("get_todo", {"todo": 7}, "The todo must be text."),
        ("get_todo", {}, "The todo is missing."),
        ("get_todo", {"todo": "#99999999"}, "I couldn't find that todo any more."),
        ("get_todo", {"todo": "  "}, "Which todo do you mean?"),
        ("get_todo", {"todo": "zebra crossing"}, "I couldn't find a todo called zebra crossing."),
        (
            "complete_todo",
            {"todo": "everything"},
            "I can only do that for one todo at a time. Which one do you mean?",
        ),
        (
            "delete_event",
            {"event": "all my meetings"},
            "I can only do that for one event at a time. Which one do you mean?",
        ),
        ("get_event", {"event": ["Dentist"]}, "The event must be text."),
        ("cancel_reminder", {}, "The reminder is missing."),
        ("update_reminder", {"reminder": None, "text": "x"}, "The reminder must be text."),
        ("delete_todo", {"todo": "#1", "confirm": 5}, "The confirm must be text."),
        (
            "request_callback",
            {"department": "Billing"},
            "There's no Billing department. I can put you through to General, Sales or Support.",
        ),
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
