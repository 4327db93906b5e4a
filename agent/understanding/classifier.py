"""A small text classifier: multinomial logistic regression over word features. Pure, numpy.

Used twice: for answers to the assistant's questions (:mod:`.answer_classifier`) and for which
tools a request may need (:mod:`.tool_classifier`). Features are words, pairs and triples of
words, the first and the last words (a correction counts by how it ends: "yeah no" is a no),
and any extra features the caller adds. Trained in tens of milliseconds to a second by
full-batch gradient descent on a few hundred to a few thousand labelled sentences.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from switchboard.text.matching import words

EPOCHS = 150


def features(text: str, extra: Iterable[str] = (), *, triples: bool = True) -> list[str]:
    """Word features of ``text`` (plus ``extra``)."""
    found = words(text) or ["<empty>"]
    out = [f"w:{w}" for w in found]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(found)]
    if triples:
        out += [f"t:{a}_{b}_{c}" for a, b, c in zip(found, found[1:], found[2:], strict=False)]
    out += [f"first:{found[0]}", f"last:{found[-1]}", f"len:{min(len(found), 6)}"]
    if len(found) >= 2:
        out.append(f"last2:{found[-2]}_{found[-1]}")
    out.extend(extra)
    return out


@dataclass
class TextClassifier:
    """Weights over a vocabulary of features, for a fixed set of labels."""

    labels: list[str]
    vocabulary: dict[str, int] = field(default_factory=dict)
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    def _indices(self, feats: Iterable[str]) -> np.ndarray:
        """The active features' indices (and the bias, last)."""
        found = {self.vocabulary[f] for f in feats if f in self.vocabulary}
        return np.array([*sorted(found), len(self.vocabulary)], dtype=np.int64)

    def fit(
        self,
        rows: Sequence[tuple[list[str], str]],
        epochs: int = EPOCHS,
        min_count: int = 1,
        *,
        learning_rate: float = 1.0,
        l2: float = 1e-3,
        adaptive: bool = False,
    ) -> None:
        """Train on ``(features, label)`` rows (binary features, kept sparse: the gradient of a
        row touches only its own features' weights); features seen fewer than ``min_count``
        times are ignored. ``adaptive`` (AdaGrad) lets features with few examples learn as
        fast as common ones: better with many labels (tools), worse with few (answers)."""
        counts: dict[str, int] = {}
        for feats, _ in rows:
            for feat in set(feats):
                counts[feat] = counts.get(feat, 0) + 1
        for feats, _ in rows:
            for feat in feats:
                if counts[feat] >= min_count:
                    self.vocabulary.setdefault(feat, len(self.vocabulary))
        active = [self._indices(f) for f, _ in rows]
        flat = np.concatenate(active)
        owner = np.repeat(np.arange(len(rows)), [len(a) for a in active])
        starts = np.cumsum([0] + [len(a) for a in active[:-1]])
        y = np.zeros((len(rows), len(self.labels)), dtype=np.float32)
        for i, (_, label) in enumerate(rows):
            y[i, self.labels.index(label)] = 1.0
        order = np.argsort(flat, kind="stable")
        features_sorted, owners_sorted = flat[order], owner[order]
        used, first = np.unique(features_sorted, return_index=True)
        w = np.zeros((len(self.vocabulary) + 1, len(self.labels)), dtype=np.float32)
        seen = np.full_like(w, 1e-8)
        for _ in range(epochs):
            scores = np.add.reduceat(w[flat], starts, axis=0)
            error = (softmax(scores) - y) / len(rows)
            gradient = np.zeros_like(w)
            gradient[used] = np.add.reduceat(error[owners_sorted], first, axis=0)
            gradient += l2 * w
            if adaptive:
                seen += gradient * gradient
                w -= learning_rate * gradient / np.sqrt(seen)
            else:
                w -= learning_rate * gradient
        self.weights = w

    def probabilities(self, feats: Iterable[str]) -> list[tuple[str, float]]:
        """Every label with its probability, most likely first."""
        p = softmax(self.weights[self._indices(feats)].sum(axis=0))
        order = np.argsort(-p)
        return [(self.labels[int(i)], float(p[int(i)])) for i in order]

    def predict(self, feats: Iterable[str]) -> tuple[str, float]:
        """The most likely label and its probability."""
        return self.probabilities(feats)[0]


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis."""
    shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return np.asarray(e / e.sum(axis=-1, keepdims=True))
