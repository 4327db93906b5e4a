"""Spoken digits and times, as Whisper writes them."""

from __future__ import annotations

import pytest

from ari_app.speech.normalise import (
    TimeOfDay,
    extract_digits,
    extract_pin,
    normalise_text,
    parse_time,
)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("four two seven one", "4271"),
        ("4271", "4271"),
        ("forty two seventy one", "4271"),
        ("Forty-two, seventy-one.", "4271"),
        ("My PIN is 4, 2, 7, 1.", "4271"),
        ("4-2-7-1", "4271"),
        ("4 2 7 1", "4271"),
        ("My PI in is 4271.", "4271"),
        ("double five one two", "5512"),
        ("oh seven oh one", "0701"),
        ("zero zero one nine", "0019"),
        ("four hundred twelve", "412"),
        ("nineteen eighty four", "1984"),
        ("one to three four", "1234"),
        ("it's one two three four five six", "123456"),
        ("no numbers here", ""),
    ],
)
def test_extract_digits(text: str, digits: str) -> None:
    assert extract_digits(text) == digits


def test_extract_pin_checks_length() -> None:
    assert extract_pin("four two seven one") == "4271"
    assert extract_pin("one two three") is None
    assert extract_pin("1 2 3 4 5 6 7") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 p.m.", TimeOfDay(15, 0)),
        ("Remind me at 3pm", TimeOfDay(15, 0)),
        ("three PM", TimeOfDay(15, 0)),
        ("nine thirty a.m.", TimeOfDay(9, 30)),
        ("at 9:30 PM tomorrow", TimeOfDay(21, 30)),
        ("15:45", TimeOfDay(15, 45)),
        ("noon", TimeOfDay(12, 0)),
        ("midnight", TimeOfDay(0, 0)),
        ("half past three", TimeOfDay(3, 30)),
        ("quarter to five pm", TimeOfDay(16, 45)),
        ("7 o'clock", TimeOfDay(7, 0)),
        ("12 am", TimeOfDay(0, 0)),
        ("12 p.m.", TimeOfDay(12, 0)),
        ("meet at ten", None),
        ("13 pm", None),
    ],
)
def test_parse_time(text: str, expected: TimeOfDay | None) -> None:
    assert parse_time(text) == expected


def test_canonical_time_string() -> None:
    assert str(TimeOfDay(9, 5)) == "09:05"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Remind me at Three P.M.", "remind me at 3 pm"),
        ("Add a todo at nine thirty.", "add a todo at 9 30"),
        ("Call the bank at 3pm!", "call the bank at 3 pm"),
        ("I am here", "i am here"),
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected
