"""The planner's output language as a GBNF grammar (llama.cpp): only valid calls can be written.

The planner answers in one of three shapes, one action per line::

    create_todo(title="pharmacy", due="tomorrow")
    create_reminder(text="call mum", when="5 pm")        (up to three calls)

    say("Hello! What can I do for you?")                  (no tool fits)

    goodbye("You're welcome. Goodbye!")                    (the caller is done)

Only known tools, their own argument names (required ones first, then optional ones in a fixed
order), and values of the right kind can be generated: a string never starts with ``#`` (the
form of an exact item reference, which only the system uses) and enumerations (priority,
status, role) only take their values. Built from :class:`~agent.understanding.catalogue.ToolSpec`
so it always matches the catalogue. Pure.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from agent.understanding.catalogue import ENUMS, Arg, ToolSpec

MAX_CALLS = 3
MAX_VALUE = 120
MAX_SPEECH = 220

_BASE = rf"""
str ::= "\"" [^"\\\n#] [^"\\\n]{{0,{MAX_VALUE - 1}}} "\""
speech ::= "\"" [^"\\\n] [^"\\\n]{{0,{MAX_SPEECH - 1}}} "\""
int ::= [1-9] [0-9]?
bool ::= "True" | "False"
strs ::= "[" str (", " str){{0,9}} "]"
"""


def _rule(name: str) -> str:
    return "t-" + name.replace("_", "-")


def _value(arg: Arg) -> str:
    if arg.name in ENUMS:
        options = " | ".join(f'"{v}"' for v in ENUMS[arg.name])
        return rf'"\"" ({options}) "\""'
    return {"integer": "int", "boolean": "bool", "array": "strs"}.get(arg.kind, "str")


def _arg(arg: Arg) -> str:
    return f'"{arg.name}=" {_value(arg)}'


def _optional_tail(optional: Sequence[Arg]) -> str:
    return " ".join(f'(", " {_arg(a)})?' for a in optional)


def call_rule(spec: ToolSpec) -> str:
    """The GBNF alternative for one call of ``spec``."""
    required = [a for a in spec.args if a.required]
    optional = [a for a in spec.args if not a.required]
    if required:
        body = ' ", " '.join(_arg(a) for a in required)
        tail = _optional_tail(optional)
        inner = f"{body} {tail}".strip()
    elif optional:
        starts = [
            f"{_arg(first)} {_optional_tail(optional[i + 1 :])}".strip()
            for i, first in enumerate(optional)
        ]
        inner = "(" + " | ".join(f"({s})" for s in starts) + ")?"
    else:
        inner = ""
    return f'{_rule(spec.name)} ::= "{spec.name}(" {inner} ")"'.replace("  ", " ")


def grammar(specs: Sequence[ToolSpec], first: Collection[str] | None = None) -> str:
    """The whole grammar for ``specs`` (see the module docstring); with ``first``, the first
    call may only use those tools (later lines any); an empty ``first`` allows words only."""
    calls = " | ".join(_rule(s.name) for s in specs)
    allowed = [s.name for s in specs if first is None or s.name in first]
    lines = [
        "root ::= say | goodbye"
        if first is not None and not allowed
        else "root ::= say | goodbye | calls",
        'say ::= "say(" speech ")"',
        'goodbye ::= "goodbye(" speech ")"',
        f'calls ::= first ("\\n" call){{0,{MAX_CALLS - 1}}}',
        f"first ::= {' | '.join(_rule(n) for n in allowed or [s.name for s in specs])}",
        f"call ::= {calls}",
        *[call_rule(s) for s in specs],
    ]
    return "\n".join(lines) + _BASE
