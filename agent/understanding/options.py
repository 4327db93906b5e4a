"""Which of the options read out does an answer mean? Positions and names, negations aside. Pure.

The assistant asks "Which one: A, B, or C?"; people answer by position ("um the third",
"the first one please", "number two", "the latter", "the one you said first"), by a word only
one option has ("the bank one", "well it's finance isn't it", a misheard "lopes" for Lopez),
and by correcting themselves ("no not the first one the second", "not Sales, Support").
Words after "not" rule an option out; with two options, ruling one out picks the other
("not the first, the other one"). Anything this cannot settle goes to the answer classifier
(which knows "none" and "unclear").
"""

from __future__ import annotations

from switchboard.text.matching import FILLERS, NUMBER_WORDS, WORD_MATCH, word_score, words

_ORDINAL = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
    "top": 1, "former": 1, "latter": -1, "last": -1, "bottom": -1, "final": -1,
}  # fmt: skip
"""Words that name a position wherever they stand (-1: the last)."""
_COUNTED = {"one": 1, "two": 2, "to": 2, "too": 2, "three": 3, "tree": 3, "1": 1, "2": 2, "3": 3}
"""Numbers after "number" / "option", or said alone (with the recogniser's "to" for two)."""
_COUNTERS = frozenset({"number", "option", "no", "choice"})
_HESITATION = frozenset({
    "um", "umm", "uh", "er", "erm", "hmm", "ah", "oh", "well", "so", "ok", "okay", "yeah", "yes",
    "please", "thanks", "thank", "you", "it's", "its", "is",
})  # fmt: skip
"""Words around a number said alone ("um, three please") that leave it a position."""
_NEGATIONS = frozenset({"not", "isn't", "wasn't", "don't", "never"})
_REAFFIRM = frozenset({"want", "mean", "meant", "but", "it's", "its", "rather", "instead", "other"})
"""Words that end a ruled-out stretch ("not the first one, I want the second")."""
_NEGATED_SPAN = 4
"""How many words after "not" it rules out at most."""
_CHATTER = FILLERS | frozenset({
    "well", "so", "ok", "okay", "yeah", "yes", "yep", "no", "sorry", "thanks", "thank", "you",
    "i", "think", "guess", "is", "was", "isn't", "right", "sure", "go", "with", "please",
    "obviously", "definitely", "probably", "actually", "mean", "meant", "want", "wanted", "said",
    "say", "saying", "other", "be", "would", "will", "let's", "lets", "take", "pick", "choose",
    "we", "us", "our", "your", "there", "here", "and", "but", "or", "not",
})  # fmt: skip
"""Words that name neither an option nor a position."""


def _negated(tokens: list[str]) -> list[bool]:
    """For each word: is it inside a stretch that follows "not" (and ends at a re-affirmation)?"""
    out = [False] * len(tokens)
    left = 0
    for i, token in enumerate(tokens):
        if token in _NEGATIONS:
            left = _NEGATED_SPAN
            continue
        if token in _REAFFIRM:
            left = 0
        out[i] = left > 0
        left = max(0, left - 1)
    return out


def _position_of(tokens: list[str], i: int, alone: bool) -> int | None:
    token = tokens[i]
    if token in _ORDINAL:
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        return None if following in ("thing", "time", "week", "day", "of") else _ORDINAL[token]
    if token in _COUNTED:
        counted = i > 0 and tokens[i - 1] in _COUNTERS
        return _COUNTED[token] if counted or alone else None
    return None


def _index(where: int, count: int) -> int | None:
    index = count if where == -1 else where
    return index if 1 <= index <= min(3, count) else None


def _the_other(ruled_out: set[int], count: int) -> int | None:
    left = set(range(1, count + 1)) - ruled_out
    return left.pop() if count == 2 and len(ruled_out) == 1 and len(left) == 1 else None


def picked_position(options: list[str], said: str) -> int | None:
    """The 1-based option an answer names by position, or None."""
    tokens = words(said)
    negated = _negated(tokens)
    alone = len([t for t in tokens if t not in _HESITATION]) == 1  # "um, three please"
    chosen: set[int] = set()
    ruled_out: set[int] = set()
    for i in range(len(tokens)):
        where = _position_of(tokens, i, alone)
        index = _index(where, len(options)) if where is not None else None
        if index is not None:
            (ruled_out if negated[i] else chosen).add(index)
    chosen -= ruled_out
    if len(chosen) == 1:
        return chosen.pop()
    if not chosen and "other" in tokens:
        return _the_other(ruled_out, len(options))
    return None


def _option_hits(options: list[str], word: str) -> list[int]:
    """The options (1-based) that ``word`` names and the others do not."""
    scores = [word_score(word, words(o)) for o in options]
    hits = [i + 1 for i, score in enumerate(scores) if score >= WORD_MATCH]
    return hits if len(hits) == 1 else []


def picked_name(options: list[str], said: str) -> int | None:
    """The 1-based option an answer names by a word only that option has, or None."""
    tokens = words(said)
    negated = _negated(tokens)
    chosen: set[int] = set()
    ruled_out: set[int] = set()
    for token, ruled in zip(tokens, negated, strict=True):
        spoken = NUMBER_WORDS.get(token, token)
        if token in _CHATTER or (len(spoken) < 3 and not spoken.isdigit()):
            continue
        for hit in _option_hits(options, spoken):
            (ruled_out if ruled else chosen).add(hit)
    chosen -= ruled_out
    if len(chosen) == 1:
        return chosen.pop()
    if not chosen:
        return _the_other(ruled_out, len(options))
    return None


def picked_option(options: list[str], said: str) -> int | None:
    """The option an answer means, by position first, then by name; None when unsettled."""
    if len(options) < 2:
        return None
    return picked_position(options[:3], said) or picked_name(options[:3], said)
