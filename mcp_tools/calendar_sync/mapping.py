"""Pure rules of the sync: Google event JSON ↔ event fields, conflict winner, back-off.

Nothing here opens a socket or reads a clock; times come in as arguments.

Conflict rule (an event edited on both sides since the last sync): **last writer wins by
modification time** — Switchboard's ``updated_at`` against Google's ``updated`` — and the losing
version is never dropped: it is written whole into the audit log
(``calendar.sync.conflict``, ``detail.lost``) in the same transaction as the winner, so it can
be read back and restored. Ties go to Google (what people see in their calendar app).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

Winner = Literal["local", "remote"]
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RemoteEvent:
    """The parts of a Google event Switchboard keeps."""

    google_id: str
    etag: str
    cancelled: bool
    updated: datetime | None
    title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str = ""
    notes: str = ""


def parse_rfc3339(value: str | None) -> datetime | None:
    """An aware UTC datetime from Google's RFC 3339 text (``Z`` or an offset)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def rfc3339(value: datetime) -> str:
    """Google's RFC 3339 form of an aware datetime, in UTC."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _edge(when: dict[str, Any] | None, tz: str) -> datetime | None:
    if not when:
        return None
    if when.get("dateTime"):
        return parse_rfc3339(str(when["dateTime"]))
    if when.get("date"):  # all-day: local midnight in the user's timezone
        day = date.fromisoformat(str(when["date"]))
        return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)
    return None


def from_google(item: dict[str, Any], tz: str) -> RemoteEvent:
    """Parse one item of ``events.list`` (all-day dates read in timezone ``tz``)."""
    cancelled = item.get("status") == "cancelled"
    starts = _edge(item.get("start"), tz)
    ends = _edge(item.get("end"), tz)
    if starts is not None and (ends is None or ends <= starts):
        ends = starts + timedelta(minutes=30)
    return RemoteEvent(
        google_id=str(item["id"]),
        etag=str(item.get("etag", "")),
        cancelled=cancelled or starts is None,
        updated=parse_rfc3339(item.get("updated")),
        title=str(item.get("summary") or "Busy")[:300],
        starts_at=starts,
        ends_at=ends,
        location=str(item.get("location") or "")[:200],
        notes=str(item.get("description") or "")[:2000],
    )


def to_google(
    title: str, starts_at: datetime, ends_at: datetime, location: str, notes: str
) -> dict[str, Any]:
    """The body for ``events.insert`` / ``events.patch``."""
    return {
        "summary": title,
        "start": {"dateTime": rfc3339(starts_at)},
        "end": {"dateTime": rfc3339(ends_at)},
        "location": location,
        "description": notes,
        "status": "confirmed",
    }


def google_event_id(tenant_id: int, event_id: int) -> str:
    """A stable Google event id for a Switchboard event (base32hex: a–v, 0–9), so a retried
    insert can never create a duplicate (Google answers 409 and the event is patched)."""
    return f"sbt{tenant_id}e{event_id}"


def winner(local_updated: datetime, remote_updated: datetime | None) -> Winner:
    """Who wins when both sides changed an event: the later modification (ties: remote)."""
    if remote_updated is None:
        return "local"
    return "local" if local_updated > remote_updated else "remote"


def backoff_s(failures: int, base_s: float, max_s: float) -> float:
    """Delay before retrying a connection after ``failures`` failed rounds (doubling)."""
    if failures <= 0:
        return 0.0
    return float(min(max_s, base_s * (2 ** (failures - 1))))


def snapshot(
    title: str, starts_at: datetime | None, ends_at: datetime | None, location: str, notes: str
) -> dict[str, Any]:
    """A version of an event as kept in the audit log when it loses a conflict."""
    return {
        "title": title,
        "starts_at": starts_at.isoformat() if starts_at else None,
        "ends_at": ends_at.isoformat() if ends_at else None,
        "location": location,
        "notes": notes,
    }
