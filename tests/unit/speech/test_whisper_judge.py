"""The "didn't catch that" rules applied to Whisper results (pure)."""

from __future__ import annotations

import pytest

from ari_app.speech.ports import NotUnderstood, Transcript
from ari_app.speech.stt_whisper import WhisperConfig, judge

CFG = WhisperConfig()


@pytest.mark.parametrize(
    ("text", "lp", "ns", "ms", "verdict"),
    [
        ("Transfer me to sales.", -0.3, 0.02, 1800, None),
        ("", None, None, 1000, NotUnderstood.EMPTY),
        ("...", -0.2, 0.1, 1000, NotUnderstood.EMPTY),
        ("Thank you for watching!", -0.2, 0.1, 1500, NotUnderstood.HALLUCINATION),
        ("Visit www.example.com for more", -0.3, 0.1, 2000, NotUnderstood.HALLUCINATION),
        ("you", -1.4, 0.8, 1000, NotUnderstood.NO_SPEECH),
        ("Something odd", -1.3, 0.1, 1000, NotUnderstood.LOW_CONFIDENCE),
        (
            "This is a very long sentence that nobody could say in half a second",
            -0.2,
            0.0,
            500,
            NotUnderstood.HALLUCINATION,
        ),
        ("no no no no no no no no no no no no no no no", -0.3, 0.0, 6000, NotUnderstood.REPETITIVE),
    ],
)
def test_judge(text: str, lp: float | None, ns: float | None, ms: float, verdict: object) -> None:
    assert judge(text, lp, ns, ms, CFG) == verdict


def test_transcript_understood() -> None:
    assert Transcript("hello", 0.9).understood
    assert not Transcript("", 0.0).understood
    assert not Transcript("hi", 0.9, rejected=NotUnderstood.LOW_CONFIDENCE).understood
