"""Which option an answer to "Which one: A, B, or C?" means: positions, names, corrections."""

from __future__ import annotations

import pytest

from agent.understanding.answers import pick_by_name
from agent.understanding.options import picked_option

THREE = ["Water the ferns", "Phone the garage", "Book the vet"]
TWO = ["Maria Lopez", "Maria Novak"]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("um the third", 3),
        ("the first one please", 1),
        ("number two", 2),
        ("uh two please", 2),
        ("option one", 1),
        ("the middle one", None),  # "middle" is not a position this reader knows
        ("the last one you said", 3),
        ("the one you said first", 1),
        ("no not the first one the second", 2),
        ("not the first two the last one", 3),
        ("the garage", 2),
        ("well it's the vet isn't it", 3),
        ("no not the ferns i want the garage one", 2),
        ("the one", None),
        ("none of them", None),
        ("first thing tomorrow", None),
    ],
)
def test_three_options(said: str, expected: int | None) -> None:
    assert picked_option(THREE, said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("the latter", 2),
        ("the former", 1),
        ("not the first the other one", 2),
        ("the other one not the first", 2),
        ("novak", 2),
        ("no not lopez", 2),
        ("maria", None),  # both are Maria
        ("the other one", None),  # other than what?
    ],
)
def test_two_options(said: str, expected: int | None) -> None:
    assert picked_option(TWO, said) == expected


def test_questions_are_read_for_their_options() -> None:
    question = "Which one: Water the ferns, Phone the garage, or Book the vet?"
    assert pick_by_name(question, "the vet one") == "3"
    assert pick_by_name(question, "hmm not sure") is None
    assert pick_by_name("Delete 'Book the vet'? Yes or no?", "the first") is None
