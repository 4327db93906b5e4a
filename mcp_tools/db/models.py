"""Every model in one import (``from mcp_tools.db.models import Todo``)."""

from mcp_tools.db.base import Base, TenantOwned
from mcp_tools.db.models_calendar import CalendarOutbox, EventLink, FeedToken, GoogleConnection
from mcp_tools.db.models_org import Department, Team, TeamMember, Tenant, TenantDid, User, UserPhone
from mcp_tools.db.models_records import AuditEntry, Call, CallTurn, PinAttempt
from mcp_tools.db.models_work import Event, EventAttendee, Reminder, Todo

__all__ = [
    "AuditEntry",
    "Base",
    "CalendarOutbox",
    "Call",
    "CallTurn",
    "Department",
    "Event",
    "EventAttendee",
    "EventLink",
    "FeedToken",
    "GoogleConnection",
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
