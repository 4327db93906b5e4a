"""Tools for personal todos and team work."""

from mcp.server.fastmcp import FastMCP
from mcp.types import CallToolResult, ToolAnnotations

from mcp_tools.repos import teamwork, todos
from mcp_tools.tools.args import (
    Confirm,
    Ctx,
    Limit,
    NewStatus,
    Notes,
    OptPerson,
    OptStr,
    OptTeam,
    OptWhen,
    Person,
    Priority,
    Query,
    Run,
    Status,
    TeamName,
    Title,
    TodoRef,
)

READ = ToolAnnotations(readOnlyHint=True)
DESTRUCTIVE = ToolAnnotations(destructiveHint=True)


def register(mcp: FastMCP, run: Run) -> None:
    """Add the 7 personal-todo tools and the 4 team-work tools."""

    @mcp.tool()
    async def create_todo(
        ctx: Ctx, title: Title, due: OptWhen = None, priority: Priority = None, notes: Notes = None
    ) -> CallToolResult:
        """Add a personal todo for the caller."""
        return await run(
            ctx, "todo.create", lambda w: todos.create_todo(w, title, due, priority, notes), True
        )

    @mcp.tool(annotations=READ)
    async def list_todos(ctx: Ctx, status: Status = None, limit: Limit = 10) -> CallToolResult:
        """List the caller's personal todos, soonest due first."""
        return await run(ctx, "todo.list", lambda w: todos.list_todos(w, status, limit), False)

    @mcp.tool(annotations=READ)
    async def get_todo(ctx: Ctx, todo: TodoRef) -> CallToolResult:
        """Read one todo in full."""
        return await run(ctx, "todo.get", lambda w: todos.get_todo(w, todo), False)

    @mcp.tool()
    async def update_todo(
        ctx: Ctx,
        todo: TodoRef,
        title: OptStr = None,
        notes: OptStr = None,
        due: OptWhen = None,
        priority: Priority = None,
        status: NewStatus = None,
    ) -> CallToolResult:
        """Change a todo's title, notes, due time, priority or status; omitted fields stay."""
        return await run(
            ctx,
            "todo.update",
            lambda w: todos.update_todo(w, todo, title, notes, due, priority, status),
            True,
        )

    @mcp.tool()
    async def complete_todo(ctx: Ctx, todo: TodoRef) -> CallToolResult:
        """Mark a todo as done."""
        return await run(ctx, "todo.complete", lambda w: todos.complete_todo(w, todo), True)

    @mcp.tool(annotations=DESTRUCTIVE)
    async def delete_todo(ctx: Ctx, todo: TodoRef, confirm: Confirm = None) -> CallToolResult:
        """Delete a todo for good (asks the caller first)."""
        return await run(ctx, "todo.delete", lambda w: todos.delete_todo(w, todo, confirm), True)

    @mcp.tool(annotations=READ)
    async def search_todos(ctx: Ctx, query: Query, limit: Limit = 10) -> CallToolResult:
        """Find todos the caller can see whose title or notes match some words."""
        return await run(ctx, "todo.search", lambda w: todos.search_todos(w, query, limit), False)

    @mcp.tool()
    async def create_team_todo(
        ctx: Ctx,
        team: TeamName,
        title: Title,
        due: OptWhen = None,
        priority: Priority = None,
        assignee: OptPerson = None,
    ) -> CallToolResult:
        """Add a todo to a team, optionally assigned to one of its members."""
        return await run(
            ctx,
            "team_todo.create",
            lambda w: teamwork.create_team_todo(w, team, title, due, priority, assignee),
            True,
        )

    @mcp.tool()
    async def assign_todo(
        ctx: Ctx, todo: TodoRef, person: Person, team: OptTeam = None
    ) -> CallToolResult:
        """Assign an existing todo to a person, optionally saying which team they are in."""
        return await run(
            ctx, "todo.assign", lambda w: teamwork.assign_todo(w, todo, person, team), True
        )

    @mcp.tool(annotations=READ)
    async def list_team_todos(
        ctx: Ctx, team: TeamName, status: Status = None, limit: Limit = 10
    ) -> CallToolResult:
        """List a team's todos, soonest due first."""
        return await run(
            ctx,
            "team_todo.list",
            lambda w: teamwork.list_team_todos(w, team, status, limit),
            False,
        )

    @mcp.tool(annotations=READ)
    async def list_my_assignments(
        ctx: Ctx, status: Status = None, limit: Limit = 10
    ) -> CallToolResult:
        """List the todos assigned to the caller, personal or team."""
        return await run(
            ctx,
            "todo.my_assignments",
            lambda w: teamwork.list_my_assignments(w, status, limit),
            False,
        )
