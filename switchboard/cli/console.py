"""``switchboard console ...``: run the agents' console; give people passwords, links, phones."""

from __future__ import annotations

import asyncio
import getpass
from typing import Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app


async def _person(app: AppContext, slug: str, number: str) -> Any:
    from mcp_tools.db.session import Database
    from webrtc_console.directory import Directory

    db = Database.from_settings(app.settings)
    try:
        person = await Directory(db).person(slug, number)
    finally:
        await db.dispose()
    if person is None:
        raise click.ClickException(f"No user {number} in tenant {slug!r}.")
    return person


@click.group()
def console() -> None:
    """The agents' browser console (softphone, screen-pop, dashboard)."""


@console.command()
@click.option("--host", default=None, help="Listen address (default: console.host).")
@click.option("--port", type=int, default=None, help="Listen port (default: console.port).")
@click.option("--origin", default=None, help="Public origin, e.g. https://console.example.com.")
@pass_app
def serve(app: AppContext, host: str | None, port: int | None, origin: str | None) -> None:
    """Serve the console until interrupted."""
    from aiohttp import web

    from webrtc_console.web import console_origin, create_app

    settings = app.settings
    listen_host = host or settings.console.host
    listen_port = port or settings.console.port
    public = origin or console_origin(settings, listen_port)
    click.echo(f"console at {public} (listening on {listen_host}:{listen_port})")
    web.run_app(create_app(settings, origin=public), host=listen_host, port=listen_port, print=None)


@console.command("set-password")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.argument("user_number")
@click.option("--password", default=None, help="The new password (prompted when omitted).")
@json_option
@pass_app
def set_password(
    app: AppContext, slug: str, user_number: str, password: str | None, as_json: bool
) -> None:
    """Set a person's console password (bcrypt)."""
    from webrtc_console.accounts import AccountError
    from webrtc_console.web import default_accounts

    person = asyncio.run(_person(app, slug, user_number))
    secret = password or getpass.getpass("New console password: ")
    try:
        default_accounts(app.settings).set_password(person.tenant_id, person.user_id, secret)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    emit(
        {"tenant": slug, "user": user_number, "password": "set"}, as_json, lambda r: "password set"
    )


@console.command("set-extension")
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.argument("user_number")
@click.argument("extension")
@json_option
@pass_app
def set_extension(
    app: AppContext, slug: str, user_number: str, extension: str, as_json: bool
) -> None:
    """Bind a person to the WebRTC extension their browser registers as ("" to unbind)."""
    from webrtc_console.accounts import AccountError
    from webrtc_console.web import default_accounts

    person = asyncio.run(_person(app, slug, user_number))
    try:
        default_accounts(app.settings).set_extension(
            person.tenant_id,
            person.user_id,
            extension,
            reserved=(app.settings.console.tryit_extension,),
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    emit(
        {"tenant": slug, "user": user_number, "extension": extension},
        as_json,
        lambda r: f"user {r['user']} answers on extension {r['extension'] or '(none)'}",
    )


@console.command()
@click.option("--tenant", "slug", required=True, help="Tenant slug.")
@click.argument("user_number")
@click.option("--ttl", type=int, default=None, help="Seconds the link stays valid.")
@json_option
@pass_app
def link(app: AppContext, slug: str, user_number: str, ttl: int | None, as_json: bool) -> None:
    """Print a one-time sign-in link for a person."""
    from webrtc_console.web import console_origin, default_accounts, login_link_url

    person = asyncio.run(_person(app, slug, user_number))
    token = default_accounts(app.settings).create_link(
        person.tenant_id, person.user_id, ttl or app.settings.console.login_link_ttl_s
    )
    url = login_link_url(console_origin(app.settings), token)
    emit(
        {"url": url, "expires_in_s": ttl or app.settings.console.login_link_ttl_s},
        as_json,
        lambda r: r["url"],
    )
