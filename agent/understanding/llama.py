"""The local model's server (llama.cpp's OpenAI-compatible API) with grammar-constrained output.

llama.cpp accepts a GBNF ``grammar`` next to the chat messages and then samples only tokens
the grammar allows; ``cache_prompt`` (on by default) reuses the longest prefix it already has
in a slot, and a request goes to the slot whose cached prompt shares the most with it (or to
the slot ``slot`` names).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx

log = logging.getLogger(__name__)
WARM_UP_TIMEOUT_S = 600.0
"""Reading a fixed prompt for the first time (``max_tokens=1``) may take minutes on 2 cores."""


class LlamaModel:
    """Chat completions against one llama.cpp server (``base_url`` ends in ``/v1``)."""

    def __init__(
        self,
        base_url: str,
        *,
        slot: int | None = None,
        max_tokens: int = 120,
        timeout_s: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.slot = slot
        self.max_tokens = max_tokens
        self._http = httpx.AsyncClient(timeout=timeout_s)
        self.last_timings: dict[str, Any] = {}
        """llama.cpp's timings of the last streamed reply (prompt tokens read, cached, ...)."""

    def _body(
        self,
        messages: list[dict[str, str]],
        grammar: str | None,
        stream: bool,
        max_tokens: int | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "messages": messages,
            "temperature": 0.0,
            "max_tokens": max_tokens or self.max_tokens,
            "stream": stream,
            "cache_prompt": True,
        }
        if grammar:
            body["grammar"] = grammar
        if self.slot is not None:
            body["id_slot"] = self.slot
        return body

    async def stream(
        self, messages: list[dict[str, str]], grammar: str | None
    ) -> AsyncIterator[str]:
        """Text deltas of the reply as they are generated."""
        url = f"{self.base_url}/chat/completions"
        async with self._http.stream("POST", url, json=self._body(messages, grammar, True)) as r:
            r.raise_for_status()
            async for line in r.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                chunk = json.loads(data)
                if chunk.get("timings"):
                    self.last_timings = dict(chunk["timings"])
                    log.debug("model timings: %s", self.last_timings)
                for choice in chunk.get("choices") or ():
                    delta = (choice.get("delta") or {}).get("content")
                    if delta:
                        yield str(delta)

    async def complete(
        self, messages: list[dict[str, str]], grammar: str | None, max_tokens: int | None = None
    ) -> str:
        """The whole reply (at most ``max_tokens``, default the model's)."""
        url = f"{self.base_url}/chat/completions"
        body = self._body(messages, grammar, False, max_tokens)
        timeout = WARM_UP_TIMEOUT_S if max_tokens == 1 else httpx.USE_CLIENT_DEFAULT
        response = await self._http.post(url, json=body, timeout=timeout)
        response.raise_for_status()
        choices = response.json().get("choices") or [{}]
        return str((choices[0].get("message") or {}).get("content") or "")

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()
