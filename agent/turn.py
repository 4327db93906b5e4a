"""One turn's outputs: graph stream events in, typed outputs (:mod:`agent.events`) out.

:class:`TurnRecorder` is sans-I/O: it receives the graph's custom stream events
(``model_start``, ``delta``, ``model_end``, ``say``, ``tool_start``, ``tool_end``) with the
time they arrived, cuts model text into sentences with the telephony side's
:class:`~switchboard.text.sentences.SentenceSplitter` (first sentence early, JSON held back),
and keeps what the turn result needs (what was said, tools, timings, a transfer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.budgets import FILLER_TEXT
from agent.events import (
    AgentOutput,
    ErrorCode,
    Filler,
    Sentence,
    ToolFinished,
    ToolStarted,
    TransferAction,
    TurnResult,
    TurnTimings,
)
from agent.tools import ToolOutcome
from switchboard.text.sentences import SentenceSplitter, split_sentences


def speakable(sentence: str) -> bool:
    """False for fragments of structured output that slipped into prose."""
    return "{" not in sentence and "}" not in sentence and '":' not in sentence


class TurnRecorder:
    """Translate stream events of one turn into outputs, and remember the turn."""

    def __init__(self, elapsed: Callable[[], float]) -> None:
        self._elapsed = elapsed
        self._splitter = SentenceSplitter()
        self.sentences: list[str] = []
        self.first_sentence_s: float | None = None
        self.filler_s: float | None = None
        self.model_calls = 0
        self.in_flight: dict[str, tuple[str, dict[str, Any]]] = {}
        self.finished: list[ToolFinished] = []
        self.transfer: TransferAction | None = None
        self.error: ErrorCode | None = None
        self.hangup = False

    @property
    def spoken(self) -> bool:
        """True once a sentence (not a filler) has been yielded."""
        return bool(self.sentences)

    def say(self, text: str) -> list[AgentOutput]:
        """Sentences for a complete text (errors, tool results, timeouts)."""
        return self._sentences(split_sentences(text))

    def filler(self) -> Filler:
        """The "one moment" output (once per turn)."""
        self.filler_s = self._elapsed()
        return Filler(FILLER_TEXT, self.filler_s)

    def handle(self, event: dict[str, Any]) -> list[AgentOutput]:
        """Outputs for one stream event."""
        kind = event.get("kind")
        if kind == "model_start":
            self.model_calls += 1
            self._splitter = SentenceSplitter()
        elif kind == "delta":
            return self._sentences(self._splitter.push(str(event["text"])))
        elif kind == "model_end":
            return self._sentences(self._splitter.flush())
        elif kind == "say":
            if event.get("error"):
                self.error = event["error"]
            return self.say(str(event["text"]))
        elif kind == "tool_start":
            args = dict(event.get("args") or {})
            self.in_flight[event["id"]] = (event["name"], args)
            probe = bool(event.get("probe"))
            return [ToolStarted(event["id"], event["name"], args, self._elapsed(), probe)]
        elif kind == "tool_end":
            return [self._tool_end(event["id"], event["outcome"], bool(event.get("probe")))]
        elif kind == "hangup":
            self.hangup = True
        elif kind == "error":
            self.error = event["error"]
        return []

    def _tool_end(self, call_id: str, outcome: ToolOutcome, probe: bool = False) -> ToolFinished:
        name, args = self.in_flight.pop(call_id, (outcome.name, {}))
        done = ToolFinished(
            call_id,
            name,
            args,
            outcome.ok,
            outcome.text,
            outcome.elapsed_s,
            outcome.code,
            outcome.data,
            probe,
        )
        if probe:
            return done
        self.finished.append(done)
        action = outcome.data.get("action")
        if outcome.ok and isinstance(action, dict) and action.get("type") == "transfer":
            self.transfer = TransferAction.from_data(action)
        return done

    def _sentences(self, texts: list[str]) -> list[AgentOutput]:
        out: list[AgentOutput] = []
        for text in texts:
            if not speakable(text):
                continue
            if self.first_sentence_s is None:
                self.first_sentence_s = self._elapsed()
            out.append(Sentence(text, len(self.sentences), self._elapsed()))
            self.sentences.append(text)
        return out

    def result(self, summary: str | None) -> TurnResult:
        """The turn's final output."""
        timings = TurnTimings(
            total_s=self._elapsed(),
            first_sentence_s=self.first_sentence_s,
            filler_s=self.filler_s,
            model_calls=self.model_calls,
            tool_calls=len(self.finished),
            tool_s=sum(t.elapsed_s for t in self.finished),
        )
        return TurnResult(
            text=" ".join(self.sentences),
            transfer=self.transfer,
            summary=summary if self.transfer is not None else None,
            timings=timings,
            error=self.error,
            tool_calls=tuple(self.finished),
            hangup=self.hangup,
        )
