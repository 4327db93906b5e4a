"""The LangGraph agent (``agent.AgentSession``) as the conversation's agent.

Its sentences and fillers are spoken, tool calls are kept for the call record, a transfer
becomes a :class:`TransferRequest`, and a turn the agent understood as the caller's goodbye
("thanks, that's all") ends the call after the reply is spoken.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from ari_app.conversation.agent_port import AgentOutput, Say, ToolUsed, TransferRequest, TurnEnd


@dataclass
class ToolRecord:
    """One tool call of the call, for the call record (no arguments kept)."""

    name: str
    ok: bool
    elapsed_s: float
    text: str


@dataclass
class AgentAdapter:
    """Adapts an ``agent.AgentSession`` to :class:`ConversationAgent`."""

    session: Any
    tools: list[ToolRecord] = field(default_factory=list)
    last_summary: str = ""
    sensitive: bool = False

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        """One agent turn, translated."""
        from agent.events import Filler, Sentence, ToolFinished, TurnResult

        transfer: TransferRequest | None = None
        error: str | None = None
        hangup = False
        async for out in self.session.turn(text):
            if isinstance(out, Sentence):
                yield Say(out.text)
            elif isinstance(out, Filler):
                yield Say(out.text, filler=True)
            elif isinstance(out, ToolFinished):
                self.tools.append(ToolRecord(out.name, out.ok, out.elapsed_s, out.text))
                yield ToolUsed(out.name, out.ok, out.elapsed_s, out.code)
            elif isinstance(out, TurnResult):
                error = out.error
                hangup = out.hangup
                if out.summary:
                    self.last_summary = out.summary
                if out.transfer is not None and out.transfer.queue:
                    transfer = TransferRequest(
                        out.transfer.department,
                        out.transfer.queue,
                        out.summary or "",
                        open_now=out.transfer.open_now,
                        opens=out.transfer.opens,
                    )
        yield TurnEnd(transfer=transfer, hangup=transfer is None and hangup, error=error)

    def record_heard(self, text: str) -> None:
        """Only ``text`` of the last reply was heard."""
        self.session.record_heard(text)

    async def close(self) -> None:
        """Close the agent session (its MCP session)."""
        await self.session.close()
