"""Graph logic with a scripted tool-calling model: streaming, tool loops, direct replies."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agent.events import Filler, Sentence, ToolFinished, ToolStarted, TurnResult
from agent.tools import ToolOutcome
from tests.fixtures.agent_fakes import TOOLS, FakeTools, run_turn
from tests.fixtures.llm import scripted, tool_call


async def test_reply_streams_sentence_by_sentence_first_one_early(agent_rig_factory):
    text = "Hello Alice, good to hear from you. How can I help with your team today?"
    model = scripted(text, chunk_delay_s=0.05)
    async with agent_rig_factory(model) as rig:
        outputs, result = await run_turn(rig.session, "hello")
    sentences = [o for o in outputs if isinstance(o, Sentence)]
    assert [s.text for s in sentences] == [
        "Hello Alice, good to hear from you.",
        "How can I help with your team today?",
    ]
    assert sentences[0].at_s < result.timings.total_s - 0.3  # spoken before the reply ended
    assert result.text == text and result.error is None and result.transfer is None
    assert rig.tools.calls == []


async def test_every_tool_is_offered_under_a_stable_prompt(agent_rig_factory):
    model = scripted("You're welcome, goodbye!", "Hi again.")
    async with agent_rig_factory(model) as rig:
        await run_turn(rig.session, "thanks, that's all")
        await run_turn(rig.session, "hi")
    first, second = model.calls
    assert sorted(first.tools) == sorted(TOOLS) and second.tools == first.tools
    assert isinstance(first.messages[0], SystemMessage)
    system = str(first.messages[0].content)
    assert str(second.messages[0].content) == system  # the same bytes: cacheable
    assert "Alice Smith" in system and "Dev" in system and "2026" not in system
    assert isinstance(first.messages[-1], HumanMessage)
    assert first.messages[-1].content == "thanks, that's all"


async def test_tool_loop_with_a_remote_style_model(agent_rig_factory):
    model = scripted(
        tool_call("create_todo", title="buy milk"),
        "I added buy milk to your list.",
    )
    tools = FakeTools(
        results={"create_todo": ToolOutcome("create_todo", True, "Added buy milk.", 0.01)}
    )
    async with agent_rig_factory(model, tools, speak_tool_results=False) as rig:
        outputs, result = await run_turn(rig.session, "add a todo to buy milk")
        history = await rig.session.messages()
    kinds = [type(o) for o in outputs]
    assert kinds == [ToolStarted, ToolFinished, Sentence, TurnResult]
    assert rig.tools.calls == [("create_todo", {"title": "buy milk"})]
    assert "create_todo" in model.calls[0].tools
    assert isinstance(model.calls[1].messages[-1], ToolMessage)
    assert result.text == "I added buy milk to your list."
    assert result.timings.model_calls == 2 and result.timings.tool_calls == 1
    assert [type(m) for m in history] == [HumanMessage, AIMessage, ToolMessage, AIMessage]


async def test_direct_replies_say_the_tool_sentence_with_one_model_call(agent_rig_factory):
    model = scripted(tool_call("create_event", title="meeting", start="next Monday at 10"))
    tools = FakeTools(
        results={
            "create_event": ToolOutcome(
                "create_event", True, "Booked meeting on Monday at 10 AM.", 0.01
            )
        }
    )
    async with agent_rig_factory(model, tools, speak_tool_results=True) as rig:
        _, result = await run_turn(rig.session, "book a one-hour meeting next Monday at 10")
    assert len(model.calls) == 1
    assert result.text == "Booked meeting on Monday at 10 AM."


async def test_json_text_tool_call_runs_and_is_never_spoken(agent_rig_factory):
    text = '{{"name": "create_todo", "arguments": {"title": "Buy milk", "due": null}}}'
    model = scripted(text)
    async with agent_rig_factory(model, speak_tool_results=True) as rig:
        outputs, result = await run_turn(rig.session, "add a todo to buy milk")
    assert rig.tools.calls == [("create_todo", {"title": "Buy milk"})]
    spoken = [o.text for o in outputs if isinstance(o, Sentence)]
    assert spoken == ["Done: create_todo."]
    assert "{" not in result.text


async def test_fenced_json_after_prose_speaks_only_the_prose(agent_rig_factory):
    text = 'Sure. ```json\n{"name": "list_todos", "arguments": {}}\n```'
    model = scripted(AIMessage(content=text), "Here they are.")
    async with agent_rig_factory(model, speak_tool_results=False) as rig:
        outputs, _ = await run_turn(rig.session, "what is on my list")
    spoken = [o.text for o in outputs if isinstance(o, Sentence)]
    assert all("{" not in s and "name" not in s for s in spoken)
    assert rig.tools.calls == [("list_todos", {})]


async def test_slow_model_gets_a_filler_first(agent_rig_factory):
    model = scripted("Here you go.", first_delay_s=0.6)
    async with agent_rig_factory(model, filler_after_s=0.2) as rig:
        outputs, result = await run_turn(rig.session, "hello there")
    assert isinstance(outputs[0], Filler) and outputs[0].text == "One moment."
    assert 0.15 < outputs[0].at_s < 0.5
    assert isinstance(outputs[1], Sentence)
    assert result.timings.filler_s is not None and "One moment" not in result.text


async def test_model_call_limit_ends_a_tool_loop(agent_rig_factory):
    steps = [tool_call("list_todos", f"c{i}") for i in range(5)]
    model = scripted(*steps)
    async with agent_rig_factory(model, speak_tool_results=False, max_model_calls=2) as rig:
        _, result = await run_turn(rig.session, "what is on my list")
    assert len(model.calls) == 2
    assert result.text == "Done: list_todos."


async def test_close_closes_the_tools(agent_rig_factory):
    async with agent_rig_factory(scripted("Hi.")) as rig:
        await run_turn(rig.session, "hi")
        await rig.session.close()
        assert rig.tools.closed


async def test_remote_models_still_decide_for_themselves(agent_rig_factory):
    model = scripted("We have General, Support and Sales.")
    async with agent_rig_factory(model, speak_tool_results=False) as rig:
        _, result = await run_turn(rig.session, "Which departments can I call?")
    assert len(model.calls) == 1 and rig.tools.calls == []
    assert result.text == "We have General, Support and Sales."
