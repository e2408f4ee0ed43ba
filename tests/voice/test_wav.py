"""Reading, measuring and scaling the WAV that the engine streams out."""

from __future__ import annotations

import math
import struct

import pytest

from pos_app.voice.wav import Pcm, WavError, read_wav


def _tone(seconds: float = 0.5, rate: int = 8000, level: float = 0.5) -> Pcm:
    count = int(seconds * rate)
    samples = b"".join(
        struct.pack("<h", int(level * 32767 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(count)
    )
    return Pcm(rate, 1, samples)


def test_round_trip_length_and_loudness() -> None:
    tone = _tone()
    again = read_wav(tone.to_wav())
    assert again == tone
    assert again.seconds == pytest.approx(0.5)
    assert again.rms() == pytest.approx(0.5 * 32767 / math.sqrt(2), rel=0.01)


def test_a_streamed_header_without_a_length_is_read_to_the_end() -> None:
    wav = bytearray(_tone().to_wav())
    data_at = wav.index(b"data")
    wav[4:8] = struct.pack("<I", 0xFFFFFFFF)
    wav[data_at + 4 : data_at + 8] = struct.pack("<I", 0x7FFFFFFF)
    assert read_wav(bytes(wav)).frames == 4000


def test_volume_scales_the_loudness() -> None:
    tone = _tone()
    assert tone.scaled(50).rms() == pytest.approx(tone.rms() / 2, rel=0.01)
    assert tone.scaled(0).rms() == 0
    assert tone.scaled(100) is tone
    with pytest.raises(ValueError):
        tone.scaled(101)


def test_silence_has_no_loudness() -> None:
    assert Pcm(8000, 1, bytes(1600)).rms() == 0
    assert Pcm(8000, 1, b"").rms() == 0


@pytest.mark.parametrize(
    "data",
    [b"", b"RIFF\0\0\0\0WAVE", b"not a wav file at all", _tone().to_wav()[:30]],
)
def test_what_is_not_a_wav_is_refused(data: bytes) -> None:
    with pytest.raises(WavError):
        read_wav(data)


def test_eight_bit_wav_is_refused() -> None:
    wav = bytearray(_tone().to_wav())
    fmt = wav.index(b"fmt ") + 8
    wav[fmt + 14 : fmt + 16] = struct.pack("<H", 8)
    with pytest.raises(WavError, match="16-bit"):
        read_wav(bytes(wav))
