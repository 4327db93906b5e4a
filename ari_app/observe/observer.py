"""The observer interface calls report to, and a fan-out to several observers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from ari_app.conversation.stages import StageEvent

log = logging.getLogger(__name__)


class CallObserver(Protocol):
    """Receives every call's life: start, stage events, end."""

    def call_started(self, call_id: str, info: dict[str, str]) -> None:
        """A call was answered (``info``: did, caller)."""

    def stage(self, call_id: str, event: StageEvent) -> None:
        """A stage event of the call."""

    def call_ended(self, call_id: str, outcome: str, turns: list[dict[str, Any]]) -> None:
        """The call ended with ``outcome``; ``turns`` as in ``CallStats.turns``."""


class Observers:
    """Fans events out; an observer that raises is logged and never breaks the call."""

    def __init__(self, observers: Sequence[CallObserver] = ()) -> None:
        self.observers = list(observers)

    def add(self, observer: CallObserver) -> None:
        """Add an observer."""
        self.observers.append(observer)

    def call_started(self, call_id: str, info: dict[str, str]) -> None:
        """See :class:`CallObserver`."""
        for o in self.observers:
            self._safe(o.call_started, call_id, info)

    def stage(self, call_id: str, event: StageEvent) -> None:
        """See :class:`CallObserver`."""
        for o in self.observers:
            self._safe(o.stage, call_id, event)

    def call_ended(self, call_id: str, outcome: str, turns: list[dict[str, Any]]) -> None:
        """See :class:`CallObserver`."""
        for o in self.observers:
            self._safe(o.call_ended, call_id, outcome, turns)

    @staticmethod
    def _safe(method: Any, *args: Any) -> None:
        try:
            method(*args)
        except Exception:
            log.exception("observer %r failed", method)
