"""Personal todos and team work over a real MCP session, on SQLite and PostgreSQL: items are
named the way callers name them, a delete happens only after a matching yes."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import pytest

from mcp_tools.app import HttpToolServer
from mcp_tools.confirm import TTL_S, Confirmations
from mcp_tools.db.models import AuditEntry, Todo
from mcp_tools.server import build_server
from mcp_tools.work import Runner
from tests.fixtures.mcp_env import ToolEnv, ToolResult
from tests.fixtures.postgres import free_port


def token_of(asked: ToolResult) -> str:
    """The confirmation token of a tool's question."""
    assert asked.ok, asked.text
    token = asked.data["needs_confirmation"]["token"]
    assert isinstance(token, str) and token
    return token


async def exists(env: ToolEnv, todo_id: int) -> bool:
    async with env.db.scoped(env.a.id) as session:
        return await session.get(Todo, todo_id) is not None


async def test_personal_todo_lifecycle(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member") as c:
        made = await c.call(
            "create_todo", title="Buy printer paper", due="tomorrow at 9", priority="high"
        )
        assert made.ok, made.text
        todo_id = made.data["todo"]["id"]
        assert made.text.startswith("Added to your list: Buy printer paper, due tomorrow")
        assert made.data["todo"]["priority"] == "high"
        item = {"kind": "todo", "id": todo_id, "title": "Buy printer paper"}
        assert made.data["item"] == item

        listed = await c.call("list_todos")
        assert listed.ok and todo_id in [t["id"] for t in listed.data["todos"]]
        assert "Buy printer paper" in listed.text and "number" not in listed.text

        got = await c.call("get_todo", todo="printer paper")
        assert got.ok and got.data["todo"]["title"] == "Buy printer paper"
        assert got.data["item"] == item and got.text.startswith("Buy printer paper: open, due")

        upd = await c.call("update_todo", todo="the printer paper", notes="A4", priority="low")
        assert upd.ok and upd.text == "Updated Buy printer paper: notes, priority."
        assert upd.data["todo"]["notes"] == "A4" and upd.data["todo"]["priority"] == "low"

        found = await c.call("search_todos", query="printr paper")
        assert found.ok and [t["id"] for t in found.data["todos"]] == [todo_id]

        done = await c.call("complete_todo", todo="printr papr")  # a recognition slip
        assert done.ok and done.text == "Done: Buy printer paper."
        assert done.data["todo"]["status"] == "done" and done.data["item"] == item
        again = await c.call("complete_todo", todo="printer paper")  # done ones still found
        assert again.ok and again.text == "Buy printer paper was already done."
        assert (await c.call("list_todos", status="done")).data["count"] >= 1

        asked = await c.call("delete_todo", todo="printer paper")
        assert asked.ok and asked.text == "Delete Buy printer paper? Yes or no?"
        assert asked.data["item"] == item and token_of(asked)
        assert await exists(tool_env, todo_id)  # the question changed nothing

        gone = await c.confirmed("delete_todo", todo="printer paper")
        assert gone.ok and gone.text == "Deleted: Buy printer paper."
        assert gone.data == {"deleted_id": todo_id, "item": item}
        assert not await exists(tool_env, todo_id)

        missing = await c.call("get_todo", todo="printer paper")
        assert not missing.ok and missing.code == "not_found"
        assert missing.text == "I couldn't find a todo called printer paper."
        exact = await c.call("get_todo", todo=f"#{todo_id}")
        assert not exact.ok and exact.code == "not_found"
        assert exact.text == "I couldn't find that todo any more."
    assert await tool_env.audits(tool_env.a, "todo.create", "ok") >= 1
    assert await tool_env.audits(tool_env.a, "todo.delete", "ok") >= 1


async def test_time_phrase_ambiguity_is_a_question(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member") as c:
        before = await tool_env.count(Todo, tool_env.a)
        r = await c.call("create_todo", title="Call the bank", due="tomorrow at 3")
        assert not r.ok and r.code == "ambiguous"
        assert r.text == "Do you mean 3 in the morning or 3 in the afternoon?"
        assert await tool_env.count(Todo, tool_env.a) == before


async def test_a_reference_that_fits_several_is_a_question_with_options(
    tool_env: ToolEnv,
) -> None:
    async with tool_env.as_user("a_member2") as c:  # Maria
        garage = await c.call("create_todo", title="Ring the garage about the brakes")
        school = await c.call("create_todo", title="Ring the school about the trip")
        ids = {"garage": garage.data["todo"]["id"], "school": school.data["todo"]["id"]}

        which = await c.call("complete_todo", todo="ring")
        assert not which.ok and which.code == "ambiguous"
        assert which.text == (
            "Which one: Ring the garage about the brakes, or Ring the school about the trip?"
        )
        assert which.data == {
            "options": [
                {"ref": f"#{ids['garage']}", "title": "Ring the garage about the brakes"},
                {"ref": f"#{ids['school']}", "title": "Ring the school about the trip"},
            ]
        }
        listed = await c.call("list_todos")
        open_ids = {t["id"] for t in listed.data["todos"]}
        assert set(ids.values()) <= open_ids  # the question changed nothing
        asked = await c.call("delete_todo", todo="ring")  # which one, before any yes/no
        assert not asked.ok and asked.code == "ambiguous" and "needs_confirmation" not in asked.data

        picked = await c.call("complete_todo", todo=which.data["options"][1]["ref"])
        assert picked.ok and picked.data["item"]["id"] == ids["school"]
        by_words = await c.call("update_todo", todo="the garage one", priority="urgent")
        assert by_words.ok and by_words.data["item"]["id"] == ids["garage"]
        open_first = await c.call("delete_todo", todo="ring")  # open todos come first
        assert open_first.text == "Delete Ring the garage about the brakes? Yes or no?"

        for bulk in ("all of them", "everything"):
            refused = await c.call("delete_todo", todo=bulk)
            assert not refused.ok and refused.code == "invalid_input"
            assert refused.text == (
                "I can only do that for one todo at a time. Which one do you mean?"
            )
        nothing = await c.call("complete_todo", todo="  ")
        assert not nothing.ok and nothing.text == "Which todo do you mean?"
        assert await exists(tool_env, ids["garage"]) and await exists(tool_env, ids["school"])


async def test_delete_happens_only_after_a_matching_yes(tool_env: ToolEnv) -> None:
    deletes = await tool_env.audits(tool_env.a, "todo.delete", "ok")
    call_id = f"c-{uuid.uuid4().hex[:6]}"
    call_1 = tool_env.token(tool_env.a, "104", "member", call_id=call_id)
    call_2 = tool_env.token(tool_env.a, "104", "member", call_id=f"{call_id}-other")
    async with tool_env.client(call_1) as c:
        passport = (await c.call("create_todo", title="Renew passport")).data["todo"]["id"]
        card = (await c.call("create_todo", title="Renew library card")).data["todo"]["id"]
        asked = await c.call("delete_todo", todo="passport")
        token = token_of(asked)
        assert asked.text == "Delete Renew passport? Yes or no?"

        # the yes for the passport is no yes for the library card
        other = await c.call("delete_todo", todo="library card", confirm=token)
        assert other.ok and other.text == "Delete Renew library card? Yes or no?"
        assert token_of(other) != token

        expires, mac = token.split(".", 1)
        for forged in (
            "yes",
            "",
            f"{expires}.{'A' * len(mac)}",
            f"{int(expires) + 3600}.{mac}",  # a later expiry breaks the signature
            f"{expires}.{mac[:-1]}",
            "'; DELETE FROM todos; --",
        ):
            r = await c.call("delete_todo", todo="passport", confirm=forged)
            assert r.ok and r.text == "Delete Renew passport? Yes or no?", (forged, r.text)
        assert await exists(tool_env, passport) and await exists(tool_env, card)

    async with tool_env.client(call_2) as c:  # the same person on another call
        r = await c.call("delete_todo", todo="passport", confirm=token)
        assert r.ok and "needs_confirmation" in r.data and await exists(tool_env, passport)

    refreshed = tool_env.token(tool_env.a, "104", "member", call_id=call_id)
    async with tool_env.client(refreshed) as c:  # same call, new session and bearer token
        done = await c.call("delete_todo", todo="passport", confirm=token)
        assert done.ok and done.text == "Deleted: Renew passport."
        assert not await exists(tool_env, passport) and await exists(tool_env, card)
        replay = await c.call("delete_todo", todo=f"#{passport}", confirm=token)
        assert not replay.ok and replay.code == "not_found"
        assert (await c.confirmed("delete_todo", todo="library card")).ok
    assert await tool_env.audits(tool_env.a, "todo.delete", "ok") == deletes + 2


@pytest.fixture
async def clocked_env(tool_env: ToolEnv) -> AsyncIterator[tuple[ToolEnv, list[float]]]:
    """A second tool server on the same database whose confirmations read a settable clock."""
    now = [1_900_000_000.0]
    port = free_port()
    runner = Runner(tool_env.db, confirmations=Confirmations(clock=lambda: now[0]))
    http = HttpToolServer(
        build_server(tool_env.db, tool_env.tokens, port=port, runner=runner), "127.0.0.1", port
    )
    await http.start()
    try:
        yield dataclasses.replace(tool_env, url=http.url), now
    finally:
        await http.stop()


async def test_an_old_yes_has_expired(clocked_env: tuple[ToolEnv, list[float]]) -> None:
    env, now = clocked_env
    async with env.as_user("a_member2") as c:
        todo_id = (await c.call("create_todo", title="Cancel the gym")).data["todo"]["id"]
        token = token_of(await c.call("delete_todo", todo="the gym"))
        now[0] += TTL_S + 1
        late = await c.call("delete_todo", todo="the gym", confirm=token)
        assert late.ok and late.text == "Delete Cancel the gym? Yes or no?"
        assert await exists(env, todo_id)
        fresh = token_of(late)
        done = await c.call("delete_todo", todo="the gym", confirm=fresh)
        assert done.ok and done.text == "Deleted: Cancel the gym."


async def test_a_yes_from_another_server_instance_is_refused(tool_env: ToolEnv) -> None:
    # each tool server has its own key: a restarted server simply asks again
    port = free_port()
    other = HttpToolServer(build_server(tool_env.db, tool_env.tokens, port=port), "127.0.0.1", port)
    await other.start()
    try:
        async with tool_env.as_user("a_member2") as c:
            todo_id = (await c.call("create_todo", title="Return the drill")).data["todo"]["id"]
            token = token_of(await c.call("delete_todo", todo="drill"))
        async with dataclasses.replace(tool_env, url=other.url).as_user("a_member2") as c:
            r = await c.call("delete_todo", todo="drill", confirm=token)
            assert r.ok and "needs_confirmation" in r.data
        assert await exists(tool_env, todo_id)
    finally:
        await other.stop()


async def test_team_todo_assign_by_spoken_name(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_owner") as c:
        made = await c.call(
            "create_team_todo", team="the dev team", title="Fix the flaky build", due="Friday 3pm"
        )
        assert made.ok, made.text
        assert made.text.startswith("Added to the Dev list: Fix the flaky build, due ")
        todo_id = made.data["todo"]["id"]
        which = await c.call("assign_todo", todo="the flaky build", person="John")
        assert not which.ok and which.text == "Which John: John Smith or John Park?"
        assert [o["title"] for o in which.data["options"]] == ["John Smith", "John Park"]
        ok = await c.call("assign_todo", todo="the flaky build", person="john park", team="dev")
        assert ok.ok and ok.data["todo"]["assignee"] == "John Park"
        assert ok.text == "Assigned Fix the flaky build to John Park."
        team = await c.call("list_team_todos", team="Dev")
        assert team.ok and todo_id in [t["id"] for t in team.data["todos"]]
        assert team.text.startswith("The Dev team has")
    async with tool_env.as_user("a_member") as c:  # John Park
        mine = await c.call("list_my_assignments")
        assert mine.ok and todo_id in [t["id"] for t in mine.data["todos"]]
        done = await c.call("complete_todo", todo="flaky build")
        assert done.ok and done.data["item"]["id"] == todo_id, done.text


async def test_nothing_is_asked_or_deleted_when_the_caller_may_not(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_owner") as c:
        made = await c.call("create_team_todo", team="Dev", title="Archive the release notes")
    todo_id = made.data["todo"]["id"]
    async with tool_env.as_user("a_member") as c:  # a Dev member: may edit, not delete
        r = await c.call("delete_todo", todo="release notes")
        assert not r.ok and r.code == "forbidden" and "needs_confirmation" not in r.data
    refused = await tool_env.count(
        AuditEntry,
        tool_env.a,
        AuditEntry.action == "todo.delete",
        AuditEntry.outcome == "refused",
        AuditEntry.actor_user_id == tool_env.a.users["103"],
    )
    assert refused >= 1 and await exists(tool_env, todo_id)
