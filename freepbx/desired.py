"""What Switchboard's blocks should contain on one FreePBX box (rendered, reproducible).

The block bodies are the shipped templates (``freepbx/conf``, rendered by the same function
the dev PBX uses) plus the department queues FreePBX lacks. Rendering twice gives the same
text: the ARI user's crypt hash and agents' passwords already on the box are reused when
they still match, so a re-run of the installer changes nothing.
"""

from __future__ import annotations

import re
import secrets
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from freepbx import agents, blocks, layout
from freepbx.devpbx.config import AGENTS_CONTEXT, crypt_password, shipped_custom_files
from switchboard.settings import Settings

_PASSWORD = re.compile(r"^\s*password\s*=\s*(\S+)\s*$")


class ConfigError(ValueError):
    """A setting the installer needs is missing or wrong; the message says which."""


@dataclass
class Desired:
    """Block bodies per custom file, and what rendering them decided."""

    bodies: dict[str, str]
    missing_queues: list[str] = field(default_factory=list)
    """Departments FreePBX has no queue for: Switchboard defines them in its blocks."""
    new_agent_passwords: dict[str, str] = field(default_factory=dict)
    """WebRTC agents given a password just now (tell the agents; shown once)."""
    to_import: dict[str, str] = field(default_factory=dict)
    """Agents to add as FreePBX extensions (bulk import), with their new passwords."""


def crypt_matches(password: str, crypt_hash: str) -> bool:
    """True when ``crypt_hash`` (``$6$salt$...``) is the SHA-512 crypt of ``password``."""
    parts = crypt_hash.split("$")
    if len(parts) != 4 or parts[1] != "6":
        return False
    proc = subprocess.run(
        ["openssl", "passwd", "-6", "-salt", parts[2], "-stdin"],
        input=password,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip() == crypt_hash


def section_passwords(text: str) -> dict[str, str]:
    """``[name]`` → ``password =`` value for every section that has one."""
    found: dict[str, str] = {}
    current = None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0]
        stripped = line.strip()
        if stripped.startswith("[") and "]" in stripped:
            current = stripped[1 : stripped.index("]")]
            continue
        match = _PASSWORD.match(line)
        if match and current is not None:
            found[current] = match.group(1)
    return found


def existing_queues(etc: Path) -> set[str]:
    """Queue numbers FreePBX generated (``queues_additional.conf``)."""
    return set(layout.section_names(layout.read(etc, layout.QUEUES_GENERATED))) - {"general"}


def _current_body(etc: Path, filename: str) -> str:
    text = layout.read(etc, filename)
    return blocks.block_body(text, str(etc / filename)) or ""


def _ari_crypt(settings: Settings, etc: Path) -> str:
    if settings.ari.password is None:
        raise ConfigError(
            "no ARI password: set ari.password in the config file or SWITCHBOARD_ARI__PASSWORD"
        )
    password = settings.ari.password.get_secret_value()
    old = section_passwords(_current_body(etc, "ari_additional_custom.conf")).get(settings.ari.user)
    if old and crypt_matches(password, old):
        return old
    return crypt_password(password)


def _agent_passwords(names: tuple[str, ...], etc: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Passwords of Switchboard's own endpoints ``names``: kept from the block, else new."""
    old = section_passwords(_current_body(etc, "pjsip.endpoint_custom.conf"))
    found: dict[str, str] = {}
    new: dict[str, str] = {}
    for name in names:
        password = old.get(f"{name}-auth")
        if password is None:
            password = new[name] = secrets.token_urlsafe(12)
        found[name] = password
    return found, new


def queue_dialplan(departments: Mapping[str, str]) -> str:
    """``[ext-queues]`` entries for queues Switchboard defines (FreePBX's own shape)."""
    if not departments:
        return ""
    lines = ["", "; Department queues FreePBX does not have (yet): reached as ext-queues,N,1."]
    lines.append("[ext-queues]")
    for name, number in departments.items():
        lines += [
            f"exten => {number},1,NoOp(Switchboard department queue {name})",
            f" same => n,Set(__SWITCHBOARD_QUEUE={number})",
            f" same => n,Queue({number},tr,,,300)",
            " same => n,Goto(switchboard-queue-failover,s,1)",  # nobody answered: back to us
        ]
    return "\n".join(lines) + "\n"


def queue_definitions(departments: Mapping[str, str], members: tuple[str, ...]) -> str:
    """``queues.conf`` sections for the queues Switchboard defines (``members``: its lines)."""
    if not departments:
        return "; Every department queue is FreePBX's own (Applications → Queues).\n"
    out = []
    for name, number in departments.items():
        body = [
            f"[{number}]",
            f"; department: {name}",
            "strategy = ringall",
            "timeout = 15",
            "retry = 2",
            "ringinuse = no",
            "joinempty = yes",
            "leavewhenempty = no",
        ]
        out.append("\n".join(body + list(members)) + "\n")
    return "\n".join(out)


def render_desired(settings: Settings) -> Desired:
    """Render every block body for ``settings.freepbx.etc``; raise :class:`ConfigError`."""
    fp, etc = settings.freepbx, settings.freepbx.etc
    domain = settings.twilio.domain_name
    if not domain:
        raise ConfigError(
            "no Twilio termination domain: set twilio.domain_name "
            "(e.g. acme.pstn.twilio.com; `switchboard twilio provision` creates it)"
        )
    did = fp.assistant_did or (settings.twilio.phone_numbers or ("s",))[0]
    tryit = settings.console.tryit_extension
    people = tuple(a for a in fp.webrtc_agents if a != tryit)
    if fp.agents_as_extensions:
        have = agents.freepbx_extensions(etc)
        own = tuple(a for a in fp.webrtc_agents if a == tryit)
        to_import = {a: secrets.token_urlsafe(12) for a in people if a not in have}
        amended = [a for a in people if a in have]
    else:
        own, to_import, amended = fp.webrtc_agents, {}, []
    endpoints, new = _agent_passwords(own, etc)
    bodies = shipped_custom_files(
        {
            "APP": settings.ari.app,
            "ASSISTANT_EXTEN": fp.assistant_exten,
            "ASSISTANT_DID": did,
            "ARI_USER": settings.ari.user,
            "ARI_PASSWORD_CRYPT": _ari_crypt(settings, etc),
            "UDP_TRANSPORT": fp.udp_transport,
            "TRUNK_DOMAIN": domain,
            "TRUNK_MATCH_LINES": "\n".join(f"match = {net}" for net in fp.trunk_match),
            "MAX_PER_DID": str(fp.max_calls_per_did),
            "MAX_PER_TENANT": str(fp.max_calls_per_tenant),
        },
        endpoints,
        tryit=tryit,
    )
    bodies[agents.POST_FILE] = agents.amendments(amended, AGENTS_CONTEXT)
    have_queues = existing_queues(etc)
    missing = {n: q for n, q in fp.departments.items() if q not in have_queues}
    bodies["extensions_custom.conf"] += queue_dialplan(missing)
    members = tuple(agents.queue_member(a, extension=fp.agents_as_extensions) for a in people)
    bodies["queues_custom.conf"] = queue_definitions(missing, members)
    return Desired(bodies, sorted(missing), {**new, **to_import}, to_import)
