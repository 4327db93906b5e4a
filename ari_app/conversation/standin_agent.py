"""A scripted stand-in agent with a fixed first-token delay, to build and benchmark the voice
pipeline without a language model (it follows :class:`ConversationAgent`).

It answers "You said: <what it heard>." after ``first_token_delay_s``; asked for something
"long" it tells a long story (for barge-in tests); asked for "a human" it transfers to the
department named (the dev PBX's queues); "goodbye" ends the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from ari_app.conversation.agent_port import AgentOutput, Say, ToolUsed, TransferRequest, TurnEnd

LONG_STORY = (
    "Here is a long answer, so you can try interrupting me. "
    "Once upon a time there was a small team that answered every phone call by hand. "
    "They wrote every request on paper notes that covered the walls of their office. "
    "One day they built an assistant that listened, wrote the notes for them, "
    "and passed the hard calls to a person. "
    "The assistant learned to stop talking the moment someone spoke over it. "
    "And the team finally had time to read all the notes on the walls."
)


DEV_QUEUES = {"general": "400", "support": "401", "sales": "402"}
"""The dev PBX's department queues."""


class StandInAgent:
    """Deterministic replies after a fixed delay; remembers what was heard."""

    sensitive = False

    def __init__(self, first_token_delay_s: float = 0.3) -> None:
        self.delay = first_token_delay_s
        self.history: list[tuple[str, str]] = []

    async def turn(self, text: str) -> AsyncIterator[AgentOutput]:
        """Reply to ``text`` sentence by sentence."""
        await asyncio.sleep(self.delay)
        lowered = text.lower()
        if "goodbye" in lowered or "bye bye" in lowered:
            reply = "Goodbye!"
            self.history.append((text, reply))
            yield Say(reply)
            yield TurnEnd(hangup=True)
            return
        if "tool" in lowered:  # a stand-in for a tool that hits its deadline
            reply = "Sorry, that is taking too long. It may still complete; please check later."
            self.history.append((text, reply))
            yield ToolUsed("slow_tool", False, 8.0, "timeout")
            yield Say(reply)
            yield TurnEnd(error="timeout")
            return
        if "human" in lowered or "person" in lowered:
            name = next((d for d in DEV_QUEUES if d in lowered), "general")
            reply = f"Connecting you to {name}."
            self.history.append((text, reply))
            yield ToolUsed("transfer_to_department", True, 0.0)  # as the real agent does
            yield Say(reply)
            summary = f"The caller asked for {name}. They said: {text.strip()}"
            yield TurnEnd(transfer=TransferRequest(name, DEV_QUEUES[name], summary))
            return
        reply = LONG_STORY if "long" in lowered else f"You said: {text.strip()}"
        self.history.append((text, reply))
        for sentence in _sentences(reply):
            yield Say(sentence)
        yield TurnEnd()

    def record_heard(self, text: str) -> None:
        """Replace the last reply with what the caller heard of it."""
        if self.history:
            said, _ = self.history[-1]
            self.history[-1] = (said, text)

    async def close(self) -> None:
        """Nothing to release."""


def _sentences(text: str) -> list[str]:
    out, current = [], ""
    for ch in text:
        current += ch
        if ch in ".!?" and len(current.strip()) > 1:
            out.append(current.strip())
            current = ""
    if current.strip():
        out.append(current.strip())
    return out
