"""What every call does around its media: answer, bridge a media channel, watch events,
clean up. Subclasses implement :meth:`BaseCall.converse` (echo, the voice conversation, ...).

One call per inbound channel, owning its tasks, torn down on hang-up with nothing left behind.
Set-up requests are never cancelled half-way (a cancelled POST can still create a bridge we
would not know about): a hang-up during set-up makes the next request fail (404/422)
instead, and only :meth:`converse` is interrupted by the hang-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field

from ari_app.ari.events import (
    AriEvent,
    Channel,
    ChannelDestroyed,
    ChannelDtmfReceived,
    ChannelHangupRequest,
    PlaybackFinished,
    StasisEnd,
    StasisStart,
)
from ari_app.ari.rest import AriHttpError, AriRest, ignore_missing
from ari_app.call.media_leg import MediaLeg
from ari_app.call.states import CallStateMachine, CallTrigger
from ari_app.conversation.stages import StageEvent
from ari_app.media.session import MediaChoice, MediaSession
from ari_app.media.websocket import AudioFrame, MediaSessionError
from ari_app.observe.observer import Observers

log = logging.getLogger(__name__)

MAX_KEPT_AUDIO_BYTES = 32_000 * 60
"""Keep at most one minute of received slin16 audio per call (for tests and diagnostics)."""


@dataclass
class CallStats:
    """What one call did, kept after it ends (tests and benchmarks read it)."""

    channel_id: str
    caller: str
    args: tuple[str, ...]
    started: float
    media_ready_s: float | None = None
    ended_s: float | None = None
    outcome: str = "in progress"
    dtmf: list[str] = field(default_factory=list)
    playbacks: list[str] = field(default_factory=list)
    frames_in: int = 0
    frames_gap_lost: int = 0
    frame_bytes: int = 0
    audio_in: bytearray = field(default_factory=bytearray)
    turns: list[dict[str, object]] = field(default_factory=list)
    outcome_detail: str = ""
    """The recorded outcome (completed, transferred, sign-in failed, abandoned, error)."""
    states: list[str] = field(default_factory=list)
    """The call's path through its states (answering, ..., ended)."""


@dataclass(frozen=True)
class CallEnv:
    """What a call needs from the app: the REST client, where Asterisk is, who observes."""

    rest: AriRest
    app: str
    ari_url: str
    greeting: str
    observer: Observers = field(default_factory=Observers)
    media: MediaChoice = field(default_factory=MediaChoice)


class BaseCall:
    """One call: set-up, event watching and teardown around :meth:`converse`."""

    answers = True
    """Answer the channel first (an inbound call); call-outs arrive already answered."""

    def __init__(self, env: CallEnv, channel: Channel, args: tuple[str, ...]) -> None:
        self.env = env
        self.rest = env.rest
        self.channel = channel
        self.events: asyncio.Queue[AriEvent] = asyncio.Queue()
        self.media_channel_id = f"{channel.id}-media"
        self.leg = MediaLeg()
        self.caller_gone = asyncio.Event()
        self.media_in_stasis = asyncio.Event()
        self.dtmf: asyncio.Queue[str] = asyncio.Queue()
        self.stats = CallStats(channel.id, channel.caller.number, args, time.monotonic())
        self.handed_off = False
        """Set when the caller left the app alive (e.g. into a queue): cleanup keeps them."""
        self._frame_s = 0.02
        self._last_frame: float | None = None
        self.state = CallStateMachine(self.emit_stage, turn=self.current_turn)
        """answering → authenticating → conversing → transferring → ended."""

    def current_turn(self) -> int:
        """The conversation's turn number now (stage events carry it)."""
        return 0

    def emit_stage(self, event: StageEvent) -> None:
        """Report a stage event of this call to the observers."""
        self.env.observer.stage(self.channel.id, event)

    def owns(self, channel_id: str) -> bool:
        """True for the caller's channel and this call's media channel."""
        return channel_id in (self.channel.id, self.media_channel_id)

    async def run(self) -> CallStats:
        """Serve the call until the caller hangs up; always clean up."""
        watcher = asyncio.create_task(self._watch_events())
        info = {"did": self.stats.args[0] if self.stats.args else "", "mode": type(self).__name__}
        self.env.observer.call_started(self.channel.id, info)
        try:
            await self._serve()
        except AriHttpError as exc:
            self.stats.outcome = "abandoned" if self.caller_gone.is_set() else "error"
            log.info("call %s ended during set-up: %s", self.channel.id, exc)
        except (MediaSessionError, TimeoutError) as exc:
            self.stats.outcome = "abandoned" if self.caller_gone.is_set() else "error"
            log.warning("call %s media failed: %r", self.channel.id, exc)
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
            if not self.state.ended:
                gone = self.caller_gone.is_set() or self.stats.outcome == "completed"
                self.state.fire(CallTrigger.HANGUP if gone else CallTrigger.FAILED)
            self.stats.states = self.state.path()
            await self._cleanup()
            outcome = self.stats.outcome_detail or self.stats.outcome
            self.env.observer.call_ended(self.channel.id, outcome, self.stats.turns)
        return self.stats

    async def converse(self, socket: MediaSession) -> None:
        """The call's behaviour once media flows; returns (or is cancelled) when it ends."""
        raise NotImplementedError

    async def _serve(self) -> None:
        if self.answers:
            await self.rest.answer(self.channel.id)
        socket = await self.leg.open(
            self.rest,
            self.env.ari_url,
            self.env.app,
            self.channel.id,
            self.media_channel_id,
            self.media_in_stasis,
            choice=self.env.media,
        )
        self.stats.media_ready_s = time.monotonic() - self.stats.started
        talk = asyncio.create_task(self.converse(socket))
        gone = asyncio.create_task(self.caller_gone.wait())
        try:
            await asyncio.wait({talk, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (talk, gone):
                task.cancel()
            results = await asyncio.gather(talk, gone, return_exceptions=True)
        error = results[0]
        if isinstance(error, Exception):
            raise error
        self.stats.outcome = "transferred" if self.handed_off else "completed"

    def count_frame(self, frame: AudioFrame) -> None:
        """Book-keeping for an inbound frame: counts, gaps (lost frames), kept audio."""
        now = time.monotonic()
        if self._last_frame is not None and now - self._last_frame > self._frame_s * 2.5:
            self.stats.frames_gap_lost += round((now - self._last_frame) / self._frame_s) - 1
        self._last_frame = now
        self.stats.frames_in += 1
        self.stats.frame_bytes = len(frame.data)
        if len(self.stats.audio_in) < MAX_KEPT_AUDIO_BYTES:
            self.stats.audio_in += frame.data

    def set_ptime(self, ptime_ms: int) -> None:
        """The call's packet time (from MEDIA_START), for gap counting."""
        if ptime_ms:
            self._frame_s = ptime_ms / 1000

    async def _watch_events(self) -> None:
        while True:
            event = await self.events.get()
            if isinstance(event, StasisStart) and event.channel.id == self.media_channel_id:
                self.media_in_stasis.set()
            elif isinstance(event, PlaybackFinished):
                self.stats.playbacks.append(event.playback.media_uri)
            elif isinstance(event, ChannelDtmfReceived) and event.channel.id == self.channel.id:
                self.stats.dtmf.append(event.digit)
                self.dtmf.put_nowait(event.digit)
                log.info("call %s: DTMF received", self.channel.id)
            elif isinstance(event, ChannelHangupRequest | ChannelDestroyed | StasisEnd) and (
                event.channel.id == self.channel.id
            ):
                self.caller_gone.set()
                return

    async def _cleanup(self) -> None:
        self.stats.ended_s = time.monotonic() - self.stats.started
        with contextlib.suppress(Exception):
            await self.leg.close(self.rest)
        if not self.handed_off:
            with contextlib.suppress(Exception):
                await ignore_missing(self.rest.hangup(self.channel.id))
