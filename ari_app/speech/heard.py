"""What the caller actually heard of an interrupted reply. Pure.

After a barge-in the conversation history must keep only the words that were played. The
playout side records each chunk it queues (:meth:`HeardTracker.sent`, text + duration) and
learns how much was played (MEDIA_MARK_PROCESSED marks, or bytes sent minus bytes flushed).
:meth:`HeardTracker.heard_text` turns that position into text: whole chunks before it, and
the words of the chunk in progress in proportion to its elapsed time (speech rate is even
enough within one sentence for this to be within a word or two).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class HeardTracker:
    """Chunks queued for playout, in order, with their text and duration."""

    _chunks: list[tuple[str, float]] = field(default_factory=list)

    def sent(self, text: str, duration_ms: float) -> None:
        """A chunk saying ``text`` (may be "" for a continuation) was queued."""
        self._chunks.append((text, max(0.0, duration_ms)))

    @property
    def total_ms(self) -> float:
        """Playing time of everything queued."""
        return sum(d for _, d in self._chunks)

    def heard_text(self, played_ms: float) -> str:
        """The text heard once ``played_ms`` of the queued audio has played."""
        pieces = self._pieces()
        out: list[str] = []
        t = 0.0
        for text, duration in pieces:
            if played_ms >= t + duration:
                out.append(text)
            elif played_ms > t and duration > 0:
                words = text.split()
                n = int(len(words) * (played_ms - t) / duration)
                if n:
                    out.append(" ".join(words[:n]) + " …")
                break
            else:
                break
            t += duration
        return " ".join(p for p in out if p).strip()

    def clear(self) -> None:
        """Forget the queued chunks (a new reply)."""
        self._chunks.clear()

    def _pieces(self) -> list[tuple[str, float]]:
        """Merge continuation chunks ("" text) into the piece they belong to."""
        merged: list[tuple[str, float]] = []
        for text, duration in self._chunks:
            if merged and (not text or merged[-1][0] == text):
                prev_text, prev_d = merged[-1]
                merged[-1] = (prev_text, prev_d + duration)
            else:
                merged.append((text, duration))
        return merged
