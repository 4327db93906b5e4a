"""The append-only audit log: every write, and every refused action, with actor and channel."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mcp_tools.db.models import AuditEntry
from mcp_tools.db.session import Database
from mcp_tools.policy import Actor

log = logging.getLogger(__name__)
_SECRET_KEYS = ("pin", "password", "token", "secret")


def _clean(detail: dict[str, Any] | None) -> dict[str, Any]:
    """Drop anything secret-looking and cut long values (PINs never reach the log)."""
    out: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        if any(s in key.lower() for s in _SECRET_KEYS):
            continue
        if isinstance(value, str) and len(value) > 200:
            value = value[:200] + "…"
        out[key] = value
    return out


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    target_type: str = "",
    target_id: object = "",
    *,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry to the session's transaction (it commits with the change)."""
    session.add(
        AuditEntry(
            tenant_id=actor.tenant_id,
            actor_user_id=actor.user_id,
            actor=actor.label[:120],
            channel=actor.channel,
            call_id=actor.call_id,
            action=action[:60],
            target_type=target_type[:40],
            target_id=str(target_id)[:40],
            outcome=outcome,
            detail=_clean(detail),
        )
    )


async def record_apart(
    db: Database,
    actor: Actor,
    action: str,
    *,
    outcome: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit in a transaction of its own (a refusal, after the action's own rolled back)."""
    try:
        async with db.scoped(actor.tenant_id) as session, session.begin():
            record(session, actor, action, outcome=outcome, detail=detail)
    except Exception:  # auditing must never turn a clear refusal into a crash
        log.exception("could not audit %s (%s)", action, outcome)
