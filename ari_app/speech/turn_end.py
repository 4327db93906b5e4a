"""The turn-end decision: has the caller finished? Sans-I/O: answers in, verdicts out.

Theory of operation. Silence alone is a poor judge: people pause mid-sentence ("I need to
add… um… milk") for longer than an assistant can afford to wait after a finished request. So
a short pause (the segmenter's :class:`~ari_app.speech.segmenter.SpeechPaused`, ~200 ms)
opens a question, and two answers about that same stretch of speech arrive in either order:

* the turn-end model's probability that the turn is complete (from the sound: intonation,
  drawn-out syllables, "um");
* the speculative transcript (started at the same pause, so no time is lost when the answer
  is yes).

The turn is finished when the model says so (``p >= threshold``) *and* the words do not stop
on one that cannot end a request ("… call the bank at", "… add, um"), which catches a
fragment spoken with falling intonation. Anything else waits: if the caller speaks again the
question lapses (the utterance goes on and a later pause asks again), and the segmenter ends
the utterance anyway after its longest silence (the cap, 2 s by default).

A question is named by its pause's ``(start_ms, end_ms)`` (the speech it covers); answers
about an older pause are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PauseKey = tuple[float, float]
"""(start_ms, end_ms) of the speech before a pause, on the stream clock."""

DANGLING_WORDS = frozenset(
    {
        # articles, prepositions, conjunctions, possessives: "… call the bank at"
        "a", "an", "the", "to", "at", "on", "in", "for", "with", "of", "from", "by", "about",
        "into", "and", "or", "but", "so", "because", "my", "your", "our", "their", "his",
        "her", "its", "this", "that", "is", "are", "was", "were",
        # fillers: "… add, um"
        "um", "uh", "er", "erm", "uhm", "well", "like",
        # verbs a request never stops on: "please add", "could you check", "I think I need"
        "add", "book", "check", "need", "want", "put", "assign", "send", "tell", "schedule",
        "create", "move", "set", "make", "mark", "think", "remind",
    }
)  # fmt: skip
"""Words after which a spoken request is never finished. Whisper ends fragments with a full
stop or a question mark all the same ("What's on my calendar for?"), so punctuation is no
evidence either way."""
_AUXILIARIES = frozenset({"can", "could", "would", "will", "should", "do", "did", "may"})
_WORD_RE = re.compile(r"[a-z0-9']+")


def ends_dangling(text: str) -> bool:
    """True when ``text`` stops on a word no request ends with ("… at", "um", "can you")."""
    words = _WORD_RE.findall(text.lower())
    if not words:
        return False
    if words[-1] in DANGLING_WORDS:
        return True
    return len(words) >= 2 and words[-1] in {"you", "i", "we"} and words[-2] in _AUXILIARIES


@dataclass(frozen=True)
class TurnEndConfig:
    """How sure the model must be."""

    threshold: float = 0.5
    """Model probability at or above which the turn counts as complete."""
    use_words: bool = True
    """Also require the transcript not to end on a dangling word."""


@dataclass(frozen=True)
class TurnVerdict:
    """The answer to one pause: ``finished`` (end the turn now) or wait for more."""

    key: PauseKey
    finished: bool
    probability: float | None
    reason: str
    """``complete``, ``model_unfinished`` or ``words_unfinished``."""


class TurnEndDecider:
    """One per call: the open question and the answers seen so far."""

    def __init__(self, config: TurnEndConfig | None = None) -> None:
        self.config = config or TurnEndConfig()
        self._key: PauseKey | None = None
        self._probability: float | None = None
        self._words: str | None = None
        self._words_known = False
        self._decided = False

    @property
    def open_key(self) -> PauseKey | None:
        """The pause being judged, if any."""
        return self._key

    def paused(self, key: PauseKey) -> None:
        """A new pause: forget the answers about any earlier one."""
        self._key = key
        self._probability = None
        self._words = None
        self._words_known = not self.config.use_words
        self._decided = False

    def resumed(self) -> None:
        """The caller spoke again: the open question lapses."""
        self._key = None

    def model(self, key: PauseKey, probability: float) -> TurnVerdict | None:
        """The model's answer; a verdict once both answers are in."""
        if key != self._key or self._decided:
            return None
        self._probability = probability
        return self._verdict()

    def words(self, key: PauseKey, text: str | None) -> TurnVerdict | None:
        """The speculative transcript (None: nothing understood); a verdict once both are in."""
        if key != self._key or self._decided:
            return None
        self._words = text
        self._words_known = True
        return self._verdict()

    def _verdict(self) -> TurnVerdict | None:
        key, p = self._key, self._probability
        if key is None or p is None:
            return None
        if p < self.config.threshold:
            self._decided = True
            return TurnVerdict(key, False, p, "model_unfinished")
        if not self._words_known:
            return None
        self._decided = True
        if self._words is not None and ends_dangling(self._words):
            return TurnVerdict(key, False, p, "words_unfinished")
        return TurnVerdict(key, True, p, "complete")
