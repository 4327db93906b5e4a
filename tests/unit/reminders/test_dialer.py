"""The reminder dialer's bookkeeping: claim, originate, answered or not, retry, stop.

The REST client and the data side are fakes on the real interfaces (``AriRest.originate``,
``ReminderFeed``); events are the real typed ARI events.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ari_app.ari.events import Channel, ChannelDestroyed, StasisStart
from ari_app.ari.rest import AriHttpError
from ari_app.reminders.dialer import CallOutResult, ReminderDialer
from mcp_tools.services.reminders import DueReminder
from switchboard.settings import Settings


def _due(rid: int = 7, phones: tuple[str, ...] = ("+1555", "+1666"), attempts: int = 0) -> Any:
    from datetime import UTC, datetime

    return DueReminder(1, rid, 3, "Maria", phones, "stand-up", datetime.now(UTC), attempts)


@dataclass
class FakeFeed:
    """``ReminderFeed`` without a database."""

    pending: list[Any]
    claimed: set[int] = field(default_factory=set)
    finished: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)

    async def due(self, *, limit: int = 100) -> list[Any]:
        return [r for r in self.pending if r.reminder_id not in self.claimed][:limit]

    async def claim(self, tenant_id: int, reminder_id: int) -> bool:
        if reminder_id in self.claimed:
            return False
        self.claimed.add(reminder_id)
        return True

    async def finish(self, tenant_id: int, reminder_id: int, outcome: str, **kw: Any) -> None:
        self.finished.append((reminder_id, outcome, kw))

    async def release_stale(self, older_than_s: float) -> int:
        return 0


@dataclass
class FakeRest:
    """The two ``AriRest`` calls the dialer makes."""

    fail: bool = False
    originated: list[dict[str, Any]] = field(default_factory=list)
    hung_up: list[str] = field(default_factory=list)

    async def originate(self, endpoint: str, **kw: Any) -> Channel:
        if self.fail:
            raise AriHttpError(400, "POST", "/channels", "Allocation failed")
        self.originated.append({"endpoint": endpoint, **kw})
        return Channel(kw["channel_id"], endpoint, "Down")

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        self.hung_up.append(channel_id)


def _dialer(feed: FakeFeed, rest: FakeRest, **config: Any) -> ReminderDialer:
    settings = Settings()
    settings = settings.model_copy(
        update={"reminders": settings.reminders.model_copy(update=config)}
    )
    return ReminderDialer(rest, feed, settings)  # type: ignore[arg-type]


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_due_reminder_is_rung_through_the_trunk_and_its_result_recorded() -> None:
    feed, rest = FakeFeed([_due()]), FakeRest()
    dialer = _dialer(feed, rest, trunk="twilio", caller_id="+15550100")
    assert await dialer.poll_once() == 1
    await _settle()
    [placed] = rest.originated
    assert placed["endpoint"] == "PJSIP/+1555@twilio"
    assert placed["app_args"] == "reminder,1,7" and "+15550100" in placed["caller_id"]
    channel = placed["channel_id"]
    assert dialer.job(channel) is not None
    assert await dialer.poll_once() == 0  # claimed: not rung twice
    dialer.observe(
        StasisStart("StasisStart", "switchboard", "t", Channel(channel, "PJSIP/twilio-1", "Up"))
    )
    dialer.observe(
        ChannelDestroyed("ChannelDestroyed", "switchboard", "t", Channel(channel, "x", "Up"))
    )
    dialer.report(channel, CallOutResult("snoozed", 20))
    await dialer.stop_calls()
    assert [(r, o, kw["snooze_minutes"]) for r, o, kw in feed.finished] == [(7, "snoozed", 20)]
    assert not dialer.in_flight


async def test_not_answered_is_a_failed_attempt_with_the_reason() -> None:
    feed, rest = FakeFeed([_due(attempts=1)]), FakeRest()
    dialer = _dialer(feed, rest, max_attempts=3, retry_after_s=60.0)
    await dialer.poll_once()
    await _settle()
    [placed] = rest.originated
    assert placed["endpoint"].startswith("PJSIP/+1666@")  # the retry tries the next number
    dialer.observe(
        ChannelDestroyed(
            "ChannelDestroyed",
            "switchboard",
            "t",
            Channel(placed["channel_id"], "x", "Ring"),
            cause=19,
            cause_txt="No answer",
        )
    )
    await dialer.stop_calls()
    [(_rid, outcome, kw)] = feed.finished
    assert (outcome, kw["error"], kw["max_attempts"], kw["retry_after_s"]) == (
        "failed",
        "not answered: No answer",
        3,
        60.0,
    )


async def test_a_refused_originate_and_a_user_without_phones_fail_at_once() -> None:
    feed, rest = FakeFeed([_due(1), _due(2, phones=())]), FakeRest(fail=True)
    dialer = _dialer(feed, rest, max_concurrent=5)
    assert await dialer.poll_once() == 2
    await _settle()
    await dialer.stop_calls()
    outcomes = sorted((r, o, kw["error"][:26], kw["max_attempts"]) for r, o, kw in feed.finished)
    assert outcomes == [
        (1, "failed", "could not place the call: ", 3),
        (2, "failed", "no phone number", 0),
    ]


async def test_concurrency_limit_and_stopping_hangs_up_calls_in_flight() -> None:
    feed, rest = FakeFeed([_due(1), _due(2), _due(3)]), FakeRest()
    dialer = _dialer(feed, rest, max_concurrent=2)
    assert await dialer.poll_once() == 2
    await _settle()
    assert await dialer.poll_once() == 0
    await dialer.stop_calls()
    assert sorted(rest.hung_up) == sorted(p["channel_id"] for p in rest.originated)
    assert {o for _, o, _ in feed.finished} == {"failed"}
    assert {kw["error"] for _, _, kw in feed.finished} == {"dialer stopped"}


async def test_waits_for_the_ari_connection() -> None:
    feed, rest = FakeFeed([_due()]), FakeRest()
    connected = asyncio.Event()
    settings = Settings()
    dialer = ReminderDialer(rest, feed, settings, connected=connected)  # type: ignore[arg-type]
    assert await dialer.poll_once() == 0
    connected.set()
    assert await dialer.poll_once() == 1
    await dialer.stop_calls()
