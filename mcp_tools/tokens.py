"""Per-call tool tokens: short-lived HS256 JWTs carrying tenant, user, role, call id, channel.

The telephony side mints one after a successful PIN check; every MCP request carries it as a
bearer token; the tool server verifies signature, issuer, audience and expiry, and takes the
caller's identity from it alone.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
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
