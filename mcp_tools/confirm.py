"""Destructive changes happen only after the caller said yes: signed, short-lived confirmations.

A destructive tool (delete a todo or event, cancel a reminder, remove a team member, change a
role) first answers with a question ("Delete 'Renew passport'? Yes or no?") and a token, and
changes nothing. The agent keeps the token out of the model's sight; when the caller answers
yes, it calls the same tool again with ``confirm=<token>``. The token is an HMAC over who is
calling (tenant, user, call), the action and the exact item, with an expiry: it cannot be
guessed by a model, reused for another item, another call or another user, or kept for later.
The key lives in the tool server's memory only, so a restart simply asks again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from mcp_tools.policy import Actor

TTL_S = 180
"""How long a question stays answerable."""


class Confirmations:
    """Issues and checks confirmation tokens (see the module docstring)."""

    def __init__(
        self,
        key: bytes | None = None,
        *,
        ttl_s: int = TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = key or secrets.token_bytes(32)
        self.ttl_s = ttl_s
        self._clock = clock

    def _mac(self, actor: Actor, action: str, target: object, expires: int) -> str:
        message = f"{actor.tenant_id}|{actor.user_id}|{actor.call_id}|{action}|{target}|{expires}"
        digest = hmac.new(self._key, message.encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode()

    def issue(self, actor: Actor, action: str, target: object) -> str:
        """A token that confirms ``action`` on ``target`` for this actor's call."""
        expires = int(self._clock()) + self.ttl_s
        return f"{expires}.{self._mac(actor, action, target, expires)}"

    def valid(self, token: str | None, actor: Actor, action: str, target: object) -> bool:
        """True when ``token`` confirms exactly this action on this target, and is fresh."""
        if not token or len(token) > 64 or not token.isascii() or "." not in token:
            return False
        head, mac = token.split(".", 1)
        if not head.isdigit() or len(head) > 12 or int(head) < self._clock():
            return False
        return hmac.compare_digest(mac, self._mac(actor, action, target, int(head)))
