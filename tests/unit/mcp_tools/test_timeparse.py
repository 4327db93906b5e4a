"""Natural time phrases in the caller's timezone; ambiguity becomes a question."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from mcp_tools.errors import Ambiguous, InvalidInput
from mcp_tools.timeparse import parse_duration_minutes, parse_time, speak_time

NY = "America/New_York"
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # Thursday 10:00 in New York


def local(phrase: str, tz: str = NY) -> datetime:
    return parse_time(phrase, tz, now=NOW).at.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Friday 3pm", datetime(2026, 11, 27, 15, 0)),
        ("tomorrow at 9", datetime(2026, 11, 27, 9, 0)),
        ("tomorrow at 9:30", datetime(2026, 11, 27, 9, 30)),
        ("in two hours", datetime(2026, 11, 26, 12, 0)),
        ("in 30 minutes", datetime(2026, 11, 26, 10, 30)),
        ("noon tomorrow", datetime(2026, 11, 27, 12, 0)),
        ("tomorrow morning", datetime(2026, 11, 27, 9, 0)),
        ("tonight", datetime(2026, 11, 26, 20, 0)),
        ("next monday at 10am", datetime(2026, 11, 30, 10, 0)),
        ("at 15:30", datetime(2026, 11, 26, 15, 30)),
        ("2026-12-01T10:00", datetime(2026, 12, 1, 10, 0)),
        ("2026-12-01T10:00Z", datetime(2026, 12, 1, 5, 0)),
        ("at seven tonight", datetime(2026, 11, 26, 19, 0)),
        ("this evening", datetime(2026, 11, 26, 18, 0)),
        ("tomorrow at 3 in the afternoon", datetime(2026, 11, 27, 15, 0)),
        ("quarter to nine on friday", datetime(2026, 11, 27, 8, 45)),
        ("tomorrow at nine", datetime(2026, 11, 27, 9, 0)),
        ("in 2 days at 10am", datetime(2026, 11, 28, 10, 0)),
    ],
)
def test_phrases(phrase: str, expected: datetime) -> None:
    assert local(phrase) == expected


def test_timezone_matters() -> None:
    assert local("tomorrow at 9", "Europe/Paris") == datetime(2026, 11, 27, 9, 0)
    assert parse_time("tomorrow at 9", "Europe/Paris", now=NOW).at.hour == 8  # UTC


@pytest.mark.parametrize(
    ("phrase", "question"),
    [
        ("at 3", "Do you mean 3 in the morning or 3 in the afternoon?"),
        ("tomorrow at 5:30", "Do you mean 5:30 in the morning or 5:30 in the afternoon?"),
        ("03/04", "Do you mean 4 March or 3 April?"),
        ("Friday", "What time on Friday?"),
        ("tomorrow", "What time tomorrow?"),
        ("next week", "What time next week?"),
        ("in 3 days", "What time in 3 days?"),
        ("half past two tomorrow", "Do you mean 2:30 in the morning or 2:30 in the afternoon?"),
    ],
)
def test_ambiguity_is_a_question(phrase: str, question: str) -> None:
    with pytest.raises(Ambiguous) as err:
        parse_time(phrase, NY, now=NOW)
    assert err.value.message == question


def test_date_only_when_time_not_needed() -> None:
    parsed = parse_time("Friday", NY, now=NOW, need_time=False)
    assert not parsed.has_time
    assert parsed.at.astimezone(ZoneInfo(NY)).hour == 17


@pytest.mark.parametrize("phrase", ["banana", "31 February", "2026-02-30", "", "x" * 200, "at 25"])
def test_nonsense_is_one_sentence(phrase: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_time(phrase, NY, now=NOW)
    assert err.value.message.endswith(".")


def test_unknown_timezone() -> None:
    with pytest.raises(InvalidInput):
        parse_time("tomorrow at 9", "Mars/Base", now=NOW)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("15 minutes", 15),
        ("an hour", 60),
        ("2 hours", 120),
        ("half an hour", 30),
        ("45", 45),
        ("ten minutes", 10),
        ("Twenty-five minutes", 25),
        ("for two hours", 120),
        ("in forty five minutes", 45),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration_minutes(text) == minutes


@pytest.mark.parametrize("text", ["forever", "0", "99999", "-5 minutes", "zillion minutes"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_duration_minutes(text)


def test_speak_time() -> None:
    assert speak_time(datetime(2026, 11, 26, 20, 0, tzinfo=UTC), NY, NOW) == "today at 3:00 PM"
    assert speak_time(datetime(2026, 11, 27, 14, 0, tzinfo=UTC), NY, NOW) == "tomorrow at 9:00 AM"
    assert speak_time(datetime(2026, 11, 30, 15, 0, tzinfo=UTC), NY, NOW) == "Monday at 10:00 AM"
    assert (
        speak_time(datetime(2027, 1, 5, 15, 0, tzinfo=UTC), NY, NOW) == "Tuesday 5 Jan at 10:00 AM"
    )
