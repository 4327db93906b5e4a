"""Tools for teams, people, reports and the two call tools."""

from mcp.server.fastmcp import FastMCP
from mcp.types import CallToolResult, ToolAnnotations

from mcp_tools.repos import departments, people, reports, teams
from mcp_tools.tools.args import (
    Confirm,
    Ctx,
    Department,
    Email,
    Limit,
    Names,
    NewName,
    NewTeam,
    OptRole,
    OptStr,
    OptTeam,
    Person,
    Query,
    Reason,
    RoleName,
    Run,
    TeamName,
    Timezone,
)

READ = ToolAnnotations(readOnlyHint=True)
DESTRUCTIVE = ToolAnnotations(destructiveHint=True)


def register(mcp: FastMCP, run: Run) -> None:
    """Add the 7 team tools, 4 people tools, 2 reports and 2 call tools."""

    @mcp.tool()
    async def create_team(ctx: Ctx, name: NewTeam, description: OptStr = None) -> CallToolResult:
        """Create a team; the caller becomes its owner."""
        return await run(
            ctx, "team.create", lambda w: teams.create_team(w, name, description), True
        )

    @mcp.tool(annotations=READ)
    async def list_teams(ctx: Ctx) -> CallToolResult:
        """List the organisation's teams, marking the caller's own."""
        return await run(ctx, "team.list", teams.list_teams, False)

    @mcp.tool(annotations=READ)
    async def get_team(ctx: Ctx, team: TeamName) -> CallToolResult:
        """Describe one team and its members."""
        return await run(ctx, "team.get", lambda w: teams.get_team(w, team), False)

    @mcp.tool()
    async def add_team_member(
        ctx: Ctx, team: TeamName, person: Person, role: OptRole = None
    ) -> CallToolResult:
        """Add a person to a team (member unless another role is said)."""
        return await run(
            ctx, "team.add_member", lambda w: teams.add_team_member(w, team, person, role), True
        )

    @mcp.tool(annotations=DESTRUCTIVE)
    async def remove_team_member(
        ctx: Ctx, team: TeamName, person: Person, confirm: Confirm = None
    ) -> CallToolResult:
        """Take a person out of a team (asks the caller first)."""
        return await run(
            ctx,
            "team.remove_member",
            lambda w: teams.remove_team_member(w, team, person, confirm),
            True,
        )

    @mcp.tool(annotations=DESTRUCTIVE)
    async def change_member_role(
        ctx: Ctx, team: TeamName, person: Person, role: RoleName, confirm: Confirm = None
    ) -> CallToolResult:
        """Change a team member's role (asks the caller first)."""
        return await run(
            ctx,
            "team.change_role",
            lambda w: teams.change_member_role(w, team, person, role, confirm),
            True,
        )

    @mcp.tool(annotations=READ)
    async def list_team_members(ctx: Ctx, team: TeamName) -> CallToolResult:
        """List who is in a team and their roles."""
        return await run(ctx, "team.members", lambda w: teams.list_team_members(w, team), False)

    @mcp.tool(annotations=READ)
    async def search_users(ctx: Ctx, query: Query, limit: Limit = 5) -> CallToolResult:
        """Find colleagues whose name or nickname sounds like the words given."""
        return await run(ctx, "user.search", lambda w: people.search_users(w, query, limit), False)

    @mcp.tool(annotations=READ)
    async def get_user(ctx: Ctx, person: Person) -> CallToolResult:
        """Describe one colleague: name, role and teams."""
        return await run(ctx, "user.get", lambda w: people.get_user(w, person), False)

    @mcp.tool(annotations=READ)
    async def get_my_profile(ctx: Ctx) -> CallToolResult:
        """Describe the caller's own profile."""
        return await run(ctx, "profile.get", people.get_my_profile, False)

    @mcp.tool()
    async def update_my_profile(
        ctx: Ctx,
        name: NewName = None,
        aliases: Names = None,
        timezone: Timezone = None,
        email: Email = None,
    ) -> CallToolResult:
        """Change the caller's own name, nicknames, timezone or email."""
        return await run(
            ctx,
            "profile.update",
            lambda w: people.update_my_profile(w, name, aliases, timezone, email),
            True,
        )

    @mcp.tool(annotations=READ)
    async def report_team_workload(ctx: Ctx, team: TeamName) -> CallToolResult:
        """Report a team's open, overdue and due-this-week todos per member."""
        return await run(ctx, "report.workload", lambda w: reports.team_workload(w, team), False)

    @mcp.tool(annotations=READ)
    async def report_overdue(ctx: Ctx, team: OptTeam = None) -> CallToolResult:
        """Report overdue todos: a team's, or the caller's own when no team is said."""
        return await run(ctx, "report.overdue", lambda w: reports.overdue_items(w, team), False)

    @mcp.tool(annotations=READ)
    async def get_departments(ctx: Ctx) -> CallToolResult:
        """List the departments the caller can be put through to, and whether each is open."""
        return await run(ctx, "call.departments", departments.list_departments, False)

    @mcp.tool()
    async def request_callback(
        ctx: Ctx, department: Department, reason: Reason = None
    ) -> CallToolResult:
        """Have someone from a department call the caller back."""
        return await run(
            ctx,
            "call.callback",
            lambda w: departments.request_callback(w, department, reason),
            True,
        )

    @mcp.tool()
    async def transfer_to_department(
        ctx: Ctx, department: Department, reason: Reason = None
    ) -> CallToolResult:
        """Put the caller through to a human department; the phone system carries it out."""
        return await run(
            ctx,
            "call.transfer",
            lambda w: departments.transfer_to_department(w, department, reason),
            True,
        )
