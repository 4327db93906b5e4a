"""Tenant scoping by construction.

Every session made by :class:`~mcp_tools.db.session.Database` is bound to one tenant (or
explicitly marked unscoped, for the few cross-tenant look-ups such as DID → tenant). Two
listeners on the session class make forgetting impossible:

* ``do_orm_execute`` adds ``tenant_id = :tenant`` (``with_loader_criteria``) to every ORM
  SELECT, UPDATE and DELETE against a :class:`TenantOwned` model, including relationship
  loads; a session that is neither scoped nor marked unscoped refuses to run ORM statements.
* ``before_flush`` stamps the session's tenant on new rows, refuses rows of another tenant,
  refuses moving a row between tenants, and keeps the audit log append-only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, with_loader_criteria

from mcp_tools.db.base import TenantOwned
from mcp_tools.db.models_records import AuditEntry

TENANT_KEY = "tenant_id"
UNSCOPED_KEY = "unscoped"


class TenancyError(RuntimeError):
    """A statement or flush would cross a tenant boundary (a programming error)."""


class TenantSession(Session):
    """The sync session class behind every async session; carries the tenant listeners."""


def session_tenant(session: Session) -> int | None:
    """The tenant a session is bound to, or None when explicitly unscoped."""
    tenant = session.info.get(TENANT_KEY)
    if tenant is None and not session.info.get(UNSCOPED_KEY):
        raise TenancyError("session is neither bound to a tenant nor marked unscoped")
    return tenant if tenant is None else int(tenant)


@event.listens_for(TenantSession, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    tenant = session_tenant(state.session)
    if tenant is None:
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantOwned,
                lambda cls: cls.tenant_id == tenant,
                include_aliases=True,
                track_closure_variables=True,
            )
        )


@event.listens_for(TenantSession, "before_flush")
def _check_flush(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    tenant = session_tenant(session)
    for obj in session.new:
        if not isinstance(obj, TenantOwned):
            continue
        if tenant is None:
            if obj.tenant_id is None:
                raise TenancyError(f"new {type(obj).__name__} has no tenant")
        elif obj.tenant_id is None:
            obj.tenant_id = tenant
        elif obj.tenant_id != tenant:
            raise TenancyError(f"new {type(obj).__name__} belongs to another tenant")
    for obj in session.dirty:
        if isinstance(obj, AuditEntry):
            raise TenancyError("the audit log is append-only")
        if isinstance(obj, TenantOwned):
            history = inspect(obj).attrs.tenant_id.history
            if history.deleted:
                raise TenancyError(f"{type(obj).__name__} cannot move between tenants")
    for obj in session.deleted:
        if isinstance(obj, AuditEntry):
            raise TenancyError("the audit log is append-only")
