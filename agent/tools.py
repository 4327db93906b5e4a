"""MCP tools for one call: one session with the caller's bearer token, re-opened if it breaks.

The session lives in a task of its own (:class:`_Connection`): anyio's cancel scopes inside the
MCP client must be entered and left by the same task, and a call's turns run in other tasks.
When a call fails with a transport error (the ``BrokenResourceError`` / ``ClosedResourceError``
class, a refused connection, a dropped stream), the connection is dropped and opened anew; a
read-only tool is retried once within its budget, a write is not (it may have happened) and is
reported as "may not have gone through". Tool results are cut to one or two short sentences.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import httpx
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.sessions import StreamableHttpConnection
from langchain_mcp_adapters.tools import load_mcp_tools
from mcp import ClientSession
from mcp.types import CallToolResult, TextContent

log = logging.getLogger(__name__)

SERVER = "switchboard"
MAX_RESULT_CHARS = 320
UNREACHABLE = "Sorry, I can't reach your team's data right now. Please try again in a moment."
LOST_WRITE = "The connection dropped during that change, so it may not have gone through."
TIMED_OUT = "That is taking longer than expected. It may still go through; ask me to check."


class ToolsUnavailable(Exception):
    """The tool server cannot be reached."""


@dataclass(frozen=True)
class ToolOutcome:
    """What one tool call produced, as the agent uses it."""

    name: str
    ok: bool
    text: str
    elapsed_s: float
    code: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _clean_schema(node: Any) -> Any:
    """Drop titles and null defaults, collapse ``X | None``: fewer prompt tokens, same meaning.

    ``properties`` maps argument names to schemas: a name (``title`` too) is never dropped.
    """
    if isinstance(node, list):
        return [_clean_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "examples"):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _clean_schema(prop) for name, prop in value.items()}
        else:
            out[key] = _clean_schema(value)
    if out.get("default", 0) is None:
        out.pop("default")
    options = out.get("anyOf")
    if isinstance(options, list):
        real = [o for o in options if o != {"type": "null"}]
        if len(real) == 1 and isinstance(real[0], dict):
            out.pop("anyOf")
            out = {**real[0], **out}
    return out


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_RESULT_CHARS else text[: MAX_RESULT_CHARS - 3] + "..."


def outcome_of(name: str, result: CallToolResult, elapsed: float) -> ToolOutcome:
    """A tool server's result (one sentence to say + structured data) as an outcome.

    Errors keep their stable code and detail (``ambiguous`` with its options, ...): the raw
    MCP result is read here, not LangChain's tool message, which drops both.
    """
    structured = result.structuredContent or {}
    text = " ".join(b.text for b in result.content if isinstance(b, TextContent))
    if result.isError:
        error = dict(structured.get("error") or {})
        message_text = str(error.pop("message", None) or text or "That did not work.")
        code = error.pop("code", None)
        return ToolOutcome(name, False, _short(message_text), elapsed, str(code or "failed"), error)
    text = str(structured.get("text") or text)
    return ToolOutcome(name, True, _short(text), elapsed, None, dict(structured.get("data") or {}))


class _Connection:
    """One open MCP session, owned by a task that enters and leaves its context."""

    def __init__(self, client: MultiServerMCPClient) -> None:
        self._client = client
        self.session: ClientSession | None = None
        self._stop = asyncio.Event()
        self._ready = asyncio.Event()
        self.closed = asyncio.Event()
        """Set when the session has ended (asked to, or because the transport broke)."""
        self._task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None
        self.tools: dict[str, BaseTool] = {}

    async def start(self, timeout_s: float) -> None:
        self._task = asyncio.create_task(self._run(), name="mcp-session")
        try:
            await asyncio.wait_for(self._ready.wait(), timeout_s)
        except TimeoutError:
            await self.stop()
            raise ToolsUnavailable("tool server did not answer") from None
        if self.error is not None:
            raise ToolsUnavailable(str(self.error) or type(self.error).__name__)

    async def _run(self) -> None:
        try:
            async with self._client.session(SERVER) as session:
                loaded = await load_mcp_tools(session, server_name=SERVER)
                self.tools = {t.name: t for t in loaded}
                self.session = session
                self._ready.set()
                await self._stop.wait()
        except Exception as exc:  # the session died (or never opened): record, never raise
            self.error = exc
        finally:
            self.closed.set()
            self._ready.set()

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done() and self.error is None

    async def stop(self) -> None:
        self._stop.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), 3.0)
        except (TimeoutError, Exception):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


class SessionBroke(Exception):
    """The MCP session ended while a call was waiting for its answer."""


async def invoke(
    conn: _Connection, name: str, args: dict[str, Any], limit_s: float
) -> CallToolResult:
    """Run one tool call, failing fast if the session dies (a dead server never answers)."""
    assert conn.session is not None
    work = asyncio.ensure_future(conn.session.call_tool(name, args))
    dead = asyncio.ensure_future(conn.closed.wait())
    try:
        done, _ = await asyncio.wait({work, dead}, timeout=limit_s, return_when="FIRST_COMPLETED")
    finally:
        dead.cancel()
    if work in done:
        return work.result()
    work.cancel()
    with contextlib.suppress(BaseException):
        await work
    if dead in done:
        raise SessionBroke("the tool session ended")
    raise TimeoutError


TokenSource = Callable[[], str]
"""Gives the call's tool token for each request (a long call's is re-minted as it ages)."""


class BearerAuth(httpx.Auth):
    """Sends the call's token with every request, asking for it anew each time."""

    def __init__(self, token: str | TokenSource) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the ``Authorization`` header."""
        token = self._token() if callable(self._token) else self._token
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


class ToolBox:
    """The tools of one call over one (self-healing) MCP session."""

    def __init__(
        self, url: str, token: str | TokenSource, *, connect_timeout_s: float = 5.0
    ) -> None:
        connection: StreamableHttpConnection = {
            "transport": "streamable_http",
            "url": url,
            "auth": BearerAuth(token),
            "timeout": 30.0,
        }
        self._client = MultiServerMCPClient({SERVER: connection})
        self._connect_timeout_s = connect_timeout_s
        self._conn: _Connection | None = None
        self._lock = asyncio.Lock()
        self.reopened = 0
        """How many times the session was opened again after breaking."""

    async def open(self) -> None:
        """Open the session (raises :class:`ToolsUnavailable` when the server is unreachable)."""
        async with self._lock:
            await self._ensure()

    async def _ensure(self) -> _Connection:
        if self._conn is not None and self._conn.alive:
            return self._conn
        if self._conn is not None:
            await self._conn.stop()
            self.reopened += 1
        conn = _Connection(self._client)
        self._conn = conn
        await conn.start(self._connect_timeout_s)
        return conn

    async def close(self) -> None:
        """Close the session."""
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                await conn.stop()

    async def _drop(self, conn: _Connection) -> None:
        async with self._lock:
            if self._conn is conn:
                await conn.stop()
                conn.error = conn.error or ToolsUnavailable("dropped")

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the tools the server offers (empty before the session opens)."""
        return tuple(self._conn.tools) if self._conn is not None else ()

    def read_only(self, name: str) -> bool:
        """True for tools the server marks read-only."""
        tool = self._conn.tools.get(name) if self._conn is not None else None
        return bool(tool is not None and (tool.metadata or {}).get("readOnlyHint"))

    def schemas(self, names: tuple[str, ...]) -> list[dict[str, Any]]:
        """OpenAI tool schemas of ``names`` (those that exist), compacted for the prompt."""
        tools = self._conn.tools if self._conn is not None else {}
        return [_clean_schema(convert_to_openai_tool(tools[n])) for n in names if n in tools]

    async def call(
        self, name: str, args: dict[str, Any], budget_s: float, call_id: str = "call"
    ) -> ToolOutcome:
        """Call a tool within ``budget_s``; never raises (failures become outcomes)."""
        started = time.monotonic()
        deadline = started + budget_s
        retries = 1 if self.read_only(name) or not self.names else 0
        while True:
            try:
                async with self._lock:
                    conn = await self._ensure()
            except ToolsUnavailable:
                return ToolOutcome(name, False, UNREACHABLE, time.monotonic() - started, "down")
            tool = conn.tools.get(name)
            if tool is None:
                text = f"There is no tool called {name[:40]}."
                return ToolOutcome(name, False, text, 0.0, "unknown_tool")
            try:
                left = max(0.05, deadline - time.monotonic())
                result = await invoke(conn, name, args, left)
            except TimeoutError:
                return ToolOutcome(name, False, TIMED_OUT, time.monotonic() - started, "timeout")
            except Exception as exc:  # transport broke: BrokenResourceError and friends
                log.warning("tool %s: session broke (%s); re-opening", name, type(exc).__name__)
                await self._drop(conn)
                if retries > 0 and time.monotonic() < deadline:
                    retries -= 1
                    continue
                text = LOST_WRITE if not self.read_only(name) else UNREACHABLE
                return ToolOutcome(name, False, text, time.monotonic() - started, "broken")
            return outcome_of(name, result, time.monotonic() - started)
