"""The background sync: rounds per connection, status bookkeeping, and the schedule.

Database transactions stay short and never span a network call: a round reads what it needs,
talks to Google outside any transaction, then writes the outcome. A failing Google shows up as
``last_error``/``failures`` on the connection (see ``switchboard calendar status``) and the
connection is retried at doubling intervals; the voice path never waits for any of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from mcp_tools import audit
from mcp_tools.calendar_sync.engine import (
    RoundReport,
    apply_remote,
    first_sync_start,
    list_changes,
    plan_push,
    prune_unseen,
    record_push,
    send,
    sync_actor,
)
from mcp_tools.calendar_sync.google_api import AccessRevoked, CalendarApi, GoogleError
from mcp_tools.calendar_sync.mapping import backoff_s, from_google
from mcp_tools.calendar_sync.vault import Vault, VaultError
from mcp_tools.db.models import CalendarOutbox, GoogleConnection, Tenant, User
from mcp_tools.db.session import Database
from switchboard.settings import CalendarSettings

log = logging.getLogger(__name__)
MAX_PUSH_ATTEMPTS = 10


class CalendarSync:
    """Runs sync rounds (one connection, all due ones, or forever on a schedule)."""

    def __init__(
        self,
        db: Database,
        cfg: CalendarSettings,
        vault: Vault,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db, self.cfg, self.vault = db, cfg, vault
        self.clock = clock or (lambda: datetime.now(UTC))
        self.last_api: CalendarApi | None = None

    async def due(self) -> list[tuple[int, int]]:
        """(tenant id, connection id) of connections whose pull is due or that have pushes
        waiting, skipping those in failure back-off."""
        now = self.clock()
        waiting = select(CalendarOutbox.user_id).where(CalendarOutbox.status == "pending")
        query = select(GoogleConnection.tenant_id, GoogleConnection.id).where(
            GoogleConnection.status == "connected",
            or_(
                GoogleConnection.next_sync_at.is_(None),
                GoogleConnection.next_sync_at <= now,
                (GoogleConnection.failures == 0) & GoogleConnection.user_id.in_(waiting),
            ),
        )
        async with self.db.unscoped() as session:
            return [(int(t), int(c)) for t, c in (await session.execute(query)).all()]

    async def run_once(self) -> list[dict[str, Any]]:
        """One round for every due connection; a report per connection."""
        reports = []
        for tenant_id, conn_id in await self.due():
            report = await self.sync_connection(tenant_id, conn_id)
            reports.append({"tenant_id": tenant_id, "connection_id": conn_id, **asdict(report)})
        return reports

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds every ``outbox_poll_s`` until ``stop`` is set (errors are logged, not raised)."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("calendar sync round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.cfg.outbox_poll_s)

    async def sync_connection(self, tenant_id: int, conn_id: int) -> RoundReport:
        """Pull then push for one connection; records the outcome on the connection."""
        report = RoundReport()
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await session.get(GoogleConnection, conn_id)
            if conn is None or conn.status != "connected" or not conn.refresh_token_enc:
                return report
            tz = await _user_tz(session, conn.user_id)
            try:
                access = self.vault.open(conn.access_token_enc) if conn.access_token_enc else None
                refresh = self.vault.open(conn.refresh_token_enc)
            except VaultError as exc:  # the key changed: the user must connect again
                conn.status, conn.last_error, conn.last_error_at = "revoked", str(exc), self.clock()
                report.errors.append(str(exc))
                return report
            api = CalendarApi(self.cfg, refresh, access, conn.access_expires_at)
            self.last_api = api
            calendar_id, sync_token = conn.calendar_id, conn.sync_token
        try:
            await self._pull(api, tenant_id, conn_id, calendar_id, sync_token, tz, report)
            await self._push(api, tenant_id, conn_id, calendar_id, report)
        except AccessRevoked as exc:
            await self._failed(tenant_id, conn_id, api, str(exc), revoked=True)
            report.errors.append(str(exc))
        except GoogleError as exc:
            await self._failed(tenant_id, conn_id, api, str(exc), revoked=False)
            report.errors.append(str(exc))
        except Exception as exc:  # a bug or a surprise from Google: visible, retried later
            log.exception("calendar sync of connection %s failed unexpectedly", conn_id)
            message = f"unexpected {type(exc).__name__}: {exc}"
            await self._failed(tenant_id, conn_id, api, message, revoked=False)
            report.errors.append(message)
        else:
            await self._succeeded(tenant_id, conn_id, api)
        return report

    async def _pull(
        self,
        api: CalendarApi,
        tenant_id: int,
        conn_id: int,
        calendar_id: str,
        sync_token: str | None,
        tz: str,
        report: RoundReport,
    ) -> None:
        start = first_sync_start(self.clock(), self.cfg.past_days)
        items, next_token, full = await list_changes(api, calendar_id, sync_token, start)
        report.pulled, report.full_sync = len(items), full
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await session.get(GoogleConnection, conn_id)
            assert conn is not None
            for item in items:
                await apply_remote(session, conn, from_google(item, tz), report)
            if full:
                seen = {str(item["id"]) for item in items}
                await prune_unseen(session, conn, seen, start, report)
            conn.sync_token = next_token or conn.sync_token
            changed = {
                "imported": report.imported,
                "updated": report.updated,
                "deleted": report.deleted,
            }
            if any(changed.values()):
                audit.record(
                    session,
                    sync_actor(conn),
                    "calendar.sync.pull",
                    "google",
                    conn.id,
                    detail=changed,
                )

    async def _push(
        self, api: CalendarApi, tenant_id: int, conn_id: int, calendar_id: str, report: RoundReport
    ) -> None:
        done: set[int] = set()
        while True:
            async with self.db.scoped(tenant_id) as session, session.begin():
                conn = await session.get(GoogleConnection, conn_id)
                assert conn is not None
                query = (
                    select(CalendarOutbox)
                    .where(
                        CalendarOutbox.user_id == conn.user_id,
                        CalendarOutbox.status == "pending",
                        CalendarOutbox.id.not_in(done),
                    )
                    .order_by(CalendarOutbox.id)
                    .limit(1)
                )
                entry = (await session.execute(query)).scalar_one_or_none()
                if entry is None:
                    return
                plan = await plan_push(session, entry)
                if plan is None:
                    entry.status, entry.done_at = "done", self.clock()
                    continue
            done.update(plan.entry_ids)
            try:
                reply = await send(api, calendar_id, plan)
            except GoogleError as exc:
                await self._entry_failed(tenant_id, plan.entry_ids, str(exc))
                raise
            async with self.db.scoped(tenant_id) as session, session.begin():
                conn = await session.get(GoogleConnection, conn_id)
                assert conn is not None
                await record_push(session, conn, plan, reply, self.clock())
            report.pushed += 1

    async def _entry_failed(self, tenant_id: int, ids: tuple[int, ...], error: str) -> None:
        async with self.db.scoped(tenant_id) as session, session.begin():
            rows = await session.execute(select(CalendarOutbox).where(CalendarOutbox.id.in_(ids)))
            for entry in rows.scalars():
                entry.attempts, entry.last_error = entry.attempts + 1, error[:500]
                if entry.attempts >= MAX_PUSH_ATTEMPTS:  # give up; stays visible in status
                    entry.status = "failed"

    async def _keep_tokens(self, conn: GoogleConnection, api: CalendarApi) -> None:
        tokens = api.tokens()
        if tokens.access_token:
            conn.access_token_enc = self.vault.seal(tokens.access_token)
            conn.access_expires_at = tokens.expires_at

    async def _succeeded(self, tenant_id: int, conn_id: int, api: CalendarApi) -> None:
        now = self.clock()
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await session.get(GoogleConnection, conn_id)
            if conn is None:
                return
            await self._keep_tokens(conn, api)
            conn.last_sync_at, conn.failures, conn.last_error = now, 0, ""
            conn.next_sync_at = now + timedelta(seconds=self.cfg.sync_interval_s)

    async def _failed(
        self, tenant_id: int, conn_id: int, api: CalendarApi, error: str, *, revoked: bool
    ) -> None:
        now = self.clock()
        async with self.db.scoped(tenant_id) as session, session.begin():
            conn = await session.get(GoogleConnection, conn_id)
            if conn is None:
                return
            conn.failures += 1
            conn.last_error, conn.last_error_at = error[:500], now
            delay = backoff_s(conn.failures, self.cfg.outbox_poll_s, self.cfg.failure_backoff_max_s)
            conn.next_sync_at = now + timedelta(seconds=delay)
            if revoked:
                conn.status = "revoked"
                conn.access_token_enc = None
                audit.record(session, sync_actor(conn), "calendar.revoked", "google", conn.id)
            else:
                await self._keep_tokens(conn, api)
            log.warning("calendar sync of connection %s failed: %s", conn_id, error)


async def _user_tz(session: Any, user_id: int) -> str:
    row = (
        await session.execute(
            select(User.timezone, Tenant.timezone)
            .join(Tenant, Tenant.id == User.tenant_id)
            .where(User.id == user_id)
        )
    ).first()
    return str(row[0] or row[1]) if row else "UTC"
