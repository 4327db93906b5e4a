"""The PBX's moving parts the installer talks to: ``fwconsole``, ``asterisk -rx`` and ARI.

Each call is one subprocess or one HTTP request with a timeout; failures come back as
:class:`PbxCommandError` with the command and its output, so a check can say what to fix.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


class PbxCommandError(RuntimeError):
    """A PBX command was not found, failed or timed out."""


@dataclass(frozen=True)
class Commands:
    """Runs FreePBX's and Asterisk's command-line tools."""

    fwconsole: str = "fwconsole"
    asterisk: str = "asterisk"
    timeout_s: float = 120.0
    php: str = "php"
    fail2ban: str = "fail2ban-client"

    def has(self, command: str) -> bool:
        """Whether ``command`` is on PATH (or an existing path)."""
        return shutil.which(command) is not None

    def run(self, argv: list[str], stdin: str | None = None) -> str:
        """Run ``argv`` (``stdin`` fed to it) and return its standard output; raise
        :class:`PbxCommandError`."""
        exe = shutil.which(argv[0])
        if exe is None:
            raise PbxCommandError(f"{argv[0]}: not found on PATH")
        try:
            proc = subprocess.run(
                [exe, *argv[1:]],
                capture_output=True,
                text=True,
                timeout=self.timeout_s,
                check=False,
                input=stdin if stdin is not None else "",
            )
        except subprocess.TimeoutExpired as exc:
            raise PbxCommandError(f"{' '.join(argv)}: no answer in {self.timeout_s:.0f} s") from exc
        if proc.returncode != 0:
            detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or [""]
            raise PbxCommandError(f"{' '.join(argv)}: exit {proc.returncode} {detail[0]}")
        return proc.stdout

    def fw(self, *args: str) -> str:
        """``fwconsole ARGS``."""
        return self.run([self.fwconsole, *args])

    def ast(self, command: str) -> str:
        """``asterisk -rx COMMAND`` (needs a running Asterisk and its control socket)."""
        return self.run([self.asterisk, "-rx", command])

    def freepbx_version(self) -> str:
        """What ``fwconsole --version`` prints (e.g. ``FreePBX 17.0.19``)."""
        return self.fw("--version").strip()

    def asterisk_version(self) -> str:
        """What ``core show version`` prints (e.g. ``Asterisk 22.8.2 built by ...``)."""
        return self.ast("core show version").strip()

    def set_setting(self, key: str, value: str) -> None:
        """``fwconsole setting KEY VALUE`` (an Advanced Setting)."""
        self.fw("setting", key, value)

    def bulk_import_extensions(self, csv_file: str) -> None:
        """``fwconsole bulkimport --type=extensions FILE --replace`` (bulkhandler module)."""
        self.fw("bulkimport", "--type=extensions", csv_file, "--replace")

    def reload(self) -> None:
        """``fwconsole reload``: regenerate FreePBX's files and reload Asterisk."""
        self.fw("reload")


@dataclass(frozen=True)
class AriProbe:
    """One authenticated ARI GET, for the reachability and app checks."""

    url: str
    user: str
    password: str
    timeout_s: float = 3.0

    def get(self, path: str) -> tuple[int, Any]:
        """``GET <url>/ari/<path>``: (HTTP status, parsed JSON or None); status 0 = no answer."""
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        req = urllib.request.Request(
            f"{self.url.rstrip('/')}/ari/{path.lstrip('/')}",
            headers={"Authorization": f"Basic {token}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                body = resp.read()
                return resp.status, json.loads(body) if body else None
        except urllib.error.HTTPError as exc:
            return exc.code, None
        except (OSError, ValueError):
            return 0, None
