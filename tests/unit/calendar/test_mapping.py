"""Pure sync rules: Google JSON parsing, request bodies, the conflict winner, back-off."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mcp_tools.calendar_sync.mapping import (
    backoff_s,
    from_google,
    google_event_id,
    parse_rfc3339,
    rfc3339,
    to_google,
    winner,
)

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_timed_event_is_parsed_in_utc() -> None:
    r = from_google(
        {
            "id": "a1",
            "etag": '"7"',
            "status": "confirmed",
            "summary": "Lunch",
            "updated": "2026-11-30T10:00:00.123Z",
            "start": {"dateTime": "2026-12-01T10:00:00-05:00"},
            "end": {"dateTime": "2026-12-01T11:00:00-05:00"},
        },
        "America/New_York",
    )
    assert (r.starts_at, r.ends_at) == (T0, T0 + timedelta(hours=1))
    assert r.title == "Lunch" and not r.cancelled and r.etag == '"7"'
    assert r.updated == datetime(2026, 11, 30, 10, 0, 0, 123000, tzinfo=UTC)


def test_all_day_event_starts_at_local_midnight() -> None:
    r = from_google(
        {"id": "a2", "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}},
        "America/New_York",
    )
    assert r.starts_at == datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert r.ends_at == datetime(2026, 12, 2, 5, tzinfo=UTC) and r.title == "Busy"


def test_cancelled_and_timeless_items_are_cancelled() -> None:
    assert from_google({"id": "x", "status": "cancelled"}, "UTC").cancelled
    assert from_google({"id": "y", "status": "confirmed"}, "UTC").cancelled


def test_body_and_stable_ids() -> None:
    body = to_google("Review", T0, T0 + timedelta(minutes=30), "Room 1", "")
    assert body["start"] == {"dateTime": "2026-12-01T15:00:00Z"}
    assert body["status"] == "confirmed"
    gid = google_event_id(12, 345)
    assert gid == google_event_id(12, 345) and re.fullmatch(r"[a-v0-9]{5,1024}", gid)


def test_later_writer_wins_and_ties_go_to_google() -> None:
    assert winner(T0 + timedelta(seconds=1), T0) == "local"
    assert winner(T0, T0 + timedelta(seconds=1)) == "remote"
    assert winner(T0, T0) == "remote"
    assert winner(T0, None) == "local"


def test_backoff_doubles_and_caps() -> None:
    assert [backoff_s(n, 2.0, 30.0) for n in range(6)] == [0.0, 2.0, 4.0, 8.0, 16.0, 30.0]


@given(st.datetimes(timezones=st.just(UTC)))
def test_rfc3339_round_trips(value: datetime) -> None:
    assert parse_rfc3339(rfc3339(value)) == value
