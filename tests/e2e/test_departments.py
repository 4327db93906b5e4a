"""Departments from the caller's side, with the bundled model: "which departments can I
reach?" is answered, and asking for a person where nobody is there to answer is told so,
offered a callback, and the callback becomes a todo for that department."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from ari_app.call.voice import VoiceCall
from switchboard.callers.baresip import BaresipCaller
from switchboard.settings import Settings
from tests.fixtures.assistant import (
    answered,
    assert_nothing_left,
    call_record,
    hang_up,
    heard_after,
    signed_in_call,
)
from tests.fixtures.pbx import agent_phone

pytestmark = [pytest.mark.pbx, pytest.mark.slow]


def _live_call(app: SwitchboardApp) -> VoiceCall | None:
    return next((c for c in app.calls.in_progress() if isinstance(c, VoiceCall)), None)


def _last_turn_played(call: VoiceCall) -> bool:
    timelines = call.conversation.timelines if call.conversation else []
    return bool(timelines) and any(e.stage == "playout_end" for e in timelines[-1].events)


async def _callback_todos(settings: Settings) -> list[tuple[str, str | None, int | None]]:
    from mcp_tools.db.models import Department, Todo, User
    from mcp_tools.db.session import Database

    db = Database.from_settings(settings)
    try:
        async with db.unscoped() as session:
            rows = await session.execute(
                select(Todo.title, Department.name, User.user_number)
                .outerjoin(Department, Department.id == Todo.department_id)
                .join(User, User.id == Todo.owner_id)
                .where(Todo.title.like("Call back%"))
            )
            return [(t, d, u) for t, d, u in rows]
    finally:
        await db.dispose()


async def test_which_departments_can_i_reach(
    assistant_app: tuple[SwitchboardApp, Settings],
    ari: AriRest,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    whisper_stt: Any,
    tmp_path: Path,
) -> None:
    app, settings = assistant_app
    before = len(app.calls.finished)
    caller, script = await signed_in_call(
        app, settings, make_caller, speak, tmp_path, "Which departments can I reach?"
    )
    async with asyncio.timeout(150):
        while not answered(app, "department"):
            await asyncio.sleep(1.0)
    stats = await hang_up(app, caller, before)
    turn = next(t for t in stats.turns if "department" in str(t["caller_text"]).lower())
    said = str(turn["said_text"])
    assert all(name in said for name in ("General", "Support", "Sales")), stats.turns
    heard = heard_after(caller, script.utterances[0][1].end, whisper_stt)
    assert "support" in heard and "general" in heard, heard
    await assert_nothing_left(app, ari)


async def test_nobody_available_is_told_and_a_callback_becomes_a_department_todo(
    assistant_app: tuple[SwitchboardApp, Settings],
    ari: AriRest,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    whisper_stt: Any,
    tmp_path: Path,
) -> None:
    app, settings = assistant_app
    # Support is always open in the demo data; no agent phone is registered in this test.
    before = len(app.calls.finished)
    caller, script = await signed_in_call(
        app, settings, make_caller, speak, tmp_path, "I need to speak to a human in support."
    )
    async with asyncio.timeout(150):  # the offer has been heard in full
        while True:
            call = _live_call(app)
            if call and call.handoff and call.handoff.offered and _last_turn_played(call):
                break
            await asyncio.sleep(0.5)
    assert call.handoff is not None and call.handoff.offered is not None
    assert call.handoff.offered.queue == "401"
    await asyncio.to_thread(caller.send_dtmf, "1", 0.15)  # "press 1 for yes"
    async with asyncio.timeout(60):
        while not (call.handoff.callbacks and _last_turn_played(call)):
            await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)
    stats = await hang_up(app, caller, before)

    assert stats.outcome_detail == "abandoned"  # the caller hung up; nobody was transferred
    todos = await _callback_todos(settings)
    assert [(d, u) for _, d, u in todos] == [("Support", "101")], todos
    record = await call_record(settings, stats.channel_id)
    assert record.summary.startswith("Callback requested from Support"), record.summary
    assert record.transferred_to is None
    heard = heard_after(caller, script.utterances[0][1].end, whisper_stt)
    assert "nobody in support" in heard and "call you back" in heard, heard
    await assert_nothing_left(app, ari)


async def test_nobody_answering_in_the_queue_files_a_callback_for_a_signed_in_caller(
    assistant_app: tuple[SwitchboardApp, Settings],
    ari: AriRest,
    make_caller: Callable[..., BaresipCaller],
    speak: Callable[[str, int], bytes],
    tmp_path: Path,
) -> None:
    from ari_app.call.queue_failover import QueueFailoverCall

    app, settings = assistant_app  # queue_wait_s = 8 in this fixture
    agent = await agent_phone(settings, tmp_path, "2102", auto_answer=False)
    try:
        before = len(app.calls.finished)
        caller, _ = await signed_in_call(
            app, settings, make_caller, speak, tmp_path, "I need to speak to a human in support."
        )
        async with asyncio.timeout(170):
            while not any(isinstance(c, QueueFailoverCall) for c in app.calls.in_progress()):
                await asyncio.sleep(0.5)
        back = next(c for c in app.calls.in_progress() if isinstance(c, QueueFailoverCall))
        finished = await app.calls.wait_finished(before + 2, 40)
        await asyncio.to_thread(caller.stop)
    finally:
        await asyncio.to_thread(agent.stop)
    assert finished[-2].outcome == "transferred" and back.callback_filed, back.message
    assert "asked them to call you back" in back.message
    todos = await _callback_todos(settings)
    assert ("Support", "101") in [(d, u) for _, d, u in todos], todos
    record = await call_record(settings, finished[-2].channel_id)
    assert record.outcome == "transferred"
    assert any(t.speaker == "system" and "Callback requested" in t.text for t in record.turns)
    await assert_nothing_left(app, ari)
