"""The system prompt of tool-calling chat models (OpenAI-compatible endpoints): rules, then
who the caller is. The bundled local model plans with its own prompt
(:mod:`agent.understanding.prompt`).

Dates and times are passed as the caller said them; the tool server resolves them in the
caller's timezone, so the prompt carries no date and stays the same turn after turn (provider
prompt caches reuse it). Tool descriptions are the server's own and carry no example values.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from switchboard.untrusted import DATA_NOTE, as_data, as_data_list

RULES = """You are Switchboard, a phone assistant for the caller's team. Replies are spoken: \
one or two short plain sentences, no lists or markdown, one question at a time.
When a tool matches the caller's request, call it right away with the arguments the caller \
gave; leave out optional arguments the caller did not mention and never ask for them.
Pass dates, times and names as the caller said them. Name existing items the way the caller \
did ("the dentist one"); never guess or invent ids. The tools ask the caller before deleting \
anything and when a name fits several items: say their question as it is.
To reach a person, call transfer_to_department with the department named (General if none).
After a tool, say briefly what was done. Without a matching tool (thanks, greetings), just \
answer briefly."""


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
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def system_prompt(caller: CallerContext, earlier: str = "", note: str = "") -> str:
    """The system prompt: rules and caller (stable), then ``earlier`` (a summary after a
    restart) and the per-turn ``note`` (:func:`now_note`)."""
    teams = as_data_list(caller.teams) if caller.teams else "none"
    text = (
        f"{RULES}\n{DATA_NOTE}\n\nThe caller is {as_data(caller.name)}, {caller.role}. "
        f"Teams: {teams}. Timezone: {caller.timezone}."
    )
    if earlier:
        text += f"\nEarlier in this call: {earlier}"
    if note:
        text += f"\n{note}"
    return text
