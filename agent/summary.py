"""The hand-off summary a human agent reads when a call is transferred (2–3 sentences).

Built from what the session actually saw (the caller's words and the tool results), not by
asking the model again: it costs nothing, cannot invent anything, and is ready the moment the
transfer tool answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.events import ToolFinished, TransferAction
from agent.prompts import CallerContext

_SKIP = {"transfer_to_department", "get_departments"}


def handoff_summary(
    caller: CallerContext,
    requests: Sequence[str],
    tools: Sequence[ToolFinished],
    transfer: TransferAction,
) -> str:
    """Who is calling, what was done on the call, and why they want a person."""
    teams = f" ({', '.join(caller.teams)})" if caller.teams else ""
    first = f"{caller.name}{teams}, {caller.role}, is calling for {transfer.department}."
    done = [t.text.rstrip(".") for t in tools if t.ok and t.name not in _SKIP][-3:]
    second = (
        "On this call the assistant: " + "; ".join(done) + "."
        if done
        else "Nothing was changed on this call."
    )
    reason = transfer.reason or (requests[-1] if requests else "")
    third = f'They said: "{reason.strip()[:160]}".' if reason.strip() else ""
    return " ".join(part for part in (first, second, third) if part)
