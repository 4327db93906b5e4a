"""Reminders that call you, end to end: the dialer rings the user's number through the
``twilio`` trunk (in the dev PBX: a baresip "phone" listening where Twilio would be), the
person who answers keys the user's PIN, the reminder is spoken and heard, and the user marks
it done by keypad or snoozes it by voice. A voicemail box (answers, says nothing) hears no
content. Unanswered call-outs are retried and end up failed, recorded and audited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ari_app.app import SwitchboardApp
from ari_app.ari.rest import AriRest
from ari_app.reminders.call import ReminderCall
from switchboard.callers.audio import write_tone_wav
from switchboard.callers.baresip import BaresipCaller, CallerAccount
from switchboard.callers.script import Pause, Speak, render_script
from switchboard.settings import Settings
from tests.fixtures.assistant import assert_nothing_left, call_record, heard_after

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

MARIA = "104"
MARIA_PHONE = "+15550114"
MARIA_PIN = "7253"
TRUNK_PORT = 5062
"""Where the dev PBX's ``twilio`` trunk sends calls (``pbx.trunk_address``:5062)."""


@pytest.fixture
async def reminder_app(
    assistant_app: tuple[SwitchboardApp, Settings],
) -> AsyncIterator[tuple[SwitchboardApp, Settings]]:
    """The signed-in assistant with the reminder dialer looking every second."""
    app, settings = assistant_app
    if settings.pbx.mode != "dev":
        pytest.skip("rings the dev PBX's trunk test endpoint")
    settings = settings.model_copy(
        update={
            "reminders": settings.reminders.model_copy(
                update={"enabled": True, "poll_s": 1.0, "silence_s": 20.0, "ring_timeout_s": 20}
            )
        }
    )
    try:
        yield app, settings
    finally:
        await app.stop_reminders()


async def _add_reminder(settings: Settings, user_number: str, text: str) -> tuple[int, int]:
    from mcp_tools.db.base import utcnow
    from mcp_tools.db.models import Reminder, User
    from mcp_tools.db.session import Database

    db = Database.from_settings(settings)
    try:
        async with db.unscoped() as session, session.begin():
            user = (
                await session.execute(select(User).where(User.user_number == user_number))
            ).scalar_one()
            reminder = Reminder(
                tenant_id=user.tenant_id,
                user_id=user.id,
                text=text,
                remind_at=utcnow() - timedelta(seconds=1),
            )
            session.add(reminder)
            await session.flush()
            return user.tenant_id, reminder.id
    finally:
        await db.dispose()


async def _reminder(settings: Settings, reminder_id: int) -> dict[str, Any]:
    from mcp_tools.db.models import AuditEntry, Reminder
    from mcp_tools.db.session import Database

    db = Database.from_settings(settings)
    try:
        async with db.unscoped() as session:
            r = await session.get(Reminder, reminder_id)
            assert r is not None
            audits = (
                await session.execute(
                    select(AuditEntry.action)
                    .where(AuditEntry.target_type == "reminder")
                    .where(AuditEntry.target_id == str(reminder_id))
                    .order_by(AuditEntry.id)
                )
            ).scalars()
            return {
                "status": r.status,
                "attempts": r.attempts,
                "remind_at": r.remind_at,
                "last_error": r.last_error,
                "audits": list(audits),
            }
    finally:
        await db.dispose()


async def _wait_status(
    settings: Settings, reminder_id: int, statuses: tuple[str, ...], timeout_s: float
) -> dict[str, Any]:
    async with asyncio.timeout(timeout_s):
        while (state := await _reminder(settings, reminder_id))["status"] not in statuses:
            await asyncio.sleep(0.5)
    return state


def _phone(settings: Settings, workdir: Path, microphone: Path) -> BaresipCaller:
    """The user's phone: answers whatever the trunk sends it."""
    address = settings.pbx.trunk_address
    account = CallerAccount(MARIA_PHONE, address=address, auto_answer=True)
    return BaresipCaller(workdir, account, microphone, listen_address=address, sip_port=TRUNK_PORT)


async def _reminder_call(app: SwitchboardApp) -> ReminderCall:
    async with asyncio.timeout(30):
        while True:
            for call in app.calls.in_progress():
                if isinstance(call, ReminderCall):
                    return call
            await asyncio.sleep(0.2)


async def test_a_due_reminder_rings_the_user_speaks_it_and_key_1_marks_it_done(
    reminder_app: tuple[SwitchboardApp, Settings],
    ari: AriRest,
    whisper_stt: Any,
    tmp_path: Path,
) -> None:
    app, settings = reminder_app
    _, rid = await _add_reminder(settings, MARIA, "Call the dentist about Friday")
    silence = write_tone_wav(tmp_path / "quiet.wav", 300.0, 60.0, amplitude=0.0)
    phone = _phone(settings, tmp_path / "phone", silence)
    phone.start(dial=None, seconds=90)
    try:
        app.start_reminders(settings)
        await asyncio.to_thread(phone.wait_incoming_established, 30)
        call = await _reminder_call(app)
        await asyncio.sleep(7.0)  # "... a reminder for Maria. To hear it, ... your PIN."
        assert not call.heard
        await asyncio.to_thread(phone.send_dtmf, MARIA_PIN + "#", 0.15)
        async with asyncio.timeout(40):  # the whole reminder is played to the phone
            while not call.heard:
                await asyncio.sleep(0.2)
        await asyncio.to_thread(phone.send_dtmf, "1")
        state = await _wait_status(settings, rid, ("done",), 30)
        stats = (await app.calls.wait_finished(len(app.calls.finished), 30))[-1]
        await asyncio.sleep(1.0)
    finally:
        await asyncio.to_thread(phone.stop)
    assert state["attempts"] == 1 and state["audits"] == ["reminder.call.done"]
    heard = heard_after(phone, 0.0, whisper_stt)
    assert "dentist" in heard and "friday" in heard, (heard, stats.turns)
    assert "marked it done" in heard, heard
    assert heard.index("maria") < heard.index("dentist"), heard
    first = str(stats.turns[0]["said_text"])  # before the PIN: who it is for, nothing else
    assert "PIN" in first and "dentist" not in first.lower(), stats.turns
    record = await call_record(settings, stats.channel_id)
    assert record.direction == "outbound" and record.outcome == "completed"
    assert record.caller_number == MARIA_PHONE and record.user_id is not None
    assert any("dentist" in t.text.lower() for t in record.turns if t.speaker == "assistant")
    await assert_nothing_left(app, ari)


async def test_snooze_by_voice_rings_again_later(
    reminder_app: tuple[SwitchboardApp, Settings],
    ari: AriRest,
    speak: Callable[[str, int], bytes],
    whisper_stt: Any,
    tmp_path: Path,
) -> None:
    app, settings = reminder_app
    _, rid = await _add_reminder(settings, MARIA, "Send the invoice to Acme")
    script = render_script(
        [Pause(22.0), Speak("Snooze it for twenty minutes please."), Pause(30.0)],
        tmp_path / "mic.wav",
        speak,
    )
    phone = _phone(settings, tmp_path / "phone", script.wav)
    phone.start(dial=None, seconds=90)
    before = datetime.now().astimezone()
    try:
        app.start_reminders(settings)
        await asyncio.to_thread(phone.wait_incoming_established, 30)
        await asyncio.sleep(5.0)
        await asyncio.to_thread(phone.send_dtmf, MARIA_PIN + "#", 0.15)
        async with asyncio.timeout(60):
            while not (state := await _reminder(settings, rid))["audits"]:
                await asyncio.sleep(0.5)
        await asyncio.sleep(3.0)
    finally:
        await asyncio.to_thread(phone.stop)
    assert state["audits"] == ["reminder.call.snoozed"], state
    remind_at = state["remind_at"]
    assert before + timedelta(minutes=19) < remind_at < before + timedelta(minutes=22), state
    heard = heard_after(phone, 0.0, whisper_stt)
    assert "invoice" in heard and "20 minutes" in heard.replace("twenty", "20"), heard
    await assert_nothing_left(app, ari)


async def test_an_unanswered_reminder_is_retried_then_marked_failed(
    reminder_app: tuple[SwitchboardApp, Settings],
    ari: AriRest,
) -> None:
    app, settings = reminder_app
    settings = settings.model_copy(
        update={
            "reminders": settings.reminders.model_copy(
                update={"ring_timeout_s": 4, "max_attempts": 2, "retry_after_s": 1.0}
            )
        }
    )
    _, rid = await _add_reminder(settings, MARIA, "Nobody will hear this")
    app.start_reminders(settings)  # no phone listens on the trunk: every attempt fails
    state = await _wait_status(settings, rid, ("failed",), 90)
    assert state["attempts"] == 2 and state["last_error"], state
    assert state["audits"] == ["reminder.call.failed"] * 2
    await assert_nothing_left(app, ari)


async def test_voicemail_hears_no_content_and_the_reminder_is_tried_again(
    reminder_app: tuple[SwitchboardApp, Settings],
    ari: AriRest,
    whisper_stt: Any,
    tmp_path: Path,
) -> None:
    app, settings = reminder_app
    quick = settings.model_copy(
        update={
            "reminders": settings.reminders.model_copy(
                update={"silence_s": 6.0, "retry_after_s": 3600.0, "max_attempts": 3}
            )
        }
    )
    _, rid = await _add_reminder(quick, MARIA, "Pick up the biopsy results")
    silence = write_tone_wav(tmp_path / "quiet.wav", 300.0, 60.0, amplitude=0.0)
    box = _phone(quick, tmp_path / "voicemail", silence)  # answers, records, says nothing
    box.start(dial=None, seconds=60)
    try:
        app.start_reminders(quick)
        await asyncio.to_thread(box.wait_incoming_established, 30)
        async with asyncio.timeout(60):  # the call-out ends and the reminder is released
            while (state := await _reminder(quick, rid))["attempts"] < 1 or state["status"] not in (
                "pending",
                "failed",
            ):
                await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)
    finally:
        await asyncio.to_thread(box.stop)
    heard = heard_after(box, 0.0, whisper_stt)
    assert "reminder" in heard and "maria" in heard, heard
    said = " ".join(str(t["said_text"]) for t in app.calls.finished[-1].turns)
    assert said.endswith("Goodbye."), said
    assert "biopsy" not in heard and "results" not in heard, heard  # nothing left on the tape
    assert state["status"] == "pending" and state["attempts"] == 1, state
    assert "not heard" in state["last_error"] or "hung up" in state["last_error"], state
    await assert_nothing_left(app, ari)
