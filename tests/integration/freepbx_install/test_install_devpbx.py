"""The installer against the dev PBX's real Asterisk: files load, a call reaches the app.

The dev PBX's /etc/asterisk has FreePBX 17's include structure, with Switchboard's custom
files written whole. Here those files are replaced with an admin's own lines (a fresh
FreePBX box), the installer writes its marked blocks, Asterisk reloads them, and a call to
the assistant's extension reaches the Stasis app with the DID. Afterwards the dev PBX's own
configuration is written back and reloaded for the tests that follow.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from ari_app.ari.connection import AriEventStream
from ari_app.ari.events import AriEvent, StasisStart
from ari_app.ari.rest import AriRest, ignore_missing
from freepbx import blocks, layout
from freepbx.doctor import pbx_from_settings
from freepbx.install import install
from switchboard.settings import FreepbxSettings, Settings, TwilioSettings

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

DEVBIN = Path(__file__).parent / "devbin"
APP = "sbinstall-test"
ADMIN = {
    "extensions_custom.conf": "; admin's own\n[sb-admin-ctx]\nexten => s,1,Answer()\n",
    "pjsip.endpoint_custom.conf": "; admin's own\n[sb-admin-fax]\ntype = endpoint\n"
    "context = from-internal\ndisallow = all\nallow = ulaw\n",
}


@pytest.fixture
def fresh_freepbx(
    dev_pbx: Any, ari_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The dev PBX's tree as a fresh FreePBX: no Switchboard lines, an admin's own ones."""
    if dev_pbx is None:
        pytest.skip("needs the dev PBX (pbx.mode = dev): the test rewrites its /etc/asterisk")
    root: Path = dev_pbx.root
    etc = root / "etc" / "asterisk"
    for t in layout.TARGETS:
        (etc / t.filename).write_text(ADMIN.get(t.filename, ""))
    monkeypatch.setenv("DEVPBX_ROOT", str(root))
    monkeypatch.setenv("FAKE_PBX_DIR", str(tmp_path))
    s, pbx = ari_settings, ari_settings.pbx
    settings = s.model_copy(
        update={
            "ari": s.ari.model_copy(update={"app": APP}),
            "freepbx": FreepbxSettings(
                root=root,
                fwconsole=str(DEVBIN / "fwconsole"),
                asterisk=str(DEVBIN / "asterisk"),
                trunk_match=(pbx.trunk_address,),
                assistant_did=pbx.demo_did,
                webrtc_agents=("2001", "2002", "2003"),
                departments={"general": "400", "support": "401", "sales": "402", "billing": "403"},
                wss_port=pbx.wss_port,
                wss_bind_address=pbx.bind_address,
                tls_cert_file=Path("/etc/asterisk/keys/switchboard.crt"),
                tls_key_file=Path("/etc/asterisk/keys/switchboard.key"),
                manage_firewall=False,  # the host's fail2ban is not the dev PBX's
            ),
            "twilio": TwilioSettings(
                domain_name=f"{pbx.trunk_address}:5062", phone_numbers=(pbx.demo_did,)
            ),
        }
    )
    try:
        yield settings
    finally:
        dev_pbx.configure()
        dev_pbx.cli("core reload")


class Events:
    """StasisStart events of the test's app."""

    def __init__(self) -> None:
        self.starts: asyncio.Queue[StasisStart] = asyncio.Queue()

    async def handle(self, event: AriEvent) -> None:
        if isinstance(event, StasisStart):
            await self.starts.put(event)


@pytest.fixture
async def app_events(ari_settings: Settings) -> AsyncIterator[Events]:
    assert ari_settings.ari.password is not None
    stream = AriEventStream(
        ari_settings.ari_url,
        APP,
        ari_settings.ari.user,
        ari_settings.ari.password.get_secret_value(),
    )
    events = Events()
    task = asyncio.create_task(stream.run(events.handle))
    async with asyncio.timeout(10):
        await stream.connected.wait()
    yield events
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_installed_files_load_and_a_call_reaches_the_app(
    fresh_freepbx: Settings, app_events: Events, ari: AriRest, dev_pbx: Any, tmp_path: Path
) -> None:
    report = await asyncio.to_thread(install, pbx_from_settings(fresh_freepbx))
    assert report.error == "", report.as_dict()
    assert report.reloaded and report.settings == {}  # dev PBX: WSS 7443 already set
    assert report.missing_queues == ["billing"]  # 400-402 exist as "FreePBX" queues
    verify = {c.name: c.status for c in report.verify}
    pbx = fresh_freepbx.pbx
    assert verify["ari.reachable"] == "ok" and verify["ari.app"] == "ok", report.as_dict()
    assert report.status != "fail", report.as_dict()
    # loopback: no NAT; the dev PBX's certificate is self-signed; no agent is signed in
    warned = [c.name for c in report.verify if c.status != "ok"]
    assert warned == ["pjsip.nat", "cert.valid", "agents.registered"], report.as_dict()
    assert verify["asterisk.chan_websocket"] == "ok"  # asked the real Asterisk
    assert verify["trunk.identify"] == "ok" and verify[f"route.{pbx.demo_did}"] == "ok"
    calls = [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
    assert ["fwconsole", "reload"] in calls

    etc = fresh_freepbx.freepbx.etc
    for name, text in ADMIN.items():
        assert blocks.split((etc / name).read_text()).outside == text
    assert "Stasis(sbinstall-test,inbound" in dev_pbx.cli("dialplan show s@switchboard-inbound")
    assert "Answer()" in dev_pbx.cli("dialplan show sb-admin-ctx")  # the admin's lines load too
    assert "Unable to find" not in dev_pbx.cli("pjsip show endpoint twilio")
    assert "sb-admin-fax" in dev_pbx.cli("pjsip show endpoints")
    # Switchboard's [ext-queues] lines merge into FreePBX's context instead of replacing it
    assert "Queue(403,tr" in dev_pbx.cli("dialplan show 403@ext-queues")
    assert "Queue(400" in dev_pbx.cli("dialplan show 400@ext-queues")
    assert "403 has 0 calls" in dev_pbx.cli("queue show 403")
    # the agents are "FreePBX extensions" (bulk import, generated on reload), amended by
    # Switchboard's [ext](+) lines: real Asterisk loads them as restricted WebRTC endpoints
    assert report.imported_agents == ["2001", "2002"]
    for agent in ("2001", "2002"):
        shown = dev_pbx.cli(f"pjsip show endpoint {agent}")
        settings = {
            k.strip(): v.strip() for k, _, v in (line.partition(":") for line in shown.splitlines())
        }
        assert settings["context"] == "switchboard-agents", settings
        assert settings["webrtc"] == "yes" and settings["media_encryption"] == "dtls"
        assert settings["dtls_auto_generate_cert"] == "Yes"
    assert "Local/2001@from-queue/n" in dev_pbx.cli("queue show 403")
    identify = dev_pbx.cli("pjsip show identify twilio")
    assert fresh_freepbx.pbx.trunk_address in identify

    channel = await ari.originate(
        "Local/7000@from-internal", app=APP, app_args="caller-leg", timeout_s=10
    )
    try:
        async with asyncio.timeout(10):
            while True:
                start = await app_events.starts.get()
                if start.args[:1] == ("inbound",):
                    break
        assert start.args == ("inbound", fresh_freepbx.pbx.demo_did)
    finally:
        await ignore_missing(ari.hangup(channel.id))
        for other in await ari.list_channels():
            await ignore_missing(ari.hangup(other.id))

    again = await asyncio.to_thread(install, pbx_from_settings(fresh_freepbx))
    assert again.files == [] and not again.reloaded
    assert os.environ["DEVPBX_ROOT"] == str(dev_pbx.root)
