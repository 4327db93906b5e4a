"""What the caller's answer to one of the call's own questions means (callback offer, reminder
call-out): the agent's answer reader, reached through one narrow port.

The dialogs keep their keys (1 for yes, 2 for no, ...) to themselves; spoken answers go to the
agent's :class:`~agent.understanding.answers.AnswerReader`, which understands them by meaning.
A dialog with no reader (or a reader that fails) treats words as unclear and asks again,
offering keys.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from switchboard.settings import Settings

UNCLEAR = "unclear"


class Answers(Protocol):
    """Reads an answer: one of the dialog's labels (``unclear`` when it is none)."""

    async def read(self, dialog: str, question: str, said: str) -> str:
        """The label ``said`` means as an answer to ``question``."""
        ...


AnswersFactory = Callable[[], Awaitable[Answers]]
"""Gets the reader when a dialog first needs one (the model starts only then)."""


def shared_answers(settings: Settings) -> AnswersFactory:
    """The agent's answer reader (a trained classifier: no model needs to run for it)."""

    async def get() -> Answers:
        from agent.understanding.answers import AnswerReader

        return AnswerReader()

    return get


async def read_answer(answers: AnswersFactory | None, dialog: str, question: str, said: str) -> str:
    """The label of ``said``, or ``unclear`` when there is no reader or it cannot answer."""
    if answers is None or not said.strip():
        return UNCLEAR
    try:
        reader = await answers()
        return await reader.read(dialog, question, said)
    except Exception:  # no model: the dialog asks again and offers keys
        return UNCLEAR
