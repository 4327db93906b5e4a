"""Days and times as tools read them: a day without a time, and moving an item to a time."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from mcp_tools.errors import InvalidInput
from mcp_tools.repos.common import moved_to, when_arg

NEW_YORK = "America/New_York"


def _work(hour_utc: int, minute: int = 0) -> Any:
    return SimpleNamespace(tz=NEW_YORK, now=datetime(2026, 12, 5, hour_utc, minute, tzinfo=UTC))


def test_a_day_alone_is_that_days_end_of_business() -> None:
    at = when_arg(_work(15), "friday", need_time=False)  # 10:00 in New York, Saturday 5th
    assert at == datetime(2026, 12, 11, 22, 0, tzinfo=UTC)  # Friday 5 pm local
    assert when_arg(_work(15), "today", need_time=False) == datetime(2026, 12, 5, 22, 0, tzinfo=UTC)


def test_today_after_business_hours_is_still_today() -> None:
    at = when_arg(_work(23, 30), "today", need_time=False)  # 18:30 in New York
    assert at == datetime(2026, 12, 6, 4, 59, tzinfo=UTC)  # 23:59 local, not "already passed"


def test_a_named_time_that_has_passed_is_refused() -> None:
    with pytest.raises(InvalidInput, match="already passed"):
        when_arg(_work(23, 30), "today at 5 pm", need_time=False)


def test_moving_to_a_bare_hour_keeps_the_items_day_in_the_afternoon() -> None:
    item_day = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)  # Tuesday 9 am local
    assert moved_to(_work(15), "four", item_day) == datetime(2026, 12, 8, 21, 0, tzinfo=UTC)


def test_moving_by_a_relative_phrase_reads_from_now() -> None:
    item_day = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
    assert moved_to(_work(15), "in 4 hours", item_day) == datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
