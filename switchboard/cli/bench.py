"""``switchboard bench ...``: benchmarks that print numbers (``--json``: one object)."""

from __future__ import annotations

import click


@click.group()
def bench() -> None:
    """Measure Switchboard on this machine."""
