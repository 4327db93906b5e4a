"""``switchboard demo``: run everything on the embedded defaults and say how to call it."""

from __future__ import annotations

import click

from switchboard.cli.common import AppContext, pass_app
from switchboard.settings import Settings, load_settings


def how_to_call(settings: Settings) -> str:
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
            "  * Asterisk CLI: switchboard pbx cli 'core show channels'",
            "",
            "You hear a greeting, then your own voice echoed back; keypad digits are logged.",
            "Press Ctrl-C to stop everything.",
            "",
        ]
    )


@click.command()
@pass_app
def demo(app: AppContext) -> None:
    """Start the dev PBX and the app with demo settings; Ctrl-C stops both."""
    from switchboard.runner import run_app

    if app.settings.pbx.mode != "dev":
        raise click.ClickException("the demo runs on the dev PBX (pbx.mode = 'dev')")
    raise SystemExit(
        run_app(
            app.settings, start_pbx=True, banner=lambda: click.echo(how_to_call(load_settings()))
        )
    )
