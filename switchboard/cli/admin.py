"""``switchboard admin ...``: create tenants, users, teams, departments; reset PINs; tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app

T = TypeVar("T")


def _run(app: AppContext, job: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``job(tools_app)`` against the configured database, reporting tool errors cleanly."""
    from mcp_tools.app import ToolsApp
    from mcp_tools.errors import ToolFailure

    async def main() -> T:
        tools = ToolsApp.from_settings(app.settings)
        try:
            return await job(tools)
        finally:
            await tools.db.dispose()

    try:
        return asyncio.run(main())
    except ToolFailure as failure:
        raise click.ClickException(failure.message) from None


def _summary(r: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in r.items())


async def _tenant_id(tools: Any, slug: str) -> int:
    from mcp_tools.services.admin import Provisioning

    return await Provisioning(tools.db).tenant_by_slug(slug)


async def _user_id(tools: Any, tenant_id: int, number: str) -> int:
    from mcp_tools.errors import NotFound

    user = await tools.auth.find_user_by_number(tenant_id, number)
    if user is None:
        raise NotFound(f"There is no user number {number}.")
    return int(user.id)


tenant_option = click.option("--tenant", "slug", required=True, help="Tenant slug.")


@click.group()
def admin() -> None:
    """Operator actions (audited as channel 'console')."""


@admin.command("create-tenant")
@click.argument("name")
@click.option("--slug", required=True, help="Short unique id.")
@click.option("--timezone", default="UTC", show_default=True)
@click.option("--did", "dids", multiple=True, help="A dialled number reaching this tenant.")
@click.option(
    "--pin-length",
    type=click.IntRange(4, 6),
    default=6,
    show_default=True,
    help="Digits every new PIN of this tenant must have.",
)
@json_option
@pass_app
def create_tenant(
    app: AppContext,
    name: str,
    slug: str,
    timezone: str,
    dids: tuple[str, ...],
    pin_length: int,
    as_json: bool,
) -> None:
    """Create a tenant."""
    from mcp_tools.services.admin import Provisioning

    async def job(tools: Any) -> dict[str, Any]:
        made = await Provisioning(tools.db).create_tenant(
            name, slug, timezone, dids, pin_length=pin_length
        )
        return made.summary

    emit(_run(app, job), as_json, _summary)


@admin.command("create-user")
@tenant_option
@click.argument("name")
@click.option("--number", "user_number", required=True, help="Sign-in digits.")
@click.option("--role", default="member", show_default=True)
@click.option("--pin", prompt=True, hide_input=True, confirmation_prompt=True, help="4-6 digits.")
@click.option("--phone", "phones", multiple=True, help="A caller-ID number of this user.")
@click.option("--alias", "aliases", multiple=True, help="A nickname for voice look-up.")
@click.option("--timezone", default=None)
@json_option
@pass_app
def create_user(
    app: AppContext,
    slug: str,
    name: str,
    user_number: str,
    role: str,
    pin: str,
    phones: tuple[str, ...],
    aliases: tuple[str, ...],
    timezone: str | None,
    as_json: bool,
) -> None:
    """Create a user with a PIN (prompted when not given)."""
    from mcp_tools.services.admin import Provisioning, operator

    async def job(tools: Any) -> dict[str, Any]:
        tid = await _tenant_id(tools, slug)
        prov = Provisioning(tools.db, app.settings.tools.bcrypt_rounds)
        made = await prov.create_user(
            operator(tid),
            name,
            user_number,
            role=role,
            pin=pin,
            phones=phones,
            aliases=aliases,
            timezone=timezone,
        )
        return made.summary

    emit(_run(app, job), as_json, _summary)


@admin.command("create-team")
@tenant_option
@click.argument("name")
@click.option("--member", "members", multiple=True, help="USER_NUMBER[:ROLE], repeatable.")
@json_option
@pass_app
def create_team(
    app: AppContext, slug: str, name: str, members: tuple[str, ...], as_json: bool
) -> None:
    """Create a team with members."""
    from mcp_tools.services.admin import Provisioning, operator

    async def job(tools: Any) -> dict[str, Any]:
        tid = await _tenant_id(tools, slug)
        roles: dict[int, str] = {}
        for spec in members:
            number, _, role = spec.partition(":")
            roles[await _user_id(tools, tid, number)] = role or "member"
        return (await Provisioning(tools.db).create_team(operator(tid), name, roles)).summary

    emit(_run(app, job), as_json, _summary)


@admin.command("create-department")
@tenant_option
@click.argument("name")
@click.option("--queue", required=True, help="Queue number (ext-queues,<queue>,1).")
@click.option("--weekdays", default=None, help="Open HH:MM-HH:MM Monday to Friday; default always.")
@json_option
@pass_app
def create_department(
    app: AppContext, slug: str, name: str, queue: str, weekdays: str | None, as_json: bool
) -> None:
    """Create a department callers can be transferred to."""
    from mcp_tools.hours import DAYS
    from mcp_tools.services.admin import Provisioning, operator

    spans: dict[str, Any] = {}
    if weekdays:
        start, _, end = weekdays.partition("-")
        spans = {d: [[start, end]] for d in DAYS[:5]}

    async def job(tools: Any) -> dict[str, Any]:
        tid = await _tenant_id(tools, slug)
        return (
            await Provisioning(tools.db).create_department(operator(tid), name, queue, spans)
        ).summary

    emit(_run(app, job), as_json, _summary)


@admin.command("reset-pin")
@tenant_option
@click.argument("user_number")
@click.option("--pin", prompt=True, hide_input=True, confirmation_prompt=True, help="4-6 digits.")
@json_option
@pass_app
def reset_pin(app: AppContext, slug: str, user_number: str, pin: str, as_json: bool) -> None:
    """Set a user's PIN and lift their lockout."""
    from mcp_tools.services.admin import operator

    async def job(tools: Any) -> dict[str, Any]:
        tid = await _tenant_id(tools, slug)
        user = await tools.auth.reset_pin(
            operator(tid), await _user_id(tools, tid, user_number), pin
        )
        return {"user_id": user.id, "name": user.name, "pin_reset": True}

    emit(_run(app, job), as_json, _summary)


@admin.command("unlock-number")
@tenant_option
@click.argument("caller_number")
@json_option
@pass_app
def unlock_number(app: AppContext, slug: str, caller_number: str, as_json: bool) -> None:
    """Lift the PIN lockout of a calling number."""
    from mcp_tools.services.admin import operator

    async def job(tools: Any) -> dict[str, Any]:
        tid = await _tenant_id(tools, slug)
        await tools.auth.clear_number_lockout(operator(tid), caller_number)
        return {"number": caller_number, "unlocked": True}

    emit(_run(app, job), as_json, _summary)


@admin.command("mint-token")
@tenant_option
@click.argument("user_number")
@click.option("--ttl", "ttl_s", type=int, default=None, help="Seconds (default from settings).")
@json_option
@pass_app
def mint_token(
    app: AppContext, slug: str, user_number: str, ttl_s: int | None, as_json: bool
) -> None:
    """Mint a tool token for a user (channel 'api'), e.g. for ``mcp serve --stdio``."""

    async def job(tools: Any) -> dict[str, Any]:
        tid = await _tenant_id(tools, slug)
        user = await tools.auth.find_user_by_number(tid, user_number)
        if user is None:
            from mcp_tools.errors import NotFound

            raise NotFound(f"There is no user number {user_number}.")
        token = tools.tokens.mint(
            tenant_id=tid, user_id=user.id, role=user.role, channel="api", ttl_s=ttl_s
        )
        return {"token": token, "user": user.name, "role": user.role}

    emit(_run(app, job), as_json, lambda r: str(r["token"]))


@admin.command("audit")
@tenant_option
@click.option("--limit", default=30, show_default=True)
@click.option("--outcome", type=click.Choice(["ok", "refused", "rejected", "failed"]))
@json_option
@pass_app
def audit(app: AppContext, slug: str, limit: int, outcome: str | None, as_json: bool) -> None:
    """Show the newest audit entries of a tenant."""
    from mcp_tools.services.admin import Provisioning

    async def job(tools: Any) -> dict[str, Any]:
        tid = await _tenant_id(tools, slug)
        return {"entries": await Provisioning(tools.db).audit_log(tid, limit, outcome)}

    def text(r: Mapping[str, Any]) -> str:
        return "\n".join(
            f"{e['at'][:19]} {e['outcome']:<8} {e['channel']:<7} {e['actor']:<22} "
            f"{e['action']:<20} {e['target']}"
            for e in r["entries"]
        )

    emit(_run(app, job), as_json, text)
