"""Errors every tool may answer with: one clear sentence, a stable code, an audit outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


class ToolFailure(Exception):
    """Base of the expected failures; ``message`` is one sentence fit to be spoken."""

    code = "failed"
    outcome = "failed"
    """How the audit log records it: ``refused`` (policy), ``rejected`` (input) or ``failed``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def data(self) -> dict[str, Any]:
        """Structured detail for the agent (empty for most failures)."""
        return {}


class InvalidInput(ToolFailure):
    """The arguments make no sense (bad value, impossible date, too long)."""

    code = "invalid_input"
    outcome = "rejected"


class NotFound(ToolFailure):
    """Nothing by that id or name is visible to the caller (other tenants are invisible)."""

    code = "not_found"
    outcome = "rejected"


class Ambiguous(ToolFailure):
    """More than one thing matches; the message is a short question to put to the caller.

    ``options`` are the choices, in the order the question names them; each has ``ref``,
    what to pass back to the same argument to mean exactly that choice.
    """

    code = "ambiguous"
    outcome = "rejected"

    def __init__(self, message: str, options: Sequence[Choice] = ()) -> None:
        super().__init__(message)
        self.options = tuple(options)

    @property
    def data(self) -> dict[str, Any]:
        """The choices: ``{"options": [{"ref": ..., "title": ...}, ...]}``."""
        return {"options": [{"ref": o.ref, "title": o.title} for o in self.options]}


@dataclass(frozen=True)
class Choice:
    """One choice of an ambiguous reference: what to pass back, and how it is named."""

    ref: str
    title: str


class Conflict(ToolFailure):
    """The request clashes with the current state (duplicate name, already a member)."""

    code = "conflict"
    outcome = "rejected"


class Forbidden(ToolFailure):
    """The caller's role does not allow this action."""

    code = "forbidden"
    outcome = "refused"


def said(text: object, limit: int = 40) -> str:
    """The caller's words, safe to echo in one sentence: one line, printable, short."""
    value = " ".join(str(text).split())
    value = "".join(ch for ch in value if ch.isprintable())
    return value if len(value) <= limit else value[: limit - 1] + "…"
