"""Per-turn spans from stage events, including the endpointing delay the VAD reports."""

from __future__ import annotations

from ari_app.conversation.stages import Stage, StageEvent, TurnTimeline


def test_vad_end_span_adds_the_endpointing_silence() -> None:
    turn = TurnTimeline(1)
    turn.add(StageEvent(1, Stage.SPEECH_END, 10.0, {"speech_ms": 900, "silence_ms": 512}))
    turn.add(StageEvent(1, Stage.FIRST_AUDIO_SENT, 10.4))
    spans = turn.latencies_ms()
    assert spans["speech_end_to_first_audio_ms"] == 400.0
    assert spans["endpointing_ms"] == 512.0
    assert spans["vad_end_to_first_audio_ms"] == 912.0


def test_barge_in_reactions_are_listed_per_turn() -> None:
    turn = TurnTimeline(2)
    turn.add(StageEvent(2, Stage.BARGE_IN_SUSPECTED, 1.0, {"reaction_ms": 64}))
    turn.add(StageEvent(2, Stage.BARGE_IN_SUSPECTED, 5.0))
    assert turn.as_dict()["barge_in_reaction_ms"] == [64]
