"""``switchboard twilio provision``: create or check the Twilio Elastic SIP trunk."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app


@click.group()
def twilio() -> None:
    """Twilio Elastic SIP Trunking for the PBX."""


def _text(r: Mapping[str, Any]) -> str:
    lines = [
        f"{s['action']:12} {s['kind']} {s['name']}" + (f" ({s['sid']})" if s["sid"] else "")
        for s in r["steps"]
    ]
    counts = ", ".join(f"{n} {a}" for a, n in r["summary"].items())
    lines.append(f"\ntrunk {r['trunk']}: {counts}")
    lines.append(f"termination URI for FreePBX (twilio.domain_name): sip:{r['domain_name']}")
    return "\n".join(lines)


@twilio.command()
@click.option("--dry-run", is_flag=True, help="Look only: say what would be created or updated.")
@json_option
@pass_app
def provision(app: AppContext, dry_run: bool, as_json: bool) -> None:
    """Make the trunk, origination URL, ACL/credentials and numbers match the settings."""
    from switchboard.twilio_provision.client import ProvisionError, explain, make_client
    from switchboard.twilio_provision.provision import Provisioner, TrunkSpec, steps_as_dicts

    tw = app.settings.twilio
    spec = TrunkSpec(
        name=tw.trunk_name,
        domain_name=tw.domain_name,
        origination_uri=tw.origination_uri,
        pbx_ips=tw.pbx_ips,
        credential_username=tw.credential_username,
        credential_password=(
            tw.credential_password.get_secret_value() if tw.credential_password else ""
        ),
        phone_numbers=tw.phone_numbers,
    )
    try:
        try:
            steps = Provisioner(make_client(tw), spec, dry_run=dry_run).run()
        except ProvisionError:
            raise
        except Exception as exc:
            raise explain(exc, tw.api_base_url) from exc
    except ProvisionError as exc:
        if as_json:
            emit({"status": "error", "error": str(exc)}, True, str)
            raise SystemExit(1) from exc
        raise click.ClickException(str(exc)) from exc
    summary: dict[str, int] = {}
    for step in steps:
        summary[step.action] = summary.get(step.action, 0) + 1
    emit(
        {
            "status": "ok",
            "dry_run": dry_run,
            "trunk": tw.trunk_name,
            "domain_name": tw.domain_name,
            "steps": steps_as_dicts(steps),
            "summary": summary,
        },
        as_json,
        _text,
    )
