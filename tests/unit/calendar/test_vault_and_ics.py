"""The token vault (Fernet) and the iCalendar renderer, checked with an independent parser."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import vobject
from cryptography.fernet import Fernet

from mcp_tools.calendar_sync.vault import Vault, VaultError, load_vault_key
from mcp_tools.db.models import Event, Todo
from mcp_tools.feeds.ics import render
from mcp_tools.feeds.tokens import token_hash
from switchboard.settings import Settings

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_vault_round_trip_and_wrong_key() -> None:
    vault = Vault(Fernet.generate_key())
    sealed = vault.seal("1//refresh-token")
    assert "refresh" not in sealed and vault.open(sealed) == "1//refresh-token"
    with pytest.raises(VaultError):
        Vault(Fernet.generate_key()).open(sealed)


def test_vault_key_is_generated_once_outside_the_tree(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path)
    key = load_vault_key(settings)
    assert load_vault_key(settings) == key
    path = tmp_path / "calendar_token.key"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    Fernet(key)  # a valid key


def test_token_hash_is_sha256_hex() -> None:
    assert len(token_hash("abc")) == 64 and token_hash("abc") != token_hash("abd")


def _items() -> tuple[list[Event], list[Todo]]:
    event = Event(
        id=1,
        tenant_id=1,
        owner_id=1,
        title="Review; with, commas",
        starts_at=T0,
        ends_at=T0 + timedelta(hours=1),
        location="",
        notes="line1\nline2",
        updated_at=T0,
    )
    todo = Todo(
        id=2,
        tenant_id=1,
        owner_id=1,
        title="Pay",
        due_at=T0,
        status="done",
        priority="low",
        notes="",
        completed_at=T0,
    )
    return [event], [todo]


def test_render_vtodo() -> None:
    events, todos = _items()
    cal = vobject.readOne(render("Me", events, todos, "America/New_York", "vtodo").decode())
    (ve,) = cal.contents["vevent"]
    assert ve.summary.value == "Review; with, commas" and ve.description.value == "line1\nline2"
    assert ve.dtstart.value == T0 and ve.uid.value == "event-1-1@switchboard"
    (vt,) = cal.contents["vtodo"]
    assert vt.status.value == "COMPLETED" and vt.due.value == T0 and vt.priority.value == "9"


def test_render_todos_as_all_day_events() -> None:
    events, todos = _items()
    cal = vobject.readOne(render("Me", events, todos, "America/New_York", "events").decode())
    days = [e for e in cal.contents["vevent"] if e.summary.value.startswith("✓ Due:")]
    assert days and days[0].dtstart.value == date(2026, 12, 1)
    assert "vtodo" not in cal.contents
