"""One call's conversation with the agent: the interface the telephony side uses.

Typical use by ``ari_app`` (one session per call, after the PIN check)::

    from agent import AgentSession, CallerContext, Sentence, Filler, TurnResult

    session = await AgentSession.open(settings, token, CallerContext(
        name="Alice Smith", role="owner", timezone="America/New_York",
        teams=("Dev",), call_id=call.id))
    async for out in session.turn("add a todo to buy milk"):
        match out:
            case Sentence(text=text): speak(text)        # first one as early as possible
            case Filler(text=text): speak(text)          # "One moment." when slow
            case ToolStarted() | ToolFinished(): log(out)  # with timings
            case TurnResult(transfer=t, summary=s): ...  # t: department + queue, s: 2–3 sentences
    session.record_heard("Sure, I added")   # after a barge-in: keep only what was heard
    await session.close()

One turn at a time: after a barge-in, stop reading the old turn (``await gen.aclose()``, or
simply start the next turn, which stops whatever is left of the previous one).

Guarantees of :meth:`AgentSession.turn`: it always ends with exactly one ``TurnResult``; it
never raises for model, tool or state failures (the caller hears one friendly sentence and the
next turn works); it stays within ``agent.turn_budget_s`` (a "one moment" filler after
``agent.filler_after_s`` of silence); a change that may still complete after a timeout is
reported as such. Conversation state is checkpointed per call; each turn starts by repairing
it (dangling tool calls closed), or by restarting the thread with a summary when it cannot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import openai
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver

from agent.budgets import PENDING_TEXT, TIMEOUT_TEXT, TurnClock
from agent.events import AgentOutput, ErrorCode
from agent.prompts import CallerContext, system_prompt
from agent.repair import closing_messages, restart_summary, unrepairable
from agent.runtime import AgentRuntime, shared_runtime
from agent.state import TurnContext
from agent.summary import handoff_summary
from agent.tools import TokenSource, ToolBox, ToolsUnavailable
from agent.turn import TurnRecorder
from agent.understanding.prompt import caller_line
from switchboard.settings import Settings

log = logging.getLogger(__name__)

MODEL_DOWN = "Sorry, I'm having trouble thinking right now. Please try again in a moment."
FAILED = "Sorry, something went wrong on my side. Please try again."
_DONE = object()


def error_code(exc: BaseException) -> ErrorCode:
    """The stable code of a turn failure."""
    if isinstance(exc, openai.APIError | httpx.HTTPError | ConnectionError):
        return "model_unavailable"
    return "failed"


class AgentSession:
    """The agent for one call (see the module docstring)."""

    def __init__(
        self,
        runtime: AgentRuntime,
        tools: Any,
        caller: CallerContext,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.runtime = runtime
        self.settings = runtime.settings.agent
        self.tools = tools
        self.caller = caller
        self.thread_id = f"call-{caller.call_id or uuid.uuid4().hex}"
        self.restarts = 0
        self._earlier = ""
        self._heard: str | None = None
        self._requests: list[str] = []
        self._tool_log: list[Any] = []
        self._now = now or (lambda: datetime.now(UTC))
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        settings: Settings,
        token: str | TokenSource,
        caller: CallerContext,
        *,
        runtime: AgentRuntime | None = None,
        tools: Any | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> AgentSession:
        """Open the call's tool session (best effort) and its conversation thread; ``token``
        is the call's tool token, or what gives it for each request (long calls)."""
        runtime = runtime or await shared_runtime(settings)
        box = tools if tools is not None else ToolBox(runtime.mcp_url, token)
        try:
            await box.open()
        except ToolsUnavailable as exc:  # turns will say so, and retry
            log.warning("tool server unreachable at call start: %s", exc)
        session = cls(runtime, box, caller, now=now)
        await session._complete_caller()
        runtime.warm_up(box.names, box.schemas)
        return session

    async def _complete_caller(self) -> None:
        """Fill the caller's teams and timezone from their profile when not given."""
        if self.caller.teams or "get_my_profile" not in self.tools.names:
            return
        outcome = await self.tools.call("get_my_profile", {}, 3.0, "profile")
        user = outcome.data.get("user") if outcome.ok else None
        if isinstance(user, dict):
            teams = tuple(str(t) for t in user.get("teams") or ())
            tz = str(user.get("timezone") or self.caller.timezone)
            self.caller = replace(self.caller, teams=teams, timezone=tz)

    async def _reconnect_tools(self) -> None:
        """Try again to open the tool session if it never opened (server was away)."""
        if not self.tools.names:
            with contextlib.suppress(ToolsUnavailable):
                await self.tools.open()

    def _config(self) -> RunnableConfig:
        return {"configurable": {"thread_id": self.thread_id}}

    def record_heard(self, text: str) -> None:
        """After a barge-in: the last reply becomes what the caller actually heard."""
        self._heard = text.strip()

    async def messages(self) -> list[AnyMessage]:
        """The committed conversation of this call's current thread.

        Read from the last checkpoint itself, not ``aget_state`` (which also shows pending
        writes of an interrupted step: those are not part of what a state update builds on).
        """
        saver = self.runtime.graph.checkpointer
        if not isinstance(saver, BaseCheckpointSaver):
            snapshot = await self.runtime.graph.aget_state(self._config())
            return list(snapshot.values.get("messages", []))
        saved = await saver.aget_tuple(self._config())
        if saved is None:
            return []
        return list(saved.checkpoint["channel_values"].get("messages", []))

    async def heal(self, said: str | None = None) -> None:
        """Repair the thread (close dangling calls, apply ``record_heard``), else restart it."""
        try:
            messages = await self.messages()
            broken = unrepairable(messages)
            if broken:
                raise ValueError(broken)
            patch: list[AnyMessage] = list(closing_messages(messages))
            if said:
                patch.append(AIMessage(content=said))
            elif self._heard is not None:
                last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
                if last is not None and not last.tool_calls and last.id:
                    patch.append(AIMessage(content=self._heard or "...", id=last.id))
            self._heard = None
            if patch:
                await self.runtime.graph.aupdate_state(
                    self._config(), {"messages": patch}, as_node="reply"
                )
        except Exception as exc:
            log.warning("conversation state of %s unusable (%s): restarting", self.thread_id, exc)
            await self._restart()

    async def _restart(self) -> None:
        with contextlib.suppress(Exception):
            self._earlier = restart_summary(await self.messages())
        if not self._earlier and self._requests:
            self._earlier = "The caller said: " + " / ".join(self._requests[-3:])
        self.restarts += 1
        base = self.thread_id.split("~", 1)[0]
        self.thread_id = f"{base}~r{self.restarts}"

    def _context(self, clock: TurnClock) -> TurnContext:
        caller = caller_line(self.caller.name, self.caller.role, self.caller.teams)
        if self._earlier:
            caller += f"\nEarlier in this call: {self._earlier}"
        return TurnContext(
            model=self.runtime.model,
            tools=self.tools,
            system=system_prompt(self.caller, self._earlier),
            timezone=self.caller.timezone,
            clock=clock,
            now=self._now,
            answers=self.runtime.answers,
            planner=self.runtime.planner,
            caller=caller,
            direct_replies=self.settings.direct_tool_replies,
            ground_args=self.settings.grounded_arguments,
            narrow_tools=self.settings.narrow_tools,
            decide_above=self.settings.classifier_decides_above,
            max_model_calls=self.settings.max_model_calls,
            history_turns=self.settings.history_turns,
        )

    async def _drive(self, text: str, ctx: TurnContext, queue: asyncio.Queue[Any]) -> None:
        try:
            stream = self.runtime.graph.astream(
                {"messages": [HumanMessage(content=text)]},
                self._config(),
                context=ctx,
                stream_mode="custom",
                durability="sync",  # each step is on disk before the next: repairable
            )
            async for event in stream:
                queue.put_nowait(event)
            queue.put_nowait(_DONE)
        except Exception as exc:
            queue.put_nowait(exc)

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        """Answer one utterance (see the module docstring for what is yielded)."""
        cfg = self.settings
        clock = TurnClock(cfg.turn_budget_s, cfg.tool_budget_s, cfg.filler_after_s)
        rec = TurnRecorder(clock.elapsed)
        await self._abandon_previous()
        await self.heal()
        await self._reconnect_tools()
        self._requests.append(text)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        task = asyncio.create_task(self._drive(text, self._context(clock), queue))
        self._task = task
        failure: str | None = None
        try:
            while True:
                filler_due = not rec.spoken and rec.filler_s is None
                try:
                    item = await asyncio.wait_for(queue.get(), clock.next_wait(filler_due))
                except TimeoutError:
                    if clock.expired():
                        rec.error = "timeout"
                        failure = self._timeout_text(rec)
                        break
                    if filler_due and clock.filler_time():
                        yield rec.filler()
                    continue
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    rec.error = error_code(item)
                    log.warning("turn failed: %s: %s", type(item).__name__, item)
                    failure = MODEL_DOWN if rec.error == "model_unavailable" else FAILED
                    break
                for out in rec.handle(item):
                    yield out
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if failure is not None:
            for out in rec.say(failure):
                yield out
            await self.heal(said=" ".join(rec.sentences))
        self._tool_log.extend(rec.finished)
        summary = None
        if rec.transfer is not None:
            summary = handoff_summary(self.caller, self._requests, self._tool_log, rec.transfer)
        yield rec.result(summary)

    async def _abandon_previous(self) -> None:
        """Stop a previous turn whose outputs nobody reads any more (barge-in)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

    def _timeout_text(self, rec: TurnRecorder) -> str:
        writes = [n for n, _ in rec.in_flight.values() if not self.tools.read_only(n)]
        return PENDING_TEXT if writes else TIMEOUT_TEXT

    async def close(self) -> None:
        """Close the call's tool session (the checkpointed thread stays for the records)."""
        await self._abandon_previous()
        await self.tools.close()
