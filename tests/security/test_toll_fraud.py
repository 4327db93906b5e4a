"""Toll fraud, PBX side: no endpoint Switchboard hands out reaches the trunk (real SIP calls).

Every probe is a real SIP call placed with SIPp against the dev PBX: from a console agent's
plain-SIP endpoint (2101), a WebRTC agent endpoint (2001), the try-it endpoint
(``console.tryit_extension``), a test phone (1001) and the trunk itself (a call from
Twilio's stand-in address 127.0.0.2). Each dials international, premium-rate and
outbound-route numbers, and from inside an answered call asks Asterisk to transfer it there
(REFER). A fake Twilio listens where the trunk's AOR points (127.0.0.2:5062) and records
every INVITE: toll fraud would show up there. A canary proves the listener and the dev
PBX's outbound route work (a channel in FreePBX's ``from-internal`` does reach it), and a
legitimate call to the assistant still connects.
"""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest, ignore_missing
from switchboard.callers.baresip import free_port
from switchboard.settings import Settings
from tests.fixtures.pbx import agent_phone

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

FRAUD_NUMBERS = (
    "011882351234567",  # international (satellite, premium)
    "+88213123456",  # international, E.164
    "0044909879000",  # UK premium rate, 00 prefix
    "19005551234",  # US premium rate (1-900)
    "2025550123",  # a national number: any outbound route
)
ASSISTANT = "7000"


class FakeTwilio:
    """A UDP SIP listener at the trunk's address: records INVITEs, answers 403."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.settimeout(0.2)
        self.invites: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except OSError:
                continue
            text = data.decode(errors="replace")
            first = text.split("\r\n", 1)[0]
            if first.startswith("INVITE "):
                self.invites.append(first.split()[1])
                self.sock.sendto(_reply(text, "403 Forbidden"), peer)
            elif first.startswith(("OPTIONS ", "BYE ", "CANCEL ")):
                self.sock.sendto(_reply(text, "200 OK"), peer)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def _reply(request: str, status: str) -> bytes:
    keep = ("via", "from", "to", "call-id", "cseq")
    headers = [line for line in request.split("\r\n")[1:] if line.split(":", 1)[0].lower() in keep]
    return ("\r\n".join([f"SIP/2.0 {status}", *headers, "Content-Length: 0", "", ""])).encode()


@pytest.fixture
def fake_twilio(ari_settings: Settings) -> Iterator[FakeTwilio]:
    if ari_settings.pbx.mode != "dev":
        pytest.skip("needs the dev PBX's trunk stand-in address")
    listener = FakeTwilio(ari_settings.pbx.trunk_address, 5062)
    yield listener
    listener.close()


@dataclass(frozen=True)
class Endpoint:
    """Who places the probe: a registered endpoint (digest auth) or the trunk (by address)."""

    name: str
    password: str | None  # None: identified by source address (the trunk)
    source: str = "127.0.0.1"


def endpoints(settings: Settings) -> dict[str, Endpoint]:
    from freepbx.devpbx.secrets import read_secrets

    secrets = read_secrets(settings.devpbx_dir)
    assert secrets is not None
    pw = secrets.endpoint_passwords
    tryit = settings.console.tryit_extension
    return {
        "agent-sip": Endpoint("2101", pw["2101"]),
        "agent-webrtc": Endpoint("2001", pw["2001"]),
        "tryit": Endpoint(tryit, pw[tryit]),
        "test-phone": Endpoint("1001", pw["1001"]),
        "trunk": Endpoint("+15557654321", None, settings.pbx.trunk_address),
    }


_SDP = """v=0
o=probe 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
"""


def _invite(user: str, cseq: int, auth: bool) -> str:
    creds = "[authentication]\n" if auth else ""
    return f"""  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@[remote_ip]>;tag=[pid]T[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: {cseq} INVITE
Contact: <sip:{user}@[local_ip]:[local_port]>
Max-Forwards: 70
{creds}Content-Type: application/sdp
Content-Length: [len]

{_SDP}]]></send>
"""


def _in_dialog(method: str, user: str, cseq: int, extra: str = "") -> str:
    retrans = "" if method == "ACK" else ' retrans="500"'  # an ACK is never answered
    return f"""  <send{retrans}><![CDATA[
{method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@[remote_ip]>;tag=[pid]T[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: {cseq} {method}
Contact: <sip:{user}@[local_ip]:[local_port]>
Max-Forwards: 70
{extra}Content-Length: 0

]]></send>
"""


_OK = """  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
"""

FINALS = ("400", "403", "404", "405", "480", "484", "486", "488", "500", "501", "503", "603")


def probe_scenario(user: str, auth: bool, refer_to: str | None) -> str:
    """INVITE (answering a digest challenge when ``auth``); on 200, optionally REFER the call
    to ``refer_to``; then BYE. Every final answer is accepted: the outcome is read from
    SIPp's message trace."""
    cseq = 1
    steps = [_invite(user, cseq, auth=False)]
    if auth:
        steps.append('  <recv response="100" optional="true"/>\n')
        steps.append('  <recv response="401" auth="true"/>\n')
        steps.append(_in_dialog("ACK", user, cseq))
        cseq += 1
        steps.append(_invite(user, cseq, auth=True))
    for code in ("100", "180", "183"):
        steps.append(f'  <recv response="{code}" optional="true"/>\n')
    steps.append('  <recv response="200" optional="true" next="answered"/>\n')
    for code in FINALS[:-1]:
        steps.append(f'  <recv response="{code}" optional="true" next="refused"/>\n')
    steps.append(f'  <recv response="{FINALS[-1]}" next="refused"/>\n')
    steps.append('  <label id="answered"/>\n')
    steps.append(_in_dialog("ACK", user, cseq))
    if refer_to is not None:
        refer = (
            f"Refer-To: <sip:{refer_to}@[remote_ip]:[remote_port]>\n"
            f"Referred-By: <sip:{user}@[remote_ip]>\n"
        )
        steps.append(_in_dialog("REFER", user, cseq + 1, refer))
        steps.append('  <recv response="202" optional="true" next="accepted"/>\n')
        for code in FINALS[:-1]:
            steps.append(f'  <recv response="{code}" optional="true" next="hangup"/>\n')
        steps.append(f'  <recv response="{FINALS[-1]}" next="hangup"/>\n')
        # Accepted: Asterisk reports how the transfer went in NOTIFYs (message/sipfrag).
        steps.append('  <label id="accepted"/>\n')
        for _ in range(2):  # "100 Trying", then the outcome
            steps.append('  <recv request="NOTIFY" timeout="4000" ontimeout="hangup"/>\n')
            steps.append(_OK)
    steps.append('  <label id="hangup"/>\n')
    steps.append(_in_dialog("BYE", user, cseq + 2))
    steps.append('  <recv response="200" next="end"/>\n')
    steps.append('  <label id="refused"/>\n')
    steps.append(_in_dialog("ACK", user, cseq))
    steps.append('  <label id="end"/>\n')
    return (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="toll fraud probe">\n'
        + "".join(steps)
        + "</scenario>\n"
    )


@dataclass
class ProbeResult:
    """The final answers the probe got, by method (from SIPp's message trace)."""

    invite: str | None
    refer: str | None
    transfer: str | None
    """The last status Asterisk reported for an accepted REFER (NOTIFY message/sipfrag)."""
    trace: str


_SIPFRAG = re.compile(
    r"^Content-Type:\s*message/sipfrag.*?\n\n\s*SIP/2\.0 (\d{3})", re.M | re.S | re.I
)
_STATUS = re.compile(r"^SIP/2\.0 (\d{3})[^\n]*\n(?:.*\n)*?CSeq:\s*\d+\s+(\w+)", re.M | re.I)


def run_probe(
    workdir: Path, settings: Settings, who: Endpoint, dial: str, refer_to: str | None = None
) -> ProbeResult:
    """One SIPp call from ``who`` to ``dial`` (and REFER to ``refer_to`` once answered)."""
    workdir.mkdir(parents=True, exist_ok=True)
    scenario = workdir / "probe.xml"
    scenario.write_text(probe_scenario(who.name, who.password is not None, refer_to))
    args = [
        "sipp",
        f"127.0.0.1:{settings.pbx.sip_port}",
        "-sf",
        str(scenario),
        "-s",
        dial,
        "-i",
        who.source,
        "-p",
        str(free_port(who.source, socket.SOCK_DGRAM)),
        "-m",
        "1",
        "-trace_msg",
        "-message_file",
        str(workdir / "messages.log"),
        "-timeout",
        "20s",
        "-nostdin",
    ]
    if who.password is not None:
        args += ["-au", who.name, "-ap", who.password]
    subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=40, check=False)
    trace = (workdir / "messages.log").read_text(errors="replace")
    finals: dict[str, str] = {}
    for match in _STATUS.finditer(trace.replace("\r\n", "\n")):
        code, method = match.group(1), match.group(2).upper()
        if int(code) >= 200 and not (method == "INVITE" and code == "401"):
            finals[method] = code
    frags = _SIPFRAG.findall(trace.replace("\r\n", "\n"))
    return ProbeResult(
        finals.get("INVITE"), finals.get("REFER"), frags[-1] if frags else None, trace
    )


def _kinds() -> list[str]:
    return ["agent-sip", "agent-webrtc", "tryit", "test-phone", "trunk"]


async def _settle(ari: AriRest) -> None:
    for channel in await ari.list_channels():
        await ignore_missing(ari.hangup(channel.id))
    await asyncio.sleep(0.3)


async def test_canary_from_internal_does_reach_the_fake_trunk(
    fake_twilio: FakeTwilio, ari: AriRest, ari_settings: Settings, running_app: SwitchboardApp
) -> None:
    """Without Switchboard's contexts (FreePBX's from-internal), the same number leaves."""
    channel = await ari.originate(
        "Local/011882351234567@from-internal",
        app=ari_settings.ari.app,
        app_args="canary",
        timeout_s=5,
    )
    try:
        for _ in range(50):
            if fake_twilio.invites:
                break
            await asyncio.sleep(0.1)
    finally:
        await ignore_missing(ari.hangup(channel.id))
        await _settle(ari)
    assert fake_twilio.invites and "011882351234567" in fake_twilio.invites[0]


@pytest.mark.parametrize("kind", _kinds())
async def test_no_endpoint_dials_out(
    kind: str,
    fake_twilio: FakeTwilio,
    ari: AriRest,
    ari_settings: Settings,
    running_app: SwitchboardApp,
    tmp_path: Path,
) -> None:
    who = endpoints(ari_settings)[kind]
    for number in FRAUD_NUMBERS:
        result = await asyncio.to_thread(
            run_probe, tmp_path / number.lstrip("+"), ari_settings, who, number
        )
        assert result.invite is not None, result.trace[-3000:]
        if kind == "trunk":
            # A call from the phone network to any number only ever reaches the assistant.
            assert result.invite in ("200", "404", "503"), (number, result.invite)
        else:
            assert result.invite != "200", (kind, number)
        await _settle(ari)
    assert fake_twilio.invites == [], f"{kind} reached the trunk: {fake_twilio.invites}"


@pytest.fixture
async def answering_agent(ari_settings: Settings, tmp_path: Path) -> AsyncIterator[Any]:
    """Agent phone 2102 (baresip, auto-answer): a call bridged outside any Stasis app."""
    (tmp_path / "answering").mkdir()
    phone = await agent_phone(ari_settings, tmp_path / "answering", "2102")
    yield phone
    phone.stop()


@pytest.mark.parametrize("kind", ["agent-sip", "test-phone", "trunk"])
async def test_transfers_out_are_refused(
    kind: str,
    fake_twilio: FakeTwilio,
    ari: AriRest,
    ari_settings: Settings,
    running_app: SwitchboardApp,
    answering_agent: Any,
    tmp_path: Path,
) -> None:
    """In an answered call (agent to agent; the trunk to the assistant), the caller asks
    Asterisk (REFER) to transfer the other party out."""
    who = endpoints(ari_settings)[kind]
    dial = ari_settings.pbx.demo_did if kind == "trunk" else "2102"
    for number in FRAUD_NUMBERS[:3]:
        result = await asyncio.to_thread(
            run_probe, tmp_path / number.lstrip("+"), ari_settings, who, dial, number
        )
        assert result.invite == "200", result.trace[-3000:]
        assert result.refer is not None, result.trace[-3000:]
        if result.refer == "202":  # accepted for processing: Asterisk then reports failure
            assert result.transfer is not None and int(result.transfer) >= 300, result.trace
        await asyncio.sleep(0.5)  # a transfer that went ahead would dial the trunk now
        await _settle(ari)
    assert fake_twilio.invites == [], f"{kind} transferred out: {fake_twilio.invites}"


async def test_a_transfer_inside_the_agents_context_is_accepted(
    fake_twilio: FakeTwilio,
    ari: AriRest,
    ari_settings: Settings,
    running_app: SwitchboardApp,
    answering_agent: Any,
    tmp_path: Path,
) -> None:
    """The REFER probe can tell accepted from refused: an agent may transfer a call to the
    assistant."""
    who = endpoints(ari_settings)["agent-sip"]
    result = await asyncio.to_thread(run_probe, tmp_path, ari_settings, who, "2102", ASSISTANT)
    await _settle(ari)
    assert result.invite == "200" and result.refer == "202", result.trace[-3000:]
    assert result.transfer == "200", result.trace[-3000:]
    assert fake_twilio.invites == []


@pytest.mark.parametrize("kind", ["agent-sip", "tryit", "test-phone", "trunk"])
async def test_legitimate_call_to_the_assistant_connects(
    kind: str,
    ari: AriRest,
    ari_settings: Settings,
    running_app: SwitchboardApp,
    tmp_path: Path,
) -> None:
    who = endpoints(ari_settings)[kind]
    dial = ari_settings.pbx.demo_did if kind == "trunk" else ASSISTANT
    if kind == "tryit":
        # The try-it endpoint is WebRTC (DTLS media): a plain-RTP offer is refused for its
        # media (488), after the dialplan found the assistant (not 404).
        result = await asyncio.to_thread(run_probe, tmp_path, ari_settings, who, dial)
        assert result.invite in ("200", "488"), result.trace[-3000:]
    else:
        result = await asyncio.to_thread(run_probe, tmp_path, ari_settings, who, dial)
        assert result.invite == "200", result.trace[-3000:]
    await _settle(ari)


def test_endpoint_contexts_as_asterisk_runs_them(dev_pbx: Any, ari_settings: Settings) -> None:
    if dev_pbx is None:
        pytest.skip("reads the dev PBX's endpoints")
    tryit = ari_settings.console.tryit_extension
    expected = {
        "2001": "switchboard-agents",
        "2002": "switchboard-agents",
        "2101": "switchboard-agents",
        "1001": "switchboard-agents",
        tryit: "switchboard-tryit",
        "twilio": "from-pstn",
    }
    for name, context in expected.items():
        out = dev_pbx.cli(f"pjsip show endpoint {name}")
        assert re.search(rf"^\s*context\s*:\s*{context}\s*$", out, re.M), (name, out[:500])
        if name != "twilio":
            assert re.search(rf"^\s*TRANSFER_CONTEXT\s*:\s*{context}\s*$", out, re.M), name
    trunk = dev_pbx.cli("pjsip show endpoint twilio")
    assert re.search(r"^\s*allow_transfer\s*:\s*false\s*$", trunk, re.M)
    assert re.search(r"^\s*TRANSFER_CONTEXT\s*:\s*switchboard-no-transfer\s*$", trunk, re.M)
    queue = dev_pbx.cli("queue show 400")
    assert f"PJSIP/{tryit}" not in queue  # the try-it endpoint is nobody's agent
    for context in ("switchboard-agents", "switchboard-tryit"):
        out = dev_pbx.cli(f"dialplan show 011882351234567@{context}")
        assert "There is no existence" in out or "0 extensions" in out, out
