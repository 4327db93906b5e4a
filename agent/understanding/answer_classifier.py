"""A small trained classifier for answers to the assistant's own questions. Pure, numpy only.

One multinomial logistic regression per dialog, over word features of the answer: words,
pairs and triples of words, the first and the last words (a correction counts by how it ends:
"yeah no" is a no), and whether the answer names an item of a "which one" question. It is
trained when first used (tens of milliseconds) from ``data/answers_train.jsonl``, a corpus
written for training only (never from the tuning or held-out sets), and answers with a label
and its probability, so the reader can turn to the language model when it is unsure.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from switchboard.text.matching import words

CORPUS = Path(__file__).with_name("data") / "answers_train.jsonl"
EPOCHS = 150
LEARNING_RATE = 1.0
L2 = 1e-3


def features(said: str, named_option: bool = False) -> list[str]:
    """The features of one answer."""
    found = words(said) or ["<empty>"]
    out = [f"w:{w}" for w in found]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(found)]
    out += [f"t:{a}_{b}_{c}" for a, b, c in zip(found, found[1:], found[2:], strict=False)]
    out += [f"first:{found[0]}", f"last:{found[-1]}", f"len:{min(len(found), 6)}"]
    if len(found) >= 2:
        out.append(f"last2:{found[-2]}_{found[-1]}")
    if named_option:
        out.append("names_an_option")
    return out


@dataclass
class DialogModel:
    """The weights of one dialog's classifier."""

    labels: list[str]
    vocabulary: dict[str, int] = field(default_factory=dict)
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def _vector(self, feats: Iterable[str]) -> np.ndarray:
        x = np.zeros(len(self.vocabulary) + 1, dtype=np.float32)
        x[-1] = 1.0  # bias
        for feat in feats:
            index = self.vocabulary.get(feat)
            if index is not None:
                x[index] = 1.0
        return x

    def fit(self, rows: Sequence[tuple[list[str], str]]) -> None:
        """Train on ``(features, label)`` rows (full-batch gradient descent)."""
        for feats, _ in rows:
            for feat in feats:
                self.vocabulary.setdefault(feat, len(self.vocabulary))
        x = np.stack([self._vector(f) for f, _ in rows])
        y = np.zeros((len(rows), len(self.labels)), dtype=np.float32)
        for i, (_, label) in enumerate(rows):
            y[i, self.labels.index(label)] = 1.0
        w = np.zeros((x.shape[1], len(self.labels)), dtype=np.float32)
        xt = np.ascontiguousarray(x.T)
        for _ in range(EPOCHS):
            p = softmax(x @ w)
            w -= LEARNING_RATE * (xt @ (p - y) / len(rows) + L2 * w)
        self.weights = w

    def predict(self, feats: Iterable[str]) -> tuple[str, float]:
        """The most likely label and its probability."""
        p = softmax(self._vector(feats) @ self.weights)
        best = int(np.argmax(p))
        return self.labels[best], float(p[best])


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


def load_corpus(path: Path = CORPUS) -> list[dict[str, str]]:
    """The training answers."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@lru_cache(maxsize=1)
def trained(path: Path = CORPUS) -> dict[str, DialogModel]:
    """One trained classifier per dialog (trained once per process)."""
    from agent.understanding.answers import LABELS, options_of, pick_by_name

    rows: dict[str, list[tuple[list[str], str]]] = {d: [] for d in LABELS}
    for item in load_corpus(path):
        dialog, say, label = item["dialog"], item["say"], item["expect"]
        if dialog not in rows or label not in LABELS[dialog]:
            continue
        named = False
        if dialog == "which":
            named = pick_by_name(item.get("question", ""), say) is not None
            if named or label.isdigit():
                continue  # positions and names are settled before the classifier is asked
            named = any(w in words(say) for o in options_of(item.get("question", ""))
                        for w in words(o) if len(w) > 3)  # fmt: skip
        rows[dialog].append((features(say, named), label))
    models: dict[str, DialogModel] = {}
    for dialog, data in rows.items():
        labels = sorted({label for _, label in data})
        if len(labels) >= 2:
            model = DialogModel(labels)
            model.fit(data)
            models[dialog] = model
    return models


def classify(dialog: str, question: str, said: str) -> tuple[str, float]:
    """The classifier's label for an answer and its probability (``unclear``, 0 if untrained)."""
    model = trained().get(dialog)
    if model is None:
        return "unclear", 0.0
    named = False
    if dialog == "which":
        from agent.understanding.answers import options_of

        named = any(w in words(said) for o in options_of(question) for w in words(o) if len(w) > 3)
    label, probability = model.predict(features(said, named))
    return label, probability if math.isfinite(probability) else 0.0
