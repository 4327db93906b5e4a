"""Answers to the assistant's own questions, understood by meaning: yes, no, which one, later.

Every dialog that waits for an answer (a confirmation before deleting, the callback offer, a
reminder call-out, "which one: A or B?", the PIN prompt) asks :class:`AnswerReader` what the
caller's words mean, as one of the dialog's labels (:data:`LABELS`), so "sure no problem" is
a yes and "i haven't done it yet" is no "done".

How: for "which one", the answer is first matched against the items the question named, by
position ("the second one", "the last one") or by words only one item has ("the bank one");
everything else goes to a small classifier trained on phone answers
(:mod:`.answer_classifier`). Measured on the tuning answers (``switchboard bench agent
--answers``): the bundled 1.5B model asked with a constrained one-word reply got 64-69 %
(it hardly ever calls an answer unclear, and maps names to positions poorly); the classifier
gets 92 %, in microseconds, with no model running (reminder call-outs need none). Keys pressed
are the dialogs' own business; PINs are never read here (the sign-in dialog asks only when
the caller said no digits).
"""

from __future__ import annotations

import re

from agent.understanding.answer_classifier import classify
from agent.understanding.options import picked_option

LABELS: dict[str, tuple[str, ...]] = {
    "confirm": ("yes", "no", "unclear"),
    "callback": ("yes", "no", "unclear"),
    "reminder": ("done", "snooze", "repeat", "heard", "unclear"),
    "which": ("1", "2", "3", "none", "unclear"),
    "signin": ("not_me", "help", "unclear"),
}
"""What each dialog's answers can mean."""
UNCLEAR = "unclear"


def options_of(question: str) -> list[str]:
    """The items a "Which one: A, B, or C?" question names, in order (empty when none)."""
    head, sep, tail = question.partition(":")
    if not sep or "which" not in head.lower():
        return []
    names = re.split(r",\s*(?:or\s+)?|\s+or\s+", tail.strip().rstrip("?.").strip())
    return [n.strip() for n in names if n.strip()]


def pick_by_name(question: str, said: str) -> str | None:
    """The option an answer names without doubt: by position ("the second one", "the
    latter") or by words only one option has ("the bank one"), corrections aside ("not the
    first, the second"); None when that does not settle it (:mod:`.options`)."""
    picked = picked_option(options_of(question), said)
    return None if picked is None else str(picked)


class AnswerReader:
    """Reads dialog answers (see the module docstring)."""

    async def read(self, dialog: str, question: str, said: str) -> str:
        """What ``said`` means as an answer to ``question`` in ``dialog`` (one of its labels)."""
        labels = LABELS.get(dialog)
        if labels is None:
            raise ValueError(f"unknown dialog {dialog!r}")
        if not said.strip():
            return UNCLEAR
        if dialog == "which":
            picked = pick_by_name(question, said)
            if picked is not None:
                return picked
        label, _ = classify(dialog, question, said)
        return label if label in labels else UNCLEAR
