"""Process-wide agent parts: the chat model, the checkpointer, the compiled graph, the grammar
planner and answer reader and, for the ``local`` provider, the bundled model's server. Calls
share one runtime; each call has its own :class:`agent.session.AgentSession` (thread, tools,
token).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from agent.checkpoint import checkpoint_url, open_checkpointer
from agent.graph import AgentGraph, build_graph
from agent.llm_server import LocalModelServer
from agent.models import chat_model
from agent.tools import ToolBox
from agent.understanding import tool_classifier
from agent.understanding.answer_classifier import trained
from agent.understanding.answers import AnswerReader
from agent.understanding.llama import LlamaModel
from agent.understanding.planner import PlanModel, Planner
from switchboard.settings import Settings


def mcp_url(settings: Settings) -> str:
    """The tool server's streamable HTTP endpoint."""
    return settings.agent.mcp_url or f"http://{settings.tools.host}:{settings.tools.port}/mcp"


@dataclass
class AgentRuntime:
    """The shared, started parts of the agent (close with :meth:`aclose`)."""

    settings: Settings
    model: BaseChatModel
    graph: AgentGraph
    mcp_url: str
    answers: AnswerReader
    planner: Planner | None = None
    server: LocalModelServer | None = None
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)
    _warming: dict[tuple[str, ...], asyncio.Task[None]] = field(default_factory=dict)

    @classmethod
    async def start(
        cls,
        settings: Settings,
        *,
        model: BaseChatModel | None = None,
        checkpoint: str | None = None,
        tools_url: str | None = None,
        plan_model: PlanModel | None = None,
    ) -> AgentRuntime:
        """Open the checkpointer, start the local model server if needed, build the graph.

        ``model`` (a chat model) and ``plan_model`` replace the configured endpoints (tests);
        with a chat model but no plan model, turns use tool calling."""
        stack = contextlib.AsyncExitStack()
        server: LocalModelServer | None = None
        cfg = settings.agent
        try:
            saver = await stack.enter_async_context(
                open_checkpointer(checkpoint or checkpoint_url(settings))
            )
            base_url = cfg.effective_base_url
            if model is None:
                if cfg.provider == "local" and not base_url:
                    server = LocalModelServer.from_settings(settings)
                    await server.start(cfg.local_start_timeout_s)
                    stack.push_async_callback(server.stop)
                    base_url = server.base_url
                model = chat_model(cfg, base_url)
                if cfg.grammar_planner and plan_model is None:
                    plan_model = LlamaModel(base_url)
                    stack.push_async_callback(plan_model.aclose)
        except BaseException:
            await stack.aclose()
            raise
        planner = Planner(plan_model) if plan_model is not None else None
        url = tools_url or mcp_url(settings)
        return cls(settings, model, build_graph(saver), url, AnswerReader(), planner, server, stack)

    def toolbox(self, url: str, token: str) -> ToolBox:
        """A call's tools on the tool server at ``url`` (the bench serves its own)."""
        return ToolBox(url, token)

    def answer_reader(self) -> AnswerReader:
        """What reads the callers' answers to the assistant's questions."""
        return self.answers

    def warm_up(self, names: tuple[str, ...], schemas: Any) -> asyncio.Task[None] | None:
        """Have the local model read the planner's fixed prompt now (once per tool set), and
        the answer classifier train, so the first caller does not wait; returns the task."""
        if self.planner is None or not names:
            return None
        key = tuple(sorted(names))
        task = self._warming.get(key)
        if task is None:
            prompt = self.planner.prompt_for(names, schemas)
            task = asyncio.create_task(self._warm(prompt.prefix, prompt.grammar))
            self._warming[key] = task
        return task

    async def _warm(self, prefix: str, grammar: str) -> None:
        from agent.understanding.prompt import messages

        assert self.planner is not None
        with contextlib.suppress(Exception):
            await self.planner.model.complete(messages(prefix, "", [], "hello"), grammar, 1)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(trained)
        with contextlib.suppress(Exception):
            await asyncio.to_thread(tool_classifier.trained)

    async def aclose(self) -> None:
        """Stop the local server and close the checkpointer."""
        for task in self._warming.values():
            task.cancel()
        await self._stack.aclose()


_shared: AgentRuntime | None = None
_shared_lock = asyncio.Lock()


async def shared_runtime(settings: Settings) -> AgentRuntime:
    """The process's runtime, started on first use."""
    global _shared
    async with _shared_lock:
        if _shared is None:
            _shared = await AgentRuntime.start(settings)
        return _shared


async def close_shared_runtime() -> None:
    """Close the process's runtime (at shutdown)."""
    global _shared
    async with _shared_lock:
        runtime, _shared = _shared, None
        if runtime is not None:
            await runtime.aclose()
