"""Which tools a request may need: a classifier that narrows the planner's first call.

The planner's prompt always shows every tool (so it stays the same bytes and cached); what
changes per request is the grammar of the first call, which admits only the tools this
classifier ranks close to its first choice (at least a tenth as likely; two to six of them),
and every tool when it is unsure. When it is sure (``decide``), only its
first choice is admitted, or only words when it is sure no tool fits. ``say`` and
``goodbye`` stay open.
Later lines of a plan (a second request in the same sentence) are not narrowed. A follow-up
("actually make that friday") also keeps the tools of the turn before and their siblings.

Trained when first used from ``data/requests_train.jsonl``, a corpus written for training
only (never from the tuning or held-out sets).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from functools import lru_cache
from pathlib import Path

from agent.understanding.classifier import TextClassifier, features
from agent.understanding.siblings import FAMILIES

CORPUS = Path(__file__).with_name("data") / "requests_train.jsonl"
SPEECH = ("say", "goodbye")
MIN_TOOLS = 2
MAX_TOOLS = 6
NEAR = 0.1
"""Offer the tools at least this fraction as likely as the first choice."""
UNSURE = 0.2
EPOCHS = 200
MORE = re.compile(r"\b(and then|and also|also|as well|plus|and)\b", re.I)
"""Words that may join a second request (the classifier labels only the first, so it does not
decide alone then)."""
"""Below this top probability, every tool is offered."""


@lru_cache(maxsize=1)
def trained(path: Path = CORPUS) -> TextClassifier | None:
    """The request classifier (None when there is no corpus)."""
    if not path.exists():
        return None
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            rows.append((features(item["say"], triples=True), str(item["tool"])))
    model = TextClassifier(sorted({label for _, label in rows}))
    model.fit(rows, epochs=EPOCHS, min_count=2, learning_rate=0.3, l2=1e-4, adaptive=True)
    return model


AFTER = {
    "create_todo": ("update_todo", "complete_todo", "delete_todo", "assign_todo"),
    "create_team_todo": ("update_todo", "assign_todo", "delete_todo"),
    "create_reminder": ("update_reminder", "cancel_reminder", "snooze_reminder"),
    "create_event": ("update_event", "delete_event", "check_conflicts"),
    "list_todos": ("complete_todo", "update_todo", "delete_todo", "get_todo"),
    "list_reminders": ("update_reminder", "cancel_reminder", "snooze_reminder"),
    "list_events": ("update_event", "delete_event", "get_event"),
}
"""What a follow-up to a tool's result ("make that friday", "the second one") may call."""


def _near(tool: str) -> set[str]:
    near = {tool, *AFTER.get(tool, ())}
    for family in FAMILIES:
        if tool in family.values():
            near |= set(family.values())
    return near


FAREWELL = 0.7
"""The classifier's probability of a goodbye at which the call ends without asking the model."""


def is_farewell(said: str) -> bool:
    """True when the caller is surely finishing the call ("thanks, that's all, bye")."""
    model = trained()
    if model is None or MORE.search(said):
        return False
    probabilities = dict(model.probabilities(features(said, triples=True)))
    return probabilities.get("goodbye", 0.0) >= FAREWELL


def candidates(
    said: str, known: Collection[str], previous: Sequence[str] = (), decide: float = 1.1
) -> list[str] | None:
    """The tools the first call may use, most likely first ([]: none, only words); None: any
    tool. With a top probability of at least ``decide``, only that choice."""
    model = trained()
    if model is None:
        return None
    everything = model.probabilities(features(said, triples=True))
    speech = sum(p for t, p in everything if t in SPEECH)
    ranked = [(t, p) for t, p in everything if t not in SPEECH]
    several = MORE.search(said) is not None  # "add X and then put me through": two requests
    if not previous and not several and speech >= decide:
        return []
    if not ranked or ranked[0][1] < UNSURE:
        return None
    if not previous and not several and ranked[0][1] >= decide and ranked[0][0] in known:
        return [ranked[0][0]]
    top = ranked[0][1]
    chosen = [t for t, p in ranked if t in known and p >= NEAR * top][:MAX_TOOLS]
    if len(chosen) < MIN_TOOLS:
        chosen = [t for t, _ in ranked if t in known][:MIN_TOOLS]
    for tool in previous:
        for near in sorted(_near(tool)):
            if near in known and near not in chosen:
                chosen.append(near)
    return chosen
