"""``switchboard demo``: run everything on the embedded defaults and say how to call it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import click

from switchboard.cli.common import AppContext, pass_app
from switchboard.loading import load_settings
from switchboard.settings import Settings


def how_to_call(settings: Settings, demo: Mapping[str, Any] | None = None) -> str:
    """The banner ``make demo`` prints once the dev PBX and the app are up."""
    from freepbx.devpbx.config import ASSISTANT_EXTEN
    from freepbx.devpbx.secrets import read_secrets

    pbx = settings.pbx
    secrets = read_secrets(settings.devpbx_dir)
    password = secrets.endpoint_passwords.get("1001", "?") if secrets else "?"
    host = pbx.bind_address if pbx.bind_address != "0.0.0.0" else "<this machine's address>"
    return "\n".join(
        [
            "",
            "Switchboard is running on the dev PBX (Asterisk in a chroot, ARI at "
            f"{settings.ari_url}).",
            "",
            "Call it:",
            f"  * SIP softphone: register as user 1001, password {password}, server "
            f"{host}:{pbx.sip_port} (UDP), then dial {ASSISTANT_EXTEN}.",
            f"  * As the Twilio trunk would: INVITE sip:{pbx.demo_did}@{host}:{pbx.sip_port} "
            f"sent from {pbx.trunk_address}, e.g.",
            f"      baresip with sip_listen {pbx.trunk_address}:5080, then "
            f"/dial sip:{pbx.demo_did}@{host}",
            "  * Headless: switchboard call --keys 101# --keys 4821# --say 'What is on my list?'",
            f"  * Agents' console: {_console_url(settings)} (sign in with a one-time link: "
            "switchboard console link --tenant demo 101)",
            "  * Asterisk CLI: switchboard pbx cli 'core show channels'",
            "",
            *_sign_in_lines(settings, demo),
            "Press Ctrl-C to stop everything.",
            "",
        ]
    )


def _console_url(settings: Settings) -> str:
    from webrtc_console.web import console_origin

    return console_origin(settings)


def _sign_in_lines(settings: Settings, demo: Mapping[str, Any] | None) -> list[str]:
    if settings.call.mode == "echo":
        return ["You hear a greeting, then your own voice echoed back; keys are logged.", ""]
    if demo is None:
        return ["The stand-in agent answers (no sign-in): it repeats what you said.", ""]
    users = demo.get("users", [])
    lines = ["Sign in with a user number and PIN (key them, or say the digits):"]
    lines += [f"  {u['name']:<14} user {u['user_number']:>4}  PIN {u['pin']}" for u in users]
    lines += [
        'Then talk: "add buy milk to my to-do list", "what\'s on my calendar tomorrow",',
        '"I need to speak to a human in sales"; say "thanks, that\'s all" to hang up.',
        "",
    ]
    return lines


async def prepare_demo_data(settings: Settings) -> dict[str, Any]:
    """Migrate the database and create the demo tenant (once); returns its users and PINs."""
    from mcp_tools.db import migrate
    from mcp_tools.db.session import Database
    from mcp_tools.seed import seed_demo

    database = Database.from_settings(settings)
    try:
        await migrate.upgrade(database)
        return await seed_demo(database, settings.tools.bcrypt_rounds)
    finally:
        await database.dispose()


@click.command()
@pass_app
def demo(app: AppContext) -> None:
    """Start the dev PBX and the app with demo settings; Ctrl-C stops both."""
    from switchboard.runner import run_app

    if app.settings.pbx.mode != "dev":
        raise click.ClickException("the demo runs on the dev PBX (pbx.mode = 'dev')")
    demo_data = None
    if app.settings.call.mode == "voice" and app.settings.call.agent == "langgraph":
        click.echo("Preparing the demo tenant and loading the models (first start: a minute)...")
        demo_data = asyncio.run(prepare_demo_data(app.settings))

    def banner() -> None:
        click.echo(how_to_call(load_settings(), demo_data))

    raise SystemExit(run_app(app.settings, start_pbx=True, banner=banner))
