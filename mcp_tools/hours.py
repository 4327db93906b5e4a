"""Department opening hours: ``{"mon": [["09:00", "17:00"]], ...}`` in local time. Pure."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS_9_TO_5: dict[str, Any] = {d: [["09:00", "17:00"]] for d in DAYS[:5]}
ALWAYS: dict[str, Any] = {}


def _ranges(hours: dict[str, Any], day: str) -> list[tuple[time, time]]:
    out = []
    for start, end in hours.get(day, []):
        out.append((time.fromisoformat(start), time.fromisoformat(end)))
    return out


def validate(hours: dict[str, Any]) -> dict[str, Any]:
    """Check the shape (known days, HH:MM pairs, start before end); returns it unchanged."""
    for day, spans in hours.items():
        if day not in DAYS:
            raise ValueError(f"unknown day {day!r}")
        for start, end in spans:
            if time.fromisoformat(start) >= time.fromisoformat(end):
                raise ValueError(f"{day}: {start} is not before {end}")
    return hours


def is_open(hours: dict[str, Any], local: datetime) -> bool:
    """Whether the department is open at ``local`` (empty hours: always open)."""
    if not hours:
        return True
    now = local.time()
    return any(a <= now < b for a, b in _ranges(hours, DAYS[local.weekday()]))


def next_opening(hours: dict[str, Any], local: datetime) -> datetime | None:
    """When it next opens after ``local`` (None if always open or never opens)."""
    if not hours:
        return None
    for offset in range(8):
        day = local + timedelta(days=offset)
        for start, _ in sorted(_ranges(hours, DAYS[day.weekday()])):
            candidate = day.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
            if candidate > local:
                return candidate
    return None
