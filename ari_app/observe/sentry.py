"""Sentry: one transaction per call with a span per stage, errors with the call's context.

Off unless a DSN is configured. Every event passes :func:`scrub_event`: digit runs that could
be a PIN (written or spoken) are masked, and unless ``send_transcripts`` is on, what callers
said is dropped. Stage events carry monotonic timestamps; spans are built when the call ends,
mapped onto wall-clock time.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sentry_sdk

from ari_app.conversation.stages import Stage, StageEvent
from switchboard.settings import ObserveSettings

_DIGITS = re.compile(r"(?<!\d)(?:\d[\s-]?){4,6}(?!\d)")
_NUMBER_WORDS = (
    r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred)"
)
_SPOKEN = re.compile(rf"\b{_NUMBER_WORDS}(?:[\s,-]+{_NUMBER_WORDS}){{2,}}\b", re.I)
_TRANSCRIPT_KEYS = {"caller_text", "text", "said_text", "heard_text", "transcript"}
_MACHINE_KEYS = {
    "event_id", "trace_id", "span_id", "parent_span_id", "timestamp", "start_timestamp",
    "sample_rand", "sample_rate", "release", "environment", "platform", "sdk", "type", "op",
    "status", "origin", "call_id", "contexts.trace", "server_name", "level", "transaction",
}  # fmt: skip
"""Identifiers and SDK fields: never PINs, and masking them would corrupt the event."""

SPANS = (
    ("stt", Stage.STT_START, Stage.STT_END),
    ("agent", Stage.AGENT_START, Stage.AGENT_END),
    ("tts", Stage.TTS_START, Stage.TTS_FIRST_AUDIO),
    ("turn", Stage.SPEECH_END, Stage.FIRST_AUDIO_SENT),
    ("transfer", Stage.TRANSFER_START, Stage.TRANSFER_END),
)


def scrub_text(text: str) -> str:
    """Mask what could be a PIN: 4–6 digits, or a run of spoken numbers."""
    return _SPOKEN.sub("[digits]", _DIGITS.sub("[digits]", text))


def scrub_event(event: Any, send_transcripts: bool = False) -> Any:
    """Mask PIN-like text everywhere in an event; drop transcripts unless enabled."""
    if isinstance(event, dict):
        out: dict[str, Any] = {}
        for key, value in event.items():
            if key in _MACHINE_KEYS or key == "trace":
                out[key] = value
            elif not send_transcripts and key in _TRANSCRIPT_KEYS:
                out[key] = "[withheld]"
            else:
                out[key] = scrub_event(value, send_transcripts)
        return out
    if isinstance(event, list):
        return [scrub_event(v, send_transcripts) for v in event]
    if isinstance(event, str):
        return scrub_text(event)
    return event


def init_sentry(settings: ObserveSettings, release: str = "switchboard") -> bool:
    """Initialise the Sentry SDK when a DSN is set; True if it is on."""
    if settings.sentry_dsn is None:
        return False
    transcripts = settings.send_transcripts
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.sentry_environment,
        release=release,
        traces_sample_rate=settings.traces_sample_rate,
        send_default_pii=False,
        before_send=lambda event, hint: scrub_event(event, transcripts),
        before_send_transaction=lambda event, hint: scrub_event(event, transcripts),
    )
    return True


def _wall(monotonic_t: float) -> datetime:
    return datetime.fromtimestamp(time.time() - (time.monotonic() - monotonic_t), UTC)


@dataclass
class _CallTrace:
    info: dict[str, str]
    started: float
    events: list[StageEvent] = field(default_factory=list)


class SentryObserver:
    """A :class:`~ari_app.observe.observer.CallObserver` reporting to Sentry."""

    def __init__(self) -> None:
        self._calls: dict[str, _CallTrace] = {}

    def call_started(self, call_id: str, info: dict[str, str]) -> None:
        """Remember the call; its transaction is sent when it ends."""
        self._calls[call_id] = _CallTrace(dict(info), time.monotonic())

    def stage(self, call_id: str, event: StageEvent) -> None:
        """Keep the event; report stage errors at once, with the call's context."""
        trace = self._calls.get(call_id)
        if trace is not None:
            trace.events.append(event)
        if event.stage != Stage.ERROR:
            return
        code = str(event.detail.get("code", "unknown"))
        with sentry_sdk.new_scope() as scope:
            scope.set_tag("call_id", call_id)
            scope.set_tag("switchboard.stage", "turn")
            scope.set_tag("switchboard.error_code", code)
            scope.set_context(
                "call", {"call_id": call_id, "turn": event.turn, **(trace.info if trace else {})}
            )
            scope.fingerprint = ["switchboard", "stage-error", code]
            sentry_sdk.capture_message(f"call stage error: {code}", level="error")

    def call_ended(self, call_id: str, outcome: str, turns: list[dict[str, Any]]) -> None:
        """Send the call's transaction with one span per stage of each turn."""
        trace = self._calls.pop(call_id, None)
        if trace is None:
            return
        tx = sentry_sdk.start_transaction(
            op="call", name="switchboard call", start_timestamp=_wall(trace.started)
        )
        tx.set_tag("call_id", call_id)
        tx.set_tag("outcome", outcome)
        for key, value in trace.info.items():
            tx.set_tag(key, value)
        for turn in sorted({e.turn for e in trace.events}):
            events = [e for e in trace.events if e.turn == turn]
            for op, start, end in SPANS:
                a = next((e for e in events if e.stage == start), None)
                b = next((e for e in events if e.stage == end), None)
                if a is None or b is None or b.t < a.t:
                    continue
                span = tx.start_child(op=op, name=f"turn {turn} {op}", start_timestamp=_wall(a.t))
                span.set_data("latency_ms", round((b.t - a.t) * 1000, 1))
                span.set_data("turn", turn)
                span.finish(end_timestamp=_wall(b.t))
            for tool in (e for e in events if e.stage == Stage.TOOL):
                elapsed = float(tool.detail.get("elapsed_ms", 0.0)) / 1000
                span = tx.start_child(
                    op="tool",
                    name=str(tool.detail.get("name", "tool")),
                    start_timestamp=_wall(tool.t - elapsed),
                )
                span.set_data("ok", bool(tool.detail.get("ok")))
                span.set_data("latency_ms", round(elapsed * 1000, 1))
                span.finish(end_timestamp=_wall(tool.t))
        _state_spans(tx, trace.started, [e for e in trace.events if e.stage == Stage.CALL_STATE])
        tx.finish(end_timestamp=_wall(time.monotonic()))


def _state_spans(tx: Any, started: float, changes: list[StageEvent]) -> None:
    """One ``call.state`` span per state the call was in (answering, authenticating, ...)."""
    begin, state = started, "answering"
    for change in changes:
        span = tx.start_child(op="call.state", name=state, start_timestamp=_wall(begin))
        span.set_data("trigger", str(change.detail.get("trigger", "")))
        span.set_data("latency_ms", round((change.t - begin) * 1000, 1))
        span.finish(end_timestamp=_wall(change.t))
        begin, state = change.t, str(change.detail.get("to", ""))
