"""Sign-in by voice or keypad, then hand the call to the caller's agent.

:class:`SignInGate` is the conversation's agent until the caller is signed in: the dialled
number (DID) selects the tenant, the caller ID suggests the user (otherwise the caller gives
their user number), and the PIN is keyed or spoken. While a PIN or user number is expected the
gate is ``sensitive``, so the conversation keeps the input out of transcripts and logs; the PIN
is never spoken back. The gate stays sensitive until the real agent is open (words said while
it opens belong to the sign-in, not to the agent's first turn). Nothing the gate says tells
whether a user number exists: an unknown number is asked for its PIN like a known one, which
the data side checks against a dummy hash (and counts against the calling number), so the
answers, their timing and the lockout are the same. Wrong PINs get a short retry prompt; a
lockout (the data side's policy, with back-off per user and per calling number) ends the call
politely or, if configured, transfers it to the general department.
When the data side cannot answer (down, hung, refusing) the caller hears an apology and is
put through to a person (``fallback_transfer``). After sign-in the gate opens the real agent
with the per-call token and delegates every later turn to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from ari_app.call.answers import AnswersFactory, read_answer
from ari_app.conversation.agent_port import (
    AgentOutput,
    ConversationAgent,
    Say,
    TransferRequest,
    TurnEnd,
)
from ari_app.speech.normalise import extract_digits

log = logging.getLogger(__name__)


class Tenant(Protocol):
    """What sign-in needs to know of a tenant."""

    id: int
    name: str
    timezone: str


class User(Protocol):
    """What sign-in needs to know of a user."""

    id: int
    name: str
    role: str
    timezone: str | None


class PinCheck(Protocol):
    """The outcome of a PIN attempt."""

    ok: bool
    outcome: str
    user: User | None
    attempts_left: int
    token: str | None


class SignInService(Protocol):
    """The narrow data-side interface sign-in uses (``mcp_tools`` AuthService fits)."""

    async def identify_tenant(self, did: str) -> Tenant | None:
        """The tenant owning a dialled number."""
        ...

    async def suggest_user(self, tenant_id: int, caller_number: str) -> User | None:
        """The user whose known number is calling."""
        ...

    async def find_user_by_number(self, tenant_id: int, user_number: str) -> User | None:
        """The user with this sign-in number."""
        ...

    async def verify_pin(
        self,
        tenant_id: int,
        user_id: int | None,
        pin: str,
        caller_number: str = "",
        call_id: str | None = None,
    ) -> PinCheck:
        """Check a PIN (lockout and audit are the service's business)."""
        ...


AgentOpener = Callable[[Tenant, User, str], Awaitable[ConversationAgent]]
"""Opens the real agent for a signed-in user with the per-call token."""


@dataclass(frozen=True)
class SignInTexts:
    """What the gate says (never containing the PIN)."""

    unknown_number: str = "Sorry, this number is not set up for Switchboard. Goodbye."
    ask_user_number: str = "Welcome to {tenant}. Please key or say your user number."
    hello_ask_pin: str = "Welcome to {tenant}. Please key or say your PIN."
    ask_pin: str = "Thanks. Now please key or say your PIN."
    need_digits: str = "Sorry, I need digits. Please key them, or say them one by one."
    wrong_pin: str = "That PIN didn't match. Please try again."
    data_down: str = "Sorry, I can't check sign-ins right now."
    locked: str = "Too many attempts. For your security, sign-in is locked for a while."
    goodbye: str = "Goodbye."
    to_general: str = "Let me connect you to someone who can help."
    not_me: str = "No problem. Please key or say your user number."
    no_pin: str = (
        "Your team's admin can set a new PIN for you. Please key or say it when you have it."
    )
    welcome: str = "Thanks {first}, you're signed in. How can I help?"


class _Step(Enum):
    USER_NUMBER = "user_number"
    PIN = "pin"
    DONE = "done"


@dataclass
class SignInResult:
    """Who signed in (for call records), set once the gate opens the agent."""

    tenant: Tenant | None = None
    user: User | None = None
    failed: bool = False
    data_failed: bool = False
    """The data side could not answer (the call record is not worth waiting on either)."""


class SignInGate:
    """The call's agent during sign-in; the caller's real agent afterwards."""

    def __init__(
        self,
        service: SignInService,
        open_agent: AgentOpener,
        *,
        did: str,
        caller_number: str,
        call_id: str,
        texts: SignInTexts | None = None,
        locked_transfer: TransferRequest | None = None,
        fallback_transfer: TransferRequest | None = None,
        data_timeout_s: float = 10.0,
        on_close: Callable[[], None] | None = None,
        answers: AnswersFactory | None = None,
    ) -> None:
        self.service = service
        self.open_agent = open_agent
        self.did = did
        self.caller_number = caller_number
        self.call_id = call_id
        self.texts = texts or SignInTexts()
        self.locked_transfer = locked_transfer
        self.fallback_transfer = fallback_transfer
        self.data_timeout_s = data_timeout_s
        self.on_close = on_close
        """Called when the call is over (revokes the call's tool tokens)."""
        self.answers = answers
        """Reads words said instead of digits ("this isn't Alice", "I forgot my PIN")."""
        self.result = SignInResult()
        self.greeting = self.texts.unknown_number
        self._step = _Step.DONE
        self._agent: ConversationAgent | None = None

    @property
    def sensitive(self) -> bool:
        """True while a PIN or user number is expected, and until the real agent is open."""
        if self._agent is not None:
            return self._agent.sensitive
        return self._step in (_Step.PIN, _Step.USER_NUMBER)

    @property
    def signed_in(self) -> bool:
        """True once the caller's agent took over."""
        return self._agent is not None

    async def prepare(self) -> bool:
        """Identify tenant and user; set :attr:`greeting`. False: the DID is unknown."""
        tenant = await self.service.identify_tenant(self.did)
        if tenant is None:
            self.result.failed = True
            return False
        self.result.tenant = tenant
        user = await self.service.suggest_user(tenant.id, self.caller_number)
        if user is not None:  # caller ID is only a hint (spoofable): no name before the PIN
            self.result.user = user
            self._step = _Step.PIN
            self.greeting = self.texts.hello_ask_pin.format(tenant=tenant.name)
        else:
            self._step = _Step.USER_NUMBER
            self.greeting = self.texts.ask_user_number.format(tenant=tenant.name)
        return True

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        """Handle one caller input: sign-in steps, then the real agent's turns."""
        if self._agent is not None:
            async for item in self._agent.turn(text):
                yield item
            return
        tenant = self.result.tenant
        if tenant is None or self._step is _Step.DONE:
            yield Say(self.texts.unknown_number)
            yield TurnEnd(hangup=True)
            return
        digits = extract_digits(text)
        if not digits:
            for item in await self._words(text):
                yield item
            return
        try:
            async with asyncio.timeout(self.data_timeout_s):
                if self._step is _Step.USER_NUMBER:
                    outputs = await self._user_number(tenant, digits)
                else:
                    outputs = await self._pin(tenant, digits)
        except Exception as exc:  # the data side is down, hung or refusing
            log.warning("call %s: sign-in failed on the data side: %r", self.call_id, exc)
            outputs = self.data_unavailable()
        for item in outputs:
            yield item

    async def _words(self, text: str) -> list[AgentOutput]:
        """No digits: is the caller someone else than caller ID suggested, or stuck without a
        PIN? (Read by meaning, locally: nothing said here leaves the machine.)"""
        question = self.greeting if self._step is _Step.PIN else self.texts.ask_pin
        label = await read_answer(self.answers, "signin", question, text)
        if label == "not_me" and self._step is _Step.PIN and self.result.user is not None:
            self.result.user = None  # caller ID suggested someone else: ask who this is
            self._step = _Step.USER_NUMBER
            return [Say(self.texts.not_me), TurnEnd()]
        if label == "help":
            person = self.fallback_transfer or self.locked_transfer
            if person is not None:
                self._step = _Step.DONE
                return [Say(self.texts.to_general), TurnEnd(transfer=person)]
            return [Say(self.texts.no_pin), TurnEnd()]
        return [Say(self.texts.need_digits), TurnEnd()]

    def data_unavailable(self) -> list[AgentOutput]:
        """What the caller hears when sign-in cannot be checked: an apology, then a person
        (``fallback_transfer``) or, with none configured, goodbye."""
        self.result.failed = True
        self.result.data_failed = True
        self._step = _Step.DONE
        if self.fallback_transfer is not None:
            return [
                Say(f"{self.texts.data_down} {self.texts.to_general}"),
                TurnEnd(transfer=self.fallback_transfer),
            ]
        return [
            Say(f"{self.texts.data_down} Please try again later. {self.texts.goodbye}"),
            TurnEnd(hangup=True),
        ]

    async def _user_number(self, tenant: Tenant, digits: str) -> list[AgentOutput]:
        # An unknown number goes on to the PIN like a known one (the data side checks it
        # against a dummy hash): nothing said or timed tells whether the number exists.
        self.result.user = await self.service.find_user_by_number(tenant.id, digits)
        self._step = _Step.PIN
        return [Say(self.texts.ask_pin), TurnEnd()]

    async def _pin(self, tenant: Tenant, digits: str) -> list[AgentOutput]:
        user = self.result.user
        check = await self.service.verify_pin(
            tenant.id, user.id if user else None, digits, self.caller_number, self.call_id
        )
        if check.ok and check.token and check.user is not None:
            self.result.user = check.user
            # Still sensitive while the agent opens: words said meanwhile stay withheld.
            self._agent = await self.open_agent(tenant, check.user, check.token)
            self._step = _Step.DONE
            log.info("call %s: signed in as user %s", self.call_id, check.user.id)
            return [Say(self.texts.welcome.format(first=_first(check.user.name))), TurnEnd()]
        if check.outcome == "locked" or check.attempts_left <= 0:
            self.result.failed = True
            self._step = _Step.DONE
            log.info("call %s: sign-in locked", self.call_id)
            if self.locked_transfer is not None:
                return [
                    Say(f"{self.texts.locked} {self.texts.to_general}"),
                    TurnEnd(transfer=self.locked_transfer),
                ]
            return [Say(f"{self.texts.locked} {self.texts.goodbye}"), TurnEnd(hangup=True)]
        return [Say(self.texts.wrong_pin), TurnEnd()]

    def record_heard(self, text: str) -> None:
        """Barge-in bookkeeping goes to the real agent once there is one."""
        if self._agent is not None:
            self._agent.record_heard(text)

    async def close(self) -> None:
        """Close the real agent, if opened, and end the call's tool tokens."""
        try:
            if self._agent is not None:
                await self._agent.close()
        finally:
            if self.on_close is not None:
                self.on_close()


def _first(name: str) -> str:
    return name.split()[0] if name.strip() else "there"
