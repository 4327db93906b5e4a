"""The ``switchboard`` command line: one group, one module per family of subcommands."""

from __future__ import annotations

import click

from switchboard.cli.common import AppContext, pass_app
from switchboard.loading import load_settings
from switchboard.logs import setup_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Switchboard: a voice assistant that lives inside your phone system."""
    settings = load_settings()
    setup_logging("DEBUG" if verbose else settings.log_level, settings.log_format)
    ctx.obj = AppContext(settings=settings)


def _register() -> None:
    from switchboard.cli import bench, call, demo, pbx, run

    main.add_command(run.run)
    main.add_command(call.call)
    main.add_command(demo.demo)
    main.add_command(pbx.pbx)
    main.add_command(bench.bench)
    from switchboard.cli import doctor, freepbx, twilio

    main.add_command(freepbx.freepbx)
    main.add_command(doctor.doctor)
    main.add_command(twilio.twilio)
    from switchboard.cli import admin, db, seed
    from switchboard.cli.mcp import mcp

    main.add_command(db.db)
    main.add_command(seed.seed)
    main.add_command(admin.admin)
    main.add_command(mcp)
    from switchboard.cli.chat import chat

    main.add_command(chat)
    from switchboard.cli.calendar import calendar

    main.add_command(calendar)
    from switchboard.cli.console import console

    main.add_command(console)


_register()

__all__ = ["main", "pass_app"]
