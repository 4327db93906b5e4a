"""Feed tokens: random, shown once, stored only as SHA-256; create, rotate, revoke, resolve."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from mcp_tools import audit
from mcp_tools.db.models import FeedToken
from mcp_tools.db.session import Database
from mcp_tools.services.admin import operator

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class FeedOwner:
    """Whose feed a valid token opens: a user's (``user_id``) or a team's (``team_id``)."""

    tenant_id: int
    user_id: int | None
    team_id: int | None


class FeedTokens:
    """Feed token lifecycle (audited as ``feed.create``/``feed.revoke``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self, tenant_id: int, *, user_id: int | None = None, team_id: int | None = None
    ) -> str:
        """A new token for a user's or a team's feed; returned once, never stored in clear."""
        if (user_id is None) == (team_id is None):
            raise ValueError("a feed belongs to exactly one user or one team")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        async with self.db.scoped(tenant_id) as session, session.begin():
            row = FeedToken(token_hash=token_hash(token), user_id=user_id, team_id=team_id)
            session.add(row)
            await session.flush()
            audit.record(
                session,
                operator(tenant_id),
                "feed.create",
                "feed",
                row.id,
                detail={"user_id": user_id, "team_id": team_id},
            )
        return token

    async def revoke(
        self, tenant_id: int, *, user_id: int | None = None, team_id: int | None = None
    ) -> int:
        """Revoke every live token of a user's or a team's feed; how many were revoked."""
        now = datetime.now(UTC)
        async with self.db.scoped(tenant_id) as session, session.begin():
            query = select(FeedToken).where(
                FeedToken.revoked_at.is_(None),
                FeedToken.user_id == user_id
                if user_id is not None
                else FeedToken.user_id.is_(None),
                FeedToken.team_id == team_id
                if team_id is not None
                else FeedToken.team_id.is_(None),
            )
            rows = list((await session.execute(query)).scalars())
            for row in rows:
                row.revoked_at = now
                audit.record(session, operator(tenant_id), "feed.revoke", "feed", row.id)
            return len(rows)

    async def rotate(
        self, tenant_id: int, *, user_id: int | None = None, team_id: int | None = None
    ) -> str:
        """Revoke the current tokens and make a new one."""
        await self.revoke(tenant_id, user_id=user_id, team_id=team_id)
        return await self.create(tenant_id, user_id=user_id, team_id=team_id)

    async def resolve(self, token: str) -> FeedOwner | None:
        """Whose feed ``token`` opens; None for unknown, malformed or revoked tokens."""
        if not token or len(token) > 100:
            return None
        async with self.db.unscoped() as session:
            row = (
                await session.execute(
                    select(FeedToken).where(
                        FeedToken.token_hash == token_hash(token), FeedToken.revoked_at.is_(None)
                    )
                )
            ).scalar_one_or_none()
        if row is None:
            return None
        return FeedOwner(row.tenant_id, row.user_id, row.team_id)

    async def listing(self, tenant_id: int) -> list[dict[str, Any]]:
        """Every feed token of a tenant (no secrets: ids, owners, dates)."""
        async with self.db.scoped(tenant_id) as session:
            rows = (await session.execute(select(FeedToken).order_by(FeedToken.id))).scalars()
            return [
                {
                    "id": r.id,
                    "user_id": r.user_id,
                    "team_id": r.team_id,
                    "created_at": r.created_at.isoformat(),
                    "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
                }
                for r in rows
            ]
