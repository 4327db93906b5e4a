"""The spoken-style request set of ``switchboard bench agent`` (44 requests, every family).

Each case: what the caller says, the tool(s) acceptable as the *first* call (``None``: no tool
at all), and the arguments expected of the first listed tool. An argument expectation is a
list of conditions that must all hold on the argument's text (case-insensitive); a condition
``"a|b"`` holds when either part is in it. ``{tomorrow}``, ``{next_monday}``, ``{friday}``,
``{thursday}`` and ``{in2days}`` become ISO dates in the caller's timezone (a model may answer
"next Monday" or "2026-11-30"; both are right).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One request and what a right answer calls."""

    id: str
    family: str
    text: str
    tools: tuple[str, ...] | None
    """Acceptable first tools (arguments are checked for the first one); None: no tool."""
    args: dict[str, list[str]] = field(default_factory=dict)


def _c(id: str, family: str, text: str, tools: str | None, /, **args: str | list[str]) -> Case:
    expected = {k: [v] if isinstance(v, str) else v for k, v in args.items()}
    return Case(id, family, text, tuple(tools.split()) if tools else None, expected)


CASES: tuple[Case, ...] = (
    _c("todo-add", "todos", "Add a todo to buy oat milk.", "create_todo", title="oat milk"),
    _c(
        "todo-add-friday",
        "todos",
        "Put call the plumber on my to-do list for Friday.",
        "create_todo",
        title="plumber",
        due="fri|{friday}",
    ),
    _c("todo-list", "todos", "What's on my to-do list?", "list_todos"),
    _c(
        "todo-priority",
        "todos",
        "Add a high priority task to renew my passport.",
        "create_todo",
        title="passport",
        priority="high",
    ),
    _c(
        "todo-done",
        "todos",
        "Mark buy oat milk as done.",
        "complete_todo list_todos search_todos",
    ),
    _c(
        "todo-search",
        "todos",
        "Do I have any todos about the budget?",
        "search_todos list_todos",
        query="budget",
    ),
    _c(
        "todo-tomorrow",
        "todos",
        "Add a todo to send the invoice tomorrow.",
        "create_todo",
        title="invoice",
        due="tomorrow|{tomorrow}",
    ),
    _c(
        "rem-bank",
        "reminders",
        "Remind me to call the bank tomorrow at 9.",
        "create_reminder",
        text="bank",
        when=["tomorrow|{tomorrow}", "9"],
    ),
    _c(
        "rem-hours",
        "reminders",
        "Set a reminder in two hours to stretch.",
        "create_reminder",
        text="stretch",
        when="hour",
    ),
    _c("rem-list", "reminders", "What reminders do I have?", "list_reminders"),
    _c(
        "rem-monday",
        "reminders",
        "Remind me on Monday at 8 am to submit the timesheet.",
        "create_reminder",
        text="timesheet",
        when=["monday|{next_monday}", "8"],
    ),
    _c(
        "rem-snooze",
        "reminders",
        "Snooze my reminder by ten minutes.",
        "snooze_reminder list_reminders",
    ),
    _c(
        "rem-rent",
        "reminders",
        "Remind me the day after tomorrow at 5 pm to pay rent.",
        "create_reminder",
        text="rent",
        when=["day after tomorrow|{in2days}", "5|17"],
    ),
    _c(
        "cal-monday",
        "calendar",
        "Book a one-hour meeting called planning next Monday at 10 am.",
        "create_event",
        title="planning",
        start=["monday|{next_monday}", "10"],
    ),
    _c(
        "cal-tomorrow",
        "calendar",
        "What meetings do I have tomorrow?",
        "list_events",
        day="tomorrow|{tomorrow}",
    ),
    _c(
        "cal-lunch",
        "calendar",
        "Schedule lunch with Maria on Friday at noon.",
        "create_event",
        title="lunch",
        start=["fri|{friday}", "noon|12"],
    ),
    _c(
        "cal-free",
        "calendar",
        "Am I free on Thursday afternoon?",
        "find_free_slots check_conflicts list_events",
    ),
    _c("cal-today", "calendar", "What's on my calendar today?", "list_events"),
    _c(
        "cal-call",
        "calendar",
        "Set up a 30 minute call with John Park tomorrow at 3 pm.",
        "create_event",
        start=["tomorrow|{tomorrow}", "3|15"],
    ),
    _c("cal-cancel", "calendar", "Cancel my planning meeting.", "delete_event list_events"),
    _c("team-mine", "teams", "Which teams am I in?", "list_teams get_my_profile"),
    _c("team-who", "teams", "Who is in the dev team?", "list_team_members get_team", team="dev"),
    _c(
        "team-add",
        "teams",
        "Add Maria to the dev team.",
        "add_team_member",
        team="dev",
        person="maria",
    ),
    _c(
        "team-remove",
        "teams",
        "Remove Dev Patel from the support team.",
        "remove_team_member",
        team="support",
        person="patel",
    ),
    _c("team-create", "teams", "Create a team called Marketing.", "create_team", name="marketing"),
    _c(
        "team-role",
        "teams",
        "Make John Park an admin of the dev team.",
        "change_member_role",
        team="dev",
        person="john park",
        role="admin",
    ),
    _c(
        "work-assign",
        "teamwork",
        "Assign code review to John in the dev team.",
        "create_team_todo assign_todo",
        team="dev",
        title="code review",
        assignee="john",
    ),
    _c(
        "work-team-todo",
        "teamwork",
        "Add a team todo for Sales to update the price list.",
        "create_team_todo",
        team="sales",
        title="price list",
    ),
    _c("work-mine", "teamwork", "What's assigned to me?", "list_my_assignments"),
    _c(
        "work-team-list",
        "teamwork",
        "What is on the dev team's todo list?",
        "list_team_todos",
        team="dev",
    ),
    _c("people-mia", "people", "Who is Mia?", "search_users get_user"),
    _c("people-me", "people", "What does my profile say?", "get_my_profile"),
    _c("people-nick", "people", "Change my nickname to Ali B.", "update_my_profile"),
    _c("people-lookup", "people", "Look up John Smith.", "search_users get_user"),
    _c("report-overdue", "reports", "What's overdue?", "report_overdue"),
    _c(
        "report-workload",
        "reports",
        "What's the workload of the dev team?",
        "report_team_workload",
        team="dev",
    ),
    _c(
        "call-sales",
        "calls",
        "I need to speak to someone in sales.",
        "transfer_to_department",
        department="sales",
    ),
    _c("call-human", "calls", "Can I talk to a human please?", "transfer_to_department"),
    _c(
        "call-support",
        "calls",
        "Put me through to support.",
        "transfer_to_department",
        department="support",
    ),
    _c("call-departments", "calls", "Which departments can I call?", "get_departments"),
    _c("chat-thanks", "chit-chat", "Thanks, that's all.", None),
    _c("chat-hello", "chit-chat", "Hello there!", None),
    _c("chat-how", "chit-chat", "How are you today?", None),
    _c("chat-bye", "chit-chat", "Goodbye.", None),
)
"""The request set."""
