"""Budgets, self-repair and faults with a scripted model: every failure ends in one friendly
sentence and a next turn that works."""

from __future__ import annotations

import time

import httpx
import openai
from langchain_core.messages import AIMessage, SystemMessage, ToolMessage

from agent.budgets import PENDING_TEXT, TIMEOUT_TEXT
from agent.events import Filler, Sentence, TurnResult
from agent.nodes.model import GARBLED
from agent.repair import INTERRUPTED
from agent.session import MODEL_DOWN
from agent.tools import TIMED_OUT, ToolOutcome
from tests.fixtures.agent_fakes import FakeTools, run_turn
from tests.fixtures.llm import check_tool_history, scripted, tool_call


def _connection_error() -> openai.APIConnectionError:
    return openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1:9/v1"))


async def test_hanging_write_tool_hits_the_turn_budget_and_is_reported_honestly(agent_rig_factory):
    model = scripted(tool_call("create_todo", title="buy milk"), "Your list has one item.")
    tools = FakeTools(hangs={"create_todo"})
    async with agent_rig_factory(
        model, tools, turn_budget_s=1.0, tool_budget_s=5.0, filler_after_s=0.3
    ) as rig:
        started = time.monotonic()
        outputs, result = await run_turn(rig.session, "add a todo to buy milk")
        assert time.monotonic() - started < 1.6
        assert isinstance(outputs[0], Filler) or any(isinstance(o, Filler) for o in outputs)
        assert result.error == "timeout"
        assert result.text == PENDING_TEXT
        history = await rig.session.messages()
        closing = [m for m in history if isinstance(m, ToolMessage)]
        assert closing and closing[0].content == INTERRUPTED and closing[0].status == "error"
        assert isinstance(history[-1], AIMessage) and history[-1].content == PENDING_TEXT
        # the next turn is valid for a strict endpoint and works
        _, nxt = await run_turn(rig.session, "what is on my list")
    check_tool_history(model.calls[-1].messages)
    assert nxt.error is None and nxt.text == "Your list has one item."


async def test_slow_read_hits_the_turn_budget_with_a_plain_apology(agent_rig_factory):
    model = scripted(tool_call("list_todos"))
    tools = FakeTools(hangs={"list_todos"})
    async with agent_rig_factory(model, tools, turn_budget_s=0.8, tool_budget_s=5.0) as rig:
        _, result = await run_turn(rig.session, "what is on my list")
    assert result.error == "timeout" and result.text == TIMEOUT_TEXT


async def test_hanging_tool_hits_its_own_budget_first(agent_rig_factory):
    model = scripted(tool_call("create_todo", title="x"))
    tools = FakeTools(delays={"create_todo": 30})
    async with agent_rig_factory(
        model, tools, turn_budget_s=3.0, tool_budget_s=0.3, speak_tool_results=True
    ) as rig:
        _, result = await run_turn(rig.session, "add a todo x")
    assert result.error is None
    assert result.text == TIMED_OUT
    assert result.tool_calls[0].code == "timeout" and result.tool_calls[0].elapsed_s < 1.0


async def test_model_endpoint_down_then_back(agent_rig_factory):
    model = scripted(_connection_error(), "Hello again.")
    async with agent_rig_factory(model) as rig:
        outputs, result = await run_turn(rig.session, "hello")
        assert result.error == "model_unavailable"
        assert [o.text for o in outputs if isinstance(o, Sentence)] == [
            "Sorry, I'm having trouble thinking right now.",
            "Please try again in a moment.",
        ]
        assert result.text == MODEL_DOWN
        _, nxt = await run_turn(rig.session, "hello")
    assert nxt.error is None and nxt.text == "Hello again."


async def test_model_fails_after_a_tool_call_leaves_no_dangling_call(agent_rig_factory):
    model = scripted(tool_call("list_todos"), _connection_error(), "Fine now.")
    async with agent_rig_factory(model, speak_tool_results=False) as rig:
        _, first = await run_turn(rig.session, "what is on my list")
        _, second = await run_turn(rig.session, "and now")
    assert first.error == "model_unavailable"
    assert second.text == "Fine now."
    check_tool_history(model.calls[-1].messages)


async def test_garbage_reply_is_not_spoken_and_the_next_turn_works(agent_rig_factory):
    model = scripted('{"result": [1, 2', "Sure, what would you like to add?")
    async with agent_rig_factory(model) as rig:
        outputs, result = await run_turn(rig.session, "add something")
        assert result.error == "garbled_reply" and result.text == GARBLED
        assert all("{" not in o.text for o in outputs if isinstance(o, Sentence))
        history = await rig.session.messages()
        assert "{" not in str(history[-1].content)
        _, nxt = await run_turn(rig.session, "a todo")
    assert nxt.text == "Sure, what would you like to add?"


async def test_unknown_tool_in_text_is_garbage_not_a_crash(agent_rig_factory):
    model = scripted('{"name": "format_disk", "arguments": {}}')
    async with agent_rig_factory(model) as rig:
        _, result = await run_turn(rig.session, "add a todo")
    assert result.text == GARBLED and rig.tools.calls == []


async def test_unrepairable_state_restarts_the_thread_with_a_summary(agent_rig_factory):
    model = scripted("Added.", "Sure.")
    async with agent_rig_factory(model) as rig:
        await run_turn(rig.session, "add a todo to buy milk")
        old = rig.session.thread_id
        orphan = ToolMessage(content="x", tool_call_id="nobody", name="list_todos")
        await rig.runtime.graph.aupdate_state(
            {"configurable": {"thread_id": old}}, {"messages": [orphan]}, as_node="reply"
        )
        _, result = await run_turn(rig.session, "what else")
        assert rig.session.thread_id != old and rig.session.restarts == 1
    assert result.error is None and result.text == "Sure."
    system = model.calls[-1].messages[0]
    assert isinstance(system, SystemMessage)
    assert "Earlier in this call" in str(system.content) and "buy milk" in str(system.content)
    assert len(model.calls[-1].messages) == 2  # fresh thread: system + the new request


async def test_record_heard_keeps_only_what_was_heard(agent_rig_factory):
    model = scripted("You have three todos. The first is buy milk.", "Okay.")
    async with agent_rig_factory(model) as rig:
        await run_turn(rig.session, "hello")
        rig.session.record_heard("You have three")
        await run_turn(rig.session, "stop")
    previous_reply = model.calls[-1].messages[-2]
    assert isinstance(previous_reply, AIMessage) and previous_reply.content == "You have three"


async def test_abandoned_turn_is_repaired_on_the_next_one(agent_rig_factory):
    model = scripted(tool_call("create_todo", title="x"), "Hello.")
    tools = FakeTools(delays={"create_todo": 30})
    async with agent_rig_factory(model, tools, turn_budget_s=5.0) as rig:
        turn = rig.session.turn("add a todo x")
        async for out in turn:  # barge-in: the caller side stops listening mid-turn
            if out.__class__.__name__ == "ToolStarted":
                break
        await turn.aclose()
        _, result = await run_turn(rig.session, "hello")
    assert result.text == "Hello." and result.error is None
    check_tool_history(model.calls[-1].messages)


async def test_transfer_carries_the_action_and_a_summary(agent_rig_factory):
    action = {
        "type": "transfer",
        "department": "Sales",
        "queue": "402",
        "context": "ext-queues",
        "extension": "402",
        "reason": None,
    }
    tools = FakeTools(
        results={
            "create_todo": ToolOutcome("create_todo", True, "Added buy milk.", 0.01),
            "transfer_to_department": ToolOutcome(
                "transfer_to_department",
                True,
                "Putting you through to Sales now.",
                0.01,
                data={"action": action},
            ),
        }
    )
    model = scripted(
        tool_call("create_todo", title="buy milk"),
        tool_call("transfer_to_department", "c2", department="sales"),
        "Connecting you.",  # never used: a transfer ends the turn
    )
    async with agent_rig_factory(model, tools, speak_tool_results=False) as rig:
        rig.session.settings = rig.session.settings.model_copy(update={"speak_tool_results": True})
        await run_turn(rig.session, "add a todo to buy milk")
        _, result = await run_turn(rig.session, "I need to speak to someone in sales")
    assert result.transfer is not None
    assert (result.transfer.department, result.transfer.queue) == ("Sales", "402")
    assert result.text == "Putting you through to Sales now."
    assert result.summary is not None
    assert result.summary.count(".") in (2, 3, 4)
    assert "Alice Smith" in result.summary and "Added buy milk" in result.summary
    assert "someone in sales" in result.summary
    assert len(model.calls) == 2


async def test_every_output_stream_ends_with_one_result(agent_rig_factory):
    model = scripted(RuntimeError("boom"))
    async with agent_rig_factory(model) as rig:
        outputs, result = await run_turn(rig.session, "hello")
    assert sum(isinstance(o, TurnResult) for o in outputs) == 1
    assert result.error == "failed"


async def test_tool_server_away_at_call_start_then_back(agent_rig_factory):
    from agent.tools import UNREACHABLE

    tools = FakeTools(reachable=False)
    model = scripted(tool_call("list_todos"), "Hi there.", tool_call("list_todos", "c2"))
    async with agent_rig_factory(model, tools, speak_tool_results=True) as rig:
        _, away = await run_turn(rig.session, "what is on my list")
        assert away.text == UNREACHABLE and away.error == "tools_unavailable"
        assert model.calls[0].tools == []  # the model is told, and offered no tools
        assert "can't be reached" in str(model.calls[0].messages[0].content)
        _, chat = await run_turn(rig.session, "hello")  # no tools needed: still fine
        assert chat.error is None and chat.text == "Hi there."
        tools.reachable = True
        _, back = await run_turn(rig.session, "what is on my list")
    assert back.error is None and rig.tools.calls == [("list_todos", {})]
    assert tools.opened >= 3


async def test_a_new_turn_stops_an_unread_previous_one(agent_rig_factory):
    model = scripted(tool_call("create_todo", title="x"), "Hello.")
    tools = FakeTools(hangs={"create_todo"})
    async with agent_rig_factory(model, tools, turn_budget_s=5.0) as rig:
        first = rig.session.turn("add a todo x")
        async for out in first:  # the caller barges in; nobody closes the old generator
            if out.__class__.__name__ == "ToolStarted":
                break
        _, result = await run_turn(rig.session, "hello")
        await first.aclose()
    assert result.text == "Hello." and result.error is None
    check_tool_history(model.calls[-1].messages)
