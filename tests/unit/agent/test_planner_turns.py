"""Turns planned by the grammar planner (a scripted plan model on the real interface): calls run
as their lines complete, speech streams, open questions (confirm, which one) are answered by
meaning, references to earlier items, the same action on another kind of item."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent import AgentRuntime, AgentSession
from agent.events import Sentence, ToolFinished, ToolStarted
from agent.tools import ToolOutcome
from tests.fixtures.agent_fakes import CALLER, FIXED_NOW, FakeTools, agent_settings, run_turn
from tests.fixtures.llm import scripted


@dataclass
class FakePlanModel:
    """Plays one scripted reply per planning request, in chunks; records the requests."""

    replies: list[str]
    chunk_delay_s: float = 0.0
    requests: list[tuple[list[dict[str, str]], str | None]] = field(default_factory=list)

    async def stream(
        self, messages: list[dict[str, str]], grammar: str | None
    ) -> AsyncIterator[str]:
        self.requests.append((messages, grammar))
        text = self.replies.pop(0) if self.replies else 'say("Okay.")'
        for index in range(0, len(text), 8):
            if self.chunk_delay_s:
                await asyncio.sleep(self.chunk_delay_s)
            yield text[index : index + 8]

    async def complete(
        self, messages: list[dict[str, str]], grammar: str | None, max_tokens: int | None = None
    ) -> str:
        return ""


@dataclass
class Rig:
    session: AgentSession
    tools: FakeTools
    plan: FakePlanModel


@pytest.fixture
def planner_rig(tmp_path: Path) -> Callable[..., contextlib.AbstractAsyncContextManager[Rig]]:
    """``async with planner_rig(["plan line", ...], tools=...) as rig``."""

    @contextlib.asynccontextmanager
    async def make(
        replies: list[str],
        tools: FakeTools | None = None,
        chunk_delay_s: float = 0.0,
        **agent: Any,
    ) -> AsyncIterator[Rig]:
        values = {"provider": "local", "ground_arguments": True, "turn_budget_s": 20.0, **agent}
        settings = agent_settings(tmp_path, **values)
        plan = FakePlanModel(list(replies), chunk_delay_s)
        runtime = await AgentRuntime.start(
            settings, model=scripted(), checkpoint=f"sqlite:///{tmp_path / 's.db'}",
            plan_model=plan,
        )  # fmt: skip
        fake = tools or FakeTools()
        try:
            session = await AgentSession.open(
                settings, "token", CALLER, runtime=runtime, tools=fake, now=lambda: FIXED_NOW
            )
            yield Rig(session, fake, plan)
            await session.close()
        finally:
            await runtime.aclose()

    return make


def outcome(name: str, text: str, ok: bool = True, code: str | None = None, **data: Any):
    return ToolOutcome(name, ok, text, 0.01, code, dict(data))


async def test_a_planned_call_runs_and_its_sentence_is_the_reply(planner_rig):
    tools = FakeTools(results={"create_todo": outcome("create_todo", "Added: oat milk.")})
    async with planner_rig(['create_todo(title="oat milk")'], tools) as rig:
        _outputs, result = await run_turn(rig.session, "um put oat milk on my list")
        history = await rig.session.messages()
    assert rig.tools.calls == [("create_todo", {"title": "oat milk"})]
    assert result.text == "Added: oat milk." and result.error is None
    assert [type(m) for m in history] == [HumanMessage, AIMessage, ToolMessage, AIMessage]
    messages, grammar = rig.plan.requests[0]
    assert grammar is not None and "create_todo" in grammar
    assert messages[-1]["content"] == "caller: um put oat milk on my list"


async def test_the_first_call_is_heard_while_the_model_still_writes(planner_rig):
    plan = 'create_todo(title="stamps")\ncreate_reminder(text="post the parcel", when="5 pm")'
    async with planner_rig([plan], chunk_delay_s=0.05) as rig:
        outputs, result = await run_turn(rig.session, "add stamps and remind me at 5 pm")
    names = [o.name for o in outputs if isinstance(o, ToolStarted)]
    assert names == ["create_todo", "create_reminder"]
    first = next(o for o in outputs if isinstance(o, Sentence))
    assert first.text == "Done: create_todo." and first.at_s < result.timings.total_s - 0.2


async def test_speech_streams_and_goodbye_hangs_up(planner_rig):
    plans = ['say("Hi! What can I do for you?")', 'goodbye("Bye now!")']
    async with planner_rig(plans, narrow_tools=False) as rig:
        _outputs, hello = await run_turn(rig.session, "hiya")
        _, bye = await run_turn(rig.session, "brilliant that's everything")
    assert hello.text == "Hi! What can I do for you?" and not hello.hangup
    assert rig.tools.calls == []
    assert bye.text == "Bye now!" and bye.hangup
    second, _ = rig.plan.requests[1]
    assert second[1:] == [
        {"role": "user", "content": "caller: hiya"},
        {"role": "assistant", "content": 'say("Hi! What can I do for you?")'},
        {
            "role": "user",
            "content": "system: Hi! What can I do for you?\ncaller: brilliant that's everything",
        },
    ]


async def test_the_stable_prefix_is_the_same_bytes_every_turn_and_call(planner_rig):
    async with planner_rig(['say("One.")', 'say("Two.")']) as rig:
        await run_turn(rig.session, "hello")
        await run_turn(rig.session, "hello again")
    first, second = (r[0][0]["content"] for r in rig.plan.requests)
    stable = first.rsplit("\n\n", 1)[0]
    assert second.startswith(stable) and first == second
    assert "2026" not in first and "Functions:" in first
    assert first.endswith("The caller is «Alice Smith» (owner); their teams: «Dev».")


async def test_unreadable_output_is_an_apology_never_spoken_raw(planner_rig):
    async with planner_rig(["{{broken json"]) as rig:
        _, result = await run_turn(rig.session, "mumble")
    assert result.error == "garbled_reply" and "{" not in result.text
    assert rig.tools.calls == []


async def test_a_destructive_change_waits_for_a_spoken_yes(planner_rig):
    asked = outcome("delete_todo", "Delete Renew passport? Yes or no?",
                    needs_confirmation={"token": "tok-1"}, item={"kind": "todo", "id": 4,
                    "title": "Renew passport"})  # fmt: skip

    def delete(args: dict[str, Any]) -> ToolOutcome:
        if args.get("confirm") == "tok-1":
            return outcome("delete_todo", "Deleted: Renew passport.")
        return asked

    tools = FakeTools(results={"delete_todo": delete})
    plan = 'delete_todo(todo="passport", confirm="forged")'
    async with planner_rig([plan], tools) as rig:
        _, ask = await run_turn(rig.session, "delete the passport one")
        _, done = await run_turn(rig.session, "yep go ahead")
    assert ask.text == "Delete Renew passport? Yes or no?"
    assert rig.tools.calls == [
        ("delete_todo", {"todo": "passport"}),  # the model's "confirm" never reaches the tool
        ("delete_todo", {"todo": "passport", "confirm": "tok-1"}),
    ]
    assert done.text == "Deleted: Renew passport."
    assert len(rig.plan.requests) == 1  # the yes needed no planning


async def test_a_no_leaves_it_and_a_new_request_is_planned(planner_rig):
    asked = outcome("delete_event", "Delete Dentist? Yes or no?", needs_confirmation={"token": "t"})
    tools = FakeTools(results={"delete_event": asked})
    plans = ['delete_event(event="dentist")', 'delete_event(event="dentist")', "list_todos()"]
    async with planner_rig(plans, tools) as rig:
        await run_turn(rig.session, "cancel the dentist")
        _, no = await run_turn(rig.session, "nah leave it")
        await run_turn(rig.session, "cancel the dentist")
        _, other = await run_turn(rig.session, "what's on my list")
    assert no.text == "Okay, I've left it as it is."
    assert [c[0] for c in rig.tools.calls] == ["delete_event", "delete_event", "list_todos"]
    assert all("confirm" not in c[1] for c in rig.tools.calls)
    assert other.text == "Done: list_todos."


async def test_which_one_is_answered_by_position_or_name(planner_rig):
    options = [{"ref": "#3", "title": "Call the bank"}, {"ref": "#4", "title": "Call mum"}]
    which = outcome("complete_todo", "Which one: Call the bank, or Call mum?", ok=False,
                    code="ambiguous", options=options)  # fmt: skip

    def complete(args: dict[str, Any]) -> ToolOutcome:
        return outcome("complete_todo", "Done: Call mum.") if args["todo"] == "#4" else which

    tools = FakeTools(results={"complete_todo": complete})
    async with planner_rig(['complete_todo(todo="call")'], tools) as rig:
        _, ask = await run_turn(rig.session, "the call one is done")
        _, done = await run_turn(rig.session, "the mum one")
    assert ask.text.startswith("Which one") and done.text == "Done: Call mum."
    assert rig.tools.calls[-1] == ("complete_todo", {"todo": "#4"})


async def test_the_second_one_means_the_second_item_heard(planner_rig):
    rows = [{"id": 3, "title": "Call the bank"}, {"id": 4, "title": "Call mum"}]
    listing = outcome("list_todos", "You have 2 todos: Call the bank; Call mum.", todos=rows)
    tools = FakeTools(results={"list_todos": listing})
    plans = [
        "list_todos()",
        'complete_todo(todo="the second one")',
        'update_todo(todo="it", due="friday")',
    ]
    async with planner_rig(plans, tools) as rig:
        await run_turn(rig.session, "what's on my list")
        await run_turn(rig.session, "the second one is done")
    assert rig.tools.calls[-1] == ("complete_todo", {"todo": "#4"})


async def test_the_same_action_on_another_kind_of_item(planner_rig):
    missing = outcome("delete_event", "I couldn't find an event called gas bill.", ok=False,
                      code="not_found")  # fmt: skip
    asked = outcome("cancel_reminder", "Cancel the reminder Pay the gas bill? Yes or no?",
                    needs_confirmation={"token": "t2"})  # fmt: skip
    tools = FakeTools(results={"delete_event": missing, "cancel_reminder": asked})
    async with planner_rig(['delete_event(event="gas bill")'], tools) as rig:
        outputs, result = await run_turn(rig.session, "get rid of the gas bill reminder")
    started = [(o.name, o.probe) for o in outputs if isinstance(o, ToolStarted)]
    assert started == [("delete_event", True), ("cancel_reminder", False)]
    finished = [o.name for o in outputs if isinstance(o, ToolFinished) and not o.probe]
    assert finished == ["cancel_reminder"] and result.text.startswith("Cancel the reminder")
    assert rig.tools.calls == [("delete_event", {"event": "gas bill"}),
                               ("cancel_reminder", {"reminder": "gas bill"})]  # fmt: skip


async def test_unsaid_optional_arguments_are_dropped(planner_rig):
    plan = 'create_todo(title="oat milk", due="now", priority="high")'
    async with planner_rig([plan]) as rig:
        await run_turn(rig.session, "put oat milk on my list")
    assert rig.tools.calls == [("create_todo", {"title": "oat milk"})]


async def test_a_change_to_an_item_the_caller_never_named_is_not_made(planner_rig):
    plans = ['update_todo(todo="renew passport", due="friday")', 'get_todo(todo="passport")']
    async with planner_rig(plans) as rig:
        _, guessed = await run_turn(rig.session, "move the dentist thing to friday")
        _, read = await run_turn(rig.session, "what about the other one")
    assert guessed.text.startswith("Sorry, which one do you mean?")
    assert rig.tools.calls == [("get_todo", {"todo": "passport"})]  # a look-up is harmless
    assert read.error is None


async def test_a_sure_goodbye_ends_the_call_without_the_model(planner_rig):
    async with planner_rig([]) as rig:
        _, bye = await run_turn(rig.session, "thanks that's all goodbye")
    assert bye.hangup and bye.text == "You're welcome. Goodbye!"
    assert rig.plan.requests == []
