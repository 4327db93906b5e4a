"""Tools for reminders and the calendar."""

from mcp.server.fastmcp import FastMCP
from mcp.types import CallToolResult, ToolAnnotations

from mcp_tools.repos import calendar, reminders
from mcp_tools.tools.args import (
    Confirm,
    Ctx,
    Day,
    Days,
    Duration,
    EventRef,
    IncludePast,
    Limit,
    Notes,
    OptStr,
    OptText,
    OptWhen,
    People,
    ReminderRef,
    Run,
    Text,
    Title,
    When,
)

READ = ToolAnnotations(readOnlyHint=True)
DESTRUCTIVE = ToolAnnotations(destructiveHint=True)


def register(mcp: FastMCP, run: Run) -> None:
    """Add the 5 reminder tools and the 7 calendar tools."""

    @mcp.tool()
    async def create_reminder(ctx: Ctx, text: Text, when: When) -> CallToolResult:
        """Remind the caller of something at a day and time."""
        return await run(
            ctx, "reminder.create", lambda w: reminders.create_reminder(w, text, when), True
        )

    @mcp.tool(annotations=READ)
    async def list_reminders(
        ctx: Ctx, include_past: IncludePast = False, limit: Limit = 10
    ) -> CallToolResult:
        """List the caller's upcoming reminders."""
        return await run(
            ctx,
            "reminder.list",
            lambda w: reminders.list_reminders(w, include_past, limit),
            False,
        )

    @mcp.tool()
    async def update_reminder(
        ctx: Ctx, reminder: ReminderRef, text: OptText = None, when: OptWhen = None
    ) -> CallToolResult:
        """Change an upcoming reminder's text or time."""
        return await run(
            ctx,
            "reminder.update",
            lambda w: reminders.update_reminder(w, reminder, text, when),
            True,
        )

    @mcp.tool()
    async def cancel_reminder(
        ctx: Ctx, reminder: ReminderRef, confirm: Confirm = None
    ) -> CallToolResult:
        """Cancel an upcoming reminder (asks the caller first)."""
        return await run(
            ctx,
            "reminder.cancel",
            lambda w: reminders.cancel_reminder(w, reminder, confirm),
            True,
        )

    @mcp.tool()
    async def snooze_reminder(
        ctx: Ctx, reminder: ReminderRef, duration: Duration = None
    ) -> CallToolResult:
        """Push a reminder back by a length of time (ten minutes when not said)."""
        return await run(
            ctx,
            "reminder.snooze",
            lambda w: reminders.snooze_reminder(w, reminder, duration),
            True,
        )

    @mcp.tool()
    async def create_event(
        ctx: Ctx,
        title: Title,
        start: When,
        end: OptWhen = None,
        duration: Duration = None,
        attendees: People = None,
        location: OptStr = None,
        notes: Notes = None,
    ) -> CallToolResult:
        """Put an event in the caller's calendar (half an hour unless an end or length is said)."""
        return await run(
            ctx,
            "event.create",
            lambda w: calendar.create_event(
                w, title, start, end, duration, attendees, location, notes
            ),
            True,
        )

    @mcp.tool(annotations=READ)
    async def list_events(ctx: Ctx, day: Day = None, days: Days = 1) -> CallToolResult:
        """List the caller's events from a day onwards."""
        return await run(ctx, "event.list", lambda w: calendar.list_events(w, day, days), False)

    @mcp.tool(annotations=READ)
    async def get_event(ctx: Ctx, event: EventRef) -> CallToolResult:
        """Read one event in full."""
        return await run(ctx, "event.get", lambda w: calendar.get_event(w, event), False)

    @mcp.tool()
    async def update_event(
        ctx: Ctx,
        event: EventRef,
        title: OptStr = None,
        start: OptWhen = None,
        duration: Duration = None,
        location: OptStr = None,
        attendees: People = None,
    ) -> CallToolResult:
        """Change an event the caller organises; omitted fields stay as they are."""
        return await run(
            ctx,
            "event.update",
            lambda w: calendar.update_event(w, event, title, start, duration, location, attendees),
            True,
        )

    @mcp.tool(annotations=DESTRUCTIVE)
    async def delete_event(ctx: Ctx, event: EventRef, confirm: Confirm = None) -> CallToolResult:
        """Delete an event the caller organises (asks the caller first)."""
        return await run(
            ctx, "event.delete", lambda w: calendar.delete_event(w, event, confirm), True
        )

    @mcp.tool(annotations=READ)
    async def find_free_slots(
        ctx: Ctx, day: Day = None, duration: Duration = None, attendees: People = None
    ) -> CallToolResult:
        """Find free times in working hours on a day for the caller and other people."""
        return await run(
            ctx,
            "event.free_slots",
            lambda w: calendar.find_free_slots(w, day, duration, attendees),
            False,
        )

    @mcp.tool(annotations=READ)
    async def check_conflicts(
        ctx: Ctx,
        start: When,
        end: OptWhen = None,
        duration: Duration = None,
        attendees: People = None,
    ) -> CallToolResult:
        """Check what overlaps a proposed time for the caller and other people."""
        return await run(
            ctx,
            "event.conflicts",
            lambda w: calendar.check_conflicts(w, start, end, duration, attendees),
            False,
        )
