"""chan_websocket control messages (JSON format, Asterisk ≥ 22.8), parsed and built (pure).

Asterisk sends TEXT frames such as ``{"event": "MEDIA_START", ...}``; the app sends
``{"command": "FLUSH_MEDIA"}``. Binary frames carry the audio itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_EVENT_NAME = re.compile(r"[A-Z][A-Z_]+")


@dataclass(frozen=True)
class MediaControlEvent:
    """One control event from Asterisk (MEDIA_START, MEDIA_XOFF, MEDIA_XON, ...)."""

    event: str
    channel_id: str = ""
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def optimal_frame_size(self) -> int:
        """Bytes per frame Asterisk suggests (MEDIA_START), 0 when unknown."""
        return int(self.fields.get("optimal_frame_size", 0) or 0)

    @property
    def ptime_ms(self) -> int:
        """Packet time of the call in milliseconds (MEDIA_START), 0 when unknown."""
        return int(self.fields.get("ptime", 0) or 0)

    @property
    def correlation_id(self) -> str:
        """The id given to MARK_MEDIA, echoed in MEDIA_MARK_PROCESSED."""
        return str(self.fields.get("correlation_id", ""))


def parse_control(text: str) -> MediaControlEvent:
    """Parse one TEXT frame; plain-text legacy lines become events with their first word."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise ValueError(f"bad media control JSON: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("event"), str):
            raise ValueError("media control message has no 'event'")
        return MediaControlEvent(
            event=data["event"],
            channel_id=str(data.get("channel_id", "")),
            fields={k: v for k, v in data.items() if k not in ("event", "channel_id")},
        )
    words = stripped.split()
    if not words or not _EVENT_NAME.fullmatch(words[0]):
        raise ValueError(f"not a media control message: {stripped[:40]!r}")
    pairs = dict(w.split(":", 1) for w in words[1:] if ":" in w)
    return MediaControlEvent(event=words[0], fields=pairs)


def command(name: str, fmt: str = "json", **params: Any) -> str:
    """Build a command in Asterisk's ``json`` or legacy ``plain-text`` control format.

    ``command("MARK_MEDIA", correlation_id="t1")`` → ``{"command": "MARK_MEDIA", ...}``;
    with ``fmt="plain-text"`` → ``MARK_MEDIA correlation_id:t1``.
    """
    if fmt == "json":
        return json.dumps({"command": name, **params})
    return " ".join([name, *(f"{key}:{value}" for key, value in params.items())])


def control_format(text: str) -> str:
    """Which control format a message from Asterisk uses: ``json`` or ``plain-text``."""
    return "json" if text.lstrip().startswith("{") else "plain-text"
