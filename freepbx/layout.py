"""Where Switchboard's lines go on a FreePBX 17 box, and how FreePBX includes them (pure).

FreePBX regenerates ``extensions_additional.conf``, ``pjsip.endpoint.conf``,
``queues_additional.conf`` and friends on every ``fwconsole reload``; it never touches the
``*_custom.conf`` files, which its generated files ``#include`` (see :mod:`freepbx.freepbx17`
for the layout and where it was read). Each :class:`Target` names one custom file Switchboard
writes a marked block into, the file FreePBX loads it from (``root``, followed through its
``#include`` lines), the generated file that names it (``parent``), and the generated files
whose objects the block must not collide with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_INCLUDE = re.compile(r'^\s*#(?:try)?include\s+"?([^"\s]+)"?\s*$')


@dataclass(frozen=True)
class Target:
    """One custom file Switchboard manages a block in."""

    filename: str
    root: str
    """The file Asterisk loads (``pjsip.conf``, ...); ``filename`` is reached from it."""
    parent: str
    """The generated file whose ``#include`` line names ``filename`` (FreePBX writes it)."""
    peers: tuple[str, ...]
    """Generated files whose objects share a namespace with this file's."""
    purpose: str
    secret: bool = False
    """Holds a secret (a password or its hash): kept 0640, readable by Asterisk's group only."""


TARGETS: tuple[Target, ...] = (
    Target(
        "extensions_custom.conf",
        "extensions.conf",
        "extensions.conf",
        ("extensions_additional.conf",),
        "Stasis entry context for the Custom Destination; department queue dialplan",
    ),
    Target(
        "ari_additional_custom.conf",
        "ari.conf",
        "ari.conf",
        ("ari_additional.conf",),
        "Switchboard's ARI user",
        secret=True,
    ),
    Target(
        "pjsip.endpoint_custom.conf",
        "pjsip.conf",
        "pjsip.endpoint.conf",
        ("pjsip.endpoint.conf", "pjsip.auth.conf"),
        "Twilio trunk endpoint; WebRTC agent endpoints",
        secret=True,
    ),
    Target(
        "pjsip.endpoint_custom_post.conf",
        "pjsip.conf",
        "pjsip.conf",
        (),
        "agents' FreePBX extensions amended: WebRTC, transfers kept off the trunk",
    ),
    Target(
        "pjsip.aor_custom.conf",
        "pjsip.conf",
        "pjsip.aor.conf",
        ("pjsip.aor.conf",),
        "Twilio trunk AOR (termination URI)",
    ),
    Target(
        "pjsip.identify_custom.conf",
        "pjsip.conf",
        "pjsip.identify.conf",
        ("pjsip.identify.conf",),
        "Twilio trunk identify by Twilio's signalling ranges",
    ),
    Target(
        "queues_custom.conf",
        "queues.conf",
        "queues.conf",
        ("queues_additional.conf",),
        "department queues FreePBX does not have yet",
    ),
)

SECRET_MODE = 0o640
"""Mode of secret-bearing files: owner read/write, Asterisk's group read, nobody else."""

FREEPBX_MARKERS = ("extensions.conf", "pjsip.conf", "ari.conf", "queues.conf")
"""Files every FreePBX 17 ``/etc/asterisk`` has; their absence means "not a FreePBX tree"."""

HTTP_GENERATED = "http_additional.conf"
"""Where FreePBX writes its Advanced Settings for Asterisk's HTTP server."""
ARI_GENERATED = "ari_general_additional.conf"
"""Where FreePBX writes ARI's ``enabled`` (Advanced Setting ``ENABLE_ARI``)."""
TRANSPORTS_GENERATED = "pjsip.transports.conf"
QUEUES_GENERATED = "queues_additional.conf"


def target(filename: str) -> Target:
    """The :class:`Target` for ``filename``."""
    for t in TARGETS:
        if t.filename == filename:
            return t
    raise KeyError(filename)


def includes(text: str) -> list[str]:
    """The file names ``#include``/``#tryinclude`` lines of ``text`` name (basenames)."""
    found = []
    for line in text.splitlines():
        match = _INCLUDE.match(line)
        if match:
            found.append(Path(match.group(1)).name)
    return found


def include_chain(etc: Path, root: str, wanted: str, max_depth: int = 8) -> list[str] | None:
    """The files from ``root`` down to ``wanted`` following ``#include`` lines (depth first,
    in file order), e.g. ``["pjsip.conf", "pjsip.endpoint.conf", "pjsip.endpoint_custom.conf"]``;
    None when ``wanted`` is not reached. Cycles and missing files end a branch."""

    def walk(name: str, path: list[str]) -> list[str] | None:
        if name == wanted:
            return [*path, name]
        if name in path or len(path) >= max_depth:
            return None
        for child in includes(read(etc, name)):
            found = walk(child, [*path, name])
            if found:
                return found
        return None

    return walk(root, [])


def missing_markers(etc: Path) -> list[str]:
    """Which of FreePBX's top-level files are absent from ``etc``."""
    return [name for name in FREEPBX_MARKERS if not (etc / name).is_file()]


def read(etc: Path, filename: str) -> str:
    """A config file's text, or ``""`` when it does not exist."""
    path = etc / filename
    return path.read_text() if path.is_file() else ""


def parse_settings(text: str) -> dict[str, str]:
    """``key=value`` lines of a flat Asterisk config (first section only; comments dropped)."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if "=" in line and not line.startswith(("[", "#")):
            key, _, value = line.partition("=")
            values[key.strip().lower()] = value.lstrip(">").strip()
    return values


def section_settings(text: str, section: str) -> dict[str, str]:
    """``key=value`` lines of one ``[section]`` (first match; comments dropped; a repeated key
    keeps its last value)."""
    return {key: values[-1] for key, values in section_values(text, section).items()}


def section_values(text: str, section: str) -> dict[str, list[str]]:
    """Every value of each key of one ``[section]`` (first match), repeated keys such as
    ``local_net`` kept in order."""
    values: dict[str, list[str]] = {}
    inside = False
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("[") and "]" in line:
            if inside:
                break
            inside = line[1 : line.index("]")].strip() == section
        elif inside and "=" in line:
            key, _, value = line.partition("=")
            values.setdefault(key.strip().lower(), []).append(value.lstrip(">").strip())
    return values


def section_lines(text: str, section: str) -> list[str]:
    """The lines of every ``[section]`` of that name, in order (comments dropped); Asterisk
    merges same-named dialplan contexts, so all of them count."""
    lines, inside = [], False
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].rstrip()
        stripped = line.strip()
        if stripped.startswith("[") and "]" in stripped:
            inside = stripped[1 : stripped.index("]")].strip() == section
        elif inside and stripped:
            lines.append(line)
    return lines


_EXTEN = re.compile(r"^\s*exten\s*=>\s*([^,\s]+)\s*,")


def exten_lines(text: str, context: str, exten: str) -> list[str]:
    """The dialplan lines of ``exten`` in ``context`` (``same =>`` and ``n`` priorities follow
    their extension), from every section of that name."""
    found, current = [], None
    for line in section_lines(text, context):
        match = _EXTEN.match(line)
        if match:
            current = match.group(1)
        if current == exten:
            found.append(line)
    return found


_GOTO = re.compile(r"Goto\(([^)]*)\)")


def goto_targets(text: str, context: str, exten: str) -> list[str]:
    """The ``Goto(...)`` targets of ``exten`` in ``context``, in order, spaces removed."""
    return [
        g.replace(" ", "")
        for line in exten_lines(text, context, exten)
        for g in _GOTO.findall(line)
    ]


def section_names(text: str) -> list[str]:
    """The ``[name]`` headers of ``text`` in order (comments dropped)."""
    names = []
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if line.startswith("[") and "]" in line:
            names.append(line[1 : line.index("]")].strip())
    return names


ANY_ADDRESS = ("::", "0.0.0.0")


def bind_host(value: str) -> str:
    """The address of an Asterisk bind address (``[::]:7443`` → ``::``)."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        return value[1 : value.index("]")]
    if value.count(":") == 1:
        return value.split(":")[0]
    return value


def same_bind_host(found: str, wanted: str) -> bool:
    """Whether two bind addresses mean the same (``::`` and ``0.0.0.0``: every address)."""
    if wanted in ANY_ADDRESS:
        return found in ANY_ADDRESS
    return found == wanted


def bind_port(value: str) -> int | None:
    """The port of an Asterisk bind address (``[::]:7443``, ``0.0.0.0:7443``, ``7443``)."""
    tail = value.rsplit(":", 1)[-1] if ":" in value else value
    return int(tail) if tail.isdigit() else None
