"""The inbound side of one call: caller audio in, speech and barge-in events out.

:class:`Listener` chains a streaming VAD, the :class:`~ari_app.speech.segmenter.Segmenter`
and the :class:`~ari_app.speech.bargein.BargeInDetector`, and keeps the stream clock (audio
consumed so far), so the media session only does::

    for event in listener.feed(frame):          # every inbound frame, any size
        match event:
            case SpeechEnded():      text = await stt.transcribe(listener.for_stt(event))
            case BargeInSuspected(): pause playout
            case BargeIn():          FLUSH_MEDIA, cut the reply
            case BargeInCancelled(): resume playout

and calls :meth:`assistant_started` / :meth:`assistant_stopped` around playout. No I/O and no
clock: it runs the VAD model inline (~0.15 ms per 32 ms window). It also carries the call's
turn-end model and its thresholds (:attr:`turn_model`, :attr:`turn_config`) for whoever runs
the conversation to ask at each pause; the listener itself never calls the model.
"""

from __future__ import annotations

from ari_app.media.codec import resample
from ari_app.speech.bargein import BargeInDetector, BargeInEvent
from ari_app.speech.ports import STT_SAMPLE_RATE, TurnEndModel, VoiceActivityDetector
from ari_app.speech.segmenter import Segmenter, SegmentEvent, SpeechEnded, SpeechPaused
from ari_app.speech.turn_end import TurnEndConfig

ListenerEvent = SegmentEvent | BargeInEvent


class Listener:
    """Endpointing and barge-in for one inbound s16le stream at the VAD's rate."""

    def __init__(
        self,
        vad: VoiceActivityDetector,
        segmenter: Segmenter | None = None,
        bargein: BargeInDetector | None = None,
        *,
        turn_model: TurnEndModel | None = None,
        turn_config: TurnEndConfig | None = None,
    ) -> None:
        self.vad = vad
        self.segmenter = segmenter or Segmenter()
        self.bargein = bargein or BargeInDetector()
        self.turn_model = turn_model
        """Asked at each pause whether the caller has finished (None: silence decides)."""
        self.turn_config = turn_config or TurnEndConfig()
        self._bytes = 0

    @property
    def sample_rate(self) -> int:
        """Rate of the audio :meth:`feed` takes."""
        return self.vad.sample_rate

    @property
    def now_ms(self) -> float:
        """Stream time: milliseconds of audio fed so far."""
        return self._bytes / 2 / self.vad.sample_rate * 1000.0

    def feed(self, pcm: bytes) -> list[ListenerEvent]:
        """Feed inbound audio; return events in stream order."""
        self._bytes += len(pcm)
        events: list[ListenerEvent] = []
        for window in self.vad.process(pcm):
            barge = self.bargein.feed(window)
            if barge is not None:
                events.append(barge)
            events.extend(self.segmenter.feed(window))
        return events

    def assistant_started(self) -> None:
        """Playout of a reply began now (arms barge-in at the current stream time)."""
        self.bargein.assistant_started(self.now_ms)

    def assistant_stopped(self) -> None:
        """Playout ended or was flushed."""
        self.bargein.assistant_stopped()

    def flush(self) -> list[ListenerEvent]:
        """End of the call: close an utterance in progress."""
        self.bargein.assistant_stopped()
        return list(self.segmenter.flush(self.now_ms))

    def reset(self) -> None:
        """Forget all state (e.g. after a transfer back); the stream clock restarts."""
        self.vad.reset()
        self.segmenter.reset()
        self.bargein.assistant_stopped()
        self._bytes = 0

    def end_turn(self, start_ms: float, end_ms: float) -> SpeechEnded | None:
        """End the utterance paused after ``start_ms..end_ms`` now (the caller has finished);
        None when the caller has spoken since."""
        return self.segmenter.end_turn(start_ms, end_ms, self.now_ms)

    def for_stt(self, event: SpeechEnded | SpeechPaused) -> bytes:
        """The utterance's audio at the 16 kHz every STT backend takes."""
        return resample(event.audio, self.vad.sample_rate, STT_SAMPLE_RATE)
