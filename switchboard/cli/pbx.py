"""``switchboard pbx build | up | down | status | cli``: the dev PBX."""

from __future__ import annotations

from typing import Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app


def _devpbx(app: AppContext) -> Any:
    from freepbx.devpbx.process import DevPbx

    if app.settings.pbx.mode != "dev":
        raise click.ClickException(
            "pbx.mode is 'external': Switchboard uses the Asterisk at "
            f"{app.settings.ari_url} and does not manage it"
        )
    return DevPbx(app.settings)


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group()
def pbx() -> None:
    """Build and run the dev PBX (Asterisk 22 in a Debian sid chroot; needs root)."""


@pbx.command()
@click.option("--force", is_flag=True, help="Rebuild from scratch, ignoring the cache.")
@json_option
@pass_app
def build(app: AppContext, force: bool, as_json: bool) -> None:
    """Build the root (or restore it from the cache) and write its configuration."""
    from freepbx.devpbx.build import BuildError

    dev = _devpbx(app)
    try:
        result = dev.build(force=force)
        version = dev.check_version()
    except (BuildError, OSError) as exc:
        raise _fail(exc) from exc
    emit(
        {
            "action": result.action,
            "seconds": round(result.seconds, 1),
            "root": str(result.root),
            "asterisk": str(version),
        },
        as_json,
        lambda r: (
            f"dev PBX root {r['action']} in {r['seconds']} s: Asterisk {r['asterisk']} "
            f"at {r['root']}"
        ),
    )


@pbx.command()
@json_option
@pass_app
def up(app: AppContext, as_json: bool) -> None:
    """Start Asterisk in the background and wait until ARI answers."""
    from freepbx.devpbx.process import DevPbxError

    dev = _devpbx(app)
    try:
        pid = dev.start()
    except (DevPbxError, OSError) as exc:
        raise _fail(exc) from exc
    emit(
        {"pid": pid, "ari_url": app.settings.ari_url},
        as_json,
        lambda r: f"dev PBX running (pid {r['pid']}), ARI at {r['ari_url']}",
    )


@pbx.command()
@json_option
@pass_app
def down(app: AppContext, as_json: bool) -> None:
    """Stop Asterisk and release the chroot's mounts."""
    was_running = _devpbx(app).stop()
    emit(
        {"stopped": was_running},
        as_json,
        lambda r: "dev PBX stopped" if r["stopped"] else "dev PBX was not running",
    )


@pbx.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Say whether the dev PBX runs, its version and whether ARI answers."""
    st = _devpbx(app).status().as_dict()
    emit(st, as_json, lambda r: "\n".join(f"{k:8} {v}" for k, v in r.items()))
    if not st["running"]:
        raise SystemExit(3)


@pbx.command(context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, required=True)
@pass_app
def cli(app: AppContext, command: tuple[str, ...]) -> None:
    """Run an Asterisk CLI command, e.g. ``switchboard pbx cli pjsip show endpoints``."""
    from freepbx.devpbx.process import DevPbxError

    try:
        click.echo(_devpbx(app).cli(" ".join(command)), nl=False)
    except DevPbxError as exc:
        raise _fail(exc) from exc
