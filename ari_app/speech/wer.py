"""Word error rate, for tests and ``switchboard bench speech`` (pure)."""

from __future__ import annotations

import re

from ari_app.speech.normalise import normalise_text

_WORD = re.compile(r"[a-z0-9':]+")


def words(text: str) -> list[str]:
    """Normalised words: lower case, numerals for number words, "pm" for "p.m."."""
    return _WORD.findall(normalise_text(text.replace("-", " ")))


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(substitutions + deletions + insertions, reference word count)."""
    ref, hyp = words(reference), words(hypothesis)
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1], len(ref)


def word_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Corpus WER over (reference, hypothesis) pairs: total errors / total reference words."""
    errors = total = 0
    for ref, hyp in pairs:
        e, n = word_errors(ref, hyp)
        errors += e
        total += n
    return errors / total if total else 0.0
