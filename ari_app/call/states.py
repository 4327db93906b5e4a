"""The call's state machine: answering → authenticating → conversing → transferring → ended.

Table-driven and pure: :data:`TRANSITIONS` says which trigger moves which state where;
:class:`CallStateMachine` applies triggers and reports every transition as a
``call_state`` stage event (``detail``: from, to, trigger and anything the caller adds), so
logs, metrics, Sentry and tests see the call's path. A trigger the table does not allow in
the current state is logged and ignored: a late or duplicate event never breaks a call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ari_app.conversation.stages import Stage, StageEvent

log = logging.getLogger(__name__)


class CallState(StrEnum):
    """Where a call is."""

    ANSWERING = "answering"
    AUTHENTICATING = "authenticating"
    CONVERSING = "conversing"
    TRANSFERRING = "transferring"
    ENDED = "ended"


class CallTrigger(StrEnum):
    """What happened to the call."""

    ANSWERED = "answered"
    """Media flows and callers sign in first."""
    ANSWERED_OPEN = "answered_open"
    """Media flows and nobody signs in (stand-in agent, reminder call-outs)."""
    SIGNED_IN = "signed_in"
    LOCKED_OUT = "locked_out"
    TRANSFER = "transfer"
    """The caller asked for a person (or, locked out, is sent to general)."""
    HANDED_OFF = "handed_off"
    """The caller is in the department's queue."""
    TRANSFER_FAILED = "transfer_failed"
    GOODBYE = "goodbye"
    """The assistant ended the call."""
    HANGUP = "hangup"
    """The caller hung up."""
    FAILED = "failed"
    """Set-up or media failed."""


S, T = CallState, CallTrigger
_ENDINGS = {T.HANGUP: S.ENDED, T.FAILED: S.ENDED}
TRANSITIONS: dict[CallState, dict[CallTrigger, CallState]] = {
    S.ANSWERING: {T.ANSWERED: S.AUTHENTICATING, T.ANSWERED_OPEN: S.CONVERSING, **_ENDINGS},
    S.AUTHENTICATING: {
        T.SIGNED_IN: S.CONVERSING,
        T.LOCKED_OUT: S.ENDED,
        T.TRANSFER: S.TRANSFERRING,
        T.GOODBYE: S.ENDED,
        **_ENDINGS,
    },
    S.CONVERSING: {T.TRANSFER: S.TRANSFERRING, T.GOODBYE: S.ENDED, **_ENDINGS},
    S.TRANSFERRING: {T.HANDED_OFF: S.ENDED, T.TRANSFER_FAILED: S.CONVERSING, **_ENDINGS},
    S.ENDED: {},
}
"""state → trigger → next state; anything missing is not allowed."""


@dataclass(frozen=True)
class StateChange:
    """One transition."""

    source: CallState
    target: CallState
    trigger: CallTrigger
    t: float


class CallStateMachine:
    """Holds one call's state; reports transitions as stage events."""

    def __init__(
        self,
        on_stage: Callable[[StageEvent], None] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        turn: Callable[[], int] = lambda: 0,
    ) -> None:
        self.state = CallState.ANSWERING
        self.history: list[StateChange] = []
        self._on_stage = on_stage
        self._clock = clock
        self._turn = turn

    @property
    def ended(self) -> bool:
        """True once the call reached its end."""
        return self.state is CallState.ENDED

    def allows(self, trigger: CallTrigger) -> bool:
        """True when ``trigger`` moves the call from where it is now."""
        return trigger in TRANSITIONS[self.state]

    def fire(self, trigger: CallTrigger, **detail: object) -> bool:
        """Apply ``trigger``; False (and nothing changes) when the table does not allow it."""
        target = TRANSITIONS[self.state].get(trigger)
        if target is None:
            log.debug("call state %s ignores %s", self.state, trigger)
            return False
        change = StateChange(self.state, target, trigger, self._clock())
        self.state = target
        self.history.append(change)
        if self._on_stage is not None:
            info = {"from": change.source.value, "to": target.value, "trigger": trigger.value}
            self._on_stage(StageEvent(self._turn(), Stage.CALL_STATE, change.t, info | detail))
        return True

    def path(self) -> list[str]:
        """The states the call went through, first to last."""
        return [CallState.ANSWERING.value] + [c.target.value for c in self.history]
