"""``switchboard run``: start the app (and the dev PBX when it is the configured PBX)."""

from __future__ import annotations

import click

from switchboard.cli.common import AppContext, pass_app


@click.command()
@click.option("--no-pbx", is_flag=True, help="Do not start the dev PBX even in dev mode.")
@pass_app
def run(app: AppContext, no_pbx: bool) -> None:
    """Run Switchboard until Ctrl-C."""
    from switchboard.runner import run_app

    raise SystemExit(run_app(app.settings, start_pbx=not no_pbx))
