"""Voice benchmark (a script, not a test): which speech engine, by measurement and licence.

Compares, on this machine, for English and Hindi:

* espeak-ng run as a child process (what the till uses): text -> complete WAV, and text ->
  first audio bytes when streamed; the speaker's say() -> player started; installed size;
  licence; which Indian languages have a voice.
* pre-rendered clips stitched like a soundbox: every word the till can say rendered once
  (here with espeak-ng, as a build step would), then joined per amount: size of the clip
  set, and the time to stitch an announcement.
* Qt's QTextToSpeech: whether PySide6 has it here and which engines it offers.

Target: the announcement starts within 300 ms of PAID on screen.

Run:  PYTHONPATH=. /work/main/.venv/bin/python tests/bench/bench_voice.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from pos_app.voice.engine import EspeakEngine, find_engine
from pos_app.voice.languages import LANGUAGES, Language
from pos_app.voice.phrases import Announcement
from pos_app.voice.speaker import Speaker
from pos_app.voice.wav import Pcm, read_wav

TARGET_MS = 300.0
AMOUNTS = {"short": 450_00, "long": 1_23_45_678_50}
INDIAN_VOICES = ("hi", "bn", "ta", "te", "mr", "kn", "gu", "ml", "pa", "or", "as", "ur")


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(0, int(len(values) * 0.95) - 1)]
    return f"median {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def size_of(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        elif path.exists():
            total += path.stat().st_size
    return total


def espeak_size() -> tuple[int, str]:
    listed = subprocess.run(
        ["dpkg", "-L", "espeak-ng", "libespeak-ng1", "espeak-ng-data", "libpcaudio0", "libsonic0"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    files = [Path(p) for p in listed if Path(p).is_file()]
    return size_of(files), f"{len(files)} files from the Debian packages"


def espeak_licence() -> str:
    copyright = Path("/usr/share/doc/espeak-ng/copyright")
    if not copyright.exists():
        return "unknown"
    text = copyright.read_text(errors="replace")
    return "GPL-3+" if "GPL-3" in text else text.splitlines()[0]


def first_audio(engine: EspeakEngine, text: str, lang: Language) -> float:
    """Text -> the first 2,048 bytes of sound on espeak-ng's stdout (streamed)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        engine.argv(lang), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(text.encode())
    child.stdin.close()
    got = 0
    while got < 44 + 2048:
        chunk = child.stdout.read1(4096)
        if not chunk:
            break
        got += len(chunk)
    elapsed = time.perf_counter() - started
    child.stdout.read()
    child.wait()
    return elapsed


def bench_espeak(engine: EspeakEngine, runs: int) -> None:
    version = subprocess.run([engine.program, "--version"], capture_output=True, text=True).stdout
    size, how = espeak_size()
    voices = subprocess.run([engine.program, "--voices"], capture_output=True, text=True).stdout
    codes = {line.split()[1] for line in voices.splitlines()[1:] if len(line.split()) > 1}
    print(f"== espeak-ng ({version.strip()})")
    print(f"licence: {espeak_licence()} (run as a separate program: the till does not link it)")
    print(f"installed size: {size / 1e6:.1f} MB ({how}); all {len(codes)} languages included")
    have = [c for c in INDIAN_VOICES if c in codes]
    print(f"Indian-language voices: {', '.join(have)} (missing: {', '.join(sorted(set(INDIAN_VOICES) - set(have))) or 'none'})")
    for code in ("en", "hi"):
        lang = LANGUAGES[code]
        for label, paise in AMOUNTS.items():
            text = Announcement("bench", paise, late=False).text(lang)
            full: list[float] = []
            first: list[float] = []
            pcm = engine.render(text, lang)
            for _ in range(runs):
                started = time.perf_counter()
                engine.render(text, lang)
                full.append(time.perf_counter() - started)
                first.append(first_audio(engine, text, lang))
            print(
                f"  {code} {label:5}  {pcm.seconds:4.1f} s of speech, "
                f"{len(pcm.to_wav()) / 1e3:5.0f} kB WAV | whole WAV: {ms(full)} | first audio: {ms(first)}"
            )


def bench_speaker(engine: EspeakEngine, runs: int) -> float:
    """say() -> the player process started with the complete WAV (the player is `true`,
    so this is the till's own share of the start latency)."""
    latencies: list[float] = []
    speaker = Speaker(engine, [shutil.which("true") or "/bin/true"], on_playing=latencies.append)
    lang = LANGUAGES["hi"]
    text = Announcement("bench", AMOUNTS["short"], late=False).text(lang)
    try:
        for _ in range(runs):
            speaker.say(text, lang, 80)
            end = time.monotonic() + 10
            while not speaker.idle() and time.monotonic() < end:
                time.sleep(0.001)
    finally:
        speaker.close()
    median = statistics.median(latencies)
    print(f"== speaker: say() -> player started (hi, short): {ms(latencies)}")
    return median


def bench_player(runs: int) -> float | None:
    """The player's own start: ALSA's aplay playing 10 ms to the null device (no sound card
    needed), process start to exit. None when aplay is not installed (alsa-utils)."""
    aplay = shutil.which("aplay")
    if aplay is None:
        print("== player start: aplay not installed (apt install alsa-utils to measure it)")
        return None
    with tempfile.TemporaryDirectory() as folder:
        tiny = Path(folder) / "tiny.wav"
        tiny.write_bytes(Pcm(22050, 1, bytes(2 * 220)).to_wav())
        times: list[float] = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([aplay, "-D", "null", "-q", str(tiny)], check=True)
            times.append(time.perf_counter() - started)
    print(f"== player start: aplay -D null, 10 ms of sound, start to exit: {ms(times)}")
    return statistics.median(times)


def vocabulary(lang: Language) -> set[str]:
    words: set[str] = set()
    for number in range(1, 100):
        words.update(lang.below_hundred(number).replace("-", " ").split())
    words.update(" ".join(lang.scale_words).split())
    for paise in (1, 2, 100, 200, 201):  # singular and plural forms, "and"
        words.update(lang.received(paise, None).rstrip(".।").replace(",", "").split())
        words.update(lang.late_received(paise, None).rstrip(".।").replace(",", "").replace(":", "").split())
    return {w.strip(".,:।").lower() for w in words if w.strip(".,:।")}


def trimmed(pcm: Pcm, floor: int = 200, keep: int = 600) -> Pcm:
    """The clip without its leading and trailing silence (a soundbox's clips are cut tight),
    keeping `keep` samples of air at each end."""
    values = memoryview(pcm.samples).cast("h")
    loud = [i for i, v in enumerate(values) if abs(v) > floor]
    if not loud:
        return pcm
    start, end = max(0, loud[0] - keep), min(len(values), loud[-1] + keep)
    return Pcm(pcm.rate, pcm.channels, pcm.samples[start * 2 : end * 2])


def bench_clips(engine: EspeakEngine, runs: int) -> None:
    print("== pre-rendered clips, stitched like a soundbox (clips made here with espeak-ng)")
    with tempfile.TemporaryDirectory() as folder:
        for code in ("en", "hi"):
            lang = LANGUAGES[code]
            words = sorted(vocabulary(lang))
            clip_dir = Path(folder) / code
            clip_dir.mkdir()
            for index, word in enumerate(words):
                clip = trimmed(engine.render(word, lang))
                (clip_dir / f"{index:03d}.wav").write_bytes(clip.to_wav())
            names = {word: clip_dir / f"{index:03d}.wav" for index, word in enumerate(words)}
            raw = size_of([clip_dir])
            print(
                f"  {code}: {len(words)} clips, {raw / 1e6:.2f} MB at 22.05 kHz 16-bit "
                f"(~{raw * 16000 / 22050 / 1e6:.2f} MB at 16 kHz); trimmed of their own silence"
            )
            for label, paise in AMOUNTS.items():
                text = Announcement("bench", paise, late=False).text(lang)
                tokens = [
                    t.strip(".,:।").lower()
                    for t in text.replace("-", " ").split()
                    if t.strip(".,:।")
                ]
                times: list[float] = []
                stitched = Pcm(22050, 1, b"")
                for _ in range(runs):
                    started = time.perf_counter()
                    parts = [read_wav(names[t].read_bytes()) for t in tokens]
                    stitched = Pcm(parts[0].rate, 1, b"".join(p.samples for p in parts))
                    stitched.to_wav()
                    times.append(time.perf_counter() - started)
                whole = engine.render(text, lang)
                print(
                    f"    {label:5}: {len(tokens)} clips -> {stitched.seconds:4.1f} s "
                    f"(one sentence: {whole.seconds:4.1f} s) | stitch: {ms(times)}"
                )


def bench_qt() -> None:
    print("== Qt's QTextToSpeech")
    try:
        from PySide6 import QtTextToSpeech  # type: ignore[attr-defined]
    except ImportError:
        print("  not available: PySide6-Essentials has no QtTextToSpeech (it is in PySide6-Addons);")
        print("  on Linux its engines are speech-dispatcher (a daemon whose usual voice is espeak-ng)")
        print("  or flite, so it would add a large wheel and a daemon for the same voice.")
        return
    engines = QtTextToSpeech.QTextToSpeech.availableEngines()
    print(f"  engines: {engines or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; runs per measurement: {args.runs}")
    engine = find_engine()
    if not isinstance(engine, EspeakEngine):
        print("espeak-ng is not installed: apt install espeak-ng")
        return
    bench_espeak(engine, args.runs)
    median = bench_speaker(engine, args.runs)
    player = bench_player(args.runs)
    bench_clips(engine, args.runs)
    bench_qt()
    total = median + (player or 0.0)
    verdict = "within" if total * 1000 <= TARGET_MS else "OVER"
    with_player = " + aplay start" if player is not None else " (player start not measured)"
    print(
        f"== start latency, PAID on screen -> sound (say -> player started{with_player}): "
        f"{total * 1000:.1f} ms, {verdict} the {TARGET_MS:.0f} ms target"
    )


if __name__ == "__main__":
    main()
