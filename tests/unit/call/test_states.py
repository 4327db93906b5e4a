"""The call state machine: the table, the paths a call takes, and the stage events."""

from __future__ import annotations

import itertools

import pytest

from ari_app.call.states import TRANSITIONS, CallState, CallStateMachine, CallTrigger
from ari_app.conversation.stages import Stage, StageEvent


def _machine() -> tuple[CallStateMachine, list[StageEvent]]:
    events: list[StageEvent] = []
    ticks = iter(range(100))
    return CallStateMachine(events.append, clock=lambda: float(next(ticks))), events


@pytest.mark.parametrize(
    ("triggers", "path"),
    [
        (["answered", "signed_in", "goodbye"],
         ["answering", "authenticating", "conversing", "ended"]),
        (["answered", "signed_in", "transfer", "handed_off"],
         ["answering", "authenticating", "conversing", "transferring", "ended"]),
        (["answered", "locked_out"], ["answering", "authenticating", "ended"]),
        (["answered", "transfer", "handed_off"],  # locked out, sent to general
         ["answering", "authenticating", "transferring", "ended"]),
        (["answered_open", "hangup"], ["answering", "conversing", "ended"]),
        (["failed"], ["answering", "ended"]),
    ],
)  # fmt: skip
def test_paths(triggers: list[str], path: list[str]) -> None:
    machine, events = _machine()
    for trigger in triggers:
        assert machine.fire(CallTrigger(trigger))
    assert machine.path() == path and machine.ended
    assert [e.stage for e in events] == [Stage.CALL_STATE] * len(triggers)
    assert [(e.detail["from"], e.detail["to"]) for e in events] == list(itertools.pairwise(path))
    assert [e.t for e in events] == sorted(e.t for e in events)


def test_triggers_the_table_does_not_allow_change_nothing() -> None:
    machine, events = _machine()
    assert not machine.fire(CallTrigger.SIGNED_IN)  # not before answering
    machine.fire(CallTrigger.ANSWERED_OPEN)
    assert not machine.fire(CallTrigger.HANDED_OFF)
    machine.fire(CallTrigger.HANGUP)
    assert not machine.fire(CallTrigger.HANGUP)  # a late second hang-up
    assert machine.path() == ["answering", "conversing", "ended"] and len(events) == 2


def test_every_state_can_end_and_ended_is_final() -> None:
    for state, moves in TRANSITIONS.items():
        if state is not CallState.ENDED:
            assert moves[CallTrigger.HANGUP] is CallState.ENDED
            assert moves[CallTrigger.FAILED] is CallState.ENDED
    assert TRANSITIONS[CallState.ENDED] == {}
    targets = {t for moves in TRANSITIONS.values() for t in moves.values()}
    assert targets | {CallState.ANSWERING} == set(CallState)


def test_detail_is_carried() -> None:
    machine, events = _machine()
    machine.fire(CallTrigger.ANSWERED)
    machine.fire(CallTrigger.TRANSFER, queue="400")
    assert events[-1].detail == {
        "from": "authenticating", "to": "transferring", "trigger": "transfer", "queue": "400"
    }  # fmt: skip
