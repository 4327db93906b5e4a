"""What the caller heard of an interrupted reply."""

from __future__ import annotations

from ari_app.speech.heard import HeardTracker


def tracker() -> HeardTracker:
    t = HeardTracker()
    t.sent("Sure, I added the todo.", 1500)
    t.sent("", 500)  # continuation of the same piece
    t.sent("You have three meetings on Friday.", 2000)
    return t


def test_nothing_played() -> None:
    assert tracker().heard_text(0) == ""


def test_whole_pieces() -> None:
    t = tracker()
    assert t.total_ms == 4000
    assert t.heard_text(2000) == "Sure, I added the todo."
    assert t.heard_text(5000) == "Sure, I added the todo. You have three meetings on Friday."


def test_partial_piece_in_proportion() -> None:
    assert tracker().heard_text(3000) == "Sure, I added the todo. You have three …"


def test_clear() -> None:
    t = tracker()
    t.clear()
    assert t.heard_text(10_000) == "" and t.total_ms == 0
