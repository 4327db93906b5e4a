"""Spoken names → the right person or team, or a short question."""

from __future__ import annotations

import pytest

from mcp_tools.errors import Ambiguous, InvalidInput, NotFound
from mcp_tools.fuzzy import Named, match_one

PEOPLE = [
    Named(1, "John Smith", ("John Smith", "Johnny")),
    Named(2, "John Park", ("John Park",)),
    Named(3, "Maria Garcia", ("Maria Garcia", "Mia")),
    Named(4, "Jon Snow", ("Jon Snow",)),
    Named(5, "Priya Patel", ("Priya Patel",)),
]


@pytest.mark.parametrize(
    ("said", "who"),
    [
        ("John Smith", 1),
        ("johnny", 1),
        ("jhon park", 2),
        ("Mia", 3),
        ("garcia", 3),
        ("Maria", 3),
        ("jon", 4),
        ("priya", 5),
        ("patel", 5),
    ],
)
def test_clear_matches(said: str, who: int) -> None:
    assert match_one(said, PEOPLE) == who


def test_two_johns_is_a_question() -> None:
    with pytest.raises(Ambiguous) as err:
        match_one("John", PEOPLE)
    assert err.value.message == "Which John: John Smith or John Park?"


def test_nobody() -> None:
    with pytest.raises(NotFound) as err:
        match_one("Bob", PEOPLE)
    assert err.value.message == "I couldn't find a person called Bob."
    with pytest.raises(InvalidInput):
        match_one("  ", PEOPLE)


def test_same_display_name_twice_is_ambiguous() -> None:
    twins = [Named(1, "Sam Lee", ("Sam Lee",)), Named(2, "Sam Lee", ("Sam Lee",))]
    with pytest.raises(Ambiguous):
        match_one("Sam Lee", twins)
