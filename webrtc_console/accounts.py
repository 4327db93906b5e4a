"""Console sign-in credentials: bcrypt passwords, agent extensions and one-time links.

The team data (``mcp_tools``) knows people by tenant and user number and holds their PINs;
the console keeps what only it needs (a password, the SIP extension a person answers on, and
pending one-time sign-in links) in a small JSON file of its own, written atomically with mode
0600. Link tokens are stored as SHA-256 digests, passwords as bcrypt hashes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import bcrypt

MIN_PASSWORD_LENGTH = 8


@functools.lru_cache(maxsize=4)
def dummy_hash(rounds: int) -> bytes:
    """A hash that matches no password, at the same cost as real ones: checking an unknown
    user takes as long as checking a known one."""
    return bcrypt.hashpw(secrets.token_bytes(16).hex().encode(), bcrypt.gensalt(rounds))


class AccountError(ValueError):
    """A console account could not be changed (bad password, unknown link, ...)."""


@dataclass(frozen=True)
class ConsoleAccount:
    """What the console stores for one person (a tenant user)."""

    tenant_id: int
    user_id: int
    password_hash: str = ""
    extension: str = ""


@dataclass
class _Link:
    tenant_id: int
    user_id: int
    expires_at: float


@dataclass
class _State:
    accounts: dict[str, ConsoleAccount] = field(default_factory=dict)
    links: dict[str, _Link] = field(default_factory=dict)


def _key(tenant_id: int, user_id: int) -> str:
    return f"{tenant_id}:{user_id}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConsoleAccounts:
    """The console's credential file; safe to use from one process's threads."""

    def __init__(
        self, path: Path, *, bcrypt_rounds: int = 12, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = path
        self.rounds = bcrypt_rounds
        self.clock = clock
        self._lock = threading.Lock()

    # -- storage -------------------------------------------------------------------------
    def _load(self) -> _State:
        if not self.path.exists():
            return _State()
        data: dict[str, Any] = json.loads(self.path.read_text())
        return _State(
            accounts={k: ConsoleAccount(**v) for k, v in data.get("accounts", {}).items()},
            links={k: _Link(**v) for k, v in data.get("links", {}).items()},
        )

    def _save(self, state: _State) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        now = self.clock()
        data = {
            "accounts": {k: asdict(v) for k, v in state.accounts.items()},
            "links": {k: asdict(v) for k, v in state.links.items() if v.expires_at > now},
        }
        tmp = self.path.with_suffix(".tmp")
        tmp.touch(mode=0o600)
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(self.path)

    # -- accounts ------------------------------------------------------------------------
    def get(self, tenant_id: int, user_id: int) -> ConsoleAccount | None:
        """The stored account of a user, if any."""
        with self._lock:
            return self._load().accounts.get(_key(tenant_id, user_id))

    def by_extension(self, tenant_id: int) -> dict[str, ConsoleAccount]:
        """The tenant's accounts that answer on an extension, by extension."""
        with self._lock:
            accounts = self._load().accounts.values()
        return {a.extension: a for a in accounts if a.tenant_id == tenant_id and a.extension}

    def set_password(self, tenant_id: int, user_id: int, password: str) -> None:
        """Set (or replace) a user's console password."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(self.rounds)).decode()
        self._update(tenant_id, user_id, password_hash=hashed)

    def set_extension(
        self, tenant_id: int, user_id: int, extension: str, *, reserved: tuple[str, ...] = ()
    ) -> None:
        """Bind a user to the SIP extension their browser registers as (empty: none);
        ``reserved`` extensions (the try-it page's endpoint) belong to nobody."""
        if extension and not extension.isdigit():
            raise AccountError("An extension is digits only.")
        if extension and extension in reserved:
            raise AccountError(f"Extension {extension} is the try-it page's; choose another.")
        with self._lock:
            state = self._load()
            for key, acct in state.accounts.items():
                if extension and acct.extension == extension and key != _key(tenant_id, user_id):
                    raise AccountError(f"Extension {extension} already belongs to someone else.")
        self._update(tenant_id, user_id, extension=extension)

    def _update(self, tenant_id: int, user_id: int, **changes: str) -> None:
        with self._lock:
            state = self._load()
            key = _key(tenant_id, user_id)
            current = state.accounts.get(key) or ConsoleAccount(tenant_id, user_id)
            state.accounts[key] = ConsoleAccount(**{**asdict(current), **changes})
            self._save(state)

    def check_password(self, tenant_id: int | None, user_id: int | None, password: str) -> bool:
        """True when the password matches; always spends one bcrypt check (no user oracle)."""
        acct = self.get(tenant_id, user_id) if tenant_id and user_id else None
        if acct and acct.password_hash:
            target = acct.password_hash.encode()
        else:
            target = dummy_hash(self.rounds)
        ok = bcrypt.checkpw(password.encode()[:72], target)
        return ok and acct is not None and bool(acct.password_hash)

    # -- one-time links ------------------------------------------------------------------
    def create_link(self, tenant_id: int, user_id: int, ttl_s: float) -> str:
        """A fresh one-time sign-in token (only its digest is stored)."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            state = self._load()
            state.links[_digest(token)] = _Link(tenant_id, user_id, self.clock() + ttl_s)
            self._save(state)
        return token

    def consume_link(self, token: str) -> tuple[int, int]:
        """Use a link once: returns (tenant id, user id); raises when unknown or expired."""
        with self._lock:
            state = self._load()
            link = state.links.pop(_digest(token), None)
            self._save(state)
        if link is None:
            raise AccountError("This sign-in link is not valid (or was already used).")
        if link.expires_at <= self.clock():
            raise AccountError("This sign-in link has expired.")
        return link.tenant_id, link.user_id
