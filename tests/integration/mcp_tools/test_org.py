"""Teams, people, reports and the call tools over a real MCP session."""

from __future__ import annotations

import uuid

from mcp_tools.db.models import Todo
from tests.fixtures.mcp_env import ToolEnv


async def test_team_management(tool_env: ToolEnv) -> None:
    name = f"Design {uuid.uuid4().hex[:4]}"
    async with tool_env.as_user("a_admin") as c:
        made = await c.call("create_team", name=name, description="Look and feel")
        assert made.ok, made.text
        dup = await c.call("create_team", name=name.upper())
        assert not dup.ok and dup.code == "conflict"

        listed = await c.call("list_teams")
        mine = {t["name"]: t["mine"] for t in listed.data["teams"]}
        assert mine[name] is True and "Dev" in mine

        add = await c.call("add_team_member", team=name, person="Mia")
        assert add.ok and add.text == f"Added Maria Garcia to the {name} team as member."
        again = await c.call("add_team_member", team=name, person="Maria Garcia")
        assert not again.ok and again.code == "conflict"
        asked = await c.call("change_member_role", team=name, person="Maria", role="admin")
        assert asked.ok and asked.text == f"Make Maria Garcia admin of the {name} team? Yes or no?"
        assert asked.data["needs_confirmation"]["token"] and "role" not in asked.data
        role = await c.confirmed("change_member_role", team=name, person="Maria", role="admin")
        assert role.ok and role.data["role"] == "admin"

        members = await c.call("list_team_members", team=name)
        assert {m["name"]: m["role"] for m in members.data["members"]} == {
            "John Smith": "owner",
            "Maria Garcia": "admin",
        }
        got = await c.call("get_team", team=name)
        assert got.ok and got.data["your_role"] == "owner" and "Look and feel" in got.text

        last_owner = await c.call("remove_team_member", team=name, person="John Smith")
        assert not last_owner.ok and "only owner" in last_owner.text  # refused, not asked
        asked = await c.call("remove_team_member", team=name, person="Maria")
        assert asked.ok and asked.text == f"Remove Maria Garcia from the {name} team? Yes or no?"
        still = await c.call("list_team_members", team=name)
        assert "Maria Garcia" in {m["name"] for m in still.data["members"]}
        removed = await c.confirmed("remove_team_member", team=name, person="Maria")
        assert removed.ok and "needs_confirmation" not in removed.data
        after = await c.call("list_team_members", team=name)
        assert {m["name"] for m in after.data["members"]} == {"John Smith"}


async def test_team_admin_cannot_touch_owner(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member2") as c:  # Maria: Support admin, plain tenant member
        r = await c.call("change_member_role", team="Support", person="Dev Patel", role="owner")
        assert not r.ok and r.code == "forbidden"
        assert r.text == "Only a team owner can grant or change the owner role."


async def test_people(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member") as c:
        found = await c.call("search_users", query="john")
        assert {u["name"] for u in found.data["users"]} >= {"John Smith", "John Park"}
        assert all(u["name"] != "Zara Quinn" for u in found.data["users"])
        in_team = await c.call("get_user", person="John in the sales team")
        assert in_team.ok and in_team.data["user"]["name"] == "John Park"
        both = await c.call("get_user", person="John in the dev team")
        assert not both.ok and both.text == "Which John: John Smith or John Park?"
        who = await c.call("get_user", person="Johnny")
        assert who.ok and who.data["user"]["name"] == "John Smith"
        assert "Dev" in who.data["user"]["teams"]
        me = await c.call("get_my_profile")
        assert me.ok and me.data["user"]["name"] == "John Park"
        assert me.data["user"]["timezone"] == "America/New_York"
        upd = await c.call("update_my_profile", aliases=["JP"], timezone="Europe/Paris")
        assert upd.ok and upd.data["changed"] == ["aliases", "timezone"]
        assert (await c.call("get_my_profile")).data["user"]["timezone"] == "Europe/Paris"
        bad = await c.call("update_my_profile", timezone="Mars/Olympus")
        assert not bad.ok and bad.text == "'Mars/Olympus' is not a timezone I know."
        assert (await c.call("update_my_profile", timezone="America/New_York")).ok
        jp = await c.call("get_user", person="JP")
        assert jp.ok and jp.data["user"]["name"] == "John Park"


async def test_reports(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_owner") as c:
        made = await c.call("create_team_todo", team="Dev", title="Old bug", assignee="John Park")
        assert made.ok
        work = await c.call("report_team_workload", team="Dev")
        assert work.ok and work.text.startswith("Dev workload:")
        park = next(r for r in work.data["members"] if r["name"] == "John Park")
        assert park["open"] >= 1
        overdue = await c.call("report_overdue", team="Dev")
        assert overdue.ok and overdue.data["count"] == len(overdue.data["todos"])
        mine = await c.call("report_overdue")
        assert mine.ok
    async with tool_env.as_user("a_member") as c:  # not in Support
        refused = await c.call("report_team_workload", team="Support")
        assert not refused.ok and refused.code == "forbidden"


async def test_departments_and_transfer(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_viewer") as c:  # even a viewer may ask for a human
        deps = await c.call("get_departments")
        assert {d["name"]: d["queue"] for d in deps.data["departments"]} == {
            "General": "400",
            "Sales": "402",
            "Support": "401",
        }
        t = await c.call("transfer_to_department", department="support", reason="printer on fire")
        assert t.ok and t.text == "Putting you through to Support now."
        assert t.data["action"] == {
            "type": "transfer",
            "department": "Support",
            "queue": "401",
            "context": "ext-queues",
            "extension": "401",
            "priority": 1,
            "reason": "printer on fire",
        }
        nope = await c.call("transfer_to_department", department="Billing")
        assert not nope.ok and nope.code == "not_found"
        assert nope.text == (
            "There's no Billing department. I can put you through to General, Sales or Support."
        )
        dept = await c.call("transfer_to_department", department="the support department")
        assert dept.ok and dept.data["action"]["queue"] == "401"
    assert await tool_env.audits(tool_env.a, "call.transfer", "ok") >= 1


async def test_request_callback(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member2") as c:  # Maria
        r = await c.call("request_callback", department="support", reason="printer on fire")
        assert r.ok and r.text == "I've asked Support to call you back."  # open: no time said
        assert r.data["department"]["name"] == "Support"
        todo_id = r.data["todo_id"]
        nope = await c.call("request_callback", department="billing")
        assert not nope.ok and nope.code == "not_found"
        assert nope.text.endswith("I can put you through to General, Sales or Support.")
    async with tool_env.db.scoped(tool_env.a.id) as session:
        todo = await session.get(Todo, todo_id)
        assert todo is not None and todo.department_id is not None
        assert (todo.title, todo.priority, todo.notes) == (
            "Call back Maria Garcia on +15550114",
            "high",
            "printer on fire",
        )
    assert await tool_env.audits(tool_env.a, "call.callback", "ok") >= 1


async def test_request_callback_from_a_closed_department_says_when(tool_env: ToolEnv) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from mcp_tools.hours import DAYS
    from mcp_tools.services.admin import Provisioning, operator
    from tests.fixtures.mcp_env import scratch_tenant

    tenant = await scratch_tenant(tool_env.db, f"cb-{uuid.uuid4().hex[:6]}")
    in_three_days = datetime.now(ZoneInfo("America/New_York")) + timedelta(days=3)
    await Provisioning(tool_env.db).create_department(
        operator(tenant.id),
        "Night desk",
        "497",
        {DAYS[in_three_days.weekday()]: [["10:00", "11:00"]]},
    )
    async with tool_env.client(tool_env.token(tenant, "103", "member")) as c:
        r = await c.call("request_callback", department="night desk")
        assert r.ok and r.text.startswith("I've asked Night desk to call you back ")
        assert in_three_days.strftime("%A") in r.text and "10" in r.text


async def test_closed_department_says_when_it_opens(tool_env: ToolEnv) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from mcp_tools.hours import DAYS
    from mcp_tools.services.admin import Provisioning, operator
    from tests.fixtures.mcp_env import scratch_tenant

    tenant = await scratch_tenant(tool_env.db, f"closed-{uuid.uuid4().hex[:6]}")
    in_three_days = datetime.now(ZoneInfo("America/New_York")) + timedelta(days=3)
    day = DAYS[in_three_days.weekday()]
    await Provisioning(tool_env.db).create_department(
        operator(tenant.id), "Night desk", "499", {day: [["10:00", "11:00"]]}
    )
    async with tool_env.client(tool_env.token(tenant, "103", "member")) as c:
        deps = await c.call("get_departments")
        night = next(d for d in deps.data["departments"] if d["name"] == "Night desk")
        assert night["open_now"] is False and night["next_opening"].startswith(
            in_three_days.date().isoformat()
        )
        assert "Night desk (closed now)" in deps.text
        r = await c.call("transfer_to_department", department="night desk")
        opens = f"{in_three_days.strftime('%A')} at 10:00 AM"
        assert r.ok and r.text == f"Night desk is closed right now; it opens {opens}."
        assert r.data["action"]["open_now"] is False and r.data["action"]["opens"] == opens
        assert r.data["action"]["queue"] == "499"
