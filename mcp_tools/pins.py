"""PIN hashing and checking (bcrypt), and the lockout back-off rule. Pure; no database.

PINs are 4–6 digits; each tenant sets the length its new PINs must have (default 6). They
are hashed with bcrypt and never logged, stored in clear or echoed. Checking an unknown user
still hashes (against a dummy hash) so the time taken does not tell whether a user exists.
Lockout: after ``max_failures`` counted failures, each further failure locks for
``base * 2**(n - max_failures)`` seconds, capped at ``cap``. Counts decay: every ``decay_s``
without a failure forgives one.
"""

from __future__ import annotations

import asyncio
import functools
import re
from datetime import datetime

import bcrypt

from mcp_tools.errors import InvalidInput

_PIN = re.compile(r"\d{4,6}")
MIN_PIN_LENGTH = 4
MAX_PIN_LENGTH = 6
DEFAULT_PIN_LENGTH = 6


def is_valid_pin(pin: str) -> bool:
    """Whether ``pin`` is 4 to 6 ASCII digits."""
    return bool(_PIN.fullmatch(pin)) and pin.isascii()


def check_pin_format(pin: str, length: int | None = None) -> None:
    """Raise a one-sentence error unless ``pin`` is 4 to 6 digits (exactly ``length`` when
    the tenant's policy gives one)."""
    if not is_valid_pin(pin):
        raise InvalidInput("A PIN must be 4 to 6 digits.")
    if length is not None and len(pin) != length:
        raise InvalidInput(f"A PIN here must be {length} digits.")


def check_pin_length(length: int) -> int:
    """A tenant's PIN length policy, checked (4 to 6)."""
    if not MIN_PIN_LENGTH <= length <= MAX_PIN_LENGTH:
        raise InvalidInput(f"A PIN length must be {MIN_PIN_LENGTH} to {MAX_PIN_LENGTH} digits.")
    return length


def hash_pin(pin: str, rounds: int = 12) -> str:
    """bcrypt hash of a valid PIN."""
    check_pin_format(pin)
    return bcrypt.hashpw(pin.encode(), bcrypt.gensalt(rounds)).decode()


@functools.lru_cache(maxsize=8)
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(b"000000-dummy", bcrypt.gensalt(rounds))


def verify_pin(pin: str, pin_hash: str | None, rounds: int = 12) -> bool:
    """Constant-time-ish check: always runs bcrypt, even for malformed PINs or no hash."""
    candidate = pin.encode()[:16] if is_valid_pin(pin) else b"not-a-pin"
    target = pin_hash.encode() if pin_hash else _dummy_hash(rounds)
    try:
        ok = bcrypt.checkpw(candidate, target)
    except ValueError:  # a corrupt stored hash
        bcrypt.checkpw(candidate, _dummy_hash(rounds))
        return False
    return ok and pin_hash is not None and is_valid_pin(pin)


async def verify_pin_async(pin: str, pin_hash: str | None, rounds: int = 12) -> bool:
    """:func:`verify_pin` off the event loop (bcrypt takes tens to hundreds of ms)."""
    return await asyncio.to_thread(verify_pin, pin, pin_hash, rounds)


async def hash_pin_async(pin: str, rounds: int = 12) -> str:
    """:func:`hash_pin` off the event loop."""
    check_pin_format(pin)
    return await asyncio.to_thread(hash_pin, pin, rounds)


def decayed_failures(
    failures: int, last_failed_at: datetime | None, now: datetime, decay_s: float
) -> int:
    """A failure count after forgiving one failure per ``decay_s`` since the last one."""
    if failures <= 0 or last_failed_at is None or decay_s <= 0:
        return max(0, failures)
    forgiven = int((now - last_failed_at).total_seconds() // decay_s)
    return max(0, failures - max(0, forgiven))


def lockout_seconds(failures: int, max_failures: int, base_s: float, cap_s: float) -> float:
    """How long to lock after ``failures`` consecutive failures (0: not locked)."""
    if failures < max_failures:
        return 0.0
    return float(min(cap_s, base_s * 2 ** min(failures - max_failures, 30)))
