"""Parse and compare Asterisk version strings (pure)."""

from __future__ import annotations

import re
from typing import NamedTuple

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


class AsteriskVersion(NamedTuple):
    """A comparable ``major.minor.patch``."""

    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse_asterisk_version(text: str) -> AsteriskVersion:
    """Find the first ``X.Y[.Z]`` in ``text`` ("Asterisk 22.10.1+dfsg...", "22.8.2")."""
    match = _VERSION.search(text)
    if match is None:
        raise ValueError(f"no Asterisk version in {text!r}")
    return AsteriskVersion(int(match[1]), int(match[2]), int(match[3] or 0))


def has_chan_websocket(version: AsteriskVersion) -> bool:
    """chan_websocket externalMedia: 20.16+, 21.11+, 22.6+, 23+."""
    minimum = {20: (20, 16), 21: (21, 11), 22: (22, 6)}
    if version.major >= 23:
        return True
    floor = minimum.get(version.major)
    return floor is not None and (version.major, version.minor) >= floor
