"""16-bit PCM WAV in memory: read (also espeak-ng's streamed output, whose header gives
no length), write, measure (length, loudness) and scale for the volume setting."""

from __future__ import annotations

import io
import math
import struct
import sys
import wave
from array import array
from dataclasses import dataclass

__all__ = ["Pcm", "WavError", "read_wav"]


class WavError(ValueError):
    """The bytes are not a 16-bit PCM WAV this module can read."""


@dataclass(frozen=True, slots=True)
class Pcm:
    rate: int  # frames per second
    channels: int
    samples: bytes  # signed 16-bit little-endian, interleaved

    @property
    def frames(self) -> int:
        return len(self.samples) // (2 * self.channels)

    @property
    def seconds(self) -> float:
        return self.frames / self.rate if self.rate else 0.0

    def rms(self) -> float:
        """Loudness as the root mean square of the samples, 0 (silence) to 32767."""
        values = _int16(self.samples)
        if not values:
            return 0.0
        return math.sqrt(sum(v * v for v in values) / len(values))

    def scaled(self, volume: int) -> Pcm:
        """The same sound at volume percent (0-100) of its level."""
        if not 0 <= volume <= 100:
            raise ValueError(f"volume must be from 0 to 100, not {volume}")
        if volume == 100:
            return self
        values = _int16(self.samples)
        scaled = array("h", (v * volume // 100 for v in values))
        return Pcm(self.rate, self.channels, _bytes_le(scaled))

    def to_wav(self) -> bytes:
        out = io.BytesIO()
        with wave.open(out, "wb") as writer:
            writer.setnchannels(self.channels)
            writer.setsampwidth(2)
            writer.setframerate(self.rate)
            writer.writeframes(self.samples)
        return out.getvalue()


def read_wav(data: bytes) -> Pcm:
    """Parse a RIFF/WAVE file of 16-bit PCM. A data chunk whose declared size runs past
    the end (as when a program streams the WAV to a pipe) is taken to the end."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError("not a WAV file")
    offset = 12
    rate = channels = bits = 0
    while offset + 8 <= len(data):
        chunk, size = struct.unpack_from("<4sI", data, offset)
        body = offset + 8
        if chunk == b"fmt ":
            if size < 16 or body + 16 > len(data):
                raise WavError("the WAV format chunk is too short")
            fmt, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if fmt != 1 or bits != 16 or channels < 1 or rate < 1:
                raise WavError("only 16-bit PCM WAV is supported")
        elif chunk == b"data":
            if not rate:
                raise WavError("the WAV data comes before its format")
            end = min(body + size, len(data))
            samples = data[body:end]
            frame = 2 * channels
            return Pcm(rate, channels, samples[: len(samples) - len(samples) % frame])
        offset = body + size + (size & 1)
    raise WavError("the WAV file has no sound data")


def _int16(samples: bytes) -> array[int]:
    values = array("h")
    values.frombytes(samples)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _bytes_le(values: array[int]) -> bytes:
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()
