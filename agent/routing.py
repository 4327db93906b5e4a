"""Tool selection: each turn shows the model a handful of the 38 tools, not all of them.

A keyword router (pure, microseconds): the caller's words score the eight tool families
(todos, reminders, calendar, teams, team work, people, reports, calls); the best one or two
families win, and inside them the intent words (add, list, done, change, delete, ...) pick the
tools. A turn with no family word reuses the previous turn's families (a follow-up such as
"at three" or "John Smith"), or gets no tools at all (chit-chat, "thanks, that's all").
The order of tools is fixed (the table order), so one routing always renders the same prompt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# fmt: off
FAMILY_WORDS: dict[str, dict[str, int]] = {
    "todos": {
        "todo": 3, "to-do": 3, "to do": 2, "task": 2, "list": 2, "chore": 2, "done": 2,
        "mark": 1, "finished": 2,
    },
    "reminders": {"remind": 4, "reminder": 4, "snooze": 4, "alert me": 3, "nudge me": 3},
    "calendar": {
        "meeting": 3, "event": 3, "calendar": 3, "appointment": 3, "book": 2, "schedule": 2,
        "lunch": 2, "free": 2, "busy": 2, "slot": 2, "conflict": 3, "agenda": 2, "dinner": 2,
        "call with": 3,
    },
    "teams": {"team": 3, "member": 2, "join": 1, "role": 2, "who is in": 4, "admin": 2},
    "teamwork": {
        "assign": 4, "assigned": 4, "team todo": 5, "team task": 5, "my plate": 3,
        "team's": 5, "teammate": 2,
    },
    "people": {
        "who is": 3, "profile": 3, "nickname": 3, "my name": 3, "timezone": 3, "email": 3,
        "look up": 2, "contact": 1, "whose": 1,
    },
    "reports": {
        "report": 3, "workload": 5, "overdue": 4, "behind": 2, "late": 1, "how busy": 4,
    },
    "calls": {
        "human": 5, "person": 2, "someone": 3, "agent": 4, "operator": 4, "representative": 4,
        "transfer": 5, "put me through": 5, "connect me": 5, "speak to": 3, "talk to": 3,
        "sales": 3, "support": 3, "billing": 3, "department": 3, "real": 1,
    },
}
# fmt: on
"""Words (lower case, whole words or phrases) and how strongly they point at a family."""

INTENT_WORDS: dict[str, tuple[str, ...]] = {
    "create": (
        "add",
        "create",
        "new",
        "put",
        "make",
        "book",
        "schedule",
        "set up",
        "remind me",
        "note",
        "plan",
        "arrange",
        "need to",
    ),
    "list": (
        "what",
        "list",
        "show",
        "read",
        "any",
        "tell me",
        "do i have",
        "what's",
        "whats",
        "how many",
        "who",
        "which",
        "when",
    ),
    "complete": ("done", "finished", "complete", "completed", "tick off", "check off"),
    "delete": ("delete", "remove", "drop", "get rid", "erase"),
    "update": (
        "change",
        "move",
        "rename",
        "reschedule",
        "push",
        "update",
        "edit",
        "set my",
        "promote",
        "demote",
        "an admin",
        "an owner",
        "a viewer",
        "role",
    ),
    "search": ("find", "search", "look for", "look up", "about"),
    "cancel": ("cancel", "call off"),
    "snooze": ("snooze", "later", "postpone"),
    "assign": ("assign", "give", "hand"),
    "free": ("free", "busy", "slot", "available", "conflict", "clash"),
    "transfer": (
        "human",
        "person",
        "someone",
        "agent",
        "operator",
        "representative",
        "transfer",
        "through",
        "connect",
        "speak",
        "talk",
    ),
    "departments": ("departments", "which department", "what departments", "open"),
}

TOOLS: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (family, intents); the first tools of a family are its defaults
    "create_todo": ("todos", ("create",)),
    "list_todos": ("todos", ("list", "complete", "delete", "update")),
    "complete_todo": ("todos", ("complete",)),
    "update_todo": ("todos", ("update",)),
    "delete_todo": ("todos", ("delete",)),
    "search_todos": ("todos", ("search",)),
    "get_todo": ("todos", ()),
    "create_reminder": ("reminders", ("create",)),
    "list_reminders": ("reminders", ("list", "cancel", "snooze", "update")),
    "snooze_reminder": ("reminders", ("snooze",)),
    "cancel_reminder": ("reminders", ("cancel", "delete")),
    "update_reminder": ("reminders", ("update",)),
    "create_event": ("calendar", ("create",)),
    "list_events": ("calendar", ("list", "delete", "update", "cancel")),
    "find_free_slots": ("calendar", ("free",)),
    "check_conflicts": ("calendar", ("free",)),
    "update_event": ("calendar", ("update",)),
    "delete_event": ("calendar", ("delete", "cancel")),
    "get_event": ("calendar", ()),
    "list_teams": ("teams", ("list",)),
    "list_team_members": ("teams", ("list",)),
    "add_team_member": ("teams", ("create",)),
    "remove_team_member": ("teams", ("delete",)),
    "change_member_role": ("teams", ("update",)),
    "create_team": ("teams", ("create",)),
    "get_team": ("teams", ()),
    "create_team_todo": ("teamwork", ("create", "assign")),
    "assign_todo": ("teamwork", ("assign",)),
    "list_team_todos": ("teamwork", ("list",)),
    "list_my_assignments": ("teamwork", ("list",)),
    "search_users": ("people", ("search", "list")),
    "get_user": ("people", ("list",)),
    "get_my_profile": ("people", ("list",)),
    "update_my_profile": ("people", ("update",)),
    "report_team_workload": ("reports", ("list",)),
    "report_overdue": ("reports", ("list",)),
    "transfer_to_department": ("calls", ("transfer",)),
    "get_departments": ("calls", ("departments",)),
}
"""Every tool of the server, by family, with the intents that select it."""

MAX_TOOLS = 5
FAMILY_DEFAULTS = 3


@dataclass(frozen=True)
class Route:
    """The outcome of routing one turn."""

    families: tuple[str, ...]
    tools: tuple[str, ...]
    reused: bool = False
    """True when the families were carried over from the previous turn."""


CLOSING = (
    "thanks",
    "thank you",
    "that's all",
    "that is all",
    "bye",
    "goodbye",
    "nothing else",
    "never mind",
    "hello",
    "hi",
    "how are you",
)
"""Words of a conversation's edges: no tools, whatever came before."""


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?:s|es)?(?![\w-])", text) is not None


_TEAM_OF = re.compile(r"\b(sales|support|billing|general)\s+team")


def family_scores(text: str) -> dict[str, int]:
    """How strongly the words of ``text`` point at each family (0 = not at all)."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    lowered = _TEAM_OF.sub(r"\1-named team", lowered)  # "the sales team" is no department
    return {
        family: sum(weight for phrase, weight in words.items() if _has(lowered, phrase))
        for family, words in FAMILY_WORDS.items()
    }


def intents(text: str) -> set[str]:
    """The intents named by the words of ``text``."""
    lowered = " ".join(text.lower().replace("’", "'").split())
    return {name for name, words in INTENT_WORDS.items() if any(_has(lowered, w) for w in words)}


def tools_of(families: Iterable[str], wanted: set[str]) -> tuple[str, ...]:
    """The tools of ``families`` that serve ``wanted`` intents (table order, at most 5)."""
    chosen: list[str] = []
    for family in families:
        members = [name for name, (fam, _) in TOOLS.items() if fam == family]
        hits = [name for name in members if set(TOOLS[name][1]) & wanted]
        chosen += hits or members[:FAMILY_DEFAULTS]
    return tuple(dict.fromkeys(chosen))[:MAX_TOOLS]


def route(text: str, previous: tuple[str, ...] = ()) -> Route:
    """Pick the families and tools for one caller utterance."""
    scores = family_scores(text)
    best = max(scores.values())
    if best < 2:
        lowered = text.lower().replace("’", "'")
        closing = any(_has(lowered, phrase) for phrase in CLOSING)
        if previous and best == 0 and len(text.split()) <= 8 and not closing:
            return Route(previous, tools_of(previous, intents(text) | {"create"}), reused=True)
        return Route((), ())
    ranked = sorted((f for f in scores if scores[f] > 0), key=lambda f: -scores[f])
    families = tuple(f for f in ranked[:2] if scores[f] * 4 >= best * 3 or f == ranked[0])
    return Route(families, tools_of(families, intents(text)))


def all_tools() -> tuple[str, ...]:
    """Every tool name, in table order (routing off)."""
    return tuple(TOOLS)
