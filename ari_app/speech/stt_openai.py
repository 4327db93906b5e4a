"""STT through an OpenAI-compatible ``POST {base}/audio/transcriptions`` endpoint (aiohttp).

The utterance is sent as a 16 kHz mono WAV in a multipart form; ``response_format=json``
gives ``{"text": ...}``. Works with OpenAI, and with servers that copy its API (vLLM,
speaches, LocalAI). No confidence comes back, so only empty text is "not understood".
"""

from __future__ import annotations

import io
import time
import wave

import aiohttp

from ari_app.speech.ports import (
    STT_SAMPLE_RATE,
    NotUnderstood,
    SpeechErrorCode,
    SttError,
    Transcript,
)


def wav_bytes(pcm: bytes, sample_rate: int) -> bytes:
    """Wrap s16le mono PCM in a WAV container."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm)
    return buf.getvalue()


class OpenAiStt:
    """Implements ``SpeechToText`` against an OpenAI-compatible endpoint."""

    backend = "openai"

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str = "whisper-1",
        *,
        language: str = "en",
        timeout_s: float = 15.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/audio/transcriptions"
        self.model = model
        self.language = language
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session = session

    async def transcribe(self, pcm16k: bytes) -> Transcript:
        """Send one utterance; raise :class:`SttError` on HTTP or network failure."""
        audio_ms = len(pcm16k) / 2 / STT_SAMPLE_RATE * 1000.0
        form = aiohttp.FormData()
        form.add_field("model", self.model)
        form.add_field("language", self.language)
        form.add_field("response_format", "json")
        form.add_field(
            "file",
            wav_bytes(pcm16k, STT_SAMPLE_RATE),
            filename="utterance.wav",
            content_type="audio/wav",
        )
        start = time.perf_counter()
        try:
            if self._session is not None:
                payload = await self._post(self._session, form)
            else:
                async with aiohttp.ClientSession() as session:
                    payload = await self._post(session, form)
        except TimeoutError as exc:
            raise SttError(SpeechErrorCode.STT_TIMEOUT, self.url) from exc
        except aiohttp.ClientError as exc:
            raise SttError(SpeechErrorCode.STT_UNAVAILABLE, f"{self.url}: {exc}") from exc
        elapsed_ms = (time.perf_counter() - start) * 1000.0
        text = str(payload.get("text", "")).strip()
        return Transcript(
            text=text,
            confidence=1.0 if text else 0.0,
            audio_ms=audio_ms,
            elapsed_ms=elapsed_ms,
            backend=self.backend,
            raw_text=text,
            rejected=None if text else NotUnderstood.EMPTY,
        )

    async def _post(
        self, session: aiohttp.ClientSession, form: aiohttp.FormData
    ) -> dict[str, object]:
        async with session.post(
            self.url, data=form, headers=self._headers, timeout=self._timeout
        ) as resp:
            if resp.status >= 400:
                body = (await resp.text())[:200]
                code = (
                    SpeechErrorCode.STT_UNAVAILABLE
                    if resp.status >= 500
                    else SpeechErrorCode.STT_FAILED
                )
                raise SttError(code, f"HTTP {resp.status}: {body}")
            data = await resp.json(content_type=None)
        if not isinstance(data, dict):
            raise SttError(SpeechErrorCode.STT_FAILED, "response is not a JSON object")
        return data
