"""A caller nobody answered in a department's queue comes back to the assistant.

The queue's fail-over destination (``switchboard-queue-failover,s,1``) puts the caller's
channel back into Stasis with ``queue-failover,<QUEUESTATUS>``. The hand-off variables set
before the transfer say which call, tenant and department it was; when the caller had signed
in, a callback is filed for the department (a todo) and the caller is told so; otherwise
they are asked to try again later. Then a goodbye. The original call record gets a system
turn saying what happened.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from ari_app.ari.events import Channel
from ari_app.ari.rest import AriHttpError
from ari_app.call.base import BaseCall, CallEnv
from ari_app.call.states import CallTrigger
from ari_app.conversation.agent_port import AgentOutput, TurnEnd
from ari_app.conversation.loop import Conversation, ConversationTexts
from ari_app.conversation.speech_stack import CALL_RATE, SpeechStack
from ari_app.conversation.stages import StageEvent
from ari_app.media.session import MediaSession

log = logging.getLogger(__name__)

CALL_KIND = "queue-failover"
"""First Stasis argument of a caller coming back from a queue."""


@dataclass(frozen=True)
class Handoff:
    """What the transfer left on the caller's channel."""

    call_id: str
    tenant: str
    department: str
    queue: str


class _Farewell:
    """The conversation's agent here: the message is the greeting; there are no turns."""

    sensitive = False

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        yield TurnEnd(hangup=True)

    def record_heard(self, text: str) -> None:
        pass

    async def close(self) -> None:
        pass


class QueueFailoverCall(BaseCall):
    """Tells a caller nobody answered, files their callback, says goodbye."""

    answers = False

    def __init__(
        self,
        env: CallEnv,
        channel: Channel,
        args: tuple[str, ...],
        *,
        speech: SpeechStack,
        tools_app: Any | None = None,
    ) -> None:
        super().__init__(env, channel, args)
        self.speech = speech
        self.tools_app = tools_app
        self.callback_filed = False
        self.message = ""

    @property
    def queue_status(self) -> str:
        """Why the queue gave up (``TIMEOUT``, ``LEAVEEMPTY``, ``JOINEMPTY``, ...)."""
        return self.stats.args[0] if self.stats.args else ""

    async def converse(self, socket: MediaSession) -> None:
        """Say what happened (and file the callback), then hang up."""
        self.state.fire(CallTrigger.ANSWERED_OPEN, queue_status=self.queue_status)
        handoff = await self._handoff()
        self.message = await self._resolve(handoff)
        conversation = Conversation(
            socket,
            self.speech.listener(),
            self.speech.stt,
            self.speech.tts,
            _Farewell(),
            on_stage=self._on_stage,
            texts=ConversationTexts(greeting=self.message),
            sample_rate=CALL_RATE,
            end_after_greeting=True,
        )
        await conversation.run()
        self.stats.turns = [t.as_dict() for t in conversation.timelines]
        self.state.fire(CallTrigger.GOODBYE)
        await self.rest.hangup(self.channel.id)

    async def _handoff(self) -> Handoff:
        async def var(name: str) -> str:
            try:
                return await self.rest.get_channel_var(self.channel.id, name)
            except AriHttpError:
                return ""

        return Handoff(
            await var("SWITCHBOARD_CALL_ID") or self.channel.id,
            await var("SWITCHBOARD_TENANT"),
            await var("SWITCHBOARD_DEPARTMENT"),
            await var("SWITCHBOARD_QUEUE"),
        )

    async def _resolve(self, handoff: Handoff) -> str:
        name = handoff.department or "the department"
        told = f"Sorry, nobody in {name} could take your call."
        tools = self.tools_app
        if tools is None or not handoff.tenant.isdigit():
            return f"{told} Please try again later. Goodbye."
        tenant = int(handoff.tenant)
        note = f"Nobody in {name} answered ({self.queue_status or 'no status'})."
        try:
            record = await tools.calls.get(tenant, handoff.call_id)
            if record.user_id is not None:
                await tools.callbacks.request(
                    tenant,
                    record.user_id,
                    handoff.queue or handoff.department,
                    self.channel.caller.number,
                    reason=record.summary,
                    call_id=handoff.call_id,
                )
                self.callback_filed = True
                note += " Callback requested."
            await tools.calls.append_turn(tenant, handoff.call_id, "system", note)
        except Exception:
            log.exception("call %s: filing the callback after the queue failed", self.channel.id)
        if self.callback_filed:
            return f"{told} I've asked them to call you back as soon as they can. Goodbye."
        return f"{told} Please try again later. Goodbye."

    def _on_stage(self, event: StageEvent) -> None:
        self.emit_stage(event)
