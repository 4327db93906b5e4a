"""The console's credential file and sessions, without a browser (pure, fast)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from webrtc_console.accounts import AccountError, ConsoleAccounts
from webrtc_console.sessions import LoginThrottle, SessionStore


class FakeClock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _accounts(tmp_path: Path, clock: FakeClock | None = None) -> ConsoleAccounts:
    return ConsoleAccounts(
        tmp_path / "c" / "accounts.json", bcrypt_rounds=4, clock=clock or FakeClock()
    )


def test_password_is_bcrypt_hashed_checked_and_the_file_is_private(tmp_path: Path) -> None:
    accounts = _accounts(tmp_path)
    accounts.set_password(1, 7, "long enough secret")
    raw = accounts.path.read_text()
    assert "long enough secret" not in raw and "$2b$04$" in raw
    assert stat.S_IMODE(accounts.path.stat().st_mode) == 0o600
    assert accounts.check_password(1, 7, "long enough secret")
    assert not accounts.check_password(1, 7, "wrong")
    assert not accounts.check_password(2, 7, "long enough secret")  # another tenant
    assert not accounts.check_password(None, None, "long enough secret")
    with pytest.raises(AccountError):
        accounts.set_password(1, 7, "short")


def test_extensions_are_unique_and_listed_per_tenant(tmp_path: Path) -> None:
    accounts = _accounts(tmp_path)
    accounts.set_extension(1, 7, "2001")
    accounts.set_extension(2, 9, "2002")
    with pytest.raises(AccountError):
        accounts.set_extension(1, 8, "2001")
    with pytest.raises(AccountError):
        accounts.set_extension(1, 8, "20x1")
    assert set(accounts.by_extension(1)) == {"2001"}
    assert set(accounts.by_extension(2)) == {"2002"}


def test_one_time_link_works_once_and_expires(tmp_path: Path) -> None:
    clock = FakeClock()
    accounts = _accounts(tmp_path, clock)
    token = accounts.create_link(1, 7, ttl_s=60)
    assert token not in accounts.path.read_text()  # only its digest is stored
    assert accounts.consume_link(token) == (1, 7)
    with pytest.raises(AccountError, match="not valid"):
        accounts.consume_link(token)
    late = accounts.create_link(1, 7, ttl_s=60)
    clock.now += 61
    with pytest.raises(AccountError, match="expired"):
        accounts.consume_link(late)


def test_sessions_expire_and_check_csrf() -> None:
    clock = FakeClock()
    store = SessionStore(ttl_s=10, clock=clock)
    session = store.create(
        tenant_id=1,
        tenant_slug="demo",
        user_id=7,
        user_number="103",
        name="John Park",
        role="member",
        supervisor=False,
        extension="2001",
    )
    assert store.get(session.token) == session
    assert (
        session.csrf_ok(session.csrf) and not session.csrf_ok("nope") and not session.csrf_ok(None)
    )
    assert store.active(1) == [session] and store.active(2) == []
    clock.now += 11
    assert store.get(session.token) is None
    assert store.get(None) is None


def test_login_throttle_backs_off_per_key_and_forgets_on_success() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(max_failures=2, base_s=10, max_s=25, clock=clock)
    throttle.failed("a")
    throttle.failed("a")
    assert throttle.retry_after("a") == 0  # two failures are free
    throttle.failed("a")
    assert throttle.retry_after("a", "b") == 10
    throttle.failed("a")
    assert throttle.retry_after("a") == 20
    throttle.failed("a")
    assert throttle.retry_after("a") == 25  # capped
    assert throttle.retry_after("b") == 0
    clock.now += 25
    assert throttle.retry_after("a") == 0
    throttle.succeeded("a")
    throttle.failed("a")
    assert throttle.retry_after("a") == 0
