"""The classifier for answers to the assistant's own questions: one per dialog.

Trained when first used from ``data/answers_train.jsonl``, a corpus written for training only
(never from the tuning or held-out sets). For "which one" questions, answers that name an
option or a position are settled before the classifier is asked (:func:`.answers.pick_by_name`),
so it learns only "none" and "unclear" there, with a feature telling whether the answer
mentions an option's words.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from agent.understanding.classifier import TextClassifier, features
from switchboard.text.matching import words

CORPUS = Path(__file__).with_name("data") / "answers_train.jsonl"


def load_corpus(path: Path = CORPUS) -> list[dict[str, str]]:
    """The training answers."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def mentions_option(question: str, said: str) -> bool:
    """True when the answer has a (4+ letter) word of one of the question's options."""
    from agent.understanding.answers import options_of

    heard = set(words(said))
    return any(w in heard for o in options_of(question) for w in words(o) if len(w) > 3)


POSITIVE = frozenset({"yes", "yeah", "yep", "yup", "ya", "yea", "sure", "ok", "okay", "fine"})
NEGATIVE = frozenset({"no", "nope", "nah", "naw", "don't", "dont", "not", "never"})


def final_polarity(said: str) -> str | None:
    """Whether the last yes-like or no-like word of an answer is a yes or a no: a correction
    counts by how it ends ("no wait yes")."""
    for word in reversed(words(said)):
        if word in POSITIVE:
            return "positive"
        if word in NEGATIVE:
            return "negative"
    return None


def answer_features(dialog: str, question: str, said: str) -> list[str]:
    """The features of one answer in one dialog."""
    extra = []
    if dialog == "which" and mentions_option(question, said):
        extra.append("names_an_option")
    polarity = final_polarity(said)
    if polarity:
        extra.append(f"ends:{polarity}")
    return features(said, extra)


@lru_cache(maxsize=1)
def trained(path: Path = CORPUS) -> dict[str, TextClassifier]:
    """One trained classifier per dialog (trained once per process)."""
    from agent.understanding.answers import LABELS, pick_by_name

    rows: dict[str, list[tuple[list[str], str]]] = {d: [] for d in LABELS}
    for item in load_corpus(path):
        dialog, question, said, label = (
            item["dialog"],
            item.get("question", ""),
            item["say"],
            item["expect"],
        )
        if dialog not in rows or label not in LABELS[dialog]:
            continue
        if dialog == "which" and (label.isdigit() or pick_by_name(question, said) is not None):
            continue  # positions and names are settled before the classifier is asked
        rows[dialog].append((answer_features(dialog, question, said), label))
    models: dict[str, TextClassifier] = {}
    for dialog, data in rows.items():
        labels = sorted({label for _, label in data})
        if len(labels) >= 2:
            model = TextClassifier(labels)
            model.fit(data)
            models[dialog] = model
    return models


def classify(dialog: str, question: str, said: str) -> tuple[str, float]:
    """The classifier's label for an answer and its probability (``unclear``, 0 if untrained)."""
    model = trained().get(dialog)
    if model is None:
        return "unclear", 0.0
    return model.predict(answer_features(dialog, question, said))
