"""The voice call: the conversation over the media socket, then hang-up or transfer."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ari_app.ari.events import Channel
from ari_app.call.base import BaseCall, CallEnv
from ari_app.conversation.agent_port import ConversationAgent
from ari_app.conversation.loop import Conversation, ConversationTexts
from ari_app.conversation.speech_stack import CALL_RATE, SpeechStack
from ari_app.conversation.stages import StageEvent
from ari_app.media.websocket import MediaWebSocket

log = logging.getLogger(__name__)

AgentFactory = Callable[[Channel, tuple[str, ...]], ConversationAgent]


class VoiceCall(BaseCall):
    """Talks with the caller through the shared speech stack and a per-call agent."""

    def __init__(
        self,
        env: CallEnv,
        channel: Channel,
        args: tuple[str, ...],
        *,
        speech: SpeechStack,
        agent_factory: AgentFactory,
        texts: ConversationTexts,
    ) -> None:
        super().__init__(env, channel, args)
        self.speech = speech
        self.agent_factory = agent_factory
        self.texts = texts
        self.conversation: Conversation | None = None

    async def converse(self, socket: MediaWebSocket) -> None:
        """Run the conversation; carry out the hang-up or transfer it ends with."""
        agent = self.agent_factory(self.channel, self.stats.args)
        conversation = Conversation(
            socket,
            self.speech.listener(),
            self.speech.stt,
            self.speech.tts,
            agent,
            on_stage=self._on_stage,
            texts=self.texts,
            sample_rate=CALL_RATE,
        )
        self.conversation = conversation
        try:
            await conversation.run()
        finally:
            self.stats.turns = [t.as_dict() for t in conversation.timelines]
            await agent.close()
        if conversation.transfer is not None:
            transfer = conversation.transfer
            log.info("call %s: transfer to %s", self.channel.id, transfer.department)
            await self.rest.set_channel_var(
                self.channel.id, "SWITCHBOARD_SUMMARY", transfer.summary
            )
            await self.leg.close(self.rest)
            self.handed_off = True
            await self.rest.continue_in_dialplan(self.channel.id, "ext-queues", transfer.queue, 1)
        elif conversation.hangup_requested:
            await self.rest.hangup(self.channel.id)

    def _on_stage(self, event: StageEvent) -> None:
        log.debug("call %s turn %d %s %s", self.channel.id, event.turn, event.stage, event.detail)
