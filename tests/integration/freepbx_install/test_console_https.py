"""The agents' console served over HTTPS with the PBX's certificate (console.tls_cert_file)."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import aiohttp

from switchboard.callers.baresip import free_port
from switchboard.runner import start_console
from switchboard.settings import ConsoleSettings, Settings


def _certificate(folder: Path) -> tuple[Path, Path]:
    crt, key = folder / "pbx.crt", folder / "pbx.key"
    subject = ["-subj", "/CN=pbx.example.com", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(key), "-out", str(crt)]
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            *subject,
            *files,
        ],
        capture_output=True,
        check=True,
    )
    return crt, key


async def test_console_answers_over_tls_with_the_pbx_certificate(tmp_path: Path) -> None:
    crt, key = _certificate(tmp_path)
    port = free_port()
    console = ConsoleSettings(
        port=port, origin=f"https://127.0.0.1:{port}", tls_cert_file=crt, tls_key_file=key
    )
    runner = await start_console(Settings(state_dir=tmp_path / "state", console=console))
    assert runner is not None
    trust = ssl.create_default_context(cafile=str(crt))
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"https://127.0.0.1:{port}/login", ssl=trust) as resp:
                assert resp.status == 200
                peer = resp.connection.transport.get_extra_info("peercert")  # type: ignore[union-attr]
                assert ("commonName", "pbx.example.com") in peer["subject"][0]
            try:
                async with http.get(f"http://127.0.0.1:{port}/login") as plain:
                    assert plain.status >= 400  # plain HTTP is not served
            except aiohttp.ClientError:
                pass
    finally:
        await runner.cleanup()
