"""Audio codecs, framing and resampling: pure functions, bytes in and bytes out.

Conventions: PCM is signed 16-bit little-endian mono ("s16le", Asterisk's ``slin``/``slin16``
over chan_websocket); G.711 is one byte per sample. μ-law and A-law use lookup tables built
once with numpy (``audioop`` is gone from Python 3.13): decoding indexes a 256-entry table,
encoding a 65 536-entry table indexed by the sample's unsigned 16-bit pattern. The encoders
follow the ITU-T G.711 reference (Sun's ``g711.c``); decode(encode(x)) is within one
quantisation step of ``x``.

Resampling uses libsoxr (``soxr``). :class:`StreamResampler` keeps the filter state between
chunks, so a stream cut into arbitrary pieces resamples to (nearly) the same samples as the
whole; :func:`resample` is the one-shot form for a complete utterance.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import soxr

SAMPLE_WIDTH: Final = 2
"""Bytes per s16le sample."""
SUPPORTED_RATES: Final = (8000, 16000, 22050, 24000)
"""Sample rates Switchboard meets: telephony 8/16 kHz, Piper 22.05 kHz, OpenAI TTS 24 kHz."""

Int16Array = npt.NDArray[np.int16]
Float32Array = npt.NDArray[np.float32]
Quality = Literal["QQ", "LQ", "MQ", "HQ", "VHQ"]


class CodecError(ValueError):
    """Malformed audio input (odd byte count, bad rate, bad frame size)."""


# --- G.711 tables ------------------------------------------------------------------------

_ULAW_BIAS: Final = 0x84
_ULAW_CLIP14: Final = 8159  # the reference coder works on 14-bit magnitudes


def _all_int16() -> npt.NDArray[np.int32]:
    """Every int16 value, ordered by its unsigned 16-bit pattern (the encode-table index)."""
    return np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.int16).astype(np.int32)


def _bit_length(values: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """Position of the highest set bit + 1 (0 for 0), element-wise, for values < 2**16."""
    out = np.zeros_like(values)
    for bit in range(16):
        out = np.where(values >= (1 << bit), bit + 1, out)
    return out


def _build_ulaw_encode() -> npt.NDArray[np.uint8]:
    pcm = _all_int16() >> 2  # 14-bit, as the reference coder (and audioop) do
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    mag = np.minimum(np.abs(pcm), _ULAW_CLIP14) + (_ULAW_BIAS >> 2)
    seg = np.maximum(_bit_length(mag) - 6, 0)  # 0..8; 8 means "beyond the last segment"
    uval = (np.minimum(seg, 7) << 4) | ((mag >> (seg + 1)) & 0x0F)
    uval = np.where(seg >= 8, 0x7F, uval)
    return ((uval ^ mask) & 0xFF).astype(np.uint8)


def _build_ulaw_decode() -> Int16Array:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    t = (((u & 0x0F) << 3) + _ULAW_BIAS) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, _ULAW_BIAS - t, t - _ULAW_BIAS).astype(np.int16)


def _build_alaw_encode() -> npt.NDArray[np.uint8]:
    pcm = _all_int16() >> 3  # 13-bit
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    mag = np.where(pcm >= 0, pcm, -pcm - 1)
    seg = _bit_length(mag >> 5)  # 0..8; 8 means "beyond the last segment"
    shift = np.where(seg < 2, 1, seg)
    aval = (np.minimum(seg, 7) << 4) | ((mag >> shift) & 0x0F)
    aval = np.where(seg >= 8, 0x7F, aval)
    return ((aval ^ mask) & 0xFF).astype(np.uint8)


def _build_alaw_decode() -> Int16Array:
    a = np.arange(256, dtype=np.int32) ^ 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    t = np.where(seg == 0, t + 8, t + 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    return np.where(a & 0x80, t, -t).astype(np.int16)


_ULAW_ENC: Final = _build_ulaw_encode()
_ULAW_DEC: Final = _build_ulaw_decode()
_ALAW_ENC: Final = _build_alaw_encode()
_ALAW_DEC: Final = _build_alaw_decode()


def _samples(pcm: bytes) -> Int16Array:
    """View s16le bytes as int16 samples (copy-free on little-endian hosts)."""
    if len(pcm) % SAMPLE_WIDTH:
        raise CodecError(f"s16le audio needs an even byte count, got {len(pcm)}")
    arr = np.frombuffer(pcm, dtype="<i2")
    return arr if sys.byteorder == "little" else arr.astype(np.int16)


def pcm16_to_array(pcm: bytes) -> Int16Array:
    """s16le bytes → int16 numpy array (read-only view when possible)."""
    return _samples(pcm)


def array_to_pcm16(samples: npt.ArrayLike) -> bytes:
    """int16-valued array → s16le bytes (values are clipped to the int16 range)."""
    arr = np.asarray(samples)
    if arr.dtype != np.int16:
        arr = np.clip(arr, -32768, 32767).astype(np.int16)
    return arr.astype("<i2", copy=False).tobytes()


def ulaw_decode(data: bytes) -> bytes:
    """G.711 μ-law bytes → s16le PCM (two bytes per input byte)."""
    codes = np.frombuffer(data, dtype=np.uint8)
    return array_to_pcm16(_ULAW_DEC[codes])


def ulaw_encode(pcm: bytes) -> bytes:
    """s16le PCM → G.711 μ-law bytes (one byte per sample)."""
    return _ULAW_ENC[_samples(pcm).view(np.uint16)].tobytes()


def alaw_decode(data: bytes) -> bytes:
    """G.711 A-law bytes → s16le PCM."""
    codes = np.frombuffer(data, dtype=np.uint8)
    return array_to_pcm16(_ALAW_DEC[codes])


def alaw_encode(pcm: bytes) -> bytes:
    """s16le PCM → G.711 A-law bytes."""
    return _ALAW_ENC[_samples(pcm).view(np.uint16)].tobytes()


def byteswap16(pcm: bytes) -> bytes:
    """Swap the bytes of each 16-bit sample (slin over RTP is big-endian)."""
    return _samples(pcm).byteswap().tobytes()


# --- float32 <-> s16 -----------------------------------------------------------------------


def pcm16_to_float32(pcm: bytes) -> Float32Array:
    """s16le bytes → float32 samples in [-1, 1) (what Whisper and Silero take)."""
    return _samples(pcm).astype(np.float32) / np.float32(32768.0)


def float32_to_pcm16(samples: npt.ArrayLike) -> bytes:
    """float samples in [-1, 1] → s16le bytes, clipped, rounded to nearest."""
    arr = np.asarray(samples, dtype=np.float32)
    scaled = np.clip(np.rint(arr * 32767.0), -32768, 32767).astype(np.int16)
    return array_to_pcm16(scaled)


# --- framing -------------------------------------------------------------------------------


def frame_size(rate: int, ptime_ms: int = 20, sample_width: int = SAMPLE_WIDTH) -> int:
    """Bytes in one frame of ``ptime_ms`` at ``rate`` (slin16 20 ms: 640; ulaw 20 ms: 160)."""
    if rate <= 0 or ptime_ms <= 0 or sample_width <= 0:
        raise CodecError(f"bad frame parameters rate={rate} ptime={ptime_ms}")
    samples, rem = divmod(rate * ptime_ms, 1000)
    if rem:
        raise CodecError(f"{ptime_ms} ms at {rate} Hz is not a whole number of samples")
    return samples * sample_width


def duration_ms(nbytes: int, rate: int, sample_width: int = SAMPLE_WIDTH) -> float:
    """Duration in milliseconds of ``nbytes`` of audio."""
    return nbytes / sample_width / rate * 1000.0


def silence(ms: float, rate: int, sample_width: int = SAMPLE_WIDTH) -> bytes:
    """``ms`` milliseconds of digital silence (zeros) as s16le."""
    return bytes(round(rate * ms / 1000.0) * sample_width)


def split_frames(data: bytes, size: int) -> tuple[list[bytes], bytes]:
    """Cut ``data`` into whole frames of ``size`` bytes; return (frames, leftover)."""
    if size <= 0:
        raise CodecError(f"frame size must be positive, got {size}")
    whole = len(data) - len(data) % size
    return [data[i : i + size] for i in range(0, whole, size)], data[whole:]


def join_frames(frames: Iterable[bytes]) -> bytes:
    """Concatenate frames back into one buffer."""
    return b"".join(frames)


class FrameAssembler:
    """Re-frames a byte stream of arbitrary chunk sizes into fixed-size frames.

    >>> fa = FrameAssembler(4)
    >>> fa.push(b"abcdef")
    [b'abcd']
    >>> fa.flush(pad=True)
    b'ef\\x00\\x00'
    """

    def __init__(self, size: int) -> None:
        if size <= 0:
            raise CodecError(f"frame size must be positive, got {size}")
        self.size = size
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held back, waiting for a whole frame."""
        return len(self._buf)

    def push(self, data: bytes) -> list[bytes]:
        """Add bytes; return every whole frame now available."""
        self._buf += data
        whole = len(self._buf) - len(self._buf) % self.size
        frames = [bytes(self._buf[i : i + self.size]) for i in range(0, whole, self.size)]
        del self._buf[:whole]
        return frames

    def flush(self, pad: bool = True) -> bytes | None:
        """Return the partial frame (zero-padded to a full frame if ``pad``), or None."""
        if not self._buf:
            return None
        out = bytes(self._buf)
        self._buf.clear()
        return out + bytes(self.size - len(out)) if pad else out

    def clear(self) -> None:
        """Drop whatever is held back (e.g. on barge-in)."""
        self._buf.clear()


# --- resampling ----------------------------------------------------------------------------


def _check_rate(rate: int) -> None:
    if rate <= 0:
        raise CodecError(f"sample rate must be positive, got {rate}")


def resample(pcm: bytes, in_rate: int, out_rate: int, quality: Quality = "HQ") -> bytes:
    """Resample a complete s16le buffer from ``in_rate`` to ``out_rate``."""
    _check_rate(in_rate)
    _check_rate(out_rate)
    if in_rate == out_rate or not pcm:
        _samples(pcm)
        return bytes(pcm)
    out = soxr.resample(_samples(pcm), in_rate, out_rate, quality=quality)
    return array_to_pcm16(out)


def resample_float32(
    samples: npt.ArrayLike, in_rate: int, out_rate: int, quality: Quality = "HQ"
) -> Float32Array:
    """Resample float32 samples (e.g. Piper's 22 050 Hz output) to ``out_rate``."""
    _check_rate(in_rate)
    _check_rate(out_rate)
    arr = np.ascontiguousarray(samples, dtype=np.float32)
    if in_rate == out_rate or arr.size == 0:
        return arr
    return np.asarray(soxr.resample(arr, in_rate, out_rate, quality=quality), dtype=np.float32)


class StreamResampler:
    """Streaming s16le resampler: feed chunks of any (even) size, get resampled bytes.

    The filter delays output slightly; call :meth:`process` with ``last=True`` (or
    :meth:`flush`) at the end of a stream to drain it. Not thread-safe; one per stream.
    """

    def __init__(self, in_rate: int, out_rate: int, quality: Quality = "HQ") -> None:
        _check_rate(in_rate)
        _check_rate(out_rate)
        self.in_rate = in_rate
        self.out_rate = out_rate
        self.quality: Quality = quality
        self._stream = self._new_stream()

    def _new_stream(self) -> soxr.ResampleStream | None:
        if self.in_rate == self.out_rate:
            return None
        return soxr.ResampleStream(
            self.in_rate, self.out_rate, 1, dtype="int16", quality=self.quality
        )

    def process(self, pcm: bytes, last: bool = False) -> bytes:
        """Resample the next chunk; ``last=True`` also drains the filter."""
        samples = _samples(pcm)
        if self._stream is None:
            return bytes(pcm)
        out = self._stream.resample_chunk(samples, last=last)
        return array_to_pcm16(out)

    def flush(self) -> bytes:
        """Drain the filter at the end of a stream and start afresh."""
        out = self.process(b"", last=True)
        self.reset()
        return out

    def reset(self) -> None:
        """Forget the filter state (a new utterance, or after barge-in)."""
        self._stream = self._new_stream()
