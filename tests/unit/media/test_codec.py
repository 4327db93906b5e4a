"""G.711, framing and resampling: pure functions checked with plain asserts and hypothesis."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ari_app.media import codec

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    audioop = pytest.importorskip("audioop")

ALL_SAMPLES = np.arange(-32768, 32768, dtype=np.int16).tobytes()
pcm_bytes = st.lists(st.integers(-32768, 32767), max_size=400).map(
    lambda xs: np.array(xs, dtype=np.int16).tobytes()
)


def test_ulaw_matches_the_reference_for_every_sample() -> None:
    assert codec.ulaw_encode(ALL_SAMPLES) == audioop.lin2ulaw(ALL_SAMPLES, 2)
    codes = bytes(range(256))
    assert codec.ulaw_decode(codes) == audioop.ulaw2lin(codes, 2)


def test_alaw_matches_the_reference_for_every_sample() -> None:
    assert codec.alaw_encode(ALL_SAMPLES) == audioop.lin2alaw(ALL_SAMPLES, 2)
    codes = bytes(range(256))
    assert codec.alaw_decode(codes) == audioop.alaw2lin(codes, 2)


def test_g711_known_values() -> None:
    silence = bytes(4)
    assert codec.ulaw_encode(silence) == b"\xff\xff"
    assert codec.alaw_encode(silence) == b"\xd5\xd5"
    assert codec.ulaw_decode(b"\xff") == bytes(2)


@given(pcm_bytes)
def test_ulaw_round_trip_error_is_within_one_step(pcm: bytes) -> None:
    back = codec.pcm16_to_array(codec.ulaw_decode(codec.ulaw_encode(pcm))).astype(np.int32)
    orig = codec.pcm16_to_array(pcm).astype(np.int32)
    # μ-law step at magnitude m is about m/16; allow that plus the bias near zero
    assert np.all(np.abs(back - orig) <= np.abs(orig) / 15 + 140)


@given(pcm_bytes)
def test_encode_is_idempotent_after_one_round_trip(pcm: bytes) -> None:
    once = codec.ulaw_encode(pcm)
    assert codec.ulaw_encode(codec.ulaw_decode(once)) == once
    once_a = codec.alaw_encode(pcm)
    assert codec.alaw_encode(codec.alaw_decode(once_a)) == once_a


def test_odd_byte_count_is_rejected() -> None:
    with pytest.raises(codec.CodecError):
        codec.ulaw_encode(b"\x00\x01\x02")
    with pytest.raises(codec.CodecError):
        codec.resample(b"\x00", 8000, 16000)


def test_byteswap() -> None:
    assert codec.byteswap16(b"\x01\x02\x03\x04") == b"\x02\x01\x04\x03"


def test_float_conversion_round_trip_and_clipping() -> None:
    pcm = np.array([0, 1000, -1000, 32767, -32768], dtype=np.int16).tobytes()
    f = codec.pcm16_to_float32(pcm)
    assert f.dtype == np.float32
    assert f[0] == 0.0 and f[4] == -1.0
    back = codec.pcm16_to_array(codec.float32_to_pcm16(f))
    assert np.all(np.abs(back.astype(int) - codec.pcm16_to_array(pcm).astype(int)) <= 1)
    clipped = codec.pcm16_to_array(codec.float32_to_pcm16(np.array([2.0, -2.0])))
    assert list(clipped) == [32767, -32768]


def test_frame_sizes() -> None:
    assert codec.frame_size(16000, 20) == 640
    assert codec.frame_size(8000, 20, sample_width=1) == 160
    assert codec.frame_size(16000, 30) == 960
    with pytest.raises(codec.CodecError):
        codec.frame_size(22050, 1)  # 22.05 samples
    assert codec.duration_ms(640, 16000) == 20.0
    assert len(codec.silence(20, 16000)) == 640


@given(st.binary(max_size=3000), st.integers(1, 700))
def test_split_and_join_frames(data: bytes, size: int) -> None:
    frames, rest = codec.split_frames(data, size)
    assert all(len(f) == size for f in frames)
    assert len(rest) < size
    assert codec.join_frames(frames) + rest == data


@given(st.lists(st.binary(max_size=900), max_size=20), st.integers(1, 700))
def test_frame_assembler_reframes_any_chunking(chunks: list[bytes], size: int) -> None:
    fa = codec.FrameAssembler(size)
    frames: list[bytes] = []
    for c in chunks:
        frames.extend(fa.push(c))
    data = b"".join(chunks)
    assert all(len(f) == size for f in frames)
    tail = fa.flush(pad=False)
    assert b"".join(frames) + (tail or b"") == data
    assert fa.pending == 0


def test_frame_assembler_pads_and_clears() -> None:
    fa = codec.FrameAssembler(4)
    assert fa.push(b"abcdef") == [b"abcd"]
    assert fa.flush() == b"ef\x00\x00"
    assert fa.flush() is None
    fa.push(b"xy")
    fa.clear()
    assert fa.pending == 0


def _tone(rate: int, hz: float = 440.0, seconds: float = 0.5) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * hz * t) * 12000).astype(np.int16).tobytes()


@pytest.mark.parametrize(
    ("src", "dst"),
    [(8000, 16000), (16000, 8000), (22050, 16000), (24000, 16000), (22050, 8000), (16000, 24000)],
)
def test_resample_keeps_duration_and_pitch(src: int, dst: int) -> None:
    out = codec.resample(_tone(src), src, dst)
    assert abs(len(out) // 2 - dst // 2) <= 2
    samples = codec.pcm16_to_array(out).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = np.argmax(spectrum) * dst / len(samples)
    assert abs(peak_hz - 440.0) < 5.0


def test_resample_same_rate_is_identity() -> None:
    pcm = _tone(16000)
    assert codec.resample(pcm, 16000, 16000) == pcm


@pytest.mark.parametrize("chunk", [2, 320, 322, 1000, 4096])
def test_stream_resampler_matches_one_shot(chunk: int) -> None:
    pcm = _tone(8000, seconds=1.0)
    r = codec.StreamResampler(8000, 16000)
    out = b"".join(r.process(pcm[i : i + chunk]) for i in range(0, len(pcm), chunk))
    out += r.flush()
    whole = codec.resample(pcm, 8000, 16000)
    assert abs(len(out) - len(whole)) <= 4
    a = codec.pcm16_to_array(out)[1000:15000].astype(int)
    b = codec.pcm16_to_array(whole)[1000:15000].astype(int)
    assert np.max(np.abs(a - b)) < 50


def test_stream_resampler_same_rate_passthrough_and_reset() -> None:
    r = codec.StreamResampler(16000, 16000)
    assert r.process(b"\x01\x00") == b"\x01\x00"
    r2 = codec.StreamResampler(16000, 8000)
    r2.process(_tone(16000))
    r2.reset()
    assert r2.flush() == b""


def test_resample_float32() -> None:
    f = np.sin(np.arange(22050) / 10).astype(np.float32)
    out = codec.resample_float32(f, 22050, 16000)
    assert out.dtype == np.float32 and abs(len(out) - 16000) <= 2
    with pytest.raises(codec.CodecError):
        codec.resample_float32(f, 0, 16000)
