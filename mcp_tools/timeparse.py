"""Natural time phrases → aware datetimes in the caller's timezone (dateparser underneath).

Accepts ISO times and phrases such as "Friday 3pm", "tomorrow at 9", "in two hours". What a
phrase leaves open becomes a short question instead of a guess:

* a bare hour from 1 to 6 ("at 3") → "Do you mean 3 in the morning or 3 in the afternoon?"
  (7–11 are read as morning, 12 as noon: how people schedule work by voice);
* a day/month pair that could be either way round ("03/04") → "Do you mean 3 April or 4 March?";
* a date without a time where a time is needed ("Friday") → "What time on Friday?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateparser.date import DateDataParser  # type: ignore[import-untyped]

from mcp_tools.errors import Ambiguous, InvalidInput, said

MAX_PHRASE = 80
_MONTHS = "January February March April May June July August September October November December"
_BARE_HOUR = re.compile(
    r"\b(at|by|around|from|until|till)\s+(\d{1,2})(?::(\d{2}))?(?!\s*(?:am|pm|a\.m\.|p\.m\.|:|\d|h\b))"
    r"(\s*o'?clock)?",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"\d\s*(am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|\bnoon\b|\bmidnight\b", re.I)
_SLASH_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?\b")
_HAS_TIME = re.compile(
    r"(\d\s*(am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|\bnoon\b|\bmidnight\b|\bmorning\b|\bafternoon\b"
    r"|\bevening\b|\btonight\b|\bin\s+\S+\s+(minutes?|mins?|hours?|seconds?)\b|\bnow\b"
    r"|\d{4}-\d{2}-\d{2}[ t]\d{2}:\d{2})",
    re.IGNORECASE,
)
_DAYPART = {"morning": "9 am", "afternoon": "2 pm", "evening": "6 pm", "tonight": "tonight 8 pm"}


@dataclass(frozen=True)
class ParsedTime:
    """A resolved instant (UTC) and whether the phrase named a time of day."""

    at: datetime
    has_time: bool


SPOKEN_ZONES = {
    "eastern": "America/New_York", "east coast": "America/New_York", "new york": "America/New_York",
    "central": "America/Chicago", "chicago": "America/Chicago",
    "mountain": "America/Denver", "denver": "America/Denver",
    "pacific": "America/Los_Angeles", "west coast": "America/Los_Angeles",
    "california": "America/Los_Angeles", "los angeles": "America/Los_Angeles",
    "london": "Europe/London", "uk": "Europe/London", "british": "Europe/London",
    "gmt": "Europe/London", "paris": "Europe/Paris", "berlin": "Europe/Berlin",
    "central european": "Europe/Berlin", "india": "Asia/Kolkata", "tokyo": "Asia/Tokyo",
    "japan": "Asia/Tokyo", "sydney": "Australia/Sydney", "utc": "UTC",
}  # fmt: skip
"""Timezones as people say them."""


def zone(name: str | None) -> ZoneInfo:
    """The zone named ``name`` (UTC when empty); one-sentence error when unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Pacific" is a folder of zones
        raise InvalidInput(f"'{said(name or '')}' is not a timezone I know.") from None


def spoken_zone(name: str) -> ZoneInfo:
    """A zone as a person names it ("pacific time", "London", "Europe/Paris")."""
    words = " ".join(name.lower().replace("time", " ").replace("zone", " ").split())
    for spoken, key in SPOKEN_ZONES.items():
        if words == spoken or words.startswith(spoken + " ") or words.endswith(" " + spoken):
            return ZoneInfo(key)
    return zone(name.strip().replace(" ", "_"))


_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_WORDS = {w: str(i) for i, w in enumerate(_NUMBER_WORDS.split())}
_CLOCK_WORDS = re.compile(
    r"\b(half past|quarter past|quarter to|at)\s+(" + "|".join(_WORDS) + r"|\d{1,2})\b",
    re.IGNORECASE,
)


def _clock_words(match: re.Match[str]) -> str:
    """ "half past two" → "at 2:30", "quarter to ten" → "at 9:45", "at nine" → "at 9"."""
    how, number = match.group(1).lower(), match.group(2).lower()
    hour = int(_WORDS.get(number, number))
    if how == "half past":
        return f"at {hour}:30"
    if how == "quarter past":
        return f"at {hour}:15"
    if how == "quarter to":
        return f"at {(hour - 1) % 24 or 12}:45"
    return f"at {hour}"


def _normalise(phrase: str) -> str:
    text = " ".join(phrase.strip().split())
    text = _CLOCK_WORDS.sub(_clock_words, text)
    lowered = text.lower()
    # A part of the day settles am/pm for a bare hour ("at seven tonight").
    half = "pm" if re.search(r"\b(tonight|evening|afternoon)\b", lowered) else None
    half = "am" if re.search(r"\bmorning\b", lowered) else half

    def hour(match: re.Match[str]) -> str:
        word, h, minutes = match.group(1), int(match.group(2)), match.group(3)
        spoken = f"{h}:{minutes}" if minutes else str(h)
        if h > 23 or (minutes is not None and int(minutes) > 59):
            raise InvalidInput(f"{spoken} is not a time of day.")
        if half and 1 <= h <= 11:
            return f"{word} {spoken} {half}"
        if 1 <= h <= 6:
            raise Ambiguous(f"Do you mean {spoken} in the morning or {spoken} in the afternoon?")
        if 7 <= h <= 11:
            return f"{word} {spoken} am"
        return f"{word} {spoken}" if h > 12 or h == 0 else f"{word} {spoken} pm"

    has_clock = bool(_BARE_HOUR.search(text) or _CLOCK.search(text))
    text = _BARE_HOUR.sub(hour, text)
    slash = _SLASH_DATE.search(text)
    if slash:
        a, b = int(slash.group(1)), int(slash.group(2))
        if a != b and a <= 12 and b <= 12:
            months = _MONTHS.split()
            raise Ambiguous(f"Do you mean {b} {months[a - 1]} or {a} {months[b - 1]}?")
    if has_clock:  # the clock time wins; the part of the day only picked am/pm
        text = re.sub(r"\btonight\b", "today", text, flags=re.IGNORECASE)
        text = re.sub(r"\b(in the |this )?(morning|afternoon|evening)\b", "", text, flags=re.I)
        return " ".join(text.split())
    for part, spelled in _DAYPART.items():
        spoken = spelled if part == "tonight" else f"at {spelled}"
        text = re.sub(rf"\b(?:this |in the )?{part}\b", spoken, text, flags=re.IGNORECASE)
    return text.replace("tonight tonight", "tonight")


def parse_time(
    phrase: str,
    tz: str | None,
    *,
    now: datetime | None = None,
    need_time: bool = True,
    default_time: time = time(17, 0),
) -> ParsedTime:
    """Resolve ``phrase`` in timezone ``tz`` relative to ``now`` (UTC, default: the clock).

    Raises :class:`Ambiguous` (a question) or :class:`InvalidInput` (one sentence).
    """
    if not isinstance(phrase, str) or not phrase.strip():
        raise InvalidInput("I need a day or time for that.")
    if len(phrase) > MAX_PHRASE:
        raise InvalidInput("That time is too long; say a day and time.")
    zinfo = zone(tz)
    now_utc = now or datetime.now(UTC)
    iso = _parse_iso(phrase.strip(), zinfo)
    if iso is not None:
        return iso
    text = _normalise(phrase)
    has_time = bool(_HAS_TIME.search(text))
    base = now_utc.astimezone(zinfo).replace(tzinfo=None)
    parser = DateDataParser(
        languages=["en"],
        settings={
            "TIMEZONE": zinfo.key,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
        },
    )
    try:
        found = parser.get_date_data(text).date_obj
    except (ValueError, OverflowError, TypeError, KeyError):
        found = None
    if found is None:
        raise InvalidInput(f"I couldn't understand '{said(phrase)}' as a day or time.")
    if need_time and not has_time:
        raise Ambiguous(f"What time {_on(said(phrase))}?")
    local = found.astimezone(zinfo)
    if not has_time:
        local = datetime.combine(local.date(), default_time, tzinfo=zinfo)
    return ParsedTime(at=local.astimezone(UTC), has_time=has_time)


_DURATION_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "twenty five": 25, "thirty": 30, "forty": 40, "forty five": 45, "fifty": 50,
    "sixty": 60, "ninety": 90,
}  # fmt: skip


_AMOUNT = "|".join(sorted(map(re.escape, _DURATION_WORDS), key=len, reverse=True))
_DURATION = re.compile(
    rf"\b(an?|\d+(?:\.\d+)?|half an?|{_AMOUNT})\s*(minutes?|mins?|hours?|hrs?|h|m)\b"
)
MAX_DURATION_MINUTES = 7 * 24 * 60


def _minutes(match: re.Match[str]) -> int:
    amount_text, unit = match.groups()
    if amount_text in ("a", "an"):
        amount = 1.0
    elif "half" in amount_text:
        amount = 0.5
    elif amount_text in _DURATION_WORDS:
        amount = float(_DURATION_WORDS[amount_text])
    else:
        amount = float(amount_text)
    return int(amount * (60 if unit.startswith("h") else 1))


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower().replace("-", " "))


def parse_duration_minutes(phrase: str) -> int:
    """Minutes in "15 minutes", "ten minutes", "an hour", "2 hours", "half an hour", or a
    bare number of minutes ("for" and "in" in front are fine)."""
    text = re.sub(r"^(for|in)\s+", "", _normal(phrase))
    if text.isdigit():
        minutes = int(text)
    else:
        match = _DURATION.fullmatch(text)
        if not match:
            raise InvalidInput(f"I couldn't understand '{said(phrase, 30)}' as a length of time.")
        minutes = _minutes(match)
    if not 1 <= minutes <= MAX_DURATION_MINUTES:
        raise InvalidInput("A length of time must be between a minute and a week.")
    return minutes


def find_duration_minutes(text: str) -> int | None:
    """The first length of time said anywhere in ``text`` ("snooze it for twenty minutes
    please" → 20), or None when there is none (or it is not between a minute and a week)."""
    match = _DURATION.search(_normal(text))
    if match is None or (match.start() and _normal(text)[match.start() - 1].isalnum()):
        return None
    minutes = _minutes(match)
    return minutes if 1 <= minutes <= MAX_DURATION_MINUTES else None


def _parse_iso(text: str, zinfo: ZoneInfo) -> ParsedTime | None:
    if not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?", text
    ):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{text} is not a real date.") from None
    has_time = len(text) > 10
    if value.tzinfo is None:
        value = value.replace(tzinfo=zinfo)
    if not has_time:
        value = datetime.combine(value.date(), time(17, 0), tzinfo=zinfo)
    return ParsedTime(at=value.astimezone(UTC), has_time=has_time)


def _on(phrase: str) -> str:
    lowered = phrase.lower()
    if lowered in ("today", "tomorrow", "tonight", "yesterday") or lowered.startswith(
        ("next ", "this ", "in ", "on ")
    ):
        return lowered
    return f"on {phrase}"


def speak_time(at: datetime, tz: str | None, now: datetime | None = None) -> str:
    """Say an instant the way a person would: "today at 3:00 PM", "Friday 28 Nov at 9:30 AM"."""
    zinfo = zone(tz)
    local = at.astimezone(zinfo)
    today = (now or datetime.now(UTC)).astimezone(zinfo).date()
    clock = local.strftime("%I:%M %p").lstrip("0")
    if local.date() == today:
        day = "today"
    elif local.date() == today + timedelta(days=1):
        day = "tomorrow"
    elif timedelta(0) < local.date() - today < timedelta(days=7):
        day = local.strftime("%A")
    else:
        day = f"{local.strftime('%A')} {local.day} {local.strftime('%b')}"
    return f"{day} at {clock}"
