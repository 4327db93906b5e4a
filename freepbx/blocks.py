"""Marked blocks in an admin's Asterisk config files (pure: text in, text out).

FreePBX leaves the ``*_custom.conf`` files to the admin, who may already have lines of their
own there. Switchboard owns only the lines between its two markers::

    ; BEGIN switchboard (managed by `switchboard freepbx install`; edits here are replaced)
    ...
    ; END switchboard

Everything outside the markers is kept byte for byte. Writing the same block twice gives the
same text (idempotent); a file without the block gets it appended at its end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BEGIN = "; BEGIN switchboard"
END = "; END switchboard"
BEGIN_LINE = f"{BEGIN} (managed by `switchboard freepbx install`; edits here are replaced)"

_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*(?:\(([^)]*)\))?")
_KEYVAL = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*=>?\s*(.*?)\s*$")
_EXTEN = re.compile(r"^\s*exten\s*=>\s*([^,]+),")


class BlockError(ValueError):
    """A file's markers are broken (a BEGIN without END, two blocks, END before BEGIN)."""


@dataclass(frozen=True)
class Split:
    """A file cut around its Switchboard block: ``before + block + after`` is the file."""

    before: str
    block: str | None
    after: str

    @property
    def outside(self) -> str:
        """The admin's own text (everything outside the block)."""
        return self.before + self.after


def split(text: str, path: str = "file") -> Split:
    """Find the one Switchboard block in ``text`` (markers included), if any."""
    lines = text.splitlines(keepends=True)
    begins = [i for i, line in enumerate(lines) if line.startswith(BEGIN)]
    ends = [i for i, line in enumerate(lines) if line.startswith(END)]
    if not begins and not ends:
        return Split(text, None, "")
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise BlockError(
            f"{path}: broken Switchboard markers ({len(begins)} BEGIN, {len(ends)} END); "
            f"leave exactly one '{BEGIN}' … '{END}' pair or remove both"
        )
    b, e = begins[0], ends[0]
    return Split("".join(lines[:b]), "".join(lines[b : e + 1]), "".join(lines[e + 1 :]))


def make_block(body: str) -> str:
    """Wrap ``body`` in the markers (one trailing newline)."""
    return f"{BEGIN_LINE}\n{body.strip(chr(10))}\n{END}\n"


def merge(text: str, body: str, path: str = "file") -> str:
    """Return ``text`` with its Switchboard block set to ``body`` (added when missing)."""
    parts = split(text, path)
    block = make_block(body)
    if parts.block is not None:
        return parts.before + block + parts.after
    if not text or text.endswith("\n"):
        return text + block
    return text + "\n" + block


def block_body(text: str, path: str = "file") -> str | None:
    """The lines between the markers (without them), or None when the file has no block."""
    block = split(text, path).block
    if block is None:
        return None
    inner = block.splitlines(keepends=True)[1:-1]
    return "".join(inner)


@dataclass
class Section:
    """One ``[name]`` section of an Asterisk config file, as far as conflicts matter."""

    name: str
    type: str | None = None
    template: bool = False
    extens: set[str] = field(default_factory=set)


def sections(text: str) -> list[Section]:
    """Parse section names, their ``type =`` and dialplan extensions (comments ignored)."""
    found: list[Section] = []
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].rstrip()
        if not line.strip():
            continue
        head = _SECTION.match(line)
        if head:
            options = head.group(2) or ""
            found.append(Section(head.group(1).strip(), template="!" in options))
            continue
        if not found:
            continue
        exten = _EXTEN.match(line)
        if exten:
            found[-1].extens.add(exten.group(1).strip())
            continue
        kv = _KEYVAL.match(line)
        if kv and kv.group(1) == "type":
            found[-1].type = kv.group(2)
    return found


def conflicts(outside: str, body: str) -> list[str]:
    """What the admin's own lines already define that the block defines too.

    PJSIP/ARI objects conflict on the same ``[name]`` with the same ``type``; dialplan
    contexts (no ``type``) may be repeated, so they conflict only on the same extension.
    """
    theirs = [s for s in sections(outside) if not s.template]
    problems: list[str] = []
    for mine in sections(body):
        for other in theirs:
            if other.name != mine.name:
                continue
            if mine.type is not None and other.type == mine.type:
                problems.append(f"[{mine.name}] (type = {mine.type})")
            shared = sorted(mine.extens & other.extens)
            problems += [f"[{mine.name}] exten {e}" for e in shared]
    return sorted(set(problems))
