"""Build (or restore from cache) the dev PBX's Debian sid root with Asterisk 22.

Debian 12 has no Asterisk package; sid has 22.x. We never install sid packages into the
host: ``debootstrap`` makes a minimal sid root, Asterisk is installed inside it with apt, and
the finished root is cached as a zstd tarball outside the repo so later builds take seconds.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

RECIPE_VERSION = "1"
"""Bump when the package list or chroot preparation changes: invalidates cached roots."""
PACKAGES = ("asterisk", "asterisk-modules", "asterisk-core-sounds-en", "ca-certificates")
ASTERISK_UID = 64_990
"""A uid unlikely to exist on the host, so ``ps`` on the host shows no stranger's name."""
DEFAULT_MIRROR = "http://deb.debian.org/debian"

APT_CONF = """\
Acquire::Check-Valid-Until "false";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "false";
"""


class BuildError(RuntimeError):
    """The dev PBX root could not be built; the message says which step failed."""


@dataclass(frozen=True)
class BuildResult:
    """What :func:`ensure_root` did and how long it took."""

    root: Path
    action: str  # "present", "restored", "built"
    seconds: float


def tarball_path(cache_dir: Path) -> Path:
    """The cached tarball of a finished root for the current recipe."""
    return cache_dir / "devpbx" / f"asterisk-sid-root-v{RECIPE_VERSION}.tar.zst"


def root_is_ready(root: Path) -> bool:
    """True when ``root`` holds an installed Asterisk from the current recipe."""
    marker = root / "etc" / "switchboard-recipe"
    return (root / "usr/sbin/asterisk").exists() and (
        marker.exists() and marker.read_text().strip() == RECIPE_VERSION
    )


def ensure_root(
    root: Path, cache_dir: Path, *, mirror: str = DEFAULT_MIRROR, force: bool = False
) -> BuildResult:
    """Make ``root`` a ready Asterisk root: keep it, restore the cached tarball, or build."""
    started = time.monotonic()
    if not force and root_is_ready(root):
        return BuildResult(root, "present", time.monotonic() - started)
    tarball = tarball_path(cache_dir)
    if root.exists():
        _remove_root(root)
    if not force and tarball.exists():
        _restore(tarball, root)
        return BuildResult(root, "restored", time.monotonic() - started)
    _build(root, mirror)
    _save(root, tarball)
    return BuildResult(root, "built", time.monotonic() - started)


def _run(cmd: list[str], step: str) -> None:
    log.info("devpbx build: %s", step)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise BuildError(f"{step} failed (exit {proc.returncode}):\n{tail}")


def _chroot(root: Path, *args: str) -> list[str]:
    env = [
        "env",
        "-i",
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
        "DEBIAN_FRONTEND=noninteractive",
        "LANG=C.UTF-8",
    ]
    return ["chroot", str(root), *env, *args]


def _build(root: Path, mirror: str) -> None:
    if shutil.which("debootstrap") is None:
        raise BuildError("debootstrap is not installed (apt-get install debootstrap)")
    work = root.with_name(root.name + ".building")
    if work.exists():
        _remove_root(work)
    work.parent.mkdir(parents=True, exist_ok=True)
    _run(
        ["debootstrap", "--variant=minbase", "sid", str(work), mirror],
        "debootstrap of Debian sid",
    )
    (work / "etc/apt/apt.conf.d/90switchboard").write_text(APT_CONF)
    policy = work / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    _run(
        _chroot(work, "groupadd", "--system", "--gid", str(ASTERISK_UID), "asterisk"),
        "creating the asterisk group",
    )
    _run(
        _chroot(
            work,
            "useradd",
            "--system",
            "--uid",
            str(ASTERISK_UID),
            "--gid",
            "asterisk",
            "--home-dir",
            "/var/lib/asterisk",
            "--no-create-home",
            "asterisk",
        ),
        "creating the asterisk user",
    )
    _run(_chroot(work, "apt-get", "update", "-q"), "apt-get update in the chroot")
    _run(
        _chroot(work, "apt-get", "install", "-y", "-q", *PACKAGES),
        "installing Asterisk in the chroot",
    )
    _run(_chroot(work, "apt-get", "clean"), "apt-get clean")
    (work / "etc" / "switchboard-recipe").write_text(RECIPE_VERSION + "\n")
    work.rename(root)


def _save(root: Path, tarball: Path) -> None:
    tarball.parent.mkdir(parents=True, exist_ok=True)
    tmp = tarball.with_suffix(".tmp")
    _run(
        ["tar", "--zstd", "--numeric-owner", "-cf", str(tmp), "-C", str(root), "."],
        "saving the root to the cache",
    )
    tmp.replace(tarball)


def _restore(tarball: Path, root: Path) -> None:
    work = root.with_name(root.name + ".restoring")
    if work.exists():
        _remove_root(work)
    work.mkdir(parents=True)
    _run(
        ["tar", "--zstd", "--numeric-owner", "-xpf", str(tarball), "-C", str(work)],
        "restoring the root from the cache",
    )
    work.rename(root)


def _remove_root(root: Path) -> None:
    """Delete a root, refusing if anything is still mounted inside it."""
    mounts = Path("/proc/mounts").read_text()
    if f" {root.resolve()}/" in mounts:
        raise BuildError(f"{root} still has mounts (run `switchboard pbx down` first)")
    shutil.rmtree(root)
