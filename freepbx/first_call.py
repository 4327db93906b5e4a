"""The first-call checklist: what a call from the phone network needs on the PBX.

Each check reads what FreePBX generated (or asks Asterisk/ARI) and, when something is
missing, says what to do in the words of FreePBX's GUI or a command: the trunk is
identified by Twilio's ranges and nothing wider, each number has an inbound route to
Switchboard's custom destination, chan_websocket is loaded, an agent is registered, and
the certificate browsers see is valid for the PBX's name and not about to expire.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from freepbx import blocks, layout
from freepbx.certs import CertificateError, read_certificate
from freepbx.checks import Check, ok
from freepbx.system import AriProbe, Commands, PbxCommandError
from freepbx.versions import has_chan_websocket, parse_asterisk_version
from switchboard.settings import FreepbxSettings

INBOUND_CONTEXT = "switchboard-inbound"
_MEMBER = re.compile(r"^\s*member\s*=>?\s*(?:Local/([^@,\s]+)@from-queue|PJSIP/([^,\s]+))")


def identify_matches(etc: Path, endpoint: str = "twilio") -> list[str]:
    """The ``match =`` values of every identify section pointing at ``endpoint`` (FreePBX's
    generated trunks and Switchboard's block alike)."""
    found: list[str] = []
    for filename in ("pjsip.identify.conf", "pjsip.identify_custom.conf"):
        text = layout.read(etc, filename)
        current: dict[str, list[str]] = {}
        for raw in [*text.splitlines(), "[end-of-file]"]:
            line = raw.split(";", 1)[0].strip()
            if line.startswith("[") and "]" in line:
                if current.get("type") == ["identify"] and current.get("endpoint") == [endpoint]:
                    for value in current.get("match", []):
                        found += [v.strip() for v in value.split(",") if v.strip()]
                current = {}
            elif "=" in line:
                key, _, value = line.partition("=")
                current.setdefault(key.strip().lower(), []).append(value.lstrip(">").strip())
    return found


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def check_trunk_identify(etc: Path, fp: FreepbxSettings) -> Check:
    """Calls are the Twilio trunk only when they come from Twilio's signalling ranges:
    every range of ``freepbx.trunk_match`` is matched, and no match is wider than a /16."""
    matches = identify_matches(etc)
    nets = [n for n in (_network(m) for m in matches) if n is not None]
    if not nets:
        return Check(
            "trunk.identify",
            "fail",
            "no identify section matches calls to the twilio endpoint: Twilio's calls are refused",
            "switchboard freepbx install (writes [twilio] type=identify with Twilio's ranges)",
        )
    too_wide = [str(n) for n in nets if n.prefixlen < 16]
    if too_wide:
        return Check(
            "trunk.identify",
            "fail",
            f"the twilio trunk also matches {', '.join(too_wide)}: anyone there is the trunk",
            "remove those match lines (FreePBX trunk 'twilio' → pjsip Settings → Advanced → "
            "Match (Permit), or freepbx.trunk_match), then switchboard freepbx install",
        )
    wanted = [n for n in (_network(m) for m in fp.trunk_match) if n is not None]
    missing = [str(w) for w in wanted if not any(_covers(n, w) for n in nets)]
    if missing:
        return Check(
            "trunk.identify",
            "fail",
            f"Twilio's signalling ranges {', '.join(missing)} are not matched: calls from "
            "those edges are refused",
            "switchboard freepbx install (matches every range of freepbx.trunk_match)",
        )
    return ok("trunk.identify", f"twilio trunk matched by {len(nets)} ranges (Twilio's only)")


def _covers(
    outer: ipaddress.IPv4Network | ipaddress.IPv6Network,
    inner: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> bool:
    return outer.version == inner.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def _did_contexts(text: str) -> list[str]:
    return [name for name in layout.section_names(text) if name.startswith("ext-did")]


def route_target(text: str, did: str) -> str | None:
    """Where FreePBX's inbound route for ``did`` goes (``context,exten,prio``), following a
    custom destination to its target; None when no route names the number."""
    for context in _did_contexts(text):
        gotos = layout.goto_targets(text, context, did)
        if not gotos:
            continue
        target = gotos[-1]
        dest_context, _, rest = target.partition(",")
        if dest_context == "customdests":
            inner = layout.goto_targets(text, "customdests", rest.split(",", 1)[0])
            return inner[-1] if inner else target
        return target
    return None


def check_inbound_routes(etc: Path, dids: Iterable[str]) -> list[Check]:
    """Each of Switchboard's numbers has an inbound route ending in ``switchboard-inbound``
    (directly or through a Custom Destination)."""
    numbers = list(dids)
    if not numbers:
        return [
            Check(
                "route.inbound",
                "warn",
                "no twilio.phone_numbers: nothing tells which numbers reach the assistant",
                "set twilio.phone_numbers (E.164, as Twilio sends them) in the config file",
            )
        ]
    text = layout.read(etc, "extensions_additional.conf")
    found = []
    for did in numbers:
        name = f"route.{did}"
        target = route_target(text, did)
        if target is not None and target.startswith(f"{INBOUND_CONTEXT},"):
            found.append(ok(name, f"inbound route {did} → {target}"))
            continue
        detail = (
            f"no inbound route for {did}: its calls never reach Switchboard"
            if target is None
            else f"inbound route {did} goes to {target}, not Switchboard"
        )
        found.append(
            Check(
                name,
                "fail",
                detail,
                "Admin → Custom Destinations → Add: Target switchboard-inbound,s,1, Description "
                f"Switchboard; Connectivity → Inbound Routes → Add: DID Number {did}, Set "
                "Destination: Custom Destinations → Switchboard; Submit, Apply Config",
            )
        )
    return found


def check_chan_websocket(cmds: Commands) -> Check:
    """chan_websocket is loaded (websocket media); older Asterisk falls back to RTP."""
    try:
        version = parse_asterisk_version(cmds.asterisk_version())
        modules = cmds.ast("module show like chan_websocket")
    except (PbxCommandError, ValueError) as exc:
        return Check(
            "asterisk.chan_websocket", "warn", f"cannot ask Asterisk: {exc}", "run as root"
        )
    if "chan_websocket.so" in modules and "Running" in modules:
        return ok("asterisk.chan_websocket", "chan_websocket.so is running: websocket media")
    if not has_chan_websocket(version):
        return Check(
            "asterisk.chan_websocket",
            "warn",
            f"Asterisk {version} has no chan_websocket: media goes over RTP (ulaw)",
            "upgrade to Asterisk 22.8+ for websocket media",
        )
    return Check(
        "asterisk.chan_websocket",
        "fail",
        "chan_websocket.so is not loaded: media.transport=auto falls back to RTP, "
        "media.transport=websocket fails every call",
        "asterisk -rx 'module load chan_websocket.so'; to keep it, remove any "
        "'noload => chan_websocket.so' from /etc/asterisk/modules.conf",
    )


def queue_members(etc: Path, queues: Iterable[str]) -> set[str]:
    """Extensions that are members of ``queues`` (FreePBX's ``Local/<ext>@from-queue/n``
    members and direct ``PJSIP/<ext>`` ones), in FreePBX's and Switchboard's queue files."""
    wanted = set(queues)
    members: set[str] = set()
    for filename in (layout.QUEUES_GENERATED, "queues_custom.conf"):
        text = layout.read(etc, filename)
        if filename == "queues_custom.conf":
            text = blocks.block_body(text) or text
        for queue in wanted:
            for line in layout.section_lines(text, queue):
                match = _MEMBER.match(line)
                if match:
                    members.add(match.group(1) or match.group(2))
    return members


def check_agents_registered(probe: AriProbe, agents: Iterable[str]) -> Check:
    """At least one agent's softphone is registered (ARI ``endpoints/PJSIP``: online)."""
    wanted = sorted(set(agents))
    if not wanted:
        return Check(
            "agents.registered",
            "warn",
            "no agents: the department queues have no members, callers are offered a callback",
            "list the agents' extensions in freepbx.webrtc_agents and run switchboard freepbx "
            "install (or add members in Applications → Queues)",
        )
    status, body = probe.get("endpoints/PJSIP")
    if status != 200 or not isinstance(body, list):
        return Check(
            "agents.registered",
            "warn",
            f"cannot list endpoints over ARI (HTTP {status})",
            "fix ari.reachable first",
        )
    online = sorted(
        str(e.get("resource"))
        for e in body
        if isinstance(e, dict) and e.get("resource") in wanted and e.get("state") == "online"
    )
    if online:
        return ok("agents.registered", f"registered: {', '.join(online)} (of {len(wanted)})")
    return Check(
        "agents.registered",
        "warn",
        f"none of the agents {', '.join(wanted)} is registered: hand-offs find nobody",
        "an agent signs in to the console (https://<pbx>:8443/login) and stays signed in; "
        "`asterisk -rx 'pjsip show contacts'` lists who is registered",
    )


def check_certificate(fp: FreepbxSettings, now: datetime) -> Check:
    """The certificate of WSS 7443 (and the console): valid for ``freepbx.dns_name``, not
    expired or about to, from a public CA."""
    path = fp.on_host(fp.tls_cert_file)
    renew = (
        "certbot renew (or: fwconsole certificates --updateall), then "
        "`asterisk -rx 'module reload http'`"
    )
    try:
        info = read_certificate(path)
    except CertificateError as exc:
        return Check("cert.valid", "fail", str(exc), "see docs/webrtc-agents.md, 'certificate'")
    days = info.days_left(now)
    if days <= 0:
        return Check(
            "cert.valid", "fail", f"{fp.tls_cert_file} expired {-days:.0f} days ago", renew
        )
    if fp.dns_name and not info.covers(fp.dns_name):
        names = ", ".join(info.dns_names + info.ip_addresses) or info.common_name
        return Check(
            "cert.valid",
            "fail",
            f"{fp.tls_cert_file} is for {names}, not {fp.dns_name}: browsers refuse WSS",
            f"get a certificate for {fp.dns_name} (docs/webrtc-agents.md) and set "
            "freepbx.tls_cert_file/tls_key_file to it; switchboard freepbx install",
        )
    if days < fp.cert_min_days:
        return Check("cert.valid", "warn", f"{fp.tls_cert_file} expires in {days:.0f} days", renew)
    if not fp.dns_name:
        return Check(
            "cert.valid",
            "warn",
            f"no freepbx.dns_name: {fp.tls_cert_file} is not checked against a name",
            "set freepbx.dns_name to the PBX's DNS name (Terraform: dns_name)",
        )
    if info.self_signed:
        return Check(
            "cert.valid",
            "warn",
            f"{fp.tls_cert_file} is self-signed: each agent's browser must accept it once",
            "a Let's Encrypt certificate for freepbx.dns_name (docs/webrtc-agents.md)",
        )
    return ok("cert.valid", f"{fp.dns_name}: valid {days:.0f} more days ({info.issuer})")
