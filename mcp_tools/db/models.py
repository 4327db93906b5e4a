"""Every model in one import (``from mcp_tools.db.models import Todo``)."""

from mcp_tools.db.base import Base, TenantOwned
from mcp_tools.db.models_org import Department, Team, TeamMember, Tenant, TenantDid, User, UserPhone
from mcp_tools.db.models_records import AuditEntry, Call, CallTurn, PinAttempt
from mcp_tools.db.models_work import Event, EventAttendee, Reminder, Todo

__all__ = [
    "AuditEntry",
    "Base",
    "Call",
    "CallTurn",
    "Department",
    "Event",
    "EventAttendee",
    "PinAttempt",
    "Reminder",
    "Team",
    "TeamMember",
    "Tenant",
    "TenantDid",
    "TenantOwned",
    "Todo",
    "User",
    "UserPhone",
]
