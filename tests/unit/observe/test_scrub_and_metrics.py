from ari_app.conversation.stages import Stage, StageEvent
from ari_app.observe.metrics import Metrics
from ari_app.observe.sentry import scrub_event, scrub_text


def test_pins_are_masked_written_or_spoken() -> None:
    assert "4821" not in scrub_text("my pin is 4821")
    assert "48 21" not in scrub_text("it's 48 21 ok")
    assert "four" not in scrub_text("four eight two one").lower()
    assert scrub_text("call 2 people at 3") == "call 2 people at 3"
    assert scrub_text("room 101") == "room 101"


def test_event_scrubbing_reaches_nested_values_and_withholds_transcripts() -> None:
    event = {
        "message": "PIN 123456 rejected",
        "extra": {"caller_text": "add milk", "nested": ["code 4821"]},
        "tags": {"call_id": "c1"},
    }
    out = scrub_event(event)
    assert "123456" not in str(out) and "4821" not in str(out)
    assert out["extra"]["caller_text"] == "[withheld]"
    assert out["tags"]["call_id"] == "c1"
    kept = scrub_event(event, send_transcripts=True)
    assert kept["extra"]["caller_text"] == "add milk"


def test_metrics_count_outcomes_latencies_barge_ins_and_errors() -> None:
    metrics = Metrics()
    metrics.call_started("c1", {})
    metrics.stage("c1", StageEvent(1, Stage.BARGE_IN, 0.0, {"by": "speech"}))
    metrics.stage("c1", StageEvent(1, Stage.ERROR, 0.0, {"code": "timeout"}))
    state = {"from": "answering", "to": "conversing", "trigger": "answered_open"}
    metrics.stage("c1", StageEvent(0, Stage.CALL_STATE, 0.0, state))
    metrics.call_ended("c1", "completed", [{"caller_text": "hi", "stt_ms": 120.0}])
    text = metrics.exposition().decode()
    assert 'switchboard_calls_total{outcome="completed"} 1.0' in text
    assert "switchboard_calls_active 0.0" in text
    assert 'switchboard_stage_latency_seconds_count{stage="stt"} 1.0' in text
    assert 'switchboard_barge_ins_total{by="speech"} 1.0' in text
    assert 'switchboard_errors_total{code="timeout"} 1.0' in text
    assert 'switchboard_call_states_total{state="conversing",trigger="answered_open"} 1.0' in text
