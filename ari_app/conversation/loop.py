"""The turn loop of one call: caller audio → endpointing → STT → agent → TTS → playout.

Theory of operation. One reader task consumes the media socket: every inbound frame goes
through the :class:`~ari_app.speech.listener.Listener` (VAD, endpointing, barge-in) and
control events go to the :class:`Playout`. Finished utterances are queued; the main loop
transcribes each and starts a *reply task* (agent → sentences → TTS → playout, the TTS of the
next sentence overlapping the playout of the current one). The main loop never waits for a
reply, so it can react to the caller at any time:

* clear speech over the answer pauses it at once (the barge-in decision); the words then
  decide (:class:`HeldReply`): a backchannel, cough or noise resumes it where it stopped,
  "stop." alone holds it a while for a request, and a real request cuts it (queued audio
  flushed, the agent told what the caller actually heard) and is answered;
* an utterance before the caller has heard more than a word of the answer (the turn was
  ended at a mid-sentence pause: the caller was not finished) holds the answer's audio from
  its first sound; if it is more of the request, the answer is cancelled and the agent asked
  again with both utterances joined, unless a tool already ran.

Every step is a :class:`StageEvent` given to ``on_stage``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from ari_app.conversation.agent_port import (
    ConversationAgent,
    Say,
    ToolUsed,
    TransferRequest,
    TurnEnd,
)
from ari_app.conversation.held_reply import HeldReply
from ari_app.conversation.playout import Playout
from ari_app.conversation.stages import Stage, StageEvent, TurnState, TurnTimeline
from ari_app.conversation.turn_taking import TurnTaking
from ari_app.media.session import MediaSession
from ari_app.media.websocket import AudioFrame
from ari_app.speech.bargein import (
    BargeIn,
    BargeInCancelled,
    BargeInSuspected,
    PauseVerdict,
    judge_interruption,
)
from ari_app.speech.listener import Listener, ListenerEvent
from ari_app.speech.ports import (
    NotUnderstood,
    SpeechError,
    SpeechToText,
    TextToSpeech,
)
from ari_app.speech.segmenter import SpeechEnded, SpeechPaused, SpeechResumed, SpeechStarted
from ari_app.speech.turn_end import TurnEndDecider, TurnVerdict
from switchboard.text.sentences import FIRST_PIECE, SplitterConfig, split_sentences

log = logging.getLogger(__name__)

URGENT_AHEAD_MS = 600.0
"""A sentence is synthesised urgently (before other calls' later sentences) when less than
this much of the reply is left to play: the caller would hear a gap otherwise."""

REJOIN_HEARD_MS = 500.0
"""An answer the caller has heard at most this much of ("You said", "Sure,") may still be
dropped when the caller turns out not to have finished: they hear a word, then the answer to
their whole request, instead of an answer to half of it."""

SILENT_REJECTIONS = {NotUnderstood.EMPTY, NotUnderstood.TOO_SHORT, NotUnderstood.NO_SPEECH}
"""Rejections that get no answer at all (noise, a cough): the caller said nothing."""


@dataclass(frozen=True)
class ConversationTexts:
    """What the assistant says on its own."""

    greeting: str = "Hello, this is Switchboard. How can I help?"
    not_understood: str = "Sorry, I didn't catch that. Could you say it again?"
    trouble: str = "Sorry, I'm having trouble right now. Please try again in a moment."


@dataclass
class _Reply:
    turn: int
    text: str
    task: asyncio.Task[None]
    spoke: bool = False
    acting: bool = False
    """The agent said something (even a filler) or started work this turn."""
    tools: bool = False
    """A tool ran this turn (its effects stay: the turn is never asked again)."""
    sensitive: bool = False
    """The turn was a sensitive one (a PIN): nothing is ever joined to it."""


class Conversation:
    """Runs the conversation of one call until the agent ends it or the call is cancelled."""

    def __init__(
        self,
        socket: MediaSession,
        listener: Listener,
        stt: SpeechToText,
        tts: TextToSpeech,
        agent: ConversationAgent,
        *,
        on_stage: Callable[[StageEvent], None] | None = None,
        texts: ConversationTexts | None = None,
        sample_rate: int = 16000,
        clock: Callable[[], float] = time.monotonic,
        dtmf: asyncio.Queue[str] | None = None,
        dtmf_idle_s: float = 2.5,
        end_after_greeting: bool = False,
        first_piece: SplitterConfig | None = FIRST_PIECE,
    ) -> None:
        self.socket = socket
        self.listener = listener
        self.stt = stt
        self.tts = tts
        self.agent = agent
        self.texts = texts or ConversationTexts()
        self.rate = sample_rate
        self.clock = clock
        self.dtmf_idle_s = dtmf_idle_s
        self.end_after_greeting = end_after_greeting
        self.first_piece = first_piece
        """How the reply's first sentence is cut for a quick first audio (None: not cut)."""
        self.playout = Playout(socket, sample_rate=sample_rate, clock=clock)
        self.timelines: list[TurnTimeline] = []
        self.transfer: TransferRequest | None = None
        self.hangup_requested = False
        self._on_stage = on_stage
        self._utterances: asyncio.Queue[tuple[SpeechEnded, bool] | str] = asyncio.Queue()
        self._dtmf = dtmf
        self._reply: _Reply | None = None
        self._turn = -1
        self.held = HeldReply(self.playout)
        self.turns = TurnTaking(
            listener,
            stt,
            listener.turn_model,
            self._utterance_ended,
            decider=TurnEndDecider(listener.turn_config),
            on_verdict=self._on_turn_verdict,
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self._done = asyncio.Event()

    @property
    def state(self) -> TurnState:
        """Listening, thinking or speaking."""
        if self._reply is None or self._reply.task.done():
            return TurnState.LISTENING
        return TurnState.SPEAKING if self.playout.active else TurnState.THINKING

    async def run(self) -> None:
        """Greet, then serve turns until the agent hangs up or transfers."""
        reader = asyncio.create_task(self._read())
        sender = asyncio.create_task(self.playout.run())
        if self._dtmf is not None:
            self._background(self._collect_keys(self._dtmf))
        try:
            self._start_reply(self._new_turn(""), "", greeting=True)
            while not self._done.is_set():
                item = await self._next_input()
                if item is None:
                    break
                if isinstance(item, str):
                    await self._handle_keys(item)
                else:
                    await self._handle_utterance(*item)
        finally:
            reader.cancel()
            sender.cancel()
            for task in self._tasks:
                task.cancel()
            self.held.close()
            self.turns.close()
            await self._cancel_reply()
            await asyncio.gather(reader, sender, return_exceptions=True)

    async def _next_input(self) -> tuple[SpeechEnded, bool] | str | None:
        """The next utterance or keyed digits; None once the conversation is done. Both waits
        are cancelled on the way out, also when the call itself is cancelled."""
        utterance = asyncio.create_task(self._utterances.get())
        done_wait = asyncio.create_task(self._done.wait())
        try:
            await asyncio.wait({utterance, done_wait}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            done_wait.cancel()
            utterance.cancel()
            await asyncio.gather(utterance, done_wait, return_exceptions=True)
        if utterance.cancelled() or utterance.exception() is not None:
            return None
        return utterance.result()

    # -- inbound -------------------------------------------------------------------------
    async def _read(self) -> None:
        async for item in self.socket.items():
            if isinstance(item, AudioFrame):
                for event in self.listener.feed(item.data):
                    await self._on_listener(event)
            else:
                self.playout.on_control(item)

    async def _on_listener(self, event: ListenerEvent) -> None:
        turn = self._reply.turn if self._reply is not None else self._turn
        if isinstance(event, SpeechStarted):
            self._stage(turn, Stage.SPEECH_START)
            if self._rejoinable(self._reply):
                await self.held.pause()  # the caller goes on: nothing of the answer plays yet
            if self.held.paused:
                self.held.resume_after(self.held.times.words_s)  # words are coming
        elif isinstance(event, SpeechPaused):
            self.turns.paused(event)
        elif isinstance(event, SpeechResumed):
            self.turns.resumed()
        elif isinstance(event, SpeechEnded):
            self._utterance_ended(event)
        elif isinstance(event, BargeInSuspected) and self.playout.active:
            if await self.held.pause():
                self._stage(turn, Stage.BARGE_IN_SUSPECTED, reaction_ms=round(event.reaction_ms))
        elif isinstance(event, BargeIn) and self.held.paused:
            self.held.long_speech = True  # long speech: surely words; they decide
            self.held.keep()
        elif isinstance(event, BargeInCancelled) and self.held.paused:
            self._stage(turn, Stage.BARGE_IN_CANCELLED, speech_ms=round(event.speech_ms))
            if self.listener.segmenter.in_speech:  # an utterance: wait for its words
                self.held.resume_after(self.held.times.words_s)
            else:  # too short for words (a click, a cough): resume after a little quiet
                self.held.resume_after(self.held.times.quiet_s)

    def _rejoinable(self, reply: _Reply | None) -> bool:
        """True when ``reply`` may still be dropped for the caller's fuller request: it answers
        words (not a greeting or a PIN), no tool ran, and the caller has heard next to none of
        it (:data:`REJOIN_HEARD_MS`)."""
        return (
            reply is not None
            and not reply.task.done()
            and bool(reply.text)
            and not reply.sensitive
            and not reply.tools
            and self.playout.reply_played_ms() <= REJOIN_HEARD_MS
        )

    def _utterance_ended(self, utterance: SpeechEnded) -> None:
        """The caller finished an utterance (silence, or the turn-end model said so)."""
        self._utterances.put_nowait((utterance, self.playout.active))

    def _on_turn_verdict(self, verdict: TurnVerdict) -> None:
        turn = self._reply.turn if self._reply is not None else self._turn
        probability = None if verdict.probability is None else round(verdict.probability, 3)
        self._stage(
            turn, Stage.TURN_CHECK, finished=verdict.finished, p=probability, why=verdict.reason
        )

    def _background(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle(self, verdict: PauseVerdict, turn: int) -> None:
        """Carry out the verdict on words heard over the answer of ``turn``."""
        if verdict is PauseVerdict.RESUME:
            await self.held.resume()
        elif verdict is PauseVerdict.HOLD:
            await self.held.pause()  # a soft "stop" the barge-in decision did not catch
            self.held.resume_after(self.held.times.hold_s)
        else:
            self.held.close()
            self._stage(turn, Stage.BARGE_IN, by="transcript", verdict=verdict.value)
            await self._cancel_reply()

    async def _collect_keys(self, keys: asyncio.Queue[str]) -> None:
        """Keypad input: digits up to ``#`` (or a pause) make one turn; a key interrupts."""
        digits = ""
        while True:
            try:
                key = await asyncio.wait_for(keys.get(), self.dtmf_idle_s if digits else None)
            except TimeoutError:
                key = "#"
            if self._reply is not None and self.playout.active:
                self._stage(self._reply.turn, Stage.BARGE_IN, by="keypad")
                await self._cancel_reply()
            if key == "*":
                digits = ""
            elif key == "#":
                if digits:
                    self._utterances.put_nowait(digits)
                digits = ""
            else:
                digits += key

    @property
    def _sensitive(self) -> bool:
        return bool(getattr(self.agent, "sensitive", False))

    async def _handle_keys(self, digits: str) -> None:
        turn = self._new_turn("[keyed]" if self._sensitive else digits)
        self._stage(turn.turn, Stage.KEYED, digits=len(digits))
        reply = self._reply
        if reply is not None and not reply.task.done():
            await self._cancel_reply()
        self._start_reply(turn, digits)

    # -- turns ---------------------------------------------------------------------------
    async def _handle_utterance(self, utterance: SpeechEnded, during_reply: bool) -> None:
        turn = self._new_turn("")
        self._stage(
            turn.turn,
            Stage.SPEECH_END,
            speech_ms=round(utterance.speech_ms),
            silence_ms=round(utterance.detected_ms - utterance.end_ms),
        )
        self._stage(turn.turn, Stage.STT_START)
        try:
            transcript = await self.turns.transcript(utterance)
        except SpeechError as exc:
            self._stage(turn.turn, Stage.ERROR, code=exc.code.value)
            log.warning("speech to text failed: %s", exc)
            self._start_reply(turn, self.texts.trouble, fixed=True)
            return
        sensitive = self._sensitive
        self._stage(turn.turn, Stage.STT_END, text="[withheld]" if sensitive else transcript.text)
        reply = self._reply
        text = transcript.text.strip() if transcript.understood else ""
        verdict = judge_interruption(text or None, long_speech=False)
        if reply is not None and self._rejoinable(reply) and verdict is not PauseVerdict.HOLD:
            if verdict is PauseVerdict.RESUME:
                if not text:
                    self._stage(turn.turn, Stage.NOT_UNDERSTOOD, reason=str(transcript.rejected))
                await self.held.resume()  # a cough or an "okay" after the request: answer it
                return
            # More of the request: ask again with both.
            text = f"{reply.text} {text}"
            turn.caller_text = "[withheld]" if sensitive else text
            self._stage(turn.turn, Stage.REJOINED)
            await self._cancel_reply()
            self._start_reply(turn, text)
            return
        speaking = reply is not None and (during_reply or self.playout.active)
        if speaking and reply is not None:
            verdict = judge_interruption(text or None, self.held.long_speech)
            if not text:
                self._stage(turn.turn, Stage.NOT_UNDERSTOOD, reason=str(transcript.rejected))
            else:
                turn.caller_text = "[withheld]" if sensitive else text
            await self._settle(verdict, reply.turn)
            if verdict in (PauseVerdict.RESUME, PauseVerdict.HOLD):
                return  # "mm-hm", a cough, "stop.": the answer goes on (or waits)
            if verdict is PauseVerdict.CUT_UNCLEAR:
                self._start_reply(turn, self.texts.not_understood, fixed=True)
                return
        elif not transcript.understood:
            self._stage(turn.turn, Stage.NOT_UNDERSTOOD, reason=str(transcript.rejected))
            if transcript.rejected not in SILENT_REJECTIONS:
                self._start_reply(turn, self.texts.not_understood, fixed=True)
            return
        turn.caller_text = "[withheld]" if sensitive else text
        reply = self._reply
        if reply is not None and not reply.task.done():
            # The agent is at work (a tool may be running): let it finish, then answer.
            await asyncio.wait({reply.task})
        self._start_reply(turn, text)

    def _new_turn(self, caller_text: str) -> TurnTimeline:
        self._turn += 1
        timeline = TurnTimeline(self._turn, caller_text=caller_text)
        self.timelines.append(timeline)
        return timeline

    def _start_reply(
        self, turn: TurnTimeline, text: str, *, greeting: bool = False, fixed: bool = False
    ) -> None:
        spoken = self.texts.greeting if greeting else text
        coro = self._speak_fixed(turn, spoken) if greeting or fixed else self._answer(turn, text)
        self._reply = _Reply(
            turn.turn,
            "" if greeting or fixed else text,
            asyncio.create_task(coro),
            sensitive=self._sensitive,
        )

    async def _cancel_reply(self) -> None:
        reply, self._reply = self._reply, None
        if reply is None:
            return
        if not reply.task.done():
            reply.task.cancel()
            await asyncio.gather(reply.task, return_exceptions=True)
        if self.playout.active:
            heard = await self.playout.flush()
            timeline = self._timeline(reply.turn)
            if timeline is not None:
                timeline.heard_text = heard
            if reply.text:
                self.agent.record_heard(heard)
        self.listener.assistant_stopped()

    # -- speaking ------------------------------------------------------------------------
    async def _speak_fixed(self, turn: TurnTimeline, text: str) -> None:
        queue: asyncio.Queue[Say | None] = asyncio.Queue()
        queue.put_nowait(Say(text))
        queue.put_nowait(None)
        await self._speak(turn, queue)
        if turn.turn == 0 and self.end_after_greeting:
            self.hangup_requested = True
            self._done.set()

    async def _answer(self, turn: TurnTimeline, text: str) -> None:
        queue: asyncio.Queue[Say | None] = asyncio.Queue()
        speaker = asyncio.create_task(self._speak(turn, queue))
        try:
            end = await self._run_agent(turn, text, queue)
            await speaker
        finally:
            if not speaker.done():
                speaker.cancel()
                await asyncio.gather(speaker, return_exceptions=True)
        if end is not None and (end.hangup or end.transfer is not None):
            self.transfer = end.transfer
            self.hangup_requested = end.hangup
            self._done.set()

    async def _run_agent(
        self, turn: TurnTimeline, text: str, queue: asyncio.Queue[Say | None]
    ) -> TurnEnd | None:
        self._stage(turn.turn, Stage.AGENT_START)
        end: TurnEnd | None = None
        first = True
        try:
            async for item in self.agent.turn(text):
                if isinstance(item, TurnEnd):
                    end = item
                    if item.error:
                        self._stage(turn.turn, Stage.ERROR, code=item.error)
                    continue
                if isinstance(item, ToolUsed):
                    if self._reply is not None and self._reply.turn == turn.turn:
                        self._reply.tools = True
                    self._stage(
                        turn.turn,
                        Stage.TOOL,
                        name=item.name,
                        ok=item.ok,
                        elapsed_ms=round(item.elapsed_s * 1000, 1),
                        code=item.code,
                    )
                    continue
                if self._reply is not None and self._reply.turn == turn.turn:
                    self._reply.acting = True
                if item.filler:
                    self._stage(turn.turn, Stage.AGENT_FILLER)
                elif first:
                    self._stage(turn.turn, Stage.AGENT_FIRST_SENTENCE)
                    first = False
                queue.put_nowait(item)
            self._stage(turn.turn, Stage.AGENT_END)
        except Exception:
            log.exception("agent turn failed")
            self._stage(turn.turn, Stage.ERROR, code="agent_failed")
            queue.put_nowait(Say(self.texts.trouble))
        finally:
            queue.put_nowait(None)
        return end

    async def _speak(self, turn: TurnTimeline, queue: asyncio.Queue[Say | None]) -> None:
        self.playout.new_reply(
            on_first_audio=lambda at: self._stage(turn.turn, Stage.FIRST_AUDIO_SENT, at=at)
        )
        said: list[str] = []
        first_audio = True
        first_sentence = True
        try:
            while (item := await queue.get()) is not None:
                said.append(item.text)
                self._stage(turn.turn, Stage.TTS_START)
                for piece in self._pieces(item.text, first=first_audio):
                    ahead = self.playout.reply_ms - self.playout.reply_played_ms()
                    urgent = first_audio or ahead < URGENT_AHEAD_MS
                    async for chunk in self.tts.synthesize(piece, self.rate, urgent=urgent):
                        if first_audio:
                            self._stage(turn.turn, Stage.TTS_FIRST_AUDIO)
                            self.listener.assistant_started()
                        first_audio = False
                        on_start = None
                        if first_sentence and not item.filler:
                            first_sentence = False
                            on_start = functools.partial(self._sentence_sent, turn.turn)
                        self.playout.play(chunk.pcm, chunk.text or piece, on_start)
                        if self._reply is not None and self._reply.turn == turn.turn:
                            self._reply.spoke = True
            await self.playout.drain()
            self._stage(turn.turn, Stage.PLAYOUT_END)
            turn.heard_text = " ".join(said)
        except SpeechError as exc:
            self._stage(turn.turn, Stage.ERROR, code=exc.code.value)
            log.warning("text to speech failed: %s", exc)
        finally:
            turn.said_text = " ".join(said)
            with contextlib.suppress(Exception):
                self.listener.assistant_stopped()

    def _sentence_sent(self, turn: int, at: float) -> None:
        self._stage(turn, Stage.SENTENCE_AUDIO_SENT, at=at)

    def _pieces(self, text: str, *, first: bool) -> list[str]:
        """The reply's first text cut at its first natural pause; later texts whole."""
        if not first or self.first_piece is None:
            return [text]
        return split_sentences(text, self.first_piece) or [text]

    # -- stage events --------------------------------------------------------------------
    def _timeline(self, turn: int) -> TurnTimeline | None:
        return next((t for t in self.timelines if t.turn == turn), None)

    def _stage(self, turn: int, stage: Stage, at: float | None = None, **detail: object) -> None:
        event = StageEvent(turn, stage, self.clock() if at is None else at, dict(detail))
        timeline = self._timeline(turn)
        if timeline is not None:
            timeline.add(event)
        if self._on_stage is not None:
            self._on_stage(event)
