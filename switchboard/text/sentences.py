"""Streaming text → speakable sentences. Pure: text deltas in, sentences out.

The agent's reply arrives token by token; TTS wants whole sentences, and wants the first one
early. :class:`SentenceSplitter` emits a sentence as soon as its end is certain (terminal
punctuation followed by whitespace, or a newline), splits a long *first* sentence at a natural
pause (a comma, semicolon, colon or dash past ``first_min_chars``), and strips markdown that
should not be read aloud.

It never speaks structured output: a reply whose first non-blank text is ``{`` or a code
fence is held back entirely (``held_back`` gives it to whoever parses tool calls), and a
fenced block inside a reply is dropped from speech.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = "```"
_END_RE = re.compile(r"[.!?…]+[\"')\]]*(?=\s)")
_CLAUSE_RE = re.compile(r"(?:[,;:]|\s[–—-])(?=\s)")
_LIST_MARKER_RE = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+")
_MARKDOWN_RE = re.compile(r"\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)|`|^#+\s*", re.M)
_SPACE_RE = re.compile(r"\s+")
_NEVER_END = frozenset({"mr", "mrs", "ms", "dr", "st", "vs", "jr", "sr", "prof", "no"})
_MAYBE_END = frozenset({"a.m", "p.m", "etc", "e.g", "i.e", "am", "pm"})


@dataclass(frozen=True)
class SplitterConfig:
    """How eagerly the first sentence is cut."""

    first_max_chars: int = 60
    """A first sentence longer than this is split at a clause break, if there is one."""
    first_min_chars: int = 15
    """Never cut a first piece shorter than this (no one-word "Sure," chunks)."""


FIRST_PIECE = SplitterConfig(first_max_chars=24, first_min_chars=5)
"""How a reply's very first sentence is cut before synthesis: Piper's time to first audio
grows with the piece (~75 ms per second of speech), so "You said:" or "Sure," goes first
(~55 ms) and the rest is synthesised while it plays."""


def clean_for_speech(text: str) -> str:
    """Remove markdown and list markers; collapse whitespace."""
    text = _LIST_MARKER_RE.sub("", text)
    text = _MARKDOWN_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip()


def _speakable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    """False for abbreviations such as "Dr." or "p.m." followed by a lower-case word."""
    if not match.group().startswith("."):
        return True
    word = re.findall(r"[\w.]+$", text[: match.start()])
    token = word[0].lower() if word else ""
    if token in _NEVER_END or (len(token) == 1 and token.isalpha()):
        return False
    if token in _MAYBE_END:
        rest = text[match.end() :].lstrip()
        return bool(rest) and rest[0].isupper()
    return True


class SentenceSplitter:
    """Feed text deltas with :meth:`push`; end the reply with :meth:`flush`."""

    def __init__(self, config: SplitterConfig | None = None) -> None:
        self.config = config or SplitterConfig()
        self._pending = ""
        self._held: list[str] = []
        self._structured: bool | None = None
        self._in_fence = False
        self._emitted = 0

    @property
    def structured(self) -> bool:
        """True when the reply began with ``{`` or a code fence (nothing will be spoken)."""
        return bool(self._structured)

    @property
    def held_back(self) -> str:
        """Text withheld from speech: a structured reply, or fenced blocks."""
        return "".join(self._held) + (self._pending if self._structured else "")

    def push(self, delta: str) -> list[str]:
        """Add a delta; return the sentences now complete (possibly none)."""
        self._pending += delta
        if self._structured is None:
            head = self._pending.lstrip()
            if not head or (_FENCE.startswith(head) and len(head) < len(_FENCE)):
                return []
            self._structured = head.startswith("{") or head.startswith(_FENCE)
        if self._structured:
            return []
        return self._drain(final=False)

    def flush(self) -> list[str]:
        """The reply is complete: return what is left (unless it is structured)."""
        if self._structured:
            return []
        out = self._drain(final=True)
        rest = clean_for_speech(self._pending) if not self._in_fence else ""
        if self._in_fence:
            self._held.append(self._pending)
        self._pending = ""
        if _speakable(rest):
            out.append(rest)
            self._emitted += 1
        return out

    def _drain(self, final: bool) -> list[str]:
        out: list[str] = []
        while True:
            if self._in_fence:
                end = self._pending.find(_FENCE)
                if end < 0:
                    return out
                self._held.append(self._pending[: end + len(_FENCE)])
                self._pending = self._pending[end + len(_FENCE) :]
                self._in_fence = False
            fence = self._pending.find(_FENCE)
            text = self._pending if fence < 0 else self._pending[:fence]
            if fence < 0 and not final and self._pending.endswith("`"):
                text = self._pending.rstrip("`")  # maybe the start of a fence: wait
            cut = self._next_cut(text)
            if cut is None:
                if fence < 0:
                    return out
                out.extend(self._emit(text))
                self._held.append(_FENCE)
                self._pending = self._pending[fence + len(_FENCE) :]
                self._in_fence = True
                continue
            out.extend(self._emit(text[:cut]))
            self._pending = self._pending[cut:]

    def _emit(self, piece: str) -> list[str]:
        cleaned = clean_for_speech(piece)
        if not _speakable(cleaned):
            return []
        self._emitted += 1
        return [cleaned]

    def _next_cut(self, text: str) -> int | None:
        """Index just after the next complete piece in ``text``, or None to wait."""
        newline = text.find("\n")
        end = None
        for m in _END_RE.finditer(text):
            if newline >= 0 and m.start() > newline:
                break
            if _is_boundary(text, m):
                end = m.end()
                break
        if end is None and newline >= 0:
            end = newline + 1
        if self._emitted == 0:
            limit = end if end is not None else len(text)
            if limit > self.config.first_max_chars:
                early = self._clause_cut(text[:limit])
                if early is not None:
                    return early
        return end

    def _clause_cut(self, text: str) -> int | None:
        for m in _CLAUSE_RE.finditer(text):
            if m.end() >= self.config.first_min_chars and m.end() < len(text.rstrip()) - 1:
                return m.end()
        return None


def split_sentences(text: str, config: SplitterConfig | None = None) -> list[str]:
    """Split a complete text the way :class:`SentenceSplitter` would stream it."""
    splitter = SentenceSplitter(config)
    return splitter.push(text) + splitter.flush()
