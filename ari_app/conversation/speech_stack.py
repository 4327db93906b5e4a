"""The speech models an app shares between its calls, loaded once at start-up."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ari_app.speech.bargein import BargeInDetector
from ari_app.speech.factory import (
    bargein_config,
    build_stt,
    build_tts,
    build_turn_model,
    build_vad,
    segmenter_config,
    turn_end_config,
)
from ari_app.speech.listener import Listener
from ari_app.speech.ports import SpeechToText, TextToSpeech, TurnEndModel
from ari_app.speech.segmenter import Segmenter
from ari_app.speech.vad_silero import SileroVadModel
from switchboard.settings import SpeechSettings

CALL_RATE = 16000
"""chan_websocket slin16: the rate of audio both ways."""


@dataclass
class SpeechStack:
    """VAD model, STT, TTS and the turn-end model, shared; a fresh :class:`Listener` per call."""

    settings: SpeechSettings
    vad: SileroVadModel
    stt: SpeechToText
    tts: TextToSpeech
    turn: TurnEndModel | None = None

    @classmethod
    async def load(cls, settings: SpeechSettings) -> SpeechStack:
        """Load every model (in a thread: loading takes about a second)."""

        def _load() -> SpeechStack:
            return cls(
                settings,
                build_vad(settings),
                build_stt(settings),
                build_tts(settings),
                build_turn_model(settings),
            )

        return await asyncio.to_thread(_load)

    def listener(self) -> Listener:
        """Endpointing and barge-in state for one call's inbound audio."""
        return Listener(
            self.vad.stream(CALL_RATE),
            Segmenter(segmenter_config(self.settings)),
            BargeInDetector(bargein_config(self.settings)),
            turn_model=self.turn,
            turn_config=turn_end_config(self.settings),
        )
