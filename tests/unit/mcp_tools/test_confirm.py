"""Confirmation tokens (mcp_tools.confirm): a yes counts only for the same caller, call,
action and item, before it expires; anything else is simply not a yes."""

from __future__ import annotations

import pytest

from mcp_tools.confirm import TTL_S, Confirmations
from mcp_tools.policy import Actor, Role

KEY = b"k" * 32
ALICE = Actor(tenant_id=1, user_id=10, role=Role.MEMBER, call_id="call-1")


class Clock:
    """A settable clock (seconds since the epoch)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def confirmations(clock: Clock) -> Confirmations:
    return Confirmations(KEY, clock=clock)


def test_a_token_confirms_its_own_action_on_its_own_item(confirmations: Confirmations) -> None:
    token = confirmations.issue(ALICE, "todo.delete", 5)
    assert confirmations.valid(token, ALICE, "todo.delete", 5)
    assert confirmations.valid(token, ALICE, "todo.delete", 5)  # checking does not use it up


def test_the_same_actor_on_a_new_token_of_the_same_call() -> None:
    # a re-minted bearer token keeps tenant, user and call: the yes still counts
    confirmations = Confirmations(KEY)
    token = confirmations.issue(ALICE, "event.delete", 7)
    refreshed = Actor(tenant_id=1, user_id=10, role=Role.MEMBER, call_id="call-1", name="Alice")
    assert confirmations.valid(token, refreshed, "event.delete", 7)


@pytest.mark.parametrize(
    ("action", "target"),
    [
        ("todo.complete", 5),  # another action
        ("event.delete", 5),  # the same number, another kind of item
        ("todo.delete", 6),  # another item
        ("todo.delete", "5:1"),
    ],
)
def test_another_action_or_item_is_refused(
    confirmations: Confirmations, action: str, target: object
) -> None:
    token = confirmations.issue(ALICE, "todo.delete", 5)
    assert not confirmations.valid(token, ALICE, action, target)


def test_team_targets_bind_team_person_and_role(confirmations: Confirmations) -> None:
    token = confirmations.issue(ALICE, "team.change_role", "3:11:admin")
    assert confirmations.valid(token, ALICE, "team.change_role", "3:11:admin")
    assert not confirmations.valid(token, ALICE, "team.change_role", "3:11:owner")
    assert not confirmations.valid(token, ALICE, "team.change_role", "3:12:admin")
    assert not confirmations.valid(token, ALICE, "team.remove_member", "3:11:admin")


@pytest.mark.parametrize(
    "other",
    [
        Actor(tenant_id=2, user_id=10, role=Role.MEMBER, call_id="call-1"),  # other tenant
        Actor(tenant_id=1, user_id=11, role=Role.MEMBER, call_id="call-1"),  # other user
        Actor(tenant_id=1, user_id=10, role=Role.MEMBER, call_id="call-2"),  # other call
        Actor(tenant_id=1, user_id=10, role=Role.MEMBER, call_id=None),  # no call
        Actor(tenant_id=1, user_id=None, role=Role.OWNER, call_id="call-1"),  # the system
    ],
)
def test_another_caller_or_call_is_refused(confirmations: Confirmations, other: Actor) -> None:
    token = confirmations.issue(ALICE, "todo.delete", 5)
    assert not confirmations.valid(token, other, "todo.delete", 5)


def test_a_token_expires(clock: Clock, confirmations: Confirmations) -> None:
    assert confirmations.ttl_s == TTL_S == 180
    token = confirmations.issue(ALICE, "reminder.cancel", 9)
    clock.now += TTL_S - 1
    assert confirmations.valid(token, ALICE, "reminder.cancel", 9)
    clock.now += 2
    assert not confirmations.valid(token, ALICE, "reminder.cancel", 9)
    fresh = confirmations.issue(ALICE, "reminder.cancel", 9)  # asking again gives a new one
    assert fresh != token and confirmations.valid(fresh, ALICE, "reminder.cancel", 9)


def test_a_shorter_lifetime(clock: Clock) -> None:
    confirmations = Confirmations(KEY, ttl_s=5, clock=clock)
    token = confirmations.issue(ALICE, "todo.delete", 5)
    clock.now += 6
    assert not confirmations.valid(token, ALICE, "todo.delete", 5)


def test_the_expiry_cannot_be_pushed_back(clock: Clock, confirmations: Confirmations) -> None:
    token = confirmations.issue(ALICE, "todo.delete", 5)
    expires, mac = token.split(".", 1)
    clock.now += TTL_S + 10
    later = f"{int(expires) + 3600}.{mac}"
    assert not confirmations.valid(later, ALICE, "todo.delete", 5)


def test_another_key_is_refused(clock: Clock, confirmations: Confirmations) -> None:
    token = confirmations.issue(ALICE, "todo.delete", 5)
    restarted = Confirmations(clock=clock)  # a restarted server has a new random key
    assert not restarted.valid(token, ALICE, "todo.delete", 5)
    assert Confirmations(KEY, clock=clock).valid(token, ALICE, "todo.delete", 5)


def test_tokens_reveal_nothing_but_their_expiry(confirmations: Confirmations) -> None:
    token = confirmations.issue(ALICE, "todo.delete", 5)
    expires, mac = token.split(".", 1)
    assert int(expires) == 1_800_000_000 + TTL_S
    assert "todo" not in mac and "call-1" not in mac and len(mac) == 24


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "",
        "yes",
        "true",
        "1",
        ".",
        "1800000180",
        "1800000180.",
        ".AAAAAAAAAAAAAAAAAAAAAAAA",
        "-1800000180.AAAAAAAAAAAAAAAAAAAAAAAA",
        "1800000180.AAAAAAAAAAAAAAAAAAAAAAAA",
        "9999999999.AAAAAAAAAAAAAAAAAAAAAAAA",
        "1e12.AAAA",
        " 1800000180.AAAA",
        "1800000180.AAAA.BBBB",
        "١٨٠٠٠٠٠١٨٠.AAAA",  # digits, but not ASCII ones
        "'; DROP TABLE todos; --",
    ],
)
def test_garbage_is_refused(confirmations: Confirmations, garbage: str | None) -> None:
    assert not confirmations.valid(garbage, ALICE, "todo.delete", 5)


def test_a_tampered_token_is_refused(confirmations: Confirmations) -> None:
    token = confirmations.issue(ALICE, "todo.delete", 5)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert not confirmations.valid(flipped, ALICE, "todo.delete", 5)
    assert not confirmations.valid(token + "A", ALICE, "todo.delete", 5)
    assert not confirmations.valid(token[:-1], ALICE, "todo.delete", 5)


@pytest.mark.parametrize(
    "garbage", ["9" * 5000 + ".AAAA", "²³.AAAA", "9999999999.é", "9999999999.AAAA\u00e9"]
)
def test_odd_garbage_is_refused_too(confirmations: Confirmations, garbage: str) -> None:
    assert not confirmations.valid(garbage, ALICE, "todo.delete", 5)
