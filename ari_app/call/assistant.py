"""Who answers a voice call: the stand-in agent, or sign-in followed by the LangGraph agent.

:class:`Assistant` is shared by all calls of the app; :meth:`Assistant.open` prepares one
call: its agent (a :class:`SignInGate` in front of the real agent), the greeting, and the
call record.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from ari_app.call.agent_adapter import AgentAdapter
from ari_app.call.answers import shared_answers
from ari_app.call.handoff import CallbackFiler
from ari_app.call.records import CallRecorder
from ari_app.call.signin import SignInGate, SignInTexts, Tenant, User
from ari_app.conversation.agent_port import (
    AgentOutput,
    ConversationAgent,
    TransferRequest,
    TurnEnd,
)
from ari_app.conversation.standin_agent import StandInAgent
from switchboard.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class CallSetup:
    """What one call starts with."""

    agent: ConversationAgent
    greeting: str
    end_after_greeting: bool = False
    recorder: CallRecorder | None = None
    gate: SignInGate | None = None
    file_callback: CallbackFiler | None = None
    """Files a callback for a department the caller could not reach (signed-in callers)."""
    transfer_after_greeting: TransferRequest | None = None
    """Put the caller through to a person once the greeting is said (the data side is down)."""

    def signed_in(self) -> bool:
        """True once the caller has signed in (always, without a sign-in gate)."""
        return self.gate is None or self.gate.signed_in


class Assistant:
    """Builds each call's agent from the settings (and the data side, when signing in)."""

    def __init__(self, settings: Settings, tools_app: Any | None = None) -> None:
        self.settings = settings
        self.tools_app = tools_app

    @property
    def signs_in(self) -> bool:
        """True when callers sign in with a PIN (needs the data side)."""
        return self.tools_app is not None

    async def open(self, call_id: str, did: str, caller_number: str) -> CallSetup:
        """Prepare a call: agent, greeting, record. A data side that is down or hung at the
        call's start gives an apology and a person, not silence."""
        call = self.settings.call
        if self.tools_app is None:
            return CallSetup(StandInAgent(call.standin_delay_s), call.greeting_text)
        try:
            async with asyncio.timeout(call.data_timeout_s):
                return await self._open_signin(call_id, did, caller_number)
        except Exception as exc:
            log.warning("call %s: the data side cannot answer at the start: %r", call_id, exc)
            return self._apology()

    def _fallback(self) -> TransferRequest | None:
        queue = self.settings.call.fallback_queue
        if not queue:
            return None
        return TransferRequest("general", queue, "The assistant could not reach its data.")

    def _apology(self) -> CallSetup:
        """The call's start when sign-in cannot be checked: say so, then a person."""
        texts = SignInTexts()
        transfer = self._fallback()
        if transfer is not None:
            text = f"{texts.data_down} {texts.to_general}"
        else:
            text = f"{texts.data_down} Please try again later. {texts.goodbye}"
        return CallSetup(_ApologyAgent(), text, True, transfer_after_greeting=transfer)

    async def _open_signin(self, call_id: str, did: str, caller_number: str) -> CallSetup:
        call = self.settings.call
        tools = self.tools_app
        assert tools is not None
        general = call.locked_transfer_queue
        gate = SignInGate(
            tools.auth,
            lambda tenant, user, token: self._open_agent(
                tenant, user, token, call_id, caller_number
            ),
            did=did,
            caller_number=caller_number,
            call_id=call_id,
            locked_transfer=TransferRequest("general", general, "") if general else None,
            fallback_transfer=self._fallback(),
            data_timeout_s=call.data_timeout_s,
            on_close=lambda: tools.tokens.end_call(call_id),  # hung up: its tokens are dead
            answers=shared_answers(self.settings),
        )
        known = await gate.prepare()
        recorder = None
        tenant = gate.result.tenant
        if tenant is not None:
            recorder = CallRecorder(
                tools.calls,
                tenant.id,
                call_id,
                timeout_s=call.data_timeout_s,
                give_up_if=lambda: gate.result.data_failed,
            )
            await recorder.start(caller_number, did)
        filer = self._callback_filer(gate, call_id, caller_number)
        return CallSetup(gate, gate.greeting, not known, recorder, gate, filer)

    def _callback_filer(self, gate: SignInGate, call_id: str, caller_number: str) -> CallbackFiler:
        tools = self.tools_app
        assert tools is not None

        async def file_callback(transfer: TransferRequest) -> str:
            tenant, user = gate.result.tenant, gate.result.user
            if tenant is None or user is None:
                raise RuntimeError("a callback needs a signed-in caller")
            callback = await tools.callbacks.request(
                tenant.id,
                user.id,
                transfer.queue or transfer.department,
                caller_number,
                reason=transfer.summary,
                call_id=call_id,
            )
            when = (
                f"when they open, {transfer.opens}"
                if not transfer.open_now and transfer.opens
                else "as soon as they can"
            )
            return f"Done. Someone from {callback.department} will call you back {when}."

        return file_callback

    async def _open_agent(
        self, tenant: Tenant, user: User, token: str, call_id: str, caller_number: str
    ) -> ConversationAgent:
        from agent import AgentSession
        from agent.prompts import CallerContext
        from mcp_tools.tokens import CallToken

        context = CallerContext(
            name=user.name,
            role=user.role,
            timezone=user.timezone or tenant.timezone,
            call_id=call_id,
            caller_number=caller_number,
        )
        assert self.tools_app is not None
        fresh = CallToken(self.tools_app.tokens, token)  # a long call's token is re-minted
        session = await AgentSession.open(self.settings, fresh.current, context)
        return AgentAdapter(session)


class _ApologyAgent:
    """The agent of a call whose data side is away: it only listens (and records nothing)
    while the apology plays; the call then goes to a person or ends."""

    sensitive = True

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        """Nothing to add to the apology."""
        yield TurnEnd()

    def record_heard(self, text: str) -> None:
        """Nothing to remember."""

    async def close(self) -> None:
        """Nothing to release."""
