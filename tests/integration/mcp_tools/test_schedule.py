"""Reminders and calendar tools over a real MCP session, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from tests.fixtures.mcp_env import ToolEnv


async def test_reminder_lifecycle(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_member2") as c:
        made = await c.call("create_reminder", text="Call the dentist", when="in two hours")
        assert made.ok, made.text
        rid = made.data["reminder"]["id"]
        assert made.text.startswith("I'll remind you ")
        listed = await c.call("list_reminders")
        assert rid in [r["id"] for r in listed.data["reminders"]]

        at = datetime.fromisoformat(made.data["reminder"]["remind_at"])
        snoozed = await c.call("snooze_reminder", reminder_id=rid, duration="15 minutes")
        assert snoozed.ok
        assert (datetime.fromisoformat(snoozed.data["reminder"]["remind_at"]) - at).seconds == 900

        upd = await c.call(
            "update_reminder", reminder_id=rid, text="Call the dentist about Tuesday"
        )
        assert upd.ok and upd.data["reminder"]["text"] == "Call the dentist about Tuesday"

        cancelled = await c.call("cancel_reminder", reminder_id=rid)
        assert cancelled.ok and cancelled.data["reminder"]["status"] == "cancelled"
        again = await c.call("cancel_reminder", reminder_id=rid)
        assert not again.ok and again.text == f"Reminder {rid} is already cancelled."
        assert rid not in [r["id"] for r in (await c.call("list_reminders")).data["reminders"]]
        everything = await c.call("list_reminders", include_past=True)
        assert rid in [r["id"] for r in everything.data["reminders"]]

        past = await c.call("create_reminder", text="Too late", when="2020-01-01T09:00")
        assert not past.ok and past.text.endswith("has already passed.")
        vague = await c.call("create_reminder", text="Something", when="Friday")
        assert not vague.ok and vague.text == "What time on Friday?"


async def test_calendar_lifecycle(tool_env: ToolEnv) -> None:
    async with tool_env.as_user("a_admin") as c:  # John Smith
        made = await c.call(
            "create_event",
            title="Sprint review",
            start="next monday at 10am",
            duration="an hour",
            attendees=["Maria", "Ali"],
            location="Room 2",
        )
        assert made.ok, made.text
        eid = made.data["event"]["id"]
        assert sorted(made.data["event"]["attendees"]) == ["Alice Smith", "Maria Garcia"]
        day = made.data["event"]["starts_at"][:10]

        listed = await c.call("list_events", day=day)
        assert eid in [e["id"] for e in listed.data["events"]]
        got = await c.call("get_event", event_id=eid)
        assert got.ok and "Room 2" in got.text

        clash = await c.call("check_conflicts", start="next monday at 10:30am", duration="30")
        assert clash.ok and [x["id"] for x in clash.data["conflicts"]] == [eid]
        free = await c.call("check_conflicts", start="next monday at 2pm")
        assert free.ok and free.data["conflicts"] == []

        slots = await c.call("find_free_slots", day=day, duration="2 hours", attendees=["Maria"])
        assert slots.ok
        for s in slots.data["slots"]:
            assert not (
                s["start"] < made.data["event"]["ends_at"]
                and s["end"] > made.data["event"]["starts_at"]
            )

        moved = await c.call("update_event", event_id=eid, start="next monday at 11am")
        assert (
            moved.ok
            and moved.data["event"]["ends_at"][11:16] != made.data["event"]["ends_at"][11:16]
        )

    async with tool_env.as_user("a_member2") as c:  # Maria, an attendee: sees, cannot change
        assert (await c.call("get_event", event_id=eid)).ok
        refused = await c.call("delete_event", event_id=eid)
        assert not refused.ok and refused.code == "forbidden"

    async with tool_env.as_user("a_admin") as c:
        assert (await c.call("delete_event", event_id=eid)).ok
        assert (await c.call("get_event", event_id=eid)).code == "not_found"
