"""The foundation call: play a prompt, echo the caller's audio back, record DTMF."""

from __future__ import annotations

from ari_app.call.base import BaseCall
from ari_app.call.states import CallTrigger
from ari_app.media.session import MediaSession
from ari_app.media.websocket import AudioFrame


class EchoCall(BaseCall):
    """Plays the greeting, then sends every inbound frame straight back."""

    async def converse(self, socket: MediaSession) -> None:
        """Greeting, then echo until the caller hangs up."""
        self.state.fire(CallTrigger.ANSWERED_OPEN)
        await self.rest.play(f"channels/{self.channel.id}", self.env.greeting)
        async for item in socket.items():
            if isinstance(item, AudioFrame):
                self.count_frame(item)
                await socket.send_audio(item.data)
            elif item.event == "MEDIA_START":
                self.set_ptime(item.ptime_ms)
