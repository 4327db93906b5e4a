"""SIPp as a real SIP caller for scripted and concurrent calls (package ``sip-tester``).

:func:`uac_scenario` writes a caller scenario (INVITE → 200 → ACK → optional audio from a
pcap → pause → BYE); :func:`run_sipp` runs it and returns counts plus per-call set-up times
(INVITE sent → 200 OK, from SIPp's ``-trace_rtt`` file).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.callers.baresip import free_port

G711A_PCAP = Path("/usr/share/sip-tester/g711a.pcap")

_INVITE = """\
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "SIPp" <sip:+1555000[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 8 101
      a=rtpmap:8 PCMA/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "SIPp" <sip:+1555000[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
"""

_BYE = """\
  <send retrans="500">
    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "SIPp" <sip:+1555000[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
"""


def uac_scenario(hold_ms: int, *, audio_pcap: Path | None = G711A_PCAP) -> str:
    """A caller that answers nothing, plays ``audio_pcap`` (if any), waits, then hangs up."""
    audio = ""
    if audio_pcap is not None:
        audio = f'  <nop><action><exec play_pcap_audio="{audio_pcap}"/></action></nop>\n'
    pause = f'  <pause milliseconds="{hold_ms}"/>\n' if hold_ms > 0 else ""
    return (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n'
        '<scenario name="switchboard caller">\n'
        f"{_INVITE}{audio}{pause}{_BYE}"
        "</scenario>\n"
    )


@dataclass
class SippResult:
    """What one SIPp run did."""

    returncode: int
    successful: int
    failed: int
    setup_ms: list[float] = field(default_factory=list)
    output: str = ""


def run_sipp(
    workdir: Path,
    scenario_xml: str,
    *,
    target: str,
    service: str,
    calls: int,
    concurrent: int,
    rate_per_s: float,
    local_address: str = "127.0.0.2",
    timeout_s: float = 120.0,
) -> SippResult:
    """Run SIPp to ``target`` (host:port) dialling ``service``; block until it finishes."""
    if shutil.which("sipp") is None:
        raise RuntimeError("sipp is not installed (apt-get install sip-tester)")
    workdir.mkdir(parents=True, exist_ok=True)
    scenario = workdir / "scenario.xml"
    scenario.write_text(scenario_xml)
    sip_port = free_port(local_address)
    media_port = free_port(local_address)
    args = [
        "sipp",
        target,
        "-sf",
        str(scenario),
        "-s",
        service,
        "-i",
        local_address,
        "-p",
        str(sip_port),
        "-mi",
        local_address,
        "-mp",
        str(media_port),
        "-m",
        str(calls),
        "-l",
        str(concurrent),
        "-r",
        str(rate_per_s),
        "-rp",
        "1000",
        "-trace_rtt",
        "-rtt_freq",
        "1",
        "-trace_stat",
        "-fd",
        "1",
        "-timeout",
        f"{int(timeout_s)}s",
        "-timeout_error",
        "-nostdin",
    ]
    proc = subprocess.run(
        args, cwd=workdir, capture_output=True, text=True, timeout=timeout_s + 30, check=False
    )
    result = SippResult(proc.returncode, 0, 0, output=proc.stdout + proc.stderr)
    for stat in workdir.glob("scenario_*_.csv"):
        result.successful, result.failed = _final_counts(stat)
    for rtt in workdir.glob("scenario_*_rtt.csv"):
        result.setup_ms += _rtts(rtt)
    return result


def _final_counts(path: Path) -> tuple[int, int]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    header, last = lines[0].split(";"), lines[-1].split(";")
    row = dict(zip(header, last, strict=False))
    return int(row.get("SuccessfulCall(C)", 0) or 0), int(row.get("FailedCall(C)", 0) or 0)


def _rtts(path: Path) -> list[float]:
    values = []
    for line in path.read_text().splitlines()[1:]:
        parts = line.split(";")
        if len(parts) >= 2:
            try:
                values.append(float(parts[1]))
            except ValueError:
                continue
    return values
