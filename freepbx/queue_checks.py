"""Checks of the department queues on a FreePBX: each exists exactly once (FreePBX's GUI or
Switchboard's block), and FreePBX's own queues send callers nobody answered back to
Switchboard (``switchboard-queue-failover,s,1``, directly or through a custom destination).
"""

from __future__ import annotations

from pathlib import Path

from freepbx import blocks, layout
from freepbx.checks import Check, ok
from freepbx.desired import existing_queues


def check_queues(etc: Path, departments: dict[str, str]) -> list[Check]:
    """Each department's queue exists exactly once (FreePBX's GUI or Switchboard's block)."""
    gui = existing_queues(etc)
    body = blocks.block_body(layout.read(etc, "queues_custom.conf")) or ""
    ours = set(layout.section_names(body))
    found = []
    for name, number in departments.items():
        check = f"queue.{name}"
        if number in gui and number in ours:
            found.append(
                Check(
                    check,
                    "fail",
                    f"queue {number} is defined by FreePBX and by Switchboard",
                    "switchboard freepbx install (drops Switchboard's copy)",
                )
            )
        elif number in gui:
            found.append(ok(check, f"queue {number} (FreePBX)"))
        elif number in ours:
            found.append(ok(check, f"queue {number} (Switchboard's block)"))
        else:
            found.append(
                Check(
                    check,
                    "fail",
                    f"no queue {number}",
                    "switchboard freepbx install, or make it in Applications → Queues",
                )
            )
    return found


FAILOVER_CONTEXT = "switchboard-queue-failover"


def queue_fails_over(text: str, queue: str) -> bool:
    """Does FreePBX's queue ``queue`` go to Switchboard's fail-over destination when nobody
    answers (directly, or through the custom destination pointing there)?"""
    targets = layout.goto_targets(text, "ext-queues", queue)
    if not targets:
        return False
    last = targets[-1]
    if last.startswith(f"{FAILOVER_CONTEXT},"):
        return True
    context, _, rest = last.partition(",")
    if context == "customdests":
        dest = rest.split(",", 1)[0]
        return any(
            FAILOVER_CONTEXT in line for line in layout.exten_lines(text, "customdests", dest)
        )
    return False


def check_queue_failover(etc: Path, departments: dict[str, str]) -> list[Check]:
    """FreePBX's own department queues send callers nobody answered back to Switchboard."""
    gui = existing_queues(etc)
    text = layout.read(etc, "extensions_additional.conf")
    found = []
    for name, number in departments.items():
        if number not in gui:
            continue  # Switchboard's own queue block fails over already
        check = f"queue.{name}.failover"
        if queue_fails_over(text, number):
            found.append(ok(check, f"queue {number}: nobody answering → back to Switchboard"))
        else:
            found.append(
                Check(
                    check,
                    "warn",
                    f"queue {number}: when nobody answers, the caller is not brought back "
                    "(no callback offered)",
                    f"Applications → Queues → {number} → Fail Over Destination: a Custom "
                    f"Destination with target {FAILOVER_CONTEXT},s,1",
                )
            )
    return found
