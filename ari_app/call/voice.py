"""The voice call: sign-in and the conversation over the media socket, then hang-up or
transfer, and the call record."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence

from ari_app.ari.events import Channel
from ari_app.ari.rest import AriRest
from ari_app.call.answers import shared_answers
from ari_app.call.assistant import Assistant, CallSetup
from ari_app.call.base import BaseCall, CallEnv
from ari_app.call.handoff import HandoffGuard, QueueAvailability
from ari_app.call.states import CallState, CallTrigger
from ari_app.conversation.agent_port import TransferRequest
from ari_app.conversation.loop import Conversation, ConversationTexts
from ari_app.conversation.speech_stack import CALL_RATE, SpeechStack
from ari_app.conversation.stages import Stage, StageEvent, TurnTimeline
from ari_app.media.session import MediaSession
from switchboard.untrusted import caller_id_name

log = logging.getLogger(__name__)

CALL_ID_HEADER = "X-Switchboard-Call-Id"
"""SIP header carrying the call id on the INVITE that rings a human agent (screen-pop)."""


class VoiceCall(BaseCall):
    """Talks with the caller through the shared speech stack and a per-call agent."""

    def __init__(
        self,
        env: CallEnv,
        channel: Channel,
        args: tuple[str, ...],
        *,
        speech: SpeechStack,
        assistant: Assistant,
        texts: ConversationTexts,
    ) -> None:
        super().__init__(env, channel, args)
        self.speech = speech
        self.assistant = assistant
        self.texts = texts
        self.conversation: Conversation | None = None
        self.handoff: HandoffGuard | None = None
        self.setup: CallSetup | None = None

    @property
    def did(self) -> str:
        """The dialled number (first Stasis argument after ``inbound``)."""
        return self.stats.args[0] if self.stats.args else ""

    async def converse(self, socket: MediaSession) -> None:
        """Sign in and talk; carry out the hang-up or transfer the conversation ends with."""
        setup = await self.assistant.open(self.channel.id, self.did, self.channel.caller.number)
        self.setup = setup
        self.state.fire(CallTrigger.ANSWERED if setup.gate else CallTrigger.ANSWERED_OPEN)
        guard = HandoffGuard(
            setup.agent,
            QueueAvailability(self.rest, self.channel.id),
            setup.file_callback,
            can_call_back=setup.signed_in,
            answers=shared_answers(self.assistant.settings),
        )
        self.handoff = guard
        conversation = Conversation(
            socket,
            self.speech.listener(),
            self.speech.stt,
            self.speech.tts,
            guard,
            on_stage=self._on_stage,
            texts=dataclasses.replace(self.texts, greeting=setup.greeting),
            sample_rate=CALL_RATE,
            dtmf=self.dtmf,
            end_after_greeting=setup.end_after_greeting,
        )
        self.conversation = conversation
        try:
            await conversation.run()
            if conversation.transfer is None and conversation.hangup_requested:
                # The data side was away at the start: the apology is said, now a person.
                conversation.transfer = setup.transfer_after_greeting
        finally:
            self.stats.turns = [t.as_dict() for t in conversation.timelines]
            await guard.close()
            self._ending(setup, conversation)
            await self._record(setup, conversation)
        if conversation.transfer is not None:
            gate = setup.gate
            user = gate.result.user if gate is not None and gate.signed_in else None
            tenant = gate.result.tenant if gate is not None else None
            await self._transfer(
                conversation.transfer, user.name if user else "", str(tenant.id) if tenant else ""
            )
        elif conversation.hangup_requested:
            await self.rest.hangup(self.channel.id)

    def _ending(self, setup: CallSetup, conversation: Conversation) -> None:
        """The state the conversation's end leads to (a transfer is fired when carried out)."""
        if self.caller_gone.is_set():
            self.state.fire(CallTrigger.HANGUP)
        elif conversation.transfer is None and conversation.hangup_requested:
            locked = setup.gate is not None and setup.gate.result.failed
            self.state.fire(CallTrigger.LOCKED_OUT if locked else CallTrigger.GOODBYE)

    async def _record(self, setup: CallSetup, conversation: Conversation) -> None:
        recorder = setup.recorder
        if recorder is None:
            return
        gate = setup.gate
        user = gate.result.user if gate is not None and gate.signed_in else None
        if user is not None:
            await recorder.identify(user.id)
        await recorder.turns(conversation.timelines)
        transfer = conversation.transfer
        if transfer is not None:
            outcome = "transferred"
        elif gate is not None and gate.result.failed:
            outcome = "sign-in failed"
        elif conversation.hangup_requested:
            outcome = "completed"
        else:
            outcome = "abandoned"
        timings = {
            "turns": [t.latencies_ms() for t in conversation.timelines],
            "tools": tool_calls(conversation.timelines),
            "states": self.state.path(),
        }
        callbacks = self.handoff.callbacks if self.handoff is not None else []
        summary = transfer.summary if transfer else ""
        if callbacks:
            summary = f"Callback requested from {', '.join(callbacks)}. {summary}".strip()
        await recorder.finish(
            outcome,
            summary=summary,
            timings=timings,
            transferred_to=transfer.department if transfer else None,
        )
        self.stats.outcome_detail = outcome

    async def _transfer(self, transfer: TransferRequest, caller_name: str, tenant: str) -> None:
        """Into the department's queue, with what the human agent needs to know."""
        log.info(
            "call %s: transfer to %s (%s)", self.channel.id, transfer.department, transfer.queue
        )
        turn = len(self.stats.turns)
        self.state.fire(CallTrigger.TRANSFER, queue=transfer.queue)
        self._on_stage(StageEvent(turn, Stage.TRANSFER_START, time.monotonic()))
        await set_handoff_variables(
            self.rest,
            self.channel.id,
            transfer,
            caller_name,
            tenant,
            self.assistant.settings.call.queue_wait_s,
        )
        await self.leg.close(self.rest)
        self.handed_off = True
        await self.rest.continue_in_dialplan(self.channel.id, "ext-queues", transfer.queue, 1)
        self._on_stage(
            StageEvent(turn, Stage.TRANSFER_END, time.monotonic(), {"queue": transfer.queue})
        )
        self.state.fire(CallTrigger.HANDED_OFF, queue=transfer.queue)

    def _on_stage(self, event: StageEvent) -> None:
        log.debug("call %s turn %d %s %s", self.channel.id, event.turn, event.stage, event.detail)
        self.emit_stage(event)
        if event.stage is Stage.AGENT_END and self.state.state is CallState.AUTHENTICATING:
            gate = self.setup.gate if self.setup is not None else None
            if gate is not None and gate.signed_in:
                self.state.fire(CallTrigger.SIGNED_IN)

    def current_turn(self) -> int:
        """The conversation's latest turn."""
        conversation = self.conversation
        return max(0, len(conversation.timelines) - 1) if conversation is not None else 0


def tool_calls(timelines: Sequence[TurnTimeline]) -> list[dict[str, object]]:
    """The call's tool calls for its record: turn, name, ok, time taken, error code."""
    return [
        {"turn": t.turn, **{k: e.detail.get(k) for k in ("name", "ok", "elapsed_ms", "code")}}
        for t in timelines
        for e in t.events
        if e.stage is Stage.TOOL
    ]


async def set_handoff_variables(
    rest: AriRest,
    channel_id: str,
    transfer: TransferRequest,
    caller_name: str = "",
    tenant: str = "",
    queue_wait_s: int = 0,
) -> None:
    """Channel variables (inherited by the agent's leg), the caller's name as caller ID name
    (what the agent's phone shows while it rings) and the screen-pop SIP header."""
    values = {
        "__SWITCHBOARD_CALL_ID": channel_id,
        "__SWITCHBOARD_TENANT": tenant,
        "__SWITCHBOARD_CALLER_NAME": caller_id_name(caller_name, 80),
        "__SWITCHBOARD_DEPARTMENT": transfer.department,
        "__SWITCHBOARD_QUEUE": transfer.queue,
        "__SWITCHBOARD_SUMMARY": transfer.summary[:500],
        f"HASH(__SIPHEADERS,{CALL_ID_HEADER})": channel_id,
    }
    shown = caller_id_name(caller_name)  # a name people set for themselves: no dialplan marks
    if shown:
        values["CALLERID(name)"] = shown
    if queue_wait_s > 0:  # the dev PBX's queues honour it; FreePBX uses its Max Wait Time
        values["__SWITCHBOARD_QUEUE_WAIT"] = str(queue_wait_s)
    for name, value in values.items():
        await rest.set_channel_var(channel_id, name, value)
