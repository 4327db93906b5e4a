"""OpenAI-compatible STT/TTS adapters against a local aiohttp stand-in server."""

from __future__ import annotations

import io
import wave
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from aiohttp import web

from ari_app.speech.ports import SttError, TtsError
from ari_app.speech.stt_openai import OpenAiStt
from ari_app.speech.tts_openai import OpenAiTts


class StandIn:
    """Records requests; answers like the OpenAI audio endpoints."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_with: int | None = None

    async def transcriptions(self, request: web.Request) -> web.Response:
        if self.fail_with:
            return web.Response(status=self.fail_with, text="nope")
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        with wave.open(io.BytesIO(upload.file.read())) as w:
            frames = w.getnframes()
            rate = w.getframerate()
        self.requests.append(
            {"auth": request.headers.get("Authorization"), "model": form["model"], "rate": rate}
        )
        text = "Transfer me to sales." if frames else ""
        return web.json_response({"text": text})

    async def speech(self, request: web.Request) -> web.StreamResponse:
        if self.fail_with:
            return web.Response(status=self.fail_with, text="nope")
        body = await request.json()
        self.requests.append(body)
        resp = web.StreamResponse()
        await resp.prepare(request)
        tone = (np.sin(np.arange(24000) / 5) * 8000).astype(np.int16).tobytes()  # 1 s at 24k
        for i in range(0, len(tone), 1001):  # odd-sized pieces, like a real network
            await resp.write(tone[i : i + 1001])
        await resp.write_eof()
        return resp


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[str, StandIn]]:
    state = StandIn()
    app = web.Application()
    app.router.add_post("/v1/audio/transcriptions", state.transcriptions)
    app.router.add_post("/v1/audio/speech", state.speech)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/v1", state
    finally:
        await runner.cleanup()


async def test_stt_sends_wav_and_reads_text(stand_in: tuple[str, StandIn]) -> None:
    url, state = stand_in
    stt = OpenAiStt(url, "sk-test", "whisper-1")
    result = await stt.transcribe(bytes(32000))
    assert result.understood and result.text == "Transfer me to sales."
    assert state.requests == [{"auth": "Bearer sk-test", "model": "whisper-1", "rate": 16000}]


async def test_stt_empty_text_is_not_understood(stand_in: tuple[str, StandIn]) -> None:
    url, _ = stand_in
    result = await OpenAiStt(url, None).transcribe(b"")
    assert not result.understood


@pytest.mark.parametrize(("status", "code"), [(500, "stt_unavailable"), (401, "stt_failed")])
async def test_stt_http_errors_have_stable_codes(
    stand_in: tuple[str, StandIn], status: int, code: str
) -> None:
    url, state = stand_in
    state.fail_with = status
    with pytest.raises(SttError) as err:
        await OpenAiStt(url, None).transcribe(bytes(3200))
    assert err.value.code == code


async def test_stt_unreachable_endpoint() -> None:
    with pytest.raises(SttError) as err:
        await OpenAiStt("http://127.0.0.1:9/v1", None, timeout_s=2).transcribe(bytes(3200))
    assert err.value.code == "stt_unavailable"


async def test_tts_streams_resampled_pcm_per_sentence(stand_in: tuple[str, StandIn]) -> None:
    url, state = stand_in
    tts = OpenAiTts(url, "sk-test", "tts-1", "alloy")
    chunks = [c async for c in tts.synthesize("Hello there. How are you?", 16000)]
    assert [r["input"] for r in state.requests] == ["Hello there.", "How are you?"]
    assert all(r["response_format"] == "pcm" for r in state.requests)
    assert all(c.sample_rate == 16000 and len(c.pcm) % 2 == 0 for c in chunks)
    per_sentence = sum(len(c.pcm) for c in chunks if c.text == "Hello there.")
    assert abs(per_sentence - 32000) <= 64  # 1 s at 16 kHz


async def test_tts_errors_have_stable_codes(stand_in: tuple[str, StandIn]) -> None:
    url, state = stand_in
    state.fail_with = 503
    with pytest.raises(TtsError) as err:
        _ = [c async for c in OpenAiTts(url, None).synthesize("Hello.")]
    assert err.value.code == "tts_unavailable"
    with pytest.raises(TtsError):
        _ = [c async for c in OpenAiTts(url, None).synthesize('{"json": true}')]
