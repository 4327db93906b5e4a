"""A throwaway PostgreSQL cluster (initdb + pg_ctl) for tests and benchmarks.

Runs as the ``postgres`` OS user when started by root (initdb refuses root), in a temporary
folder, on a free localhost port, with durability switched off; stopped and deleted on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

DEFAULT_BIN = Path("/usr/lib/postgresql/15/bin")


class ClusterUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def throwaway_cluster(pg_bin: Path = DEFAULT_BIN) -> Iterator[str]:
    """Start a private cluster; yields its admin URL (``postgresql+asyncpg://...``)."""
    if not (pg_bin / "initdb").exists():
        raise ClusterUnavailable(f"PostgreSQL server binaries not found in {pg_bin}")
    root = Path(tempfile.mkdtemp(prefix="sb-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    pg_ctl = [str(pg_bin / "pg_ctl"), "-D", str(data), "-w", "-t", "60"]
    try:
        subprocess.run(
            _as_pg_user(
                [
                    str(pg_bin / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_pg_user([*pg_ctl, "-o", options, "-l", str(root / "log"), "start"]),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_pg_user([*pg_ctl, "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


async def admin_sql(url: str, sql: str) -> None:
    """Run one statement on the server's admin database (outside a transaction)."""
    import asyncpg  # type: ignore[import-untyped]

    u = make_url(url)
    conn = await asyncpg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, database=u.database
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_database(server_url: str) -> str:
    """A fresh, empty database on the server; returns its URL."""
    name = f"sb_{uuid.uuid4().hex[:12]}"
    await admin_sql(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, url: str) -> None:
    """Drop a database made by :func:`create_database` (best effort)."""
    name = make_url(url).database
    with contextlib.suppress(Exception):
        await admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
