"""Write the dev PBX's ``/etc/asterisk``: a FreePBX-shaped skeleton plus the shipped custom files.

The skeleton files (``devpbx/conf``) stand in for what FreePBX generates from its GUI. The
``*_custom.conf`` files come from ``freepbx/conf``, rendered exactly as the installer renders
them on a real PBX, so the tests exercise what ships.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from freepbx import freepbx17
from freepbx.devpbx.build import ASTERISK_UID
from freepbx.devpbx.secrets import DevPbxSecrets
from freepbx.render import read_template, render
from switchboard.settings import Settings

SKELETON_PACKAGE = "freepbx.devpbx.conf"

SHIPPED_PACKAGE = "freepbx.conf"

INDICATIONS = "usr/share/asterisk/conf/basic-pbx/indications.conf"
"""Country tones (ringback for Queue's ``r``), taken from the Asterisk package's example."""
EXTRA_INCLUDES = ("globals_custom.conf",)
"""Included files outside FreePBX's layout table (``[globals]`` in ``extensions.conf``)."""
PJSIP_GLOBAL = (
    "type = global",
    "user_agent = Switchboard dev PBX",
    "endpoint_identifier_order = ip,username,anonymous",
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


AGENTS_CONTEXT = "switchboard-agents"
"""Extensions, department queues and the assistant; never the trunk (extensions_custom.conf)."""
TRYIT_CONTEXT = "switchboard-tryit"
"""The assistant only: the try-it page's shared endpoint."""


def shipped_custom_files(
    values: Mapping[str, str], agents: Mapping[str, str], tryit: str = ""
) -> dict[str, str]:
    """Render ``freepbx/conf``'s custom files; ``agents`` maps WebRTC agent names to passwords.

    ``values`` holds: APP, ASSISTANT_EXTEN, ASSISTANT_DID, ARI_USER, ARI_PASSWORD_CRYPT,
    UDP_TRANSPORT, TRUNK_DOMAIN, TRUNK_MATCH_LINES, MAX_PER_DID, MAX_PER_TENANT. The agent
    named ``tryit`` (the try-it page's endpoint) gets the try-it context; the others the
    agents' context. The installer calls this too.
    """
    agent_tmpl = read_template(SHIPPED_PACKAGE, "webrtc_agent.tmpl")
    agent_blocks = "\n".join(
        render(
            agent_tmpl,
            {
                "NAME": n,
                "LABEL": "Try it" if n == tryit else f"Agent {n}",
                "PASSWORD": p,
                "CONTEXT": TRYIT_CONTEXT if n == tryit else AGENTS_CONTEXT,
            },
            name=n,
        )
        for n, p in agents.items()
    )
    wanted = {
        "extensions_custom.conf": (
            "APP",
            "ASSISTANT_EXTEN",
            "ASSISTANT_DID",
            "MAX_PER_DID",
            "MAX_PER_TENANT",
        ),
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
        "QUEUE_DEFINITIONS": _queue_definitions(
            DEV_DEPARTMENTS,
            tuple(a for a in WEBRTC_AGENTS + SIP_AGENTS if a != settings.console.tryit_extension),
        ),
    }
    for filename in _skeleton_files():
        template = read_template(SKELETON_PACKAGE, filename)
        used = {k: v for k, v in skeleton_values.items() if f"@@{k}@@" in template}
        body = render(template, used, name=filename)
        (etc / filename).write_text(freepbx17.include_header(filename) + body)
    shutil.copyfile(root / INDICATIONS, etc / "indications.conf")
    (etc / "pjsip.conf").write_text(freepbx17.pjsip_conf(PJSIP_GLOBAL))
    (etc / "pjsip.endpoint.conf").write_text(
        freepbx17.include_header("pjsip.endpoint.conf")
        + "".join(
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
            "MAX_PER_DID": str(pbx.max_calls_per_did),
            "MAX_PER_TENANT": str(pbx.max_calls_per_tenant),
        },
        {name: secrets.endpoint_passwords[name] for name in WEBRTC_AGENTS},
        tryit=settings.console.tryit_extension,
    )
    for filename, text in shipped.items():
        (etc / filename).write_text(text)
    _touch_missing_includes(etc)
    for name in SECRET_FILES:
        _restrict(etc / name)
    ensure_tls_certificate(keys, pbx.bind_address)


SECRET_FILES = ("pjsip.endpoint.conf", "pjsip.endpoint_custom.conf", "ari_additional_custom.conf")
"""Files of the dev PBX holding passwords or hashes: 0640, group asterisk (as on a PBX)."""


def _restrict(path: Path) -> None:
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 0, ASTERISK_UID)  # gid of the chroot's asterisk group


def _touch_missing_includes(etc: Path) -> None:
    """Create every file FreePBX's layout includes that nothing wrote (empty, as on a fresh
    FreePBX), header-only generated files included."""
    names = {n for names in freepbx17.INCLUDES.values() for n in names} | set(EXTRA_INCLUDES)
    for name in sorted(names | set(freepbx17.INCLUDES)):
        path = etc / name
        if not path.exists():
            path.write_text(freepbx17.include_header(name))


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
        f"[{name}]\ntype = endpoint\ntransport = {UDP_TRANSPORT}\ncontext = {AGENTS_CONTEXT}\n"
        f"set_var = TRANSFER_CONTEXT={AGENTS_CONTEXT}\nset_var = FORWARD_CONTEXT={AGENTS_CONTEXT}\n"
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
