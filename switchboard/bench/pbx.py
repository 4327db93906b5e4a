"""Benchmarks need a PBX: use the running one, or start the dev PBX for the run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from switchboard.settings import Settings, load_settings


@contextmanager
def pbx_for_bench(start_pbx: bool = True) -> Iterator[Settings]:
    """Yield settings for a running PBX; a dev PBX started here is stopped afterwards."""
    settings = load_settings()
    pbx = None
    if start_pbx and settings.pbx.mode == "dev":
        from freepbx.devpbx.process import DevPbx

        candidate = DevPbx(settings)
        if candidate.running_pid() is None:  # someone else's PBX is used and left running
            candidate.start()
            pbx = candidate
            settings = load_settings()
    try:
        yield settings
    finally:
        if pbx is not None:
            pbx.stop()
