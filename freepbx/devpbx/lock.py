"""One user of the dev PBX at a time: its ports are fixed, so test runs and benchmarks take
this file lock for as long as they use it."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def devpbx_lock(state_dir: Path) -> Iterator[None]:
    """Hold the dev PBX's exclusive lock (waits while another run holds it)."""
    path = state_dir / "devpbx.test.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
