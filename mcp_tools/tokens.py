"""Per-call tool tokens: short-lived HS256 JWTs carrying tenant, user, role, call id, channel.

The telephony side mints one after a successful PIN check; every MCP request carries it as a
bearer token; the tool server verifies signature, issuer, audience and expiry, and takes the
caller's identity from it alone. :class:`CallToken` keeps one call's token fresh on long calls
(re-minted once it is ``refresh_after_s`` old) and revokes it at hang-up: a token leaked from a
call stops working when the call ends, not when it expires.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jwt

from mcp_tools.policy import CHANNELS, Actor, Channel, Role
from switchboard.settings import Settings

AUDIENCE = "switchboard-tools"
_REQUIRED = ["exp", "iat", "iss", "aud", "sub", "tid", "role", "chn"]


class TokenError(Exception):
    """The token is missing, malformed, forged or expired."""


@dataclass(frozen=True)
class ToolClaims:
    """What a verified token says about the caller."""

    tenant_id: int
    user_id: int
    role: Role
    call_id: str | None
    channel: Channel
    expires_at: int
    token_id: str

    def actor(self, name: str = "") -> Actor:
        """The policy actor for these claims."""
        return Actor(
            tenant_id=self.tenant_id,
            user_id=self.user_id,
            role=self.role,
            channel=self.channel,
            call_id=self.call_id,
            name=name,
        )


class TokenService:
    """Mints and verifies tool tokens with one HMAC key."""

    def __init__(self, key: bytes, *, ttl_s: int = 900, issuer: str = "switchboard") -> None:
        if len(key) < 32:
            raise ValueError("tool token key must be at least 32 bytes")
        self._key = key
        self.ttl_s = ttl_s
        self.issuer = issuer
        self._ended_calls: dict[str, float] = {}
        """Call id → when it ended: tokens of that call issued before then are refused."""

    def mint(
        self,
        *,
        tenant_id: int,
        user_id: int,
        role: Role | str,
        call_id: str | None = None,
        channel: Channel = "voice",
        ttl_s: int | None = None,
        now: float | None = None,
    ) -> str:
        """A signed token for one caller (one call), valid for ``ttl_s`` seconds."""
        issued = int(now if now is not None else time.time())
        role_ = role if isinstance(role, Role) else Role.parse(role)
        claims = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": str(user_id),
            "tid": int(tenant_id),
            "role": role_.label,
            "cid": call_id,
            "chn": channel,
            "iat": issued,
            "exp": issued + (self.ttl_s if ttl_s is None else ttl_s),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def verify(self, token: str) -> ToolClaims:
        """The claims of a valid token; :class:`TokenError` for anything else."""
        try:
            data = jwt.decode(
                token,
                self._key,
                algorithms=["HS256"],
                audience=AUDIENCE,
                issuer=self.issuer,
                options={"require": _REQUIRED},
                leeway=2,
            )
            channel = data["chn"]
            if channel not in CHANNELS:
                raise TokenError("unknown channel")
            call_id = data.get("cid")
            ended = self._ended_calls.get(str(call_id)) if call_id is not None else None
            if ended is not None and int(data["iat"]) <= ended:
                raise TokenError("the call has ended")
            return ToolClaims(
                tenant_id=int(data["tid"]),
                user_id=int(data["sub"]),
                role=Role[str(data["role"]).upper()],
                call_id=str(call_id) if call_id is not None else None,
                channel=channel,
                expires_at=int(data["exp"]),
                token_id=str(data.get("jti", "")),
            )
        except TokenError:
            raise
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise TokenError(str(exc) or type(exc).__name__) from None

    def refresh(self, token: str, *, now: float | None = None) -> str:
        """A new token with the same claims and a new expiry (the old one must verify)."""
        claims = self.verify(token)
        return self.mint(
            tenant_id=claims.tenant_id,
            user_id=claims.user_id,
            role=claims.role,
            call_id=claims.call_id,
            channel=claims.channel,
            now=now,
        )

    def end_call(self, call_id: str, *, now: float | None = None) -> None:
        """Revoke every token of a call (it hung up); forgotten once they would have expired."""
        at = now if now is not None else time.time()
        self._ended_calls = {c: t for c, t in self._ended_calls.items() if t > at - self.ttl_s}
        self._ended_calls[call_id] = at


class CallToken:
    """One call's tool token, re-minted when it gets old and revoked when the call ends.

    ``current()`` is what every request should send (e.g. from an ``httpx.Auth`` flow), so a
    long call never meets an expired token and an ended call's token is dead at once.
    """

    def __init__(
        self,
        tokens: TokenService,
        token: str,
        *,
        refresh_after_s: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tokens = tokens
        self._token = token
        self._claims = tokens.verify(token)
        self._issued = clock()
        self.refresh_after_s = refresh_after_s
        self.clock = clock
        self.revoked = False

    @property
    def call_id(self) -> str | None:
        """The call the token belongs to."""
        return self._claims.call_id

    def current(self) -> str:
        """The token to send now (a fresh one once the last is ``refresh_after_s`` old)."""
        if self.revoked:
            raise TokenError("the call has ended")
        now = self.clock()
        if now - self._issued >= self.refresh_after_s:
            self._token = self.tokens.refresh(self._token)
            self._issued = now
        return self._token

    def revoke(self) -> None:
        """The call ended: this token and every earlier one of the call stop working."""
        self.revoked = True
        if self.call_id is not None:
            self.tokens.end_call(self.call_id, now=self.clock())


def load_token_key(settings: Settings) -> bytes:
    """The configured key, else one generated once into ``<state_dir>/tool_token.key``."""
    if settings.tools.token_key is not None:
        return settings.tools.token_key.get_secret_value().encode()
    path = Path(settings.state_dir) / "tool_token.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    elif path.stat().st_mode & 0o077:  # a key others could read signs anyone's tokens
        path.chmod(0o600)
    return path.read_text().strip().encode()


def token_service(settings: Settings) -> TokenService:
    """The token service the settings describe."""
    return TokenService(
        load_token_key(settings),
        ttl_s=settings.tools.token_ttl_s,
        issuer=settings.tools.token_issuer,
    )
