"""The chat model behind one interface: any OpenAI-compatible endpoint via langchain-openai.

Presets (``switchboard.settings.AGENT_PRESETS``) give OpenAI, SambaNova Cloud, vLLM and
Ollama their usual base URLs and models; ``local`` is the bundled model served by
:class:`agent.llm_server.LocalModelServer`, whose URL is known once it has started.
Temperature 0, no client retries (the turn budget decides), replies capped for speech.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from switchboard.settings import AgentSettings

MAX_REPLY_TOKENS = 200


def chat_model(agent: AgentSettings, base_url: str | None = None) -> BaseChatModel:
    """A streaming chat model for ``agent`` (``base_url`` overrides the preset's)."""
    url = base_url or agent.effective_base_url
    if not url:
        raise ValueError("the local provider needs its server's URL (start LocalModelServer)")
    key = agent.api_key or SecretStr("not-needed")
    return ChatOpenAI(
        model=agent.effective_model,
        base_url=url,
        api_key=key,
        temperature=0.0,
        max_completion_tokens=MAX_REPLY_TOKENS,
        timeout=agent.request_timeout_s,
        max_retries=0,
        streaming=True,
    )
