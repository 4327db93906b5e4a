"""Grounding a small model's tool arguments in what the caller said."""

from __future__ import annotations

from datetime import date

import pytest

from agent.textcalls import parse_text_tool_calls
from agent.understanding.grounding import ground_args, named_day, required_of

THU = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("next Monday at 10", date(2026, 11, 30)),
        ("on Thursday", date(2026, 12, 3)),  # a weekday is never today
        ("tomorrow at 9", date(2026, 11, 27)),
        ("the day after tomorrow", date(2026, 11, 28)),
        ("tonight", THU),
        ("Monday or Tuesday", None),
        ("in two hours", None),
    ],
)
def test_named_day(said, day):
    assert named_day(said, THU) == day


def test_wrong_iso_date_is_moved_to_the_named_day():
    args = {"title": "Planning", "start": "2026-11-03T10:00:00", "duration": "1 hour"}
    said = "Book a one-hour meeting called planning next Monday at 10 am."
    fixed = ground_args(args, frozenset({"title", "start"}), said, THU)
    assert fixed == {"title": "Planning", "start": "2026-11-30T10:00:00", "duration": "1 hour"}


def test_values_are_trimmed_and_unsaid_list_entries_dropped():
    args = {"team": "Dev.", "title": "review", "attendees": ["Alice Smith", "Maria"]}
    said = "book a review with maria for the dev team"
    fixed = ground_args(args, frozenset({"team", "title"}), said, THU)
    assert fixed == {"team": "Dev", "title": "review", "attendees": ["Maria"]}


def test_a_length_is_kept_only_when_one_was_said():
    args = {"title": "sync", "start": "friday at 3", "duration": "one hour"}
    said = "book a sync on friday at 3 for an hour"
    assert ground_args(args, frozenset({"title", "start"}), said, THU)["duration"] == "one hour"
    said = "book a sync on friday at 3"
    assert "duration" not in ground_args(args, frozenset({"title", "start"}), said, THU)


def test_invented_optional_arguments_are_dropped_required_ones_kept():
    args = {"title": "Buy oat milk", "due": "2026-11-26T12:00:00", "priority": "normal"}
    assert ground_args(args, frozenset({"title"}), "Add a todo to buy oat milk.", THU) == {
        "title": "Buy oat milk"
    }
    made_up = {"title": "Plumber", "due": "Fri 27 Nov", "notes": "Call plumber to fix leak."}
    said = "Put call the plumber on my to-do list for Friday."
    assert ground_args(made_up, frozenset({"title"}), said, THU) == {
        "title": "Plumber",
        "due": "Fri 27 Nov",
    }
    said = "Add a high priority task to renew my passport."
    kept = ground_args({"title": "x y z", "priority": "high"}, frozenset({"title"}), said, THU)
    assert kept == {"title": "x y z", "priority": "high"}
    assert ground_args({"todo_id": 3}, frozenset(), "mark it done", THU) == {"todo_id": 3}


def test_required_of_reads_the_schema():
    schema = {"function": {"parameters": {"required": ["title"]}}}
    assert required_of([schema]) == {"title"}
    assert required_of([]) == frozenset()


def test_json_call_followed_by_prose_is_still_a_call():
    text = (
        '{{"name": "create_event", "arguments": {"title": "Planning", '
        '"start": "2026-11-03T10:00:00"}}}}\nI\'ve booked it.'
    )
    calls = parse_text_tool_calls(text, frozenset({"create_event"}))
    assert [c["name"] for c in calls] == ["create_event"]
    assert calls[0]["args"]["title"] == "Planning"
