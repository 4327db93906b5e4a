"""Prometheus metrics: calls by outcome, calls in progress, per-stage latency histograms,
barge-ins, errors by code, and call state transitions."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ari_app.conversation.stages import Stage, StageEvent

LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
STAGE_NAMES = {
    "stt_ms": "stt",
    "agent_first_sentence_ms": "agent_first_sentence",
    "agent_total_ms": "agent_total",
    "tts_first_audio_ms": "tts_first_audio",
    "speech_end_to_first_audio_ms": "speech_end_to_first_audio",
}


class Metrics:
    """One registry of Switchboard's metrics (a :class:`CallObserver`)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.calls = Counter(
            "switchboard_calls", "Calls ended, by outcome", ["outcome"], registry=self.registry
        )
        self.active = Gauge("switchboard_calls_active", "Calls in progress", registry=self.registry)
        self.latency = Histogram(
            "switchboard_stage_latency_seconds",
            "Latency of each stage of a turn",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.barge_ins = Counter(
            "switchboard_barge_ins",
            "Times a caller interrupted the assistant",
            ["by"],
            registry=self.registry,
        )
        self.errors = Counter(
            "switchboard_errors", "Stage errors by code", ["code"], registry=self.registry
        )
        self.turns = Counter("switchboard_turns", "Turns answered", registry=self.registry)
        self.states = Counter(
            "switchboard_call_states",
            "Calls entering each state (answering → ... → ended), by the trigger",
            ["state", "trigger"],
            registry=self.registry,
        )

    def call_started(self, call_id: str, info: dict[str, str]) -> None:
        """Count the call as active."""
        self.active.inc()

    def stage(self, call_id: str, event: StageEvent) -> None:
        """Count barge-ins, errors and state transitions as they happen."""
        if event.stage == Stage.BARGE_IN:
            self.barge_ins.labels(by=str(event.detail.get("by", "speech"))).inc()
        elif event.stage == Stage.ERROR:
            self.errors.labels(code=str(event.detail.get("code", "unknown"))).inc()
        elif event.stage == Stage.CALL_STATE:
            state, trigger = event.detail.get("to", "?"), event.detail.get("trigger", "?")
            self.states.labels(state=str(state), trigger=str(trigger)).inc()

    def call_ended(self, call_id: str, outcome: str, turns: list[dict[str, Any]]) -> None:
        """Count the outcome; observe each turn's stage latencies."""
        self.active.dec()
        self.calls.labels(outcome=outcome).inc()
        for turn in turns:
            if turn.get("caller_text"):
                self.turns.inc()
            for key, stage in STAGE_NAMES.items():
                value = turn.get(key)
                if isinstance(value, int | float):
                    self.latency.labels(stage=stage).observe(value / 1000)

    def exposition(self) -> bytes:
        """The text format ``/metrics`` serves."""
        return generate_latest(self.registry)
