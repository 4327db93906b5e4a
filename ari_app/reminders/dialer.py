"""The reminder dialer: finds due reminders, claims them, rings the user through the trunk
and records what each call-out achieved (done, snoozed, heard, or failed and retried).

One call-out per claimed reminder: ``POST /channels`` to ``PJSIP/<number>@<trunk>`` into the
Stasis app with ``reminder,<tenant>,<reminder>``. An answered call-out becomes a
:class:`~ari_app.reminders.call.ReminderCall`, which reports its result back here; a channel
destroyed before it was answered (busy, no answer, unreachable) or an originate refused by
Asterisk is a failed attempt. Retries rotate through the user's numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ari_app.ari.events import AriEvent, ChannelDestroyed, StasisStart
from ari_app.ari.rest import AriHttpError, AriRest
from switchboard.settings import Settings

log = logging.getLogger(__name__)

CALL_KIND = "reminder"
"""First Stasis argument of a reminder call-out."""

MAX_CALL_S = 600.0
"""A call-out that neither ends nor fails within this is given up (then released)."""


class DueReminderLike(Protocol):
    """What the dialer reads of a due reminder (``mcp_tools`` ``DueReminder`` fits)."""

    @property
    def tenant_id(self) -> int:
        """The reminder's tenant."""
        ...

    @property
    def reminder_id(self) -> int:
        """The reminder."""
        ...

    @property
    def user_id(self) -> int:
        """Whom it is for."""
        ...

    @property
    def user_name(self) -> str:
        """Whom it is for."""
        ...

    @property
    def phones(self) -> tuple[str, ...]:
        """Their numbers, first choice first."""
        ...

    @property
    def text(self) -> str:
        """What to remind them of."""
        ...

    @property
    def attempts(self) -> int:
        """Call-outs already placed for it."""
        ...


class ReminderStore(Protocol):
    """The data side the dialer needs (``mcp_tools`` ``ReminderFeed`` fits)."""

    async def due(self, *, limit: int = 100) -> Sequence[DueReminderLike]:
        """Pending reminders whose time has come."""
        ...

    async def claim(self, tenant_id: int, reminder_id: int) -> bool:
        """Take a reminder for a call-out."""
        ...

    async def finish(
        self,
        tenant_id: int,
        reminder_id: int,
        outcome: str,
        *,
        snooze_minutes: int = 10,
        error: str = "",
        retry_after_s: float = 300.0,
        max_attempts: int = 3,
        call_id: str | None = None,
    ) -> object:
        """Record a call-out's result."""
        ...

    async def release_stale(self, older_than_s: float) -> int:
        """Release reminders stuck in ``calling``."""
        ...


@dataclass(frozen=True)
class CallOutResult:
    """What one call-out achieved: ``done``, ``snoozed``, ``sent`` or ``failed``."""

    outcome: str
    snooze_minutes: int = 0
    error: str = ""


@dataclass
class CallOut:
    """One call-out in flight."""

    reminder: DueReminderLike
    number: str
    channel_id: str
    started: float
    answered: bool = False
    result: asyncio.Future[CallOutResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def resolve(self, result: CallOutResult) -> None:
        """Set the result once (later reports are ignored)."""
        if not self.result.done():
            self.result.set_result(result)


class ReminderDialer:
    """Polls for due reminders and places their call-outs."""

    def __init__(
        self,
        rest: AriRest,
        store: ReminderStore,
        settings: Settings,
        *,
        connected: asyncio.Event | None = None,
    ) -> None:
        self.rest = rest
        self.store = store
        self.settings = settings
        self.config = settings.reminders
        self.connected = connected
        self.in_flight: dict[str, CallOut] = {}
        self.placed = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._stopping = False

    @property
    def caller_id(self) -> str:
        """The number call-outs come from."""
        return self.config.caller_id or self.settings.pbx.demo_did

    async def run(self) -> None:
        """Poll until cancelled (``poke`` makes it look at once)."""
        try:
            while True:
                try:
                    await self.poll_once()
                except Exception:  # a database or PBX hiccup must not stop reminders
                    log.exception("reminder dialer: poll failed; trying again later")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.config.poll_s)
                self._wake.clear()
        finally:
            await self.stop_calls()

    def poke(self) -> None:
        """Look for due reminders now (e.g. one was just created)."""
        self._wake.set()

    async def poll_once(self) -> int:
        """Claim due reminders up to the concurrency limit and ring them; returns how many."""
        if self.connected is not None and not self.connected.is_set():
            return 0
        released = await self.store.release_stale(self.config.stale_after_s)
        if released:
            log.warning("reminder dialer: released %d interrupted call-outs", released)
        room = self.config.max_concurrent - len(self.in_flight)
        if room <= 0:
            return 0
        busy = {(c.reminder.tenant_id, c.reminder.reminder_id) for c in self.in_flight.values()}
        started = 0
        for reminder in await self.store.due(limit=room + len(busy)):
            if started >= room:
                break
            if (reminder.tenant_id, reminder.reminder_id) in busy:
                continue
            if not await self.store.claim(reminder.tenant_id, reminder.reminder_id):
                continue
            started += 1
            task = asyncio.create_task(
                self._call_out(reminder), name=f"reminder-{reminder.reminder_id}"
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return started

    def observe(self, event: AriEvent) -> None:
        """Watch ARI events for the call-outs' channels (called before the call manager)."""
        if isinstance(event, StasisStart):
            call_out = self.in_flight.get(event.channel.id)
            if call_out is not None:
                call_out.answered = True
        elif isinstance(event, ChannelDestroyed):
            call_out = self.in_flight.get(event.channel.id)
            if call_out is not None and not call_out.answered:
                reason = event.cause_txt or f"cause {event.cause}"
                call_out.resolve(CallOutResult("failed", error=f"not answered: {reason}"))

    def job(self, channel_id: str) -> CallOut | None:
        """The call-out a channel belongs to (for the call that serves it)."""
        return self.in_flight.get(channel_id)

    def report(self, channel_id: str, result: CallOutResult) -> None:
        """The reminder call ended with ``result``."""
        call_out = self.in_flight.get(channel_id)
        if call_out is not None:
            call_out.resolve(result)

    async def stop_calls(self) -> None:
        """Hang up call-outs in flight and record them as failed (they will be retried)."""
        self._stopping = True
        for call_out in list(self.in_flight.values()):
            call_out.resolve(CallOutResult("failed", error="dialer stopped"))
            with contextlib.suppress(Exception):
                await self.rest.hangup(call_out.channel_id)
        tasks = list(self._tasks)
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _call_out(self, reminder: DueReminderLike) -> None:
        attempt = reminder.attempts + 1
        if not reminder.phones:
            await self._finish(reminder, CallOutResult("failed", error="no phone number"), 0)
            return
        number = reminder.phones[(attempt - 1) % len(reminder.phones)]
        channel_id = f"reminder-{reminder.reminder_id}-{attempt}-{uuid.uuid4().hex[:8]}"
        call_out = CallOut(reminder, number, channel_id, time.monotonic())
        self.in_flight[channel_id] = call_out
        try:
            if self._stopping:
                call_out.resolve(CallOutResult("failed", error="dialer stopped"))
            else:
                await self._place(call_out, attempt)
            try:
                result = await asyncio.wait_for(
                    asyncio.shield(call_out.result), self.config.ring_timeout_s + MAX_CALL_S
                )
            except TimeoutError:
                result = CallOutResult("failed", error="the call-out never ended")
        finally:
            self.in_flight.pop(channel_id, None)
        await self._finish(reminder, result, self.config.max_attempts, channel_id)

    async def _place(self, call_out: CallOut, attempt: int) -> None:
        """Ring the user; a refused originate settles the call-out as failed."""
        reminder = call_out.reminder
        self.placed += 1
        try:
            await self.rest.originate(
                f"PJSIP/{call_out.number}@{self.config.trunk}",
                app=self.settings.ari.app,
                app_args=f"{CALL_KIND},{reminder.tenant_id},{reminder.reminder_id}",
                caller_id=f'"Switchboard" <{self.caller_id}>',
                timeout_s=self.config.ring_timeout_s,
                channel_id=call_out.channel_id,
            )
        except (AriHttpError, OSError, TimeoutError) as exc:
            call_out.resolve(CallOutResult("failed", error=f"could not place the call: {exc}"))
            return
        log.info("reminder %d: ringing the user (attempt %d)", reminder.reminder_id, attempt)

    async def _finish(
        self,
        reminder: DueReminderLike,
        result: CallOutResult,
        max_attempts: int,
        call_id: str | None = None,
    ) -> None:
        log.info(
            "reminder %d: call-out %s%s",
            reminder.reminder_id,
            result.outcome,
            f" ({result.error})" if result.error else "",
        )
        try:
            await self.store.finish(
                reminder.tenant_id,
                reminder.reminder_id,
                result.outcome,
                snooze_minutes=result.snooze_minutes or self.config.snooze_minutes,
                error=result.error,
                retry_after_s=self.config.retry_after_s,
                max_attempts=max_attempts,
                call_id=call_id,
            )
        except Exception:
            log.exception("reminder %d: recording the call-out failed", reminder.reminder_id)
