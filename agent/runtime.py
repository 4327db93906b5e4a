"""Process-wide agent parts: the chat model, the checkpointer, the compiled graph and, for the
``local`` provider, the bundled model's server. Calls share one runtime; each call has its own
:class:`agent.session.AgentSession` (thread, tools, token).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel

from agent.checkpoint import checkpoint_url, open_checkpointer
from agent.graph import AgentGraph, build_graph
from agent.llm_server import LocalModelServer
from agent.models import chat_model
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
    server: LocalModelServer | None = None
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)

    @classmethod
    async def start(
        cls,
        settings: Settings,
        *,
        model: BaseChatModel | None = None,
        checkpoint: str | None = None,
        tools_url: str | None = None,
    ) -> AgentRuntime:
        """Open the checkpointer, start the local model server if needed, build the graph."""
        stack = contextlib.AsyncExitStack()
        server: LocalModelServer | None = None
        try:
            saver = await stack.enter_async_context(
                open_checkpointer(checkpoint or checkpoint_url(settings))
            )
            cfg = settings.agent
            if model is None:
                base_url = cfg.effective_base_url
                if cfg.provider == "local" and not base_url:
                    server = LocalModelServer.from_settings(settings)
                    await server.start(cfg.local_start_timeout_s)
                    stack.push_async_callback(server.stop)
                    base_url = server.base_url
                model = chat_model(cfg, base_url)
        except BaseException:
            await stack.aclose()
            raise
        url = tools_url or mcp_url(settings)
        return cls(settings, model, build_graph(saver), url, server, stack)

    async def aclose(self) -> None:
        """Stop the local server and close the checkpointer."""
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
