"""Fuzzy matching of spoken names (people by name or alias, teams) with rapidfuzz.

A clear winner is returned; close runners-up turn into a short question
("Which John: John Smith or John Park?"); nothing close enough is a one-sentence not-found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, utils

from mcp_tools.errors import Ambiguous, Choice, InvalidInput, NotFound, said

T = TypeVar("T")
THRESHOLD = 72.0
MARGIN = 6.0


@dataclass(frozen=True)
class Named(Generic[T]):
    """A candidate: the item, its display name, and every name it answers to."""

    item: T
    display: str
    names: tuple[str, ...]


def score(query: str, name: str) -> float:
    """How well a spoken query matches one name (0–100)."""
    q, n = utils.default_process(query), utils.default_process(name)
    if not q or not n:
        return 0.0
    if q == n:
        return 100.0
    tokens = n.split()
    if q in tokens or (len(tokens) > 1 and q == tokens[0]):
        return 92.0
    return max(fuzz.WRatio(q, n), fuzz.token_set_ratio(q, n) - 5)


def rank(query: str, candidates: Sequence[Named[T]]) -> list[tuple[float, Named[T]]]:
    """Candidates at or above the threshold, best first."""
    scored = [(max(score(query, n) for n in c.names), c) for c in candidates if c.names]
    good = [(s, c) for s, c in scored if s >= THRESHOLD]
    return sorted(good, key=lambda pair: -pair[0])


def match_one(query: str, candidates: Sequence[Named[T]], kind: str = "person") -> T:
    """The one candidate ``query`` means; :class:`Ambiguous` or :class:`NotFound` otherwise."""
    query = query.strip()
    if not query:
        raise InvalidInput(f"I need the {kind}'s name.")
    ranked = rank(query, candidates)
    if not ranked:
        raise NotFound(f"I couldn't find a {kind} called {said(query)}.")
    best_score, best = ranked[0]
    close = [c for s, c in ranked[1:] if s >= best_score - MARGIN and c.item is not best.item]
    if best_score == 100.0:
        close = [c for s, c in ranked[1:] if s == 100.0 and c.item is not best.item]
    if close:
        names = [best.display, *[c.display for c in close[:3]]]
        first = said(query.split()[0], 20).title() if len(query) <= 40 else "one"
        listed = ", ".join(names[:-1]) + " or " + names[-1]
        raise Ambiguous(f"Which {first}: {listed}?", [Choice(n, n) for n in names])
    return best.item
