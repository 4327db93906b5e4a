"""Reminders and calendar tools over a real MCP session, on SQLite and PostgreSQL: items named
in the caller's words, cancelling and deleting only after a yes."""

from __future__ import annotations

import uuid
from datetime import datetime

from mcp_tools.db.models import Event, Reminder
from tests.fixtures.mcp_env import ToolEnv, scratch_tenant


async def test_reminder_lifecycle(tool_env: ToolEnv) -> None:
    # a tenant of its own: "the next reminder" must not depend on other tests' reminders
    tenant = await scratch_tenant(tool_env.db, f"sched-{uuid.uuid4().hex[:6]}")
    async with tool_env.client(tool_env.token(tenant, "104", "member")) as c:
        none_yet = await c.call("snooze_reminder", reminder="the dentist one")
        assert not none_yet.ok and none_yet.code == "not_found"
        assert none_yet.text == "I couldn't find a reminder called the dentist one."

        made = await c.call("create_reminder", text="Call the dentist", when="in two hours")
        assert made.ok, made.text
        rid = made.data["reminder"]["id"]
        assert made.text.startswith("I'll remind you ")
        assert made.data["item"] == {"kind": "reminder", "id": rid, "title": "Call the dentist"}
        listed = await c.call("list_reminders")
        assert rid in [r["id"] for r in listed.data["reminders"]]
        assert "number" not in listed.text and "Call the dentist" in listed.text

        at = datetime.fromisoformat(made.data["reminder"]["remind_at"])
        snoozed = await c.call("snooze_reminder", reminder="dentist", duration="15 minutes")
        assert snoozed.ok and snoozed.data["item"]["id"] == rid
        assert (datetime.fromisoformat(snoozed.data["reminder"]["remind_at"]) - at).seconds == 900

        upd = await c.call(
            "update_reminder", reminder="the dentist one", text="Call the dentist about Tuesday"
        )
        assert upd.ok and upd.data["reminder"]["text"] == "Call the dentist about Tuesday"
        assert upd.text.startswith("The reminder is now ")
        assert upd.text.endswith(": Call the dentist about Tuesday.")

        later = await c.call("create_reminder", text="Water the plants", when="in five hours")
        plants = later.data["reminder"]["id"]
        which = await c.call("update_reminder", reminder="my reminder", when="in six hours")
        assert not which.ok and which.code == "ambiguous"
        assert {o["ref"] for o in which.data["options"]} == {f"#{rid}", f"#{plants}"}
        next_one = await c.call("snooze_reminder", reminder="the dentist one")
        assert next_one.ok and next_one.data["item"]["id"] == rid
        assert next_one.text.startswith("Snoozed until ")
        assert next_one.text.endswith(": Call the dentist about Tuesday.")

        asked = await c.call("cancel_reminder", reminder="dentist")
        assert asked.ok and asked.text.startswith(
            "Cancel the reminder Call the dentist about Tuesday, "
        )
        assert asked.text.endswith("? Yes or no?") and asked.data["needs_confirmation"]["token"]
        still = await c.call("list_reminders")
        assert rid in [r["id"] for r in still.data["reminders"]]  # the question changed nothing

        wrong = await c.call(
            "cancel_reminder", reminder="plants", confirm=asked.data["needs_confirmation"]["token"]
        )
        assert wrong.ok and "needs_confirmation" in wrong.data  # that yes was for the dentist
        cancelled = await c.confirmed("cancel_reminder", reminder="dentist")
        assert cancelled.ok and cancelled.data["reminder"]["status"] == "cancelled"
        assert cancelled.text == "Cancelled the reminder: Call the dentist about Tuesday."
        assert rid not in [r["id"] for r in (await c.call("list_reminders")).data["reminders"]]
        everything = await c.call("list_reminders", include_past=True)
        assert rid in [r["id"] for r in everything.data["reminders"]]

        assert (await c.confirmed("cancel_reminder", reminder="plants")).ok
        again = await c.call("cancel_reminder", reminder="dentist")
        assert not again.ok and again.code == "invalid_input"
        assert again.text == "The reminder Call the dentist about Tuesday is already cancelled."
        snooze_cancelled = await c.call("snooze_reminder", reminder=f"#{rid}")
        assert not snooze_cancelled.ok
        assert snooze_cancelled.text == "The reminder Call the dentist about Tuesday was cancelled."
        vague = await c.call("snooze_reminder", reminder="my reminder")
        assert vague.text == "You have no upcoming reminders."

        past = await c.call("create_reminder", text="Too late", when="2020-01-01T09:00")
        assert not past.ok and past.text.endswith("has already passed.")
        vague = await c.call("create_reminder", text="Something", when="Friday")
        assert not vague.ok and vague.text == "What time on Friday?"
    assert await tool_env.count(Reminder, tenant, Reminder.status == "cancelled") == 2


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
        assert made.data["item"] == {"kind": "event", "id": eid, "title": "Sprint review"}
        assert sorted(made.data["event"]["attendees"]) == ["Alice Smith", "Maria Garcia"]
        day = made.data["event"]["starts_at"][:10]

        listed = await c.call("list_events", day=day)
        assert eid in [e["id"] for e in listed.data["events"]]
        assert "Sprint review" in listed.text and "number" not in listed.text
        got = await c.call("get_event", event="the sprint review")
        assert got.ok and "Room 2" in got.text and got.data["item"]["id"] == eid
        by_time = await c.call("get_event", event="the review at 10 am")
        assert by_time.ok and by_time.data["item"]["id"] == eid
        by_person = await c.call("get_event", event="review with Maria")
        assert by_person.ok and by_person.data["item"]["id"] == eid

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

        moved = await c.call("update_event", event="sprint review", start="next monday at 11am")
        assert (
            moved.ok
            and moved.data["event"]["ends_at"][11:16] != made.data["event"]["ends_at"][11:16]
        )
        assert moved.text.startswith("Updated Sprint review, now ")

    async with tool_env.as_user("a_member2") as c:  # Maria, an attendee: sees, cannot change
        assert (await c.call("get_event", event="sprint review")).ok
        refused = await c.call("delete_event", event="sprint review")
        assert not refused.ok and refused.code == "forbidden"
        assert "needs_confirmation" not in refused.data  # refused before any question

    async with tool_env.as_user("a_admin") as c:
        asked = await c.call("delete_event", event="sprint review")
        assert asked.ok and asked.text.startswith("Delete Sprint review, ")
        assert asked.text.endswith("? Yes or no?") and asked.data["item"]["id"] == eid
        assert await tool_env.count(Event, tool_env.a, Event.id == eid) == 1
        forged = await c.call("delete_event", event="sprint review", confirm="yes")
        assert forged.ok and "needs_confirmation" in forged.data
        assert await tool_env.count(Event, tool_env.a, Event.id == eid) == 1

        gone = await c.confirmed("delete_event", event="sprint review")
        assert gone.ok and gone.text == "Deleted Sprint review."
        assert gone.data == {"deleted_id": eid, "item": made.data["item"]}
        missing = await c.call("get_event", event="sprint review")
        assert missing.code == "not_found"
        assert missing.text == "I couldn't find an event called sprint review."
        assert (await c.call("get_event", event=f"#{eid}")).code == "not_found"
        bulk = await c.call("delete_event", event="every meeting")
        assert not bulk.ok and bulk.code == "invalid_input"


async def test_moving_to_a_bare_time_keeps_the_items_day(tool_env: ToolEnv) -> None:
    tenant = await scratch_tenant(tool_env.db, f"move-{uuid.uuid4().hex[:6]}")
    async with tool_env.client(tool_env.token(tenant, "104", "member")) as c:
        made = await c.call("create_event", title="Retro", start="the day after tomorrow at 9am")
        assert made.ok, made.text
        day = datetime.fromisoformat(made.data["event"]["starts_at"]).date()
        moved = await c.call("update_event", event="retro", start="four")
        assert moved.ok, moved.text
        starts = datetime.fromisoformat(moved.data["event"]["starts_at"])
        assert starts.date() == day and moved.text.startswith("Updated Retro, now ")
        reminder = await c.call("create_reminder", text="Stretch", when="tomorrow at 10am")
        later = await c.call("update_reminder", reminder="stretch", when="half past two")
        assert later.ok, later.text
        was = datetime.fromisoformat(reminder.data["reminder"]["remind_at"])
        now = datetime.fromisoformat(later.data["reminder"]["remind_at"])
        assert now.date() == was.date() and now > was
