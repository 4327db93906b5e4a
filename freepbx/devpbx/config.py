"""Write the dev PBX's ``/etc/asterisk``: a FreePBX-shaped skeleton plus the shipped custom files.

The skeleton files (``devpbx/conf``) stand in for what FreePBX generates from its GUI. The
``*_custom.conf`` files come from ``freepbx/conf``, rendered exactly as the installer renders
them on a real PBX, so the tests exercise what ships.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from freepbx.devpbx.secrets import DevPbxSecrets
from freepbx.render import read_template, render
from switchboard.settings import Settings

SKELETON_PACKAGE = "freepbx.devpbx.conf"
SHIPPED_PACKAGE = "freepbx.conf"

INDICATIONS = "usr/share/asterisk/conf/basic-pbx/indications.conf"
"""Country tones (ringback for Queue's ``r``), taken from the Asterisk package's example."""
EMPTY_INCLUDES = (
    "globals_custom.conf",
    "http_custom.conf",
    "ari_general_custom.conf",
    "ari_additional.conf",
    "pjsip_custom.conf",
    "pjsip.transports_custom.conf",
    "pjsip.aor.conf",
    "pjsip.auth.conf",
    "pjsip.identify.conf",
    "pjsip.auth_custom.conf",
    "pjsip.endpoint_custom_post.conf",
    "queues_general_additional.conf",
    "queues_custom_general.conf",
    "queues_custom.conf",
    "queues_post_custom.conf",
)


@dataclass(frozen=True)
class Department:
    """A department queue as FreePBX numbers it (``ext-queues,<number>,1``)."""

    name: str
    number: str


DEV_DEPARTMENTS = (
    Department("general", "400"),
    Department("support", "401"),
    Department("sales", "402"),
)
TEST_CALLERS = ("1001", "1002")
WEBRTC_AGENTS = ("2001", "2002", "2003")
SIP_AGENTS = ("2101", "2102")
ASSISTANT_EXTEN = "7000"
UDP_TRANSPORT = "0.0.0.0-udp"


def shipped_custom_files(values: Mapping[str, str], agents: Mapping[str, str]) -> dict[str, str]:
    """Render ``freepbx/conf``'s custom files; ``agents`` maps WebRTC agent names to passwords.

    ``values`` holds: APP, ASSISTANT_EXTEN, ASSISTANT_DID, ARI_USER, ARI_PASSWORD_CRYPT,
    UDP_TRANSPORT, TRUNK_DOMAIN, TRUNK_MATCH_LINES. The installer calls this too.
    """
    agent_tmpl = read_template(SHIPPED_PACKAGE, "webrtc_agent.tmpl")
    agent_blocks = "\n".join(
        render(agent_tmpl, {"NAME": n, "LABEL": f"Agent {n}", "PASSWORD": p}, name=n)
        for n, p in agents.items()
    )
    wanted = {
        "extensions_custom.conf": ("APP", "ASSISTANT_EXTEN", "ASSISTANT_DID"),
        "ari_additional_custom.conf": ("ARI_USER", "ARI_PASSWORD_CRYPT"),
        "pjsip.endpoint_custom.conf": ("UDP_TRANSPORT", "TRUNK_DOMAIN", "WEBRTC_AGENTS"),
        "pjsip.aor_custom.conf": ("TRUNK_DOMAIN",),
        "pjsip.identify_custom.conf": ("TRUNK_MATCH_LINES",),
    }
    all_values = {**values, "WEBRTC_AGENTS": agent_blocks}
    return {
        filename: render(
            read_template(SHIPPED_PACKAGE, filename),
            {key: all_values[key] for key in keys},
            name=filename,
        )
        for filename, keys in wanted.items()
    }


def _skeleton_files() -> list[str]:
    folder = resources.files(SKELETON_PACKAGE)
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".conf"))


def crypt_password(password: str) -> str:
    """A SHA-512 crypt(3) hash, the form Asterisk's ``password_format = crypt`` accepts."""
    proc = subprocess.run(
        ["openssl", "passwd", "-6", "-stdin"],
        input=password,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def write_config(root: Path, settings: Settings, secrets: DevPbxSecrets) -> None:
    """Replace ``root/etc/asterisk`` with the dev PBX's configuration."""
    etc = root / "etc" / "asterisk"
    keys = etc / "keys"
    if etc.exists():
        for entry in etc.iterdir():
            if entry != keys:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    etc.mkdir(parents=True, exist_ok=True)
    pbx = settings.pbx
    skeleton_values = {
        "BIND": pbx.bind_address,
        "HTTP_PORT": str(pbx.http_port),
        "WSS_PORT": str(pbx.wss_port),
        "SIP_PORT": str(pbx.sip_port),
        "RTP_START": str(pbx.rtp_start),
        "RTP_END": str(pbx.rtp_end),
        "DEMO_DID": pbx.demo_did,
        "QUEUE_DIALPLAN": _queue_dialplan(DEV_DEPARTMENTS),
        "QUEUE_DEFINITIONS": _queue_definitions(DEV_DEPARTMENTS, WEBRTC_AGENTS + SIP_AGENTS),
    }
    for filename in _skeleton_files():
        template = read_template(SKELETON_PACKAGE, filename)
        used = {k: v for k, v in skeleton_values.items() if f"@@{k}@@" in template}
        (etc / filename).write_text(render(template, used, name=filename))
    for filename in EMPTY_INCLUDES:
        (etc / filename).write_text("")
    shutil.copyfile(root / INDICATIONS, etc / "indications.conf")
    (etc / "pjsip.endpoint.conf").write_text(
        "".join(
            _sip_extension(name, secrets.endpoint_passwords[name], label)
            for name, label in [(n, f"Test caller {n}") for n in TEST_CALLERS]
            + [(n, f"Agent {n}") for n in SIP_AGENTS]
        )
    )
    shipped = shipped_custom_files(
        {
            "APP": settings.ari.app,
            "ASSISTANT_EXTEN": ASSISTANT_EXTEN,
            "ASSISTANT_DID": pbx.demo_did,
            "ARI_USER": settings.ari.user,
            "ARI_PASSWORD_CRYPT": crypt_password(secrets.ari_password),
            "UDP_TRANSPORT": UDP_TRANSPORT,
            "TRUNK_DOMAIN": f"{pbx.trunk_address}:5062",
            "TRUNK_MATCH_LINES": f"match = {pbx.trunk_address}",
        },
        {name: secrets.endpoint_passwords[name] for name in WEBRTC_AGENTS},
    )
    for filename, text in shipped.items():
        (etc / filename).write_text(text)
    ensure_tls_certificate(keys, pbx.bind_address)


def ensure_tls_certificate(keys: Path, bind_address: str) -> None:
    """Generate the self-signed certificate for WSS 7443 once (kept across restarts)."""
    crt, key = keys / "switchboard.crt", keys / "switchboard.key"
    if crt.exists() and key.exists():
        return
    keys.mkdir(parents=True, exist_ok=True)
    san = "DNS:localhost,IP:127.0.0.1"
    if bind_address not in ("0.0.0.0", "127.0.0.1", ""):
        san += f",IP:{bind_address}"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "825",
            "-subj",
            "/CN=switchboard-dev-pbx",
            "-addext",
            f"subjectAltName={san}",
            "-keyout",
            str(key),
            "-out",
            str(crt),
        ],
        capture_output=True,
        check=True,
    )
    key.chmod(0o640)


def _sip_extension(name: str, password: str, label: str) -> str:
    return (
        f"[{name}]\ntype = endpoint\ntransport = {UDP_TRANSPORT}\ncontext = from-internal\n"
        f"disallow = all\nallow = ulaw,alaw,g722\naors = {name}\nauth = {name}-auth\n"
        f'callerid = "{label}" <{name}>\ndirect_media = no\nrtp_symmetric = yes\n'
        "force_rport = yes\nrewrite_contact = yes\ndtmf_mode = rfc4733\n"
        "device_state_busy_at = 1\n\n"
        f"[{name}-auth]\ntype = auth\nauth_type = userpass\nusername = {name}\n"
        f"password = {password}\n\n"
        f"[{name}]\ntype = aor\nmax_contacts = 1\nremove_existing = yes\n\n"
    )


def _queue_dialplan(departments: tuple[Department, ...]) -> str:
    lines = []
    for dep in departments:
        lines += [
            f"exten => {dep.number},1,NoOp(Queue {dep.name})",
            f" same => n,Set(__SWITCHBOARD_QUEUE={dep.number})",
            # Like FreePBX's queue "Max Wait Time", then its Fail Over Destination:
            # Switchboard's custom destination (the caller is told, a callback is filed).
            f" same => n,Queue({dep.number},trb(func-apply-sipheaders^s^1),,,"
            '${IF($["${SWITCHBOARD_QUEUE_WAIT}" = ""]?300:${SWITCHBOARD_QUEUE_WAIT})})',
            " same => n,Goto(switchboard-queue-failover,s,1)",
        ]
    return "\n".join(lines)


def _queue_definitions(departments: tuple[Department, ...], agents: tuple[str, ...]) -> str:
    blocks = []
    for dep in departments:
        members = "\n".join(f"member => PJSIP/{a},0,Agent {a},PJSIP/{a}" for a in agents)
        blocks.append(
            f"[{dep.number}]\n; department: {dep.name}\nstrategy = ringall\ntimeout = 15\n"
            "retry = 2\nwrapuptime = 0\nringinuse = no\njoinempty = yes\n"
            f"leavewhenempty = no\n{members}\n"
        )
    return "\n".join(blocks)
