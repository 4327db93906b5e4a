"""``switchboard freepbx install``: put Switchboard's files and settings onto FreePBX 17."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app
from switchboard.cli.doctor import format_checks


@click.group()
def freepbx() -> None:
    """Install Switchboard into a FreePBX 17 system (run on the PBX, as root)."""


def _text(r: Mapping[str, Any]) -> str:
    verb = "would change" if r["dry_run"] else "changed"
    lines = [format_checks(r["preflight"])]
    if r["error"]:
        lines.append(f"\ninstall: {r['error']}")
        return "\n".join(lines)
    lines.append("")
    lines += [f"{verb} {name}" for name in r["files"]]
    lines += [f"{verb} setting {k} = {v}" for k, v in r["settings"].items()]
    if r["nat"]:
        nets = ", ".join(f"{n['net']}/{n['mask']}" for n in r["nat"]["localnets"])
        lines.append(
            f"{verb} SIP Settings: External Address {r['nat']['externip']}, Local Networks {nets}"
        )
    if r["trusted"]:
        lines.append(f"{verb} FreePBX Firewall trusted zone: + {', '.join(r['trusted'])}")
    if r["fail2ban_jails"]:
        lines.append(f"{verb} fail2ban whitelist of jails {', '.join(r['fail2ban_jails'])}")
    if not r["changed"]:
        lines.append("nothing to change")
    if r["reloaded"]:
        lines.append("ran fwconsole reload")
    if r["missing_queues"]:
        lines.append(f"department queues made by Switchboard: {', '.join(r['missing_queues'])}")
    for agent in r["new_agents"]:
        password = r["new_agent_passwords"].get(agent)
        shown = f"password {password} (shown once)" if password else "password made on install"
        lines.append(f"new WebRTC agent {agent}: {shown}")
    if r["imported_agents"]:
        added = ", ".join(r["imported_agents"])
        lines.append(f"FreePBX extensions added (Applications → Extensions): {added}")
    if r["verify"]:
        lines += ["", format_checks(r["verify"])]
    lines.append(f"\ninstall: {r['status']}")
    return "\n".join(lines)


@freepbx.command()
@click.option("--dry-run", is_flag=True, help="Check and show the changes; write nothing.")
@json_option
@pass_app
def install(app: AppContext, dry_run: bool, as_json: bool) -> None:
    """Check versions, write the marked blocks, set WSS 7443, reload, verify; exit 1 on failure."""
    from freepbx.doctor import pbx_from_settings
    from freepbx.install import install as run_install

    report = run_install(pbx_from_settings(app.settings), dry_run=dry_run)
    emit(report.as_dict(), as_json, _text)
    if report.status == "fail":
        raise SystemExit(1)
