"""``switchboard chat``: talk to the agent by keyboard as a user of a tenant (PIN checked).

Signs in like a call does (tenant by dialled number, user by number, PIN through mcp_tools'
auth service, which mints the per-call tool token), uses the tool server at the configured
URL or, when none answers, serves the tools in-process on a free port, and prints every
sentence, filler, tool call (with timings) and the turn's figures. A transfer ends the chat
with the action and the hand-off summary a human agent would see.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

import click
import httpx

from switchboard.cli.common import AppContext, pass_app
from switchboard.settings import Settings

if TYPE_CHECKING:  # the agent (langchain, langgraph) loads only when chatting
    from agent.events import AgentOutput
    from agent.session import AgentSession

QUIT = {"quit", "exit", "bye!", ":q"}


def render(out: AgentOutput) -> str:
    """One output as a console line."""
    from agent.events import Filler, Sentence, ToolFinished, ToolStarted

    if isinstance(out, Sentence):
        return f"agent> {out.text}"
    if isinstance(out, Filler):
        return f"agent> ({out.text})"
    if isinstance(out, ToolStarted):
        return f"   -> {out.name}({out.args}) at {out.at_s:.2f}s"
    if isinstance(out, ToolFinished):
        status = "ok" if out.ok else f"error {out.code}"
        return f"   <- {out.name} {status} in {out.elapsed_s * 1000:.0f} ms: {out.text}"
    t = out.timings
    first = f"{t.first_sentence_s:.2f}s" if t.first_sentence_s is not None else "-"
    line = (
        f"   [turn {t.total_s:.2f}s, first sentence {first}, model calls {t.model_calls}, "
        f"tools {t.tool_calls} ({t.tool_s:.2f}s){', error ' + out.error if out.error else ''}]"
    )
    if out.transfer is not None:
        line += (
            f"\n   TRANSFER to {out.transfer.department} "
            f"({out.transfer.context},{out.transfer.queue},1)\n   summary: {out.summary}"
        )
    return line


async def chat_loop(
    session: AgentSession, read: Callable[[], Awaitable[str | None]], write: Callable[[str], None]
) -> int:
    """Turns until the user quits (or is transferred); returns the number of turns."""
    from agent.events import TurnResult

    turns = 0
    while True:
        line = await read()
        if line is None or line.strip().lower() in QUIT:
            return turns
        if not line.strip():
            continue
        turns += 1
        async for out in session.turn(line.strip()):
            write(render(out))
            if isinstance(out, TurnResult) and out.transfer is not None:
                return turns


async def _reachable(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        async with httpx.AsyncClient(timeout=1.0) as http:
            await http.get(url)
            return True
    return False


@contextlib.asynccontextmanager
async def tool_server(settings: Settings, url: str | None, app: object) -> AsyncIterator[str]:
    """The configured tool server if it answers, else one served here for the chat."""
    from agent.llm_server import free_port
    from agent.runtime import mcp_url
    from mcp_tools.app import ToolsApp, running_http

    assert isinstance(app, ToolsApp)
    wanted = url or mcp_url(settings)
    if await _reachable(wanted):
        yield wanted
        return
    port = free_port()
    async with running_http(app.server("127.0.0.1", port), "127.0.0.1", port) as served:
        click.echo(f"(serving the tools in-process on {served})", err=True)
        yield served


async def run_chat(
    settings: Settings, did: str, user_number: str, pin: str | None, url: str | None
) -> int:
    """Sign in, open the agent, chat; returns the exit status."""
    from agent import AgentRuntime, AgentSession, CallerContext
    from mcp_tools.app import ToolsApp

    tools = ToolsApp.from_settings(settings)
    try:
        tenant = await tools.auth.identify_tenant(did)
        if tenant is None:
            click.echo(f"No tenant answers {did}: run `switchboard seed --demo` first.", err=True)
            return 2
        user = await tools.auth.find_user_by_number(tenant.id, user_number)
        secret = pin if pin is not None else click.prompt("PIN", hide_input=True)
        call_id = f"chat-{uuid.uuid4().hex[:12]}"
        uid = user.id if user is not None else None
        checked = await tools.auth.verify_pin(tenant.id, uid, secret, "keyboard", call_id)
        if not checked.ok or checked.token is None or checked.user is None:
            click.echo(f"Sign-in refused ({checked.outcome}).", err=True)
            return 1
        who = checked.user
        caller = CallerContext(who.name, who.role, who.timezone or tenant.timezone, call_id=call_id)
        async with tool_server(settings, url, tools) as served:
            runtime = await AgentRuntime.start(settings, tools_url=served)
            try:
                session = await AgentSession.open(settings, checked.token, caller, runtime=runtime)
                click.echo(f"Signed in as {who.name} ({who.role}). Type 'quit' to leave.")

                async def read() -> str | None:
                    try:
                        return await asyncio.to_thread(input, "you> ")
                    except EOFError:
                        return None

                try:
                    await chat_loop(session, read, click.echo)
                finally:
                    await session.close()
            finally:
                await runtime.aclose()
        return 0
    finally:
        await tools.db.dispose()


@click.command()
@click.option("--user", "user_number", default="101", show_default=True, help="User number.")
@click.option("--pin", default=None, help="PIN (asked for, hidden, when not given).")
@click.option("--did", default=None, help="Dialled number that picks the tenant (default: demo).")
@click.option("--tools-url", default=None, help="MCP endpoint (default from settings).")
@pass_app
def chat(
    app: AppContext, user_number: str, pin: str | None, did: str | None, tools_url: str | None
) -> None:
    """Talk to the agent by keyboard as a tenant's user (PIN checked)."""
    import logging

    logging.getLogger("mcp.server.streamable_http").setLevel(logging.CRITICAL)
    for name in ("httpx", "httpx2", "mcp"):
        logging.getLogger(name).setLevel(logging.WARNING)
    settings = app.settings
    status = asyncio.run(
        run_chat(settings, did or settings.pbx.demo_did, user_number, pin, tools_url)
    )
    raise SystemExit(status)
