"""TTS through an OpenAI-compatible ``POST {base}/audio/speech`` endpoint (aiohttp).

Asks for ``response_format=pcm`` (raw s16le mono at 24 kHz, OpenAI's format), one request per
sentence so the first sentence plays while later ones are synthesised, and streams each
response body through a soxr resampler to the call's rate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp

from ari_app.media.codec import StreamResampler
from ari_app.speech.ports import SpeechErrorCode, TtsChunk, TtsError
from switchboard.text.sentences import SplitterConfig, split_sentences

OPENAI_PCM_RATE = 24000
"""Sample rate of OpenAI's ``pcm`` response format."""


class OpenAiTts:
    """Implements ``TextToSpeech`` against an OpenAI-compatible speech endpoint."""

    backend = "openai"

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str = "tts-1",
        voice: str = "alloy",
        *,
        source_rate: int = OPENAI_PCM_RATE,
        timeout_s: float = 15.0,
        chunk_ms: float = 100.0,
        session: aiohttp.ClientSession | None = None,
        splitter: SplitterConfig | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/audio/speech"
        self.model = model
        self.voice = voice
        self.source_rate = source_rate
        self._chunk_bytes = max(2, int(source_rate * chunk_ms / 1000) * 2)
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session = session
        self._splitter = splitter or SplitterConfig()

    async def synthesize(
        self, text: str, sample_rate: int = 16000, *, urgent: bool = False
    ) -> AsyncIterator[TtsChunk]:
        """Yield s16le chunks at ``sample_rate``, sentence by sentence."""
        pieces = split_sentences(text, self._splitter)
        if not pieces and text.strip():
            raise TtsError(SpeechErrorCode.TTS_BAD_TEXT, "nothing speakable in the text")
        if not pieces:
            return
        own = self._session is None
        session = self._session or aiohttp.ClientSession()
        try:
            for piece in pieces:
                async for chunk in self._speak(session, piece, sample_rate):
                    yield chunk
        finally:
            if own:
                await session.close()

    async def _speak(
        self, session: aiohttp.ClientSession, piece: str, sample_rate: int
    ) -> AsyncIterator[TtsChunk]:
        body = {
            "model": self.model,
            "voice": self.voice,
            "input": piece,
            "response_format": "pcm",
        }
        resampler = StreamResampler(self.source_rate, sample_rate)
        pending = b""
        try:
            async with session.post(
                self.url, json=body, headers=self._headers, timeout=self._timeout
            ) as resp:
                if resp.status >= 400:
                    detail = (await resp.text())[:200]
                    code = (
                        SpeechErrorCode.TTS_UNAVAILABLE
                        if resp.status >= 500
                        else SpeechErrorCode.TTS_FAILED
                    )
                    raise TtsError(code, f"HTTP {resp.status}: {detail}")
                async for data in resp.content.iter_chunked(self._chunk_bytes):
                    pending += data
                    whole = len(pending) - len(pending) % 2
                    if whole:
                        out = resampler.process(pending[:whole])
                        pending = pending[whole:]
                        if out:
                            yield TtsChunk(out, sample_rate, piece)
        except TimeoutError as exc:
            raise TtsError(SpeechErrorCode.TTS_TIMEOUT, self.url) from exc
        except aiohttp.ClientError as exc:
            raise TtsError(SpeechErrorCode.TTS_UNAVAILABLE, f"{self.url}: {exc}") from exc
        tail = resampler.flush()
        if tail:
            yield TtsChunk(tail, sample_rate, piece)
