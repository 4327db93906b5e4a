"""Who the PBX's own defences trust: FreePBX Firewall's trusted zone and fail2ban's whitelist.

Twilio's signalling and media ranges and the agents' networks must never be blocked: a
fail2ban ban of a Twilio edge (after a burst of failed calls, say) silences every number on
that edge. FreePBX's firewall module takes them with ``fwconsole firewall add trusted
<net>...`` and lists them with ``fwconsole firewall list trusted`` (its Console/Firewall
command). fail2ban is told through a drop-in, ``jail.d/switchboard.local``, that extends
each jail's ``ignoreip`` (``%(known/ignoreip)s`` keeps what FreePBX's Intrusion Detection
wrote), then ``fail2ban-client reload``. Either part is skipped, with a warning, when it is
not installed. GCP's firewall stays the first line; these keep the PBX from banning its
trunk.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from freepbx.checks import Check, ok
from freepbx.system import Commands, PbxCommandError
from switchboard.settings import FreepbxSettings

DROP_IN = "switchboard.local"
ALWAYS_IGNORED = ("127.0.0.1/8", "::1")


def trusted_networks(fp: FreepbxSettings) -> list[str]:
    """Twilio's signalling (``trunk_match``) and media ranges and the agents' networks,
    normalised (``1.2.3.4`` → ``1.2.3.4/32``), in order, without repeats."""
    found: list[str] = []
    for value in (*fp.trunk_match, *fp.media_ranges, *fp.agent_networks):
        net = str(ipaddress.ip_network(value.strip(), strict=False))
        if net not in found:
            found.append(net)
    return found


def _normal(value: str) -> str | None:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        return None


def firewall_trusted(cmds: Commands) -> set[str] | None:
    """Networks in FreePBX Firewall's trusted zone; None without the firewall module."""
    try:
        text = cmds.fw("firewall", "list", "trusted")
    except PbxCommandError:
        return None
    found = {_normal(line) for line in text.splitlines() if line.startswith(("\t", " "))}
    return {n for n in found if n}


def fail2ban_jails(cmds: Commands) -> list[str] | None:
    """fail2ban's running jails; None when fail2ban is not installed or not running."""
    if not cmds.has(cmds.fail2ban):
        return None
    try:
        text = cmds.run([cmds.fail2ban, "status"])
    except PbxCommandError:
        return None
    for line in text.splitlines():
        if "Jail list:" in line:
            names = line.split("Jail list:", 1)[1]
            return [j.strip() for j in names.split(",") if j.strip()]
    return []


def jail_ignored(cmds: Commands, jail: str) -> set[str]:
    """The networks a jail ignores (``fail2ban-client get <jail> ignoreip``)."""
    text = cmds.run([cmds.fail2ban, "get", jail, "ignoreip"])
    found = {_normal(line.lstrip("|`- ")) for line in text.splitlines() if "- " in line}
    return {n for n in found if n}


def drop_in(jails: list[str], nets: list[str]) -> str:
    """The fail2ban drop-in: every jail (and the defaults) also ignores ``nets``."""
    extra = " ".join(nets)
    lines = [
        "# Written by `switchboard freepbx install`: never ban Twilio's signalling and media",
        "# ranges or the agents' networks. %(known/ignoreip)s keeps what was set before.",
        "[DEFAULT]",
        f"ignoreip = %(known/ignoreip)s {' '.join(ALWAYS_IGNORED)} {extra}",
    ]
    for jail in jails:
        lines += ["", f"[{jail}]", f"ignoreip = %(known/ignoreip)s {extra}"]
    return "\n".join(lines) + "\n"


@dataclass
class TrustPlan:
    """What is missing: networks for FreePBX's trusted zone, jails lacking some networks."""

    nets: list[str]
    firewall_missing: list[str] | None
    """None: FreePBX Firewall is not installed."""
    jails: list[str] | None
    """None: fail2ban is not running."""
    jails_missing: dict[str, list[str]]

    @property
    def changes(self) -> bool:
        """Whether anything must be added."""
        return bool(self.firewall_missing) or bool(self.jails_missing)


def plan(cmds: Commands, fp: FreepbxSettings) -> TrustPlan:
    """Ask FreePBX's firewall and fail2ban what they trust, and what they lack."""
    nets = trusted_networks(fp)
    trusted = firewall_trusted(cmds)
    firewall_missing = None if trusted is None else [n for n in nets if n not in trusted]
    jails = fail2ban_jails(cmds)
    missing: dict[str, list[str]] = {}
    for jail in jails or []:
        ignored = jail_ignored(cmds, jail)
        lacking = [n for n in nets if n not in ignored]
        if lacking:
            missing[jail] = lacking
    return TrustPlan(nets, firewall_missing, jails, missing)


def apply(cmds: Commands, fp: FreepbxSettings, trust: TrustPlan) -> None:
    """Add what :func:`plan` found missing; raise :class:`PbxCommandError` or OSError."""
    if trust.firewall_missing:
        cmds.fw("firewall", "add", "trusted", *trust.firewall_missing)
    if trust.jails_missing and trust.jails is not None:
        folder = fp.on_host(fp.fail2ban_jail_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = Path(folder) / DROP_IN
        path.write_text(drop_in(trust.jails, trust.nets))
        path.chmod(0o644)
        cmds.run([cmds.fail2ban, "reload"])


def check_trust(cmds: Commands, fp: FreepbxSettings) -> list[Check]:
    """FreePBX Firewall's trusted zone and every fail2ban jail trust Twilio and the agents."""
    if not fp.manage_firewall:
        return [ok("firewall.trust", "not managed (freepbx.manage_firewall = false)")]
    trust = plan(cmds, fp)
    found = []
    if trust.firewall_missing is None:
        found.append(
            Check(
                "firewall.trust",
                "warn",
                "FreePBX Firewall is not installed: only the cloud firewall filters traffic",
                "fwconsole ma downloadinstall firewall; fwconsole firewall start; "
                "then switchboard freepbx install",
            )
        )
    elif trust.firewall_missing:
        found.append(
            Check(
                "firewall.trust",
                "fail",
                f"not in FreePBX Firewall's trusted zone: {', '.join(trust.firewall_missing)}",
                f"fwconsole firewall add trusted {' '.join(trust.firewall_missing)} "
                "(or switchboard freepbx install)",
            )
        )
    else:
        found.append(ok("firewall.trust", f"trusted zone has all {len(trust.nets)} networks"))
    if trust.jails is None:
        found.append(ok("fail2ban.whitelist", "fail2ban is not running: it bans nobody"))
    elif trust.jails_missing:
        jails = ", ".join(sorted(trust.jails_missing))
        found.append(
            Check(
                "fail2ban.whitelist",
                "fail",
                f"fail2ban jails {jails} could ban Twilio or the agents",
                "switchboard freepbx install (writes jail.d/switchboard.local and reloads "
                "fail2ban)",
            )
        )
    else:
        found.append(ok("fail2ban.whitelist", f"{len(trust.jails)} jails ignore them all"))
    return found
