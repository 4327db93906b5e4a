"""A reminder call-out once answered: confirm the person (their PIN, or a key), then speak
the reminder, take "done" / "snooze" by voice or keypad, say goodbye, and report the result
to the dialer; the call is recorded as an outbound call of the user's tenant. Whoever answers
before proving who they are (family, voicemail) hears no content."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from ari_app.ari.events import Channel
from ari_app.call.answers import shared_answers
from ari_app.call.base import BaseCall, CallEnv, CallStats
from ari_app.call.records import CallRecorder, CallRecordStore
from ari_app.call.states import CallTrigger
from ari_app.conversation.loop import Conversation, ConversationTexts
from ari_app.conversation.speech_stack import CALL_RATE, SpeechStack
from ari_app.conversation.stages import Stage, StageEvent, TurnState
from ari_app.media.session import MediaSession
from ari_app.reminders.confirm import ConfirmFirst, PinChecker
from ari_app.reminders.dialer import CallOut, CallOutResult, ReminderDialer
from ari_app.reminders.dialog import SILENCE_MARK, ReminderDialog

log = logging.getLogger(__name__)

KEY_IDLE_S = 0.4
"""One key is a whole answer here (1, 2, 3): act on it almost at once."""
PIN_KEY_IDLE_S = 2.5
"""While a PIN is keyed, wait this long after a key for the next (or ``#``)."""


class ReminderCall(BaseCall):
    """Serves one answered call-out (Stasis args ``reminder,<tenant>,<reminder>``)."""

    answers = False

    def __init__(
        self,
        env: CallEnv,
        channel: Channel,
        args: tuple[str, ...],
        *,
        speech: SpeechStack,
        dialer: ReminderDialer,
        records: CallRecordStore | None = None,
        auth: object | None = None,
    ) -> None:
        super().__init__(env, channel, args)
        self.speech = speech
        self.dialer = dialer
        self.records = records
        self.auth = auth
        """The data side's sign-in service (``verify_pin``), for ``identify = "pin"``."""
        self.dialog: ReminderDialog | None = None
        self.gate: ConfirmFirst | None = None
        self.conversation: Conversation | None = None
        self.heard = False
        self._last_activity = time.monotonic()

    async def run(self) -> CallStats:
        """Serve the call, then tell the dialer what it achieved."""
        stats = await super().run()
        self.dialer.report(self.channel.id, self.result())
        return stats

    def result(self) -> CallOutResult:
        """What the call achieved for its reminder."""
        dialog = self.dialog
        if dialog is None:
            return CallOutResult("failed", error="the call ended before the reminder began")
        if dialog.outcome in ("done", "snoozed"):
            return CallOutResult(dialog.outcome, dialog.snooze_minutes)
        if self.heard:
            return CallOutResult("sent")
        if self.gate is not None and self.gate.refused:
            return CallOutResult("failed", error="whoever answered did not confirm being the user")
        return CallOutResult("failed", error="hung up before the reminder was heard")

    async def converse(self, socket: MediaSession) -> None:
        """Speak the reminder and take the user's choice."""
        job = self.dialer.job(self.channel.id)
        if job is None:
            log.warning("call %s: a reminder call-out nobody placed; hanging up", self.channel.id)
            await self.rest.hangup(self.channel.id)
            return
        reminder = job.reminder
        config = self.dialer.config
        dialog = ReminderDialog(
            reminder.user_name,
            reminder.text,
            snooze_minutes=config.snooze_minutes,
            answers=shared_answers(self.dialer.settings),
        )
        self.dialog = dialog
        identify = config.identify if self.auth is not None else "key"
        gate = ConfirmFirst(
            reminder.user_name,
            dialog,
            dialog.greeting,
            self._pin_checker(job),
            identify=identify,
        )
        self.gate = gate
        recorder = self._recorder(job)
        if recorder is not None:
            await recorder.start(
                job.number,
                self.dialer.caller_id,
                direction="outbound",
                user_id=job.reminder.user_id,
            )
        conversation = Conversation(
            socket,
            self.speech.listener(),
            self.speech.stt,
            self.speech.tts,
            gate,
            on_stage=self._on_stage,
            texts=ConversationTexts(greeting=gate.greeting),
            sample_rate=CALL_RATE,
            dtmf=self.dtmf,
            dtmf_idle_s=PIN_KEY_IDLE_S if identify == "pin" else KEY_IDLE_S,
        )
        self.conversation = conversation
        self.state.fire(CallTrigger.ANSWERED_OPEN, reminder=reminder.reminder_id)
        watchdog = asyncio.create_task(self._watch_silence(conversation, config.silence_s))
        try:
            await conversation.run()
        finally:
            watchdog.cancel()
            self.stats.turns = [t.as_dict() for t in conversation.timelines]
            if recorder is not None:
                await recorder.turns(conversation.timelines)
                result = self.result()
                await recorder.finish(
                    "completed" if self.heard else "abandoned",
                    summary=f"Reminder call-out: {reminder.text} ({result.outcome})",
                    timings={"turns": [t.latencies_ms() for t in conversation.timelines]},
                )
        if conversation.hangup_requested:
            self.state.fire(CallTrigger.GOODBYE)
            await self.rest.hangup(self.channel.id)

    def _pin_checker(self, job: CallOut) -> PinChecker:
        reminder, auth = job.reminder, self.auth

        async def check(pin: str) -> Any:
            if auth is None:
                raise RuntimeError("no sign-in service")
            result = await auth.verify_pin(  # type: ignore[attr-defined]
                reminder.tenant_id, reminder.user_id, pin, job.number, self.channel.id
            )
            conversation = self.conversation
            if result.ok and conversation is not None:
                conversation.dtmf_idle_s = KEY_IDLE_S  # menu keys are whole answers again
            return result

        return check

    def _recorder(self, job: CallOut) -> CallRecorder | None:
        if self.records is None:
            return None
        return CallRecorder(self.records, job.reminder.tenant_id, self.channel.id)

    async def _watch_silence(self, conversation: Conversation, silence_s: float) -> None:
        """After ``silence_s`` of listening to nothing, let the dialog say goodbye."""
        while True:
            await asyncio.sleep(0.5)
            idle = time.monotonic() - self._last_activity
            if conversation.state is TurnState.LISTENING and idle >= silence_s:
                self.dtmf.put_nowait(SILENCE_MARK)
                self.dtmf.put_nowait("#")
                return

    def _on_stage(self, event: StageEvent) -> None:
        self._last_activity = time.monotonic()
        confirmed = self.gate is None or self.gate.confirmed  # before that, nothing was told
        spoke = event.turn > 0 and event.stage in _CALLER_SPOKE
        if confirmed and (event.stage is Stage.PLAYOUT_END or spoke):
            self.heard = True
        self.emit_stage(event)


_CALLER_SPOKE = (Stage.SPEECH_END, Stage.KEYED)
