"""Route ARI events to calls: StasisStart of an inbound channel makes a call; the rest go to
the call that owns the channel. Calls run as tasks the manager owns.

When the ARI events websocket drops, Asterisk keeps the channels (and each call's media
socket is its own connection), so calls carry on. On reconnect :meth:`CallManager.reconcile`
compares the calls with the channels Asterisk still has: a call whose caller channel is gone
ends (as if its StasisEnd had arrived); a channel still in the app that no call serves (its
StasisStart fell into the gap) is adopted and served.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Mapping
from typing import Protocol

from ari_app.ari.events import (
    AriEvent,
    Channel,
    ChannelDestroyed,
    ChannelDtmfReceived,
    ChannelHangupRequest,
    ChannelStateChange,
    PlaybackFinished,
    PlaybackStarted,
    StasisEnd,
    StasisStart,
)
from ari_app.call.base import CallStats

log = logging.getLogger(__name__)

CHANNEL_EVENTS = (
    StasisEnd,
    ChannelDtmfReceived,
    ChannelHangupRequest,
    ChannelDestroyed,
    ChannelStateChange,
)


class ManagedCall(Protocol):
    """What the manager needs from a call object."""

    events: asyncio.Queue[AriEvent]
    stats: CallStats

    def owns(self, channel_id: str) -> bool:
        """True for channels this call created or serves."""

    async def run(self) -> CallStats:
        """Serve the call to its end, cleaning up."""


CallFactory = Callable[[Channel, tuple[str, ...]], ManagedCall]

ADOPTABLE_STATES = ("Ring", "Ringing")
"""A channel nobody served yet (its StasisStart was missed) is adopted only before anyone
answered it: an answered orphan belonged to a call state that no longer exists."""


def stasis_args(channel: Channel, app: str) -> tuple[str, ...] | None:
    """The Stasis arguments of a channel sitting in ``app`` (None: not in it)."""
    dialplan = channel.dialplan
    if dialplan.app_name.lower() != "stasis":
        return None
    name, _, rest = dialplan.app_data.partition(",")
    if name.strip() != app:
        return None
    return tuple(a.strip() for a in rest.split(",")) if rest else ()


class CallManager:
    """Creates one call per channel entering the app and feeds it its events.

    The first Stasis argument says what kind of call it is: ``inbound`` (a caller rang the
    assistant) goes to ``factory``; other kinds (``reminder`` call-outs) to ``kinds``.
    """

    def __init__(
        self,
        factory: CallFactory,
        *,
        kinds: Mapping[str, CallFactory] | None = None,
        keep_finished: int = 200,
    ) -> None:
        self._factories: dict[str, CallFactory] = {"inbound": factory, **(kinds or {})}
        self._calls: dict[str, ManagedCall] = {}
        self._tasks: set[asyncio.Task[CallStats]] = set()
        self.finished: deque[CallStats] = deque(maxlen=keep_finished)
        self.call_ended = asyncio.Condition()

    @property
    def active(self) -> int:
        """Calls in progress."""
        return len(self._tasks)

    def in_progress(self) -> list[ManagedCall]:
        """The calls in progress (for status pages and tests)."""
        return list(self._calls.values())

    async def handle(self, event: AriEvent) -> None:
        """Dispatch one event (never blocks on a call's work)."""
        if isinstance(event, StasisStart):
            owner = self._owner(event.channel.id)
            if owner is not None:  # a channel a call created (its media channel) entering
                owner.events.put_nowait(event)
                return
            factory = self._factories.get(event.args[0]) if event.args else None
            if factory is None:
                log.info("ignoring channel %s with args %s", event.channel.id, event.args)
                return
            self._start(event, factory)
            return
        if isinstance(event, CHANNEL_EVENTS):
            call = self._owner(event.channel.id)
        elif isinstance(event, PlaybackStarted | PlaybackFinished):
            kind, _, target = event.playback.target_uri.partition(":")
            call = self._owner(target) if kind == "channel" else None
        else:
            log.debug("ARI event %s not routed to a call", event.type)
            return
        if call is not None:
            call.events.put_nowait(event)

    def _owner(self, channel_id: str) -> ManagedCall | None:
        call = self._calls.get(channel_id)
        if call is not None:
            return call
        return next((c for c in self._calls.values() if c.owns(channel_id)), None)

    def add_kind(self, kind: str, factory: CallFactory) -> None:
        """Serve channels whose first Stasis argument is ``kind`` with ``factory``."""
        self._factories[kind] = factory

    def remove_kind(self, kind: str) -> None:
        """Stop serving ``kind`` (new channels of that kind are ignored)."""
        if kind != "inbound":
            self._factories.pop(kind, None)

    def _start(self, event: StasisStart, factory: CallFactory) -> None:
        call = factory(event.channel, event.args[1:])
        self._calls[event.channel.id] = call
        task = asyncio.create_task(
            self._run(event.channel.id, call), name=f"call-{event.channel.id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        log.info(
            "call %s from %r to %s", event.channel.id, event.channel.caller.number, event.args[1:]
        )

    async def _run(self, channel_id: str, call: ManagedCall) -> CallStats:
        try:
            stats = await call.run()
        except Exception:
            log.exception("call %s crashed", channel_id)
            stats = call.stats
            stats.outcome = "error"
        finally:
            self._calls.pop(channel_id, None)
        self.finished.append(stats)
        async with self.call_ended:
            self.call_ended.notify_all()
        log.info("call %s ended: %s after %.1f s", channel_id, stats.outcome, stats.ended_s or 0)
        return stats

    def connection_lost(self) -> None:
        """The events websocket dropped: calls carry on (their channels and media live on in
        Asterisk); events missed meanwhile are made up by :meth:`reconcile`."""
        if self._calls:
            log.warning("ARI events lost with %d call(s) in progress; they carry on", self.active)

    async def reconcile(self, channels: list[Channel], app: str) -> tuple[int, int, int]:
        """After a reconnect: end calls whose caller channel is gone, adopt channels in the
        app that no call serves. Returns (kept, ended, adopted)."""
        live = {c.id: c for c in channels}
        kept = ended = adopted = 0
        for channel_id, call in list(self._calls.items()):
            if channel_id in live:
                kept += 1
                continue
            ended += 1
            log.info("call %s: its channel went while ARI was away; ending it", channel_id)
            gone = Channel(channel_id, "", "")
            call.events.put_nowait(StasisEnd("StasisEnd", app, "", gone))
        for channel in channels:
            args = stasis_args(channel, app)
            if args is None or self._owner(channel.id) is not None:
                continue
            factory = self._factories.get(args[0]) if args else None
            if factory is None or channel.state not in ADOPTABLE_STATES:
                continue
            adopted += 1
            log.info("adopting channel %s %s, found in the app on reconnect", channel.id, args)
            self._start(StasisStart("StasisStart", app, "", channel, args), factory)
        return kept, ended, adopted

    async def drop_all(self) -> None:
        """Cancel every call (the ARI connection was lost: their channels are out of reach)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def wait_finished(self, count: int, timeout_s: float) -> list[CallStats]:
        """Wait until at least ``count`` calls have finished; return the finished list."""
        async with asyncio.timeout(timeout_s), self.call_ended:
            await self.call_ended.wait_for(lambda: len(self.finished) >= count)
        return list(self.finished)
