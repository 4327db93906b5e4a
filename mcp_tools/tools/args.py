"""Argument types shared by the tool definitions (module level, so FastMCP can resolve them).

Descriptions say what a value means, never an example value: the model fills them from what
the caller said. Length limits are enforced by the domain code with one-sentence errors.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from mcp.server.fastmcp import Context
from mcp.types import CallToolResult
from pydantic import Field

from mcp_tools.work import DomainFn

Ctx = Context[Any, Any, Any]
Run = Callable[[Ctx, str, DomainFn, bool], Awaitable[CallToolResult]]

TodoRef = Annotated[
    str, Field(description="Which todo, in the caller's words (its title or part of it).")
]
ReminderRef = Annotated[
    str, Field(description="Which reminder, in the caller's words (what it is about, or when).")
]
EventRef = Annotated[
    str, Field(description="Which event, in the caller's words (its title, day or time).")
]
Confirm = Annotated[
    str | None,
    Field(description="Confirmation from an earlier answer; set by the system, never by you."),
]
Title = Annotated[str, Field(description="Short title, in the caller's words.")]
Notes = Annotated[str | None, Field(description="Optional longer notes.")]
When = Annotated[
    str,
    Field(description="A day and time: natural phrase or ISO 8601, in the caller's timezone."),
]
OptWhen = Annotated[
    str | None,
    Field(description="Optional day and/or time: natural phrase or ISO 8601, caller's timezone."),
]
Day = Annotated[
    str | None,
    Field(description="Optional day as a natural phrase or ISO date; omitted means today."),
]
Duration = Annotated[
    str | None,
    Field(description="Optional length of time in words or minutes."),
]
Priority = Annotated[str | None, Field(description="One of low, normal, high, urgent.")]
Status = Annotated[str | None, Field(description="Which items: open (default), done, or all.")]
NewStatus = Annotated[str | None, Field(description="New status: open, in progress or done.")]
Limit = Annotated[int, Field(ge=1, le=50, description="Most items to return.")]
Person = Annotated[str, Field(description="A person's name or nickname as the caller said it.")]
OptPerson = Annotated[
    str | None, Field(description="Optional person's name or nickname as the caller said it.")
]
People = Annotated[
    list[str] | None, Field(description="Optional names or nicknames of the people involved.")
]
TeamName = Annotated[str, Field(description="The team's name as the caller said it.")]
OptTeam = Annotated[str | None, Field(description="Optional team name as the caller said it.")]
RoleName = Annotated[str, Field(description="Team role: owner, admin, member or viewer.")]
OptRole = Annotated[
    str | None, Field(description="Optional team role: owner, admin, member or viewer.")
]
Query = Annotated[str, Field(description="Words to look for, as the caller said them.")]
Text = Annotated[str, Field(description="What to be reminded of, in the caller's words.")]
OptText = Annotated[str | None, Field(description="Optional new text.")]
OptStr = Annotated[
    str | None, Field(description="Optional new value; omitted keeps the current one.")
]
Names = Annotated[list[str] | None, Field(description="Optional nicknames the caller answers to.")]
Department = Annotated[str, Field(description="The department's name as the caller said it.")]
Reason = Annotated[
    str | None, Field(description="Optional one-line reason, in the caller's words.")
]
IncludePast = Annotated[
    bool, Field(description="Also include reminders already done or cancelled.")
]
NewTeam = Annotated[str, Field(description="Name for the new team.")]
Timezone = Annotated[str | None, Field(description="Optional new timezone as an IANA zone name.")]
Email = Annotated[str | None, Field(description="Optional new email address.")]
NewName = Annotated[str | None, Field(description="Optional new full name.")]
Days = Annotated[int, Field(ge=1, le=31, description="How many days to cover.")]
