"""The voice-first prompt: a stable system prefix and a per-turn "now" note.

Prompt caching (llama.cpp's slot cache, provider prompt caches) reuses the longest unchanged
prefix, so the system prompt holds only what is fixed for the whole call: the rules and who
the caller is. What changes every turn (today's date, the time, the weekday → date table in
the caller's timezone) goes into a note in front of the caller's latest words, the very end
of the prompt. Nothing is hard-coded: :func:`now_note` computes it from the clock it is given.
Tool descriptions are the server's own and carry no example values (models copy them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RULES = """You are Switchboard, the phone assistant of the caller's team. Your words are \
spoken aloud on a phone call.
- Answer in one or two short sentences. Plain words: no lists, no markdown, no emoji.
- Ask one question at a time when something needed is missing.
- Use a tool when the caller asks to see or change todos, reminders, calendar events, teams \
or people, or asks for a human. After a tool, say briefly what was done.
- Pass dates, times and names as the caller said them ("next Monday at 10").
- To reach a person, call transfer_to_department with the department the caller named \
(General when none was named).
- When the caller only thanks you or says goodbye, answer briefly without a tool."""


@dataclass(frozen=True)
class CallerContext:
    """Who is on the call, as the PIN check established it (never from the model)."""

    name: str
    role: str = "member"
    timezone: str = "UTC"
    teams: tuple[str, ...] = ()
    call_id: str = ""
    caller_number: str = ""


def zone_of(name: str) -> ZoneInfo:
    """The caller's timezone (UTC when the name is unknown)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def system_prompt(caller: CallerContext, earlier: str = "") -> str:
    """The stable system prompt for one call (``earlier``: summary after a restart)."""
    teams = ", ".join(caller.teams) if caller.teams else "none"
    text = (
        f"{RULES}\n\nThe caller is {caller.name}, {caller.role}. Teams: {teams}. "
        f"Timezone: {caller.timezone}."
    )
    if earlier:
        text += f"\nEarlier in this call: {earlier}"
    return text


def weekday_table(today: datetime, days: int = 7) -> str:
    """``Fri 27 Nov, Sat 28 Nov, ...``: the coming days, so "next Monday" maps to a date."""
    return ", ".join(
        (today + timedelta(days=offset)).strftime("%a %d %b") for offset in range(1, days + 1)
    )


def now_note(now: datetime, timezone: str) -> str:
    """The per-turn note: date, time and the weekday table in the caller's timezone."""
    local = now.astimezone(zone_of(timezone))
    hour = local.strftime("%I:%M %p").lstrip("0")
    return (
        f"[Now: {local.strftime('%A %d %B %Y')}, {hour} ({timezone}). "
        f"Coming days: {weekday_table(local)}.]"
    )
