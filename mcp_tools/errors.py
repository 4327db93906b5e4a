"""Errors every tool may answer with: one clear sentence, a stable code, an audit outcome."""

from __future__ import annotations


class ToolFailure(Exception):
    """Base of the expected failures; ``message`` is one sentence fit to be spoken."""

    code = "failed"
    outcome = "failed"
    """How the audit log records it: ``refused`` (policy), ``rejected`` (input) or ``failed``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ToolFailure):
    """The arguments make no sense (bad value, impossible date, too long)."""

    code = "invalid_input"
    outcome = "rejected"


class NotFound(ToolFailure):
    """Nothing by that id or name is visible to the caller (other tenants are invisible)."""

    code = "not_found"
    outcome = "rejected"


class Ambiguous(ToolFailure):
    """More than one thing matches; the message is a short question to put to the caller."""

    code = "ambiguous"
    outcome = "rejected"


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
