"""The MCP tool server: FastMCP with every tool, identity from a verified bearer token only.

Over streamable HTTP, the bearer middleware rejects requests without a valid token (401);
each tool call then re-reads the token of its own request and verifies it again, so identity
(tenant, user, role, call, channel) never comes from tool arguments or from an earlier request.
Over stdio (local use) one token is given at start-up and verified on every call.
"""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.fastmcp import FastMCP
from mcp.server.fastmcp.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import CallToolResult, TextContent
from pydantic import ValidationError

from mcp_tools.db.session import Database
from mcp_tools.errors import ToolFailure, said
from mcp_tools.tokens import TokenError, TokenService, ToolClaims
from mcp_tools.tools import org_tools, schedule_tools, work_tools
from mcp_tools.tools.args import Ctx
from mcp_tools.work import DomainFn, Runner

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Team data for the person on the call: todos, reminders, calendar, teams, people, reports "
    "and transfers to human departments. Identity comes from the call; never ask for ids of "
    "the caller. Pass times and names as the caller said them. Each result has a short "
    "sentence to say and structured data."
)
_EXPIRED = "Your session has expired; please call again."


class JwtVerifier:
    """FastMCP token verifier backed by :class:`TokenService`."""

    def __init__(self, tokens: TokenService) -> None:
        self.tokens = tokens

    async def verify_token(self, token: str) -> AccessToken | None:
        """Access info for a valid token, None (→ HTTP 401) otherwise."""
        try:
            claims = self.tokens.verify(token)
        except TokenError:
            return None
        return AccessToken(
            token=token,
            client_id=f"tenant{claims.tenant_id}-user{claims.user_id}",
            scopes=[],
            expires_at=claims.expires_at,
            subject=str(claims.user_id),
        )


def error_result(message: str, code: str, data: dict[str, Any] | None = None) -> CallToolResult:
    """A tool error: one sentence to say, a stable code, and any structured detail."""
    return CallToolResult(
        content=[TextContent(type="text", text=message)],
        structuredContent={"error": {**(data or {}), "code": code, "message": message}},
        isError=True,
    )


def describe_validation(error: ValidationError) -> str:
    """One sentence for the first invalid argument (the value itself is not repeated)."""
    first = error.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ()) if not isinstance(p, int)) or "input"
    kind = first.get("type", "")
    problems = {
        "missing": "is missing",
        "int_parsing": "must be a whole number",
        "int_type": "must be a whole number",
        "int_from_float": "must be a whole number",
        "string_type": "must be text",
        "list_type": "must be a list",
        "bool_type": "must be yes or no",
        "bool_parsing": "must be yes or no",
        "greater_than_equal": "is too small",
        "less_than_equal": "is too large",
    }
    return f"The {field.replace('_', ' ')} {problems.get(kind, 'is not valid')}."


class SwitchboardMCP(FastMCP[Any]):
    """FastMCP whose argument errors are one clear sentence instead of a pydantic dump."""

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> Any:
        """Call a tool; argument and lookup errors become tool errors, never exceptions."""
        if self._tool_manager.get_tool(name) is None:
            return error_result(f"There is no tool called {said(name)}.", "unknown_tool")
        if not isinstance(arguments, dict):
            return error_result("The arguments must be an object.", "invalid_input")
        try:
            return await super().call_tool(name, arguments)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                return error_result(describe_validation(cause), "invalid_input")
            log.exception("tool %s failed", name)
            return error_result("Sorry, something went wrong on my side.", "failed")


def build_server(
    db: Database,
    tokens: TokenService,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    stdio_token: str | None = None,
    runner: Runner | None = None,
) -> SwitchboardMCP:
    """The tool server with all 39 tools, verifying tokens with ``tokens``."""
    base_url = f"http://{host}:{port}"
    mcp = SwitchboardMCP(
        name="switchboard",
        instructions=INSTRUCTIONS,
        host=host,
        port=port,
        token_verifier=JwtVerifier(tokens),
        auth=AuthSettings(
            issuer_url=base_url,  # type: ignore[arg-type]
            resource_server_url=None,
            validate_token_resource=False,
        ),
        # Loopback: FastMCP's DNS-rebinding guard (Host/Origin must be local). Other binds sit
        # behind a proxy or firewall with arbitrary Host headers; the bearer token still rules.
        transport_security=None
        if host in ("127.0.0.1", "localhost", "::1")
        else TransportSecuritySettings(enable_dns_rebinding_protection=False),
        log_level="WARNING",
        json_response=True,
    )
    work = runner or Runner(db)

    def identify(ctx: Ctx) -> ToolClaims:
        token = stdio_token
        try:
            request = ctx.request_context.request
        except ValueError:  # no request context (direct in-process call)
            request = None
        user = getattr(request, "scope", {}).get("user") if request is not None else None
        access = getattr(user, "access_token", None) or get_access_token()
        if isinstance(access, AccessToken):
            token = access.token
        if token is None:
            raise TokenError("no token")
        return tokens.verify(token)

    async def run(ctx: Ctx, action: str, fn: DomainFn, write: bool) -> CallToolResult:
        try:
            claims = identify(ctx)
        except TokenError:
            return error_result(_EXPIRED, "unauthenticated")
        try:
            reply = await work.run(claims.actor(), action, fn, write=write)
        except ToolFailure as failure:
            return error_result(failure.message, failure.code, failure.data)
        return CallToolResult(
            content=[TextContent(type="text", text=reply.text)],
            structuredContent={"text": reply.text, "data": reply.data},
        )

    work_tools.register(mcp, run)
    schedule_tools.register(mcp, run)
    org_tools.register(mcp, run)
    return mcp
