"""A real SIP caller: baresip playing a WAV as its microphone and recording what it hears.

Used by the end-to-end tests and by commands that call the assistant from outside. baresip
runs unattended (``-e "/dial ..." -t SECONDS``) and is driven over ``ctrl_tcp`` (netstring
JSON) to send DTMF and hang up. The ``sndfile`` filter writes what the caller heard to
``<workdir>/rec/dump-...-dec.wav``.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import wave
from dataclasses import dataclass
from pathlib import Path

MODULE_PATH = "/usr/lib/baresip/modules"


class CallerError(RuntimeError):
    """baresip is missing, failed to start, or could not be driven."""


@dataclass(frozen=True)
class CallerAccount:
    """Who the caller is: ``user@address`` with an optional password (registers if set)."""

    user: str
    address: str = "127.0.0.1"
    password: str | None = None
    registrar: str | None = None
    auto_answer: bool | None = None
    """Answer incoming calls at once; by default registered accounts (agents) do, others not."""

    def line(self) -> str:
        """The baresip ``accounts`` line."""
        registered = self.password is not None
        auto = self.auto_answer if self.auto_answer is not None else registered
        answer = ";answermode=auto" if auto else ""
        if not registered:
            return f"<sip:{self.user}@{self.address}>;regint=0{answer}"
        registrar = self.registrar or "127.0.0.1"
        return f"<sip:{self.user}@{registrar}>;auth_pass={self.password};regint=600{answer}"


BARESIP_JITTER_FRAMES = (5, 10)
"""baresip 1.0's RTP jitter buffer when the config does not set one (min-max 20 ms frames)."""


def free_port(address: str = "127.0.0.1", kind: int = socket.SOCK_STREAM) -> int:
    """A port that is free on ``address`` right now."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
        return port


class BaresipCaller:
    """One baresip process: call, send DTMF, hang up, collect the recording."""

    def __init__(
        self,
        workdir: Path,
        account: CallerAccount,
        microphone_wav: Path,
        *,
        sample_rate: int = 8000,
        listen_address: str | None = None,
        sip_port: int | None = None,
        sip_trace: bool = False,
        jitter_buffer_frames: tuple[int, int] | None = None,
    ) -> None:
        if shutil.which("baresip") is None:
            raise CallerError("baresip is not installed (apt-get install baresip-core)")
        self.workdir = workdir
        self.account = account
        self.microphone = microphone_wav
        self.sample_rate = sample_rate
        self.listen_address = listen_address or account.address
        self.sip_port = sip_port or free_port(self.listen_address, socket.SOCK_DGRAM)
        self.ctrl_port = free_port()
        self.rtp_port = free_port(self.listen_address, socket.SOCK_DGRAM)
        self.sip_trace = sip_trace
        self.jitter_buffer_frames = jitter_buffer_frames
        """baresip's RTP jitter buffer (min-max 20 ms frames); None keeps
        :data:`BARESIP_JITTER_FRAMES`."""
        self.proc: subprocess.Popen[bytes] | None = None

    def _write_config(self) -> None:
        rec = self.workdir / "rec"
        rec.mkdir(parents=True, exist_ok=True)
        rtp = self.rtp_port
        lines = [
            "poll_method epoll",
            f"sip_listen {self.listen_address}:{self.sip_port}",
            "sip_transports udp",
            "call_local_timeout 120",
            "call_max_calls 4",
            f"audio_source aufile,{self.microphone}",
            f"audio_player aufile,{self.workdir / 'player.wav'}",
            "audio_alert aufile,/dev/null",
            f"ausrc_srate {self.sample_rate}",
            f"auplay_srate {self.sample_rate}",
            "ausrc_channels 1",
            "auplay_channels 1",
            f"rtp_ports {rtp}-{rtp + 9}",
            f"module_path {MODULE_PATH}",
            "module g711.so",
            "module aufile.so",
            "module sndfile.so",
            "module_app account.so",
            "module_app menu.so",
            "module_app ctrl_tcp.so",
            f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
            f"snd_path {rec}",
        ]
        if self.jitter_buffer_frames is not None:
            low, high = self.jitter_buffer_frames
            lines.append(f"jitter_buffer_delay {low}-{high}")
        (self.workdir / "config").write_text("\n".join(lines) + "\n")
        (self.workdir / "accounts").write_text(self.account.line() + "\n")

    def start(self, dial: str | None, seconds: float) -> None:
        """Start baresip; dial ``dial`` (a SIP URI) at once if given; quit after ``seconds``."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        args = ["baresip", "-f", str(self.workdir), "-t", str(int(seconds))]
        if self.sip_trace:
            args.append("-s")
        if dial:
            args += ["-e", f"/dial {dial}"]
        log = (self.workdir / "baresip.log").open("wb")
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self._wait_ctrl()

    def _wait_ctrl(self, timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise CallerError(f"baresip exited at start; see {self.workdir / 'baresip.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise CallerError("baresip's control port did not open")

    def command(self, name: str, params: str = "") -> dict[str, object]:
        """Send one ctrl_tcp command (netstring JSON) and return baresip's response."""
        payload = json.dumps({"command": name, "params": params, "token": "t"}).encode()
        with socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=3) as sock:
            sock.sendall(f"{len(payload)}:".encode() + payload + b",")
            data = b""
            sock.settimeout(3)
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
                if _netstring_complete(data):
                    break
        for message in _netstrings(data):
            if message.get("response"):
                return message
        return {}

    def send_dtmf(self, digits: str, gap_s: float = 0.3) -> None:
        """Key ``digits`` on the active call (RFC 4733)."""
        for digit in digits:
            self.command("sndcode", digit)
            time.sleep(gap_s)

    def hangup(self) -> None:
        """Hang up the active call."""
        self.command("hangup")

    def log_text(self) -> str:
        """What baresip printed so far."""
        path = self.workdir / "baresip.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def call_established(self) -> bool:
        """True once baresip reported the call as established."""
        return "Call established" in self.log_text()

    def wait_established(self, timeout_s: float = 10.0) -> None:
        """Block until the call is established, or raise :class:`CallerError`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.call_established():
                return
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise CallerError(f"call not established; baresip said:\n{self.log_text()[-1500:]}")

    def wait_registered(self, timeout_s: float = 10.0) -> None:
        """Block until the account registered with the PBX, or raise :class:`CallerError`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            text = self.log_text()
            if "200 OK" in text and "binding" in text:
                return
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise CallerError(f"not registered; baresip said:\n{self.log_text()[-1500:]}")

    def wait_incoming_established(self, timeout_s: float = 20.0) -> None:
        """Block until an incoming call was answered (auto-answer accounts)."""
        self.wait_established(timeout_s)

    def wait(self, timeout_s: float = 60.0) -> int:
        """Wait for baresip to quit; kill it after ``timeout_s``."""
        if self.proc is None:
            return 0
        try:
            return self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def stop(self) -> None:
        """Quit baresip now (idempotent)."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.command("quit")
                self.proc.wait(3)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()

    @property
    def rtp_ports(self) -> range:
        """The UDP ports baresip takes its RTP (and RTCP) port from."""
        return range(self.rtp_port, self.rtp_port + 10)

    def recording(self) -> Path:
        """The WAV of what the caller heard (raises if baresip wrote none)."""
        return self._dump("dec")

    def sent_recording(self) -> Path:
        """The WAV of what the caller's microphone sent."""
        return self._dump("enc")

    def recording_offset_s(self) -> float:
        """Seconds between the microphone starting and the recording of what was heard.

        baresip opens the "heard" file at the first audio packet received, a little after the
        microphone starts; both files stop together at hang-up, so their lengths tell the
        offset. Add it to times in :meth:`recording` to put them on the microphone's
        timeline (the timeline of a rendered caller script).
        """
        with (
            wave.open(str(self.sent_recording())) as sent,
            wave.open(str(self.recording())) as heard,
        ):
            sent_s: float = sent.getnframes() / sent.getframerate()
            heard_s: float = heard.getnframes() / heard.getframerate()
        return max(0.0, sent_s - heard_s)

    def _dump(self, kind: str) -> Path:
        """The ``kind`` dump of the call that carried the most audio heard: a phone may also
        pick up a late retransmitted INVITE of a call the PBX gave up ringing earlier, which
        the PBX ends at once and which leaves empty dumps behind."""
        heard = sorted((self.workdir / "rec").glob("dump-*-dec.wav"))
        if not heard:
            raise CallerError(f"baresip wrote no {kind} recording")
        main_call = max(heard, key=lambda path: (path.stat().st_size, path.name))
        found = main_call.with_name(main_call.name.replace("-dec.wav", f"-{kind}.wav"))
        if not found.exists():
            raise CallerError(f"baresip wrote no {kind} recording")
        return found


def _netstrings(data: bytes) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    while data:
        head, sep, rest = data.partition(b":")
        if not sep or not head.isdigit():
            break
        size = int(head)
        body, data = rest[:size], rest[size + 1 :]
        try:
            out.append(json.loads(body))
        except ValueError:
            break
    return out


def _netstring_complete(data: bytes) -> bool:
    return any("response" in m for m in _netstrings(data))
