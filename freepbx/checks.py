"""The checks ``switchboard doctor`` runs and ``switchboard freepbx install`` verifies with.

Each check returns a :class:`Check`: ``ok``, ``warn`` (works, but not the best way) or
``fail`` (Switchboard will not work), with what was found and, when not ok, the fix in the
words an admin types.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from freepbx import blocks, layout
from freepbx.desired import Desired
from freepbx.system import AriProbe, Commands, PbxCommandError
from freepbx.versions import has_chan_websocket, parse_asterisk_version
from switchboard.settings import FreepbxSettings

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, how it stands, and how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def ok(name: str, detail: str) -> Check:
    """A passing check."""
    return Check(name, "ok", detail)


def check_tree(etc: Path) -> Check:
    """Is ``etc`` a FreePBX-made ``/etc/asterisk``?"""
    missing = layout.missing_markers(etc)
    if missing:
        return Check(
            "freepbx.tree",
            "fail",
            f"{etc} lacks {', '.join(missing)}",
            "run on the FreePBX 17 machine, or set freepbx.etc_dir to its /etc/asterisk",
        )
    return ok("freepbx.tree", f"{etc} is FreePBX-shaped")


def check_freepbx_version(cmds: Commands, min_major: int) -> Check:
    """FreePBX's major version (17 is what the custom files are written for)."""
    try:
        text = cmds.freepbx_version()
        version = parse_asterisk_version(text)
    except (PbxCommandError, ValueError) as exc:
        return Check("freepbx.version", "fail", str(exc), "install FreePBX 17 (fwconsole on PATH)")
    if version.major < min_major:
        return Check(
            "freepbx.version",
            "fail",
            f"FreePBX {version} found",
            f"upgrade to FreePBX {min_major} (fwconsole ma upgradeall after a version upgrade)",
        )
    return ok("freepbx.version", f"FreePBX {version}")


def check_asterisk_version(cmds: Commands) -> Check:
    """Asterisk's version decides the media transport: chan_websocket (22.6+) or RTP."""
    try:
        version = parse_asterisk_version(cmds.asterisk_version())
    except (PbxCommandError, ValueError) as exc:
        return Check(
            "asterisk.version",
            "fail",
            str(exc),
            "start Asterisk (fwconsole start) and run this as root or the asterisk user",
        )
    if version.major < 20:
        return Check("asterisk.version", "fail", f"Asterisk {version}", "upgrade to Asterisk 22")
    if not has_chan_websocket(version):
        return Check(
            "asterisk.version",
            "warn",
            f"Asterisk {version}: no chan_websocket, media falls back to RTP (ulaw)",
            "upgrade to Asterisk 22.8+ for websocket media (media.transport=auto picks it)",
        )
    return ok("asterisk.version", f"Asterisk {version}: chan_websocket media")


def check_loaded(cmds: Commands, app: str) -> Check:
    """Asterisk has loaded what the blocks define (the trunk endpoint, the Stasis entry)."""
    try:
        endpoint = cmds.ast("pjsip show endpoint twilio")
        dialplan = cmds.ast("dialplan show s@switchboard-inbound")
    except PbxCommandError as exc:
        return Check("asterisk.loaded", "warn", f"cannot ask Asterisk: {exc}", "run as root")
    missing = []
    if "Unable to find" in endpoint or "twilio" not in endpoint:
        missing.append("PJSIP endpoint twilio")
    if f"Stasis({app}," not in dialplan:
        missing.append(f"Stasis({app},...) in switchboard-inbound")
    if missing:
        return Check(
            "asterisk.loaded",
            "fail",
            f"Asterisk has not loaded: {'; '.join(missing)}",
            "fwconsole reload; then `asterisk -rx 'pjsip show endpoint twilio'` shows why",
        )
    return ok("asterisk.loaded", "Asterisk runs the trunk endpoint and the Stasis entry")


WRITERS = {
    "pjsip.conf": "core",
    "extensions.conf": "framework",
    "ari.conf": "arimanager",
    "queues.conf": "queues",
}
"""The FreePBX module that writes each top-level file (see :mod:`freepbx.freepbx17`)."""


def check_includes(etc: Path) -> list[Check]:
    """Does Asterisk reach each custom file Switchboard writes, following the ``#include``
    lines from the file it loads (``pjsip.conf`` → ``pjsip.endpoint.conf`` → ...)?"""
    found = []
    for t in layout.TARGETS:
        name = f"include.{t.filename}"
        chain = layout.include_chain(etc, t.root, t.filename)
        if chain:
            found.append(ok(name, " → ".join(chain)))
            continue
        where = t.parent if t.parent == t.root else f"{t.parent} (from {t.root})"
        found.append(
            Check(
                name,
                "fail",
                f"{t.root} does not reach {t.filename}: {where} should include it",
                f"FreePBX writes {where} itself: run `fwconsole reload` (never edit it, "
                f"FreePBX rewrites it); if the include is still missing, reinstall the module "
                f"that writes it: `fwconsole ma install {WRITERS[t.root]}; fwconsole reload`",
            )
        )
    return found


def check_blocks(etc: Path, desired: Desired) -> list[Check]:
    """Is each Switchboard block present, current and free of clashes with the admin's lines?"""
    found = []
    for t in layout.TARGETS:
        name = f"block.{t.filename}"
        path = etc / t.filename
        text = layout.read(etc, t.filename)
        try:
            parts = blocks.split(text, str(path))
        except blocks.BlockError as exc:
            found.append(Check(name, "fail", str(exc), "fix the markers, then re-run install"))
            continue
        body = desired.bodies[t.filename]
        peers = "".join(layout.read(etc, p) for p in t.peers)
        clashes = blocks.conflicts(parts.outside + peers, body)
        if clashes:
            found.append(
                Check(
                    f"clash.{t.filename}",
                    "fail",
                    f"{t.filename} or FreePBX's {', '.join(t.peers)} already define "
                    f"{'; '.join(clashes)}",
                    "rename or remove those objects (or Switchboard's settings), then re-run",
                )
            )
        elif parts.block is None:
            found.append(
                Check(
                    name, "fail", f"no Switchboard block in {path}", "switchboard freepbx install"
                )
            )
        elif blocks.block_body(text) != blocks.block_body(blocks.make_block(body)):
            found.append(
                Check(
                    name,
                    "fail",
                    f"the block in {path} differs from the settings",
                    "switchboard freepbx install",
                )
            )
        else:
            found.append(ok(name, f"{t.filename}: {t.purpose}"))
    return found


def check_transport(etc: Path, transport: str) -> Check:
    """Does the PJSIP UDP transport the trunk endpoint names exist?"""
    names = layout.section_names(layout.read(etc, layout.TRANSPORTS_GENERATED))
    if transport in names:
        return ok("pjsip.transport", f"transport {transport} exists")
    return Check(
        "pjsip.transport",
        "fail",
        f"no transport [{transport}] in {layout.TRANSPORTS_GENERATED} (found: {', '.join(names)})",
        "set freepbx.udp_transport to your UDP transport's name",
    )


def check_wss_transport(etc: Path) -> Check:
    """Agents' softphones register over a PJSIP ``wss`` transport (FreePBX: SIP Settings)."""
    text = layout.read(etc, layout.TRANSPORTS_GENERATED)
    for name in layout.section_names(text):
        if layout.section_settings(text, name).get("protocol", "").lower() == "wss":
            return ok("pjsip.wss", f"WSS transport {name}")
    return Check(
        "pjsip.wss",
        "warn",
        f"no wss transport in {layout.TRANSPORTS_GENERATED}: WebRTC agents cannot register",
        "Settings → Asterisk SIP Settings → SIP Settings [chan_pjsip] → wss: 0.0.0.0 on; "
        "Submit, Apply Config",
    )


def nat_differences(etc: Path, fp: FreepbxSettings) -> list[str]:
    """What the UDP transport FreePBX generated lacks of the configured NAT settings
    (``freepbx.external_address``, ``freepbx.local_networks``)."""
    text = layout.read(etc, layout.TRANSPORTS_GENERATED)
    values = layout.section_values(text, fp.udp_transport)
    wrong = []
    external = fp.external_address
    for key in ("external_media_address", "external_signaling_address"):
        if external and values.get(key, [""])[-1] != external:
            wrong.append(f"{key} is not {external}")
    have = set(values.get("local_net", []))
    wrong += [f"local_net lacks {net}" for net in fp.local_networks if net not in have]
    return wrong


def check_nat(etc: Path, fp: FreepbxSettings) -> Check:
    """Behind NAT (every cloud VM) the transport must know its public address, or SDP
    carries the private one and callers hear nothing (one-way or no audio)."""
    transport = fp.udp_transport
    text = layout.read(etc, layout.TRANSPORTS_GENERATED)
    values = layout.section_settings(text, transport)
    wrong = nat_differences(etc, fp)
    if wrong:
        return Check(
            "pjsip.nat",
            "fail",
            f"{transport}: {'; '.join(wrong)}: callers would hear nothing",
            "switchboard freepbx install (sets External Address and Local Networks in "
            "FreePBX's SIP Settings), or Settings → Asterisk SIP Settings → General",
        )
    if values.get("external_media_address") and values.get("local_net"):
        return ok("pjsip.nat", f"{transport}: public {values['external_media_address']}")
    return Check(
        "pjsip.nat",
        "warn",
        f"{transport} has no external_media_address/local_net (fine only without NAT)",
        "set freepbx.external_address (the public IP) and freepbx.local_networks, then "
        "switchboard freepbx install; or Settings → Asterisk SIP Settings → General: "
        "External Address, Local Networks; Submit, Apply Config",
    )


def check_rtp_range(etc: Path) -> Check:
    """The RTP ports in force, which the firewall must admit from Twilio's media range."""
    values = layout.parse_settings(layout.read(etc, "rtp_additional.conf"))
    values = values or layout.parse_settings(layout.read(etc, "rtp.conf"))
    start, end = values.get("rtpstart"), values.get("rtpend")
    if not (start and end):
        return Check(
            "rtp.range",
            "warn",
            "no rtpstart/rtpend in rtp_additional.conf or rtp.conf",
            "set Settings → Asterisk SIP Settings → RTP Port Ranges; admit them in the firewall",
        )
    return ok(
        "rtp.range",
        f"RTP ports {start}-{end}: the firewall must admit them from 168.86.128.0/18 (Twilio)",
    )


YES = ("yes", "1", "true", "on")


def service_changes(etc: Path) -> dict[str, str]:
    """``fwconsole setting`` calls that turn on Asterisk's HTTP server and ARI if off."""
    http = layout.parse_settings(layout.read(etc, layout.HTTP_GENERATED))
    ari_generated = layout.read(etc, layout.ARI_GENERATED)
    ari = (
        layout.parse_settings(ari_generated)
        if ari_generated
        else layout.section_settings(layout.read(etc, "ari.conf"), "general")
    )
    changes = {}
    if http.get("enabled", "").lower() not in YES:
        changes["HTTPENABLED"] = "1"
    if ari.get("enabled", "").lower() not in YES:
        changes["ENABLE_ARI"] = "1"
    return changes


def check_services(etc: Path) -> Check:
    """Asterisk's HTTP server and ARI are on (FreePBX Advanced Settings)."""
    changes = service_changes(etc)
    if not changes:
        return ok("ari.enabled", "Asterisk's HTTP server and ARI are on")
    cmds = "; ".join(f"fwconsole setting {k} {v}" for k, v in changes.items())
    return Check("ari.enabled", "fail", f"off: {', '.join(changes)}", f"{cmds}; fwconsole reload")


def tls_changes(etc: Path, fp: FreepbxSettings) -> dict[str, str]:
    """The ``fwconsole setting`` calls that would make HTTPS/WSS match the settings."""
    http = layout.parse_settings(layout.read(etc, layout.HTTP_GENERATED))
    cert, key = str(fp.tls_cert_file), str(fp.tls_key_file)
    good = {
        "HTTPTLSENABLE": http.get("tlsenable", "").lower() in YES,
        "HTTPTLSBINDADDRESS": layout.same_bind_host(
            layout.bind_host(http.get("tlsbindaddr", "")), fp.wss_bind_address
        ),
        "HTTPTLSBINDPORT": layout.bind_port(http.get("tlsbindaddr", "")) == fp.wss_port,
        "HTTPTLSCERTFILE": http.get("tlscertfile") == cert,
        "HTTPTLSPRIVATEKEY": http.get("tlsprivatekey") == key,
    }
    wanted = {
        "HTTPTLSENABLE": "1",
        "HTTPTLSBINDADDRESS": fp.wss_bind_address,
        "HTTPTLSBINDPORT": str(fp.wss_port),
        "HTTPTLSCERTFILE": cert,
        "HTTPTLSPRIVATEKEY": key,
    }
    return {k: v for k, v in wanted.items() if not good[k]}


def check_tls_settings(etc: Path, fp: FreepbxSettings) -> Check:
    """HTTPS/WSS on the agents' port and address, with the configured certificate."""
    changes = tls_changes(etc, fp)
    if not changes:
        return ok("http.tls", f"WSS on {fp.wss_port} with {fp.tls_cert_file}")
    cmds = "; ".join(f"fwconsole setting {k} {v}" for k, v in changes.items())
    return Check(
        "http.tls",
        "fail",
        f"{layout.HTTP_GENERATED} differs in {', '.join(changes)}",
        f"{cmds}; fwconsole reload",
    )


def check_tls_files(fp: FreepbxSettings) -> list[Check]:
    """The certificate and key files the settings name exist."""
    found = []
    for label, path in (("cert", fp.tls_cert_file), ("key", fp.tls_key_file)):
        if fp.on_host(path).is_file():
            found.append(ok(f"http.tls_{label}", str(path)))
        else:
            found.append(
                Check(
                    f"http.tls_{label}",
                    "fail",
                    f"{path} does not exist",
                    "make a certificate in Admin → Certificate Management (set it as default), "
                    f"or set freepbx.tls_{label}_file",
                )
            )
    return found


def check_ari(probe: AriProbe) -> Check:
    """ARI answers with Switchboard's user."""
    status, _ = probe.get("asterisk/info")
    if status == 200:
        return ok("ari.reachable", f"ARI at {probe.url} accepts user {probe.user}")
    fixes = {
        0: "Asterisk's HTTP server is off or elsewhere: set ari.url, or "
        "fwconsole setting HTTPENABLED 1; fwconsole reload",
        401: "the ARI user's password differs: re-run switchboard freepbx install",
        404: "ARI is disabled: fwconsole setting ENABLE_ARI 1; fwconsole reload",
    }
    what = "no answer" if status == 0 else f"HTTP {status}"
    return Check(
        "ari.reachable",
        "fail",
        f"ARI at {probe.url}: {what}",
        fixes.get(status, "see docs/troubleshooting.md"),
    )


def check_app(probe: AriProbe, app: str) -> Check:
    """Is the Stasis app registered (Switchboard connected to ARI)?"""
    status, _ = probe.get(f"applications/{app}")
    if status == 200:
        return ok("ari.app", f"Stasis app {app} is registered")
    return Check(
        "ari.app",
        "warn",
        f"Stasis app {app} is not registered (HTTP {status})",
        "start Switchboard: `switchboard run` (or its systemd unit)",
    )


def worst(checks: list[Check]) -> Status:
    """The overall status of a list of checks."""
    states = {c.status for c in checks}
    return "fail" if "fail" in states else "warn" if "warn" in states else "ok"
