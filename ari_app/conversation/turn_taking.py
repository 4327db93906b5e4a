"""When the caller has finished: speculative recognition and the turn-end model at each pause.

At every short pause (the segmenter's ``SpeechPaused``) :class:`TurnTaking` starts the
speculative transcript and, when a turn-end model is configured and the pause has lasted long
enough to ask (``check``, a few tens of ms later), asks it whether the caller has finished;
the pure :class:`~ari_app.speech.turn_end.TurnEndDecider` combines both answers. "Finished"
ends the utterance at once (:meth:`Listener.end_turn`); "not yet" lets it run on until the
caller speaks again or the segmenter's cap passes. When the utterance ends, its transcript is
the speculative one whenever the audio is the same (it ended at that pause), so the time the
model and the recogniser took is hidden in the pause.

Work for a pause the caller spoke through is cancelled (``SpeechResumed``): queued model runs
are then dropped, which matters when many calls share the models.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from ari_app.speech.listener import Listener
from ari_app.speech.ports import SpeechError, SpeechToText, Transcript, TurnEndModel
from ari_app.speech.segmenter import SpeechEnded, SpeechPaused
from ari_app.speech.turn_end import PauseKey, TurnEndDecider, TurnVerdict

log = logging.getLogger(__name__)


class TurnTaking:
    """One call's speculative recognition and turn-end questions."""

    def __init__(
        self,
        listener: Listener,
        stt: SpeechToText,
        model: TurnEndModel | None,
        ended: Callable[[SpeechEnded], None],
        *,
        decider: TurnEndDecider | None = None,
        on_verdict: Callable[[TurnVerdict], None] | None = None,
    ) -> None:
        self.listener = listener
        self.stt = stt
        self.model = model
        self.decider = decider or TurnEndDecider()
        self._ended = ended
        self._on_verdict = on_verdict
        self._speculative: tuple[PauseKey, asyncio.Task[Transcript]] | None = None
        self._asking: asyncio.Task[None] | None = None

    def paused(self, event: SpeechPaused) -> None:
        """A pause: recognise what was said so far and, with a model, ask if it was all
        (once the pause is long enough for the question: ``event.check``)."""
        key = (event.start_ms, event.end_ms)
        audio = self.listener.for_stt(event)
        if self._speculative is None or self._speculative[0] != key:
            self._drop()
            task = asyncio.create_task(self.stt.transcribe(audio))
            self._speculative = (key, task)
            if self.model is not None:
                self.decider.paused(key)
                task.add_done_callback(lambda done: self._words(key, done))
        if self.model is not None and event.check and self._asking is None:
            self._asking = asyncio.create_task(self._ask(self.model, key, audio))

    def resumed(self) -> None:
        """The caller spoke on: the pause's work is of no use any more."""
        self.decider.resumed()
        self._drop()

    async def transcript(self, utterance: SpeechEnded) -> Transcript:
        """The utterance's transcript, reusing the speculative one when it ended at that pause."""
        speculative, self._speculative = self._speculative, None
        if speculative is not None:
            key, task = speculative
            if key == (utterance.start_ms, utterance.end_ms):
                return await task
            task.cancel()
        return await self.stt.transcribe(self.listener.for_stt(utterance))

    def close(self) -> None:
        """Cancel whatever is still running (the call is over)."""
        self._drop()

    def _drop(self) -> None:
        if self._speculative is not None:
            self._speculative[1].cancel()
            self._speculative = None
        if self._asking is not None:
            self._asking.cancel()
            self._asking = None

    async def _ask(self, model: TurnEndModel, key: PauseKey, audio: bytes) -> None:
        try:
            probability = await model.probability(audio)
        except SpeechError as exc:  # no verdict from the model: let the words decide
            log.warning("turn-end model failed, deciding on the words: %s", exc)
            probability = 1.0
        self._decide(self.decider.model(key, probability))

    def _words(self, key: PauseKey, done: asyncio.Task[Transcript]) -> None:
        if done.cancelled():
            return
        exc = done.exception()
        transcript = None if exc is not None else done.result()
        text = transcript.text if transcript is not None and transcript.understood else None
        self._decide(self.decider.words(key, text))

    def _decide(self, verdict: TurnVerdict | None) -> None:
        if verdict is None:
            return
        if self._on_verdict is not None:
            self._on_verdict(verdict)
        if verdict.finished:
            ended = self.listener.end_turn(*verdict.key)
            if ended is not None:
                self._ended(ended)
