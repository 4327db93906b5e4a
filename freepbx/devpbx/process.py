"""Start, stop and inspect the dev PBX's Asterisk (a child process in the chroot).

Asterisk runs in the foreground (``-f``) inside the chroot, so the pid we hold is Asterisk's
own. Its pid is written to ``<state>/devpbx/asterisk.pid`` so ``switchboard pbx down`` and
``status`` work from another shell.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from freepbx.devpbx import build, config
from freepbx.devpbx.secrets import ensure_secrets
from freepbx.versions import AsteriskVersion, parse_asterisk_version
from switchboard.settings import Settings

log = logging.getLogger(__name__)

PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


class DevPbxError(RuntimeError):
    """The dev PBX could not be prepared, started or reached; the message says what to do."""


@dataclass(frozen=True)
class PbxStatus:
    """What ``switchboard pbx status`` reports."""

    running: bool
    pid: int | None
    version: str | None
    ari_ok: bool
    root: str

    def as_dict(self) -> dict[str, Any]:
        """The status as a JSON-ready dict."""
        return {
            "running": self.running,
            "pid": self.pid,
            "version": self.version,
            "ari_ok": self.ari_ok,
            "root": self.root,
        }


class DevPbx:
    """The dev PBX of one settings object: its root, its config and its Asterisk process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.devpbx_dir
        self.root = self.dir / "root"
        self.pid_file = self.dir / "asterisk.pid"
        self.log_file = self.dir / "asterisk.out"
        self._proc: subprocess.Popen[bytes] | None = None

    # -- preparation -------------------------------------------------------------------
    def build(self, force: bool = False) -> build.BuildResult:
        """Build or restore the root, then write a fresh configuration."""
        result = build.ensure_root(self.root, self.settings.cache_dir, force=force)
        self.configure()
        return result

    def configure(self) -> None:
        """(Re)write ``/etc/asterisk`` in the root from settings and secrets."""
        secrets = ensure_secrets(self.dir)
        config.write_config(self.root, self.settings, secrets)

    def version(self) -> AsteriskVersion:
        """The Asterisk version installed in the root."""
        out = self._chroot_output(["/usr/sbin/asterisk", "-V"])
        return parse_asterisk_version(out)

    def check_version(self) -> AsteriskVersion:
        """Raise :class:`DevPbxError` unless Asterisk is at least the configured minimum."""
        found = self.version()
        needed = parse_asterisk_version(self.settings.pbx.min_asterisk_version)
        if found < needed:
            raise DevPbxError(
                f"Asterisk {found} is too old: Switchboard needs {needed} or newer "
                "(chan_websocket media). Rebuild with `switchboard pbx build --force`."
            )
        return found

    # -- process -----------------------------------------------------------------------
    def running_pid(self) -> int | None:
        """The pid of a running dev PBX Asterisk, or None."""
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        try:
            pid = int(self.pid_file.read_text())
        except (OSError, ValueError):
            pid = 0
        if pid and _is_asterisk(pid):
            return pid
        strays = self._asterisks_in_root()
        return strays[0] if strays else None

    def _asterisks_in_root(self) -> list[int]:
        """Asterisk processes running inside this root (e.g. left by a killed run)."""
        root = str(self.root.resolve())
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.readlink(entry / "root") == root and _is_asterisk(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
        return sorted(found)

    def start(self, timeout_s: float = 30.0) -> int:
        """Start Asterisk (building the root if needed) and wait until ARI answers."""
        if (pid := self.running_pid()) is not None:
            self.wait_for_ari(timeout_s)
            return pid
        if not build.root_is_ready(self.root):
            self.build()
        else:
            self.configure()
        self.check_version()
        self._check_ports_free()
        self._mount_proc()
        run_dir = self.root / "var" / "run" / "asterisk"
        run_dir.mkdir(parents=True, exist_ok=True)
        os.chown(run_dir, build.ASTERISK_UID, build.ASTERISK_UID)
        keys = self.root / "etc" / "asterisk" / "keys"
        for path in keys.iterdir():
            os.chown(path, 0, build.ASTERISK_UID)
        out = self.log_file.open("ab")
        self._proc = subprocess.Popen(
            [
                "chroot",
                str(self.root),
                "env",
                "-i",
                f"PATH={PATH}",
                "LANG=C.UTF-8",
                "/usr/sbin/asterisk",
                "-f",
                "-n",
                "-U",
                "asterisk",
                "-G",
                "asterisk",
            ],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        self.pid_file.write_text(str(self._proc.pid))
        try:
            self.wait_for_ari(timeout_s)
        except DevPbxError:
            self.stop()
            raise
        log.info("dev PBX up: pid %s, ARI at %s", self._proc.pid, self.settings.ari_url)
        return self._proc.pid

    def stop(self, timeout_s: float = 10.0) -> bool:
        """Stop Asterisk (graceful, then SIGKILL) and unmount /proc; True if it was running."""
        pid = self.running_pid()
        if pid is not None:
            subprocess.run(
                self._chroot_cmd(["/usr/sbin/asterisk", "-rx", "core stop now"]),
                capture_output=True,
                timeout=timeout_s,
                check=False,
            )
            if not _wait_gone(pid, self._proc, timeout_s):
                log.warning("dev PBX did not stop in %.0f s; killing pid %s", timeout_s, pid)
                os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, self._proc, 5.0)
        self._proc = None
        self.pid_file.unlink(missing_ok=True)
        self._unmount_proc()
        return pid is not None

    def exited(self) -> int | None:
        """The exit code if the Asterisk this object started has died, else None."""
        return None if self._proc is None else self._proc.poll()

    def cli(self, command: str, timeout_s: float = 10.0) -> str:
        """Run one Asterisk CLI command (``asterisk -rx``) and return its output."""
        if self.running_pid() is None:
            raise DevPbxError("the dev PBX is not running (`switchboard pbx up`)")
        return self._chroot_output(["/usr/sbin/asterisk", "-rx", command], timeout_s)

    def status(self) -> PbxStatus:
        """Is it running, which version, does ARI answer."""
        pid = self.running_pid()
        version = str(self.version()) if build.root_is_ready(self.root) else None
        return PbxStatus(pid is not None, pid, version, self.ari_ok(), str(self.root))

    # -- ARI readiness -----------------------------------------------------------------
    def ari_ok(self) -> bool:
        """True when ARI answers ``GET /ari/asterisk/info`` with our credentials."""
        try:
            self._ari_info()
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return True

    def wait_for_ari(self, timeout_s: float) -> None:
        """Poll ARI until it answers; raise :class:`DevPbxError` after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise DevPbxError(
                    f"Asterisk exited with code {self._proc.returncode} while starting; "
                    f"see {self.log_file}"
                )
            try:
                self._ari_info()
                return
            except urllib.error.HTTPError as exc:
                if exc.code == 401:
                    raise DevPbxError("ARI rejected the dev PBX's own credentials") from exc
                last = exc
            except (OSError, urllib.error.URLError) as exc:
                last = exc
            time.sleep(0.1)
        raise DevPbxError(f"ARI did not answer within {timeout_s:.0f} s: {last}")

    def _ari_info(self) -> dict[str, Any]:
        password = self.settings.ari.password
        if password is None:
            from freepbx.devpbx.secrets import read_secrets

            secrets = read_secrets(self.dir)
            secret = secrets.ari_password if secrets else ""
        else:
            secret = password.get_secret_value()
        token = base64.b64encode(f"{self.settings.ari.user}:{secret}".encode()).decode()
        req = urllib.request.Request(
            f"{self.settings.ari_url}/ari/asterisk/info",
            headers={"Authorization": f"Basic {token}"},
        )
        with urllib.request.urlopen(req, timeout=2) as resp:
            data: dict[str, Any] = json.loads(resp.read())
            return data

    # -- helpers -------------------------------------------------------------------------
    def _chroot_cmd(self, args: list[str]) -> list[str]:
        return ["chroot", str(self.root), "env", "-i", f"PATH={PATH}", *args]

    def _chroot_output(self, args: list[str], timeout_s: float = 10.0) -> str:
        proc = subprocess.run(
            self._chroot_cmd(args),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if proc.returncode != 0:
            raise DevPbxError(f"{' '.join(args)} failed: {proc.stderr.strip() or proc.stdout}")
        return proc.stdout

    def _check_ports_free(self) -> None:
        pbx = self.settings.pbx
        host = "127.0.0.1" if pbx.bind_address == "0.0.0.0" else pbx.bind_address
        for port, what, kind in (
            (pbx.http_port, "HTTP/ARI", socket.SOCK_STREAM),
            (pbx.wss_port, "WSS", socket.SOCK_STREAM),
            (pbx.sip_port, "SIP", socket.SOCK_DGRAM),
        ):
            with socket.socket(socket.AF_INET, kind) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind((host, port))
                except OSError as exc:
                    raise DevPbxError(
                        f"port {port} ({what}) on {host} is in use: another Asterisk or "
                        "test run? Stop it, or set SWITCHBOARD_PBX__* ports."
                    ) from exc

    def _mount_proc(self) -> None:
        target = self.root / "proc"
        if not _is_mounted(target):
            subprocess.run(["mount", "-t", "proc", "proc", str(target)], check=True)

    def _unmount_proc(self) -> None:
        target = self.root / "proc"
        if _is_mounted(target):
            subprocess.run(["umount", "-l", str(target)], check=False)


def _is_asterisk(pid: int) -> bool:
    try:
        return b"asterisk" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _is_mounted(path: Path) -> bool:
    wanted = str(path.resolve())
    return any(line.split()[1] == wanted for line in Path("/proc/mounts").read_text().splitlines())


def _wait_gone(pid: int, proc: subprocess.Popen[bytes] | None, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None:
            if proc.poll() is not None:
                return True
        elif not Path(f"/proc/{pid}").exists():
            return True
        time.sleep(0.05)
    return False
