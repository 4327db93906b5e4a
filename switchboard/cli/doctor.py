"""``switchboard doctor``: check a FreePBX box running Switchboard and say what to fix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app

MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def format_checks(items: Sequence[Mapping[str, Any]]) -> str:
    """One line per check, and a ``fix:`` line under each that is not ok."""
    lines = []
    for c in items:
        lines.append(f"{MARKS[c['status']]} {c['name']}: {c['detail']}")
        if c["status"] != "ok" and c["fix"]:
            lines.append(f"     fix: {c['fix']}")
    return "\n".join(lines)


@click.command()
@json_option
@pass_app
def doctor(app: AppContext, as_json: bool) -> None:
    """Run every check of the FreePBX integration (changes nothing); exit 1 on a failure."""
    from freepbx.checks import worst
    from freepbx.doctor import pbx_from_settings, run_doctor

    found = run_doctor(pbx_from_settings(app.settings))
    status = worst(found)
    emit(
        {"status": status, "checks": [c.as_dict() for c in found]},
        as_json,
        lambda r: format_checks(r["checks"]) + f"\n\ndoctor: {r['status']}",
    )
    if status == "fail":
        raise SystemExit(1)
