"""What FreePBX does with bulk-imported extensions, for the fwconsole stand-ins.

``fwconsole bulkimport --type=extensions FILE`` stores each row as a device and user in
FreePBX's database (here: ``devices.json`` in the stand-in's state folder); ``fwconsole
reload`` then writes them into the generated PJSIP files, as core's PJSip driver does:
endpoint ``[<ext>]`` (context, callerid, the WebRTC switches as PJSIP options) in
``pjsip.endpoint.conf``, ``[<ext>-auth]`` in ``pjsip.auth.conf`` and ``[<ext>]`` type aor in
``pjsip.aor.conf``. The files' own content (their include line, other endpoints) is kept as
it was before the first reload, the way FreePBX rewrites them from its database each time.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

GENERATED = ("pjsip.endpoint.conf", "pjsip.auth.conf", "pjsip.aor.conf")
YES = {"yes": "yes", "no": "no", "": "no"}


def record_import(state: Path, csv_file: Path) -> int:
    """Store the rows of a bulk import file as devices; return how many."""
    devices_file = state / "devices.json"
    devices = json.loads(devices_file.read_text()) if devices_file.exists() else {}
    with csv_file.open(newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row.get("tech") != "pjsip" or not row.get("extension", "").isdigit():
            raise ValueError(f"bad row {row}")
        devices[row["extension"]] = row
    devices_file.write_text(json.dumps(devices))
    return len(rows)


def _endpoint(ext: str, d: dict[str, str]) -> str:
    return (
        f"[{ext}]\ntype=endpoint\naors={ext}\nauth={ext}-auth\n"
        f"context={d.get('context') or 'from-internal'}\n"
        f"callerid={d.get('name', ext)} <{ext}>\ndisallow=all\nallow=ulaw,alaw,opus\n"
        "dtmf_mode=rfc4733\n"
        f"use_avpf={YES[d.get('avpf', '')]}\nice_support={YES[d.get('icesupport', '')]}\n"
        f"rtcp_mux={YES[d.get('rtcp_mux', '')]}\n"
        f"media_use_received_transport={YES[d.get('media_use_received_transport', '')]}\n"
        f"media_encryption={d.get('media_encryption') or 'no'}\n"
        "rtp_symmetric=yes\nrewrite_contact=yes\nforce_rport=yes\n\n"
    )


def generate(state: Path, etc: Path) -> None:
    """Write the stored devices into the generated PJSIP files (a ``fwconsole reload``)."""
    devices_file = state / "devices.json"
    devices = json.loads(devices_file.read_text()) if devices_file.exists() else {}
    originals = state / "originals"
    if not originals.exists():
        originals.mkdir()
        for name in GENERATED:
            path = etc / name
            (originals / name).write_text(path.read_text() if path.exists() else "")
    extra = {name: "" for name in GENERATED}
    for ext, d in sorted(devices.items()):
        extra["pjsip.endpoint.conf"] += _endpoint(ext, d)
        extra["pjsip.auth.conf"] += (
            f"[{ext}-auth]\ntype=auth\nauth_type=userpass\nusername={ext}\n"
            f"password={d['secret']}\n\n"
        )
        extra["pjsip.aor.conf"] += (
            f"[{ext}]\ntype=aor\nmax_contacts={d.get('max_contacts') or 1}\nremove_existing=yes\n\n"
        )
    for name in GENERATED:
        original = (originals / name).read_text()
        sep = "" if not original or original.endswith("\n") else "\n"
        (etc / name).write_text(original + sep + "\n" + extra[name])


def firewall_trusted(state: Path) -> list[str]:
    """Networks in the firewall module's trusted zone (as ``fwconsole firewall list``)."""
    path = state / "firewall.json"
    return list(json.loads(path.read_text())) if path.exists() else []


def firewall_add(state: Path, net: str) -> None:
    """``fwconsole firewall add trusted NET``: an address gets /32 as the module adds it."""
    if "/" not in net:
        net += "/32"
    nets = firewall_trusted(state)
    if net not in nets:
        nets.append(net)
    (state / "firewall.json").write_text(json.dumps(nets))


NAT_KEYS = ("external_media_address", "external_signaling_address", "local_net")


def generate_transports(state: Path, etc: Path) -> None:
    """Write the SIP Settings store's ``externip``/``localnets`` into every transport of
    ``pjsip.transports.conf``, as core's PJSip ``getTransportConfigs`` does."""
    store_file = state / "sipsettings.json"
    if not store_file.exists():
        return
    store = json.loads(store_file.read_text())
    nat = []
    if store.get("externip"):
        nat += [f"external_media_address={store['externip']}"]
        nat += [f"external_signaling_address={store['externip']}"]
    nat += [f"local_net={n['net']}/{n['mask']}" for n in store.get("localnets", [])]
    path = etc / "pjsip.transports.conf"
    out: list[str] = []
    for line in path.read_text().splitlines():
        if line.split("=", 1)[0].strip() in NAT_KEYS:
            continue
        out.append(line)
        if line.strip() == "type=transport":
            out += nat
    path.write_text("\n".join(out) + "\n")
