"""Benchmarks need a PBX: use the running one, or start the dev PBX for the run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from switchboard.loading import load_settings
from switchboard.settings import Settings


@contextmanager
def pbx_for_bench(start_pbx: bool = True) -> Iterator[Settings]:
    """Yield settings for a running PBX; a dev PBX started here is stopped afterwards."""
    settings = load_settings()
    if settings.pbx.mode != "dev" or not start_pbx:
        yield settings
        return
    from freepbx.devpbx.lock import devpbx_lock
    from freepbx.devpbx.process import DevPbx

    with devpbx_lock(settings.state_dir):  # never alongside a test run
        pbx = DevPbx(settings)
        started = pbx.running_pid() is None  # a running one (e.g. the demo's) is left running
        if started:
            pbx.start()
            settings = load_settings()
        try:
            yield settings
        finally:
            if started:
                pbx.stop()
