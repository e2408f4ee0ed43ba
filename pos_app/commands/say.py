"""`pos-app say AMOUNT [--lang hi] [--output F.wav]`: the PAID announcement, rendered.

Prints the sentence; with --output writes it as a WAV file, otherwise plays it. Lets a
shop hear the voice and lets tests check the words and the sound."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pos_app.commands import exit_codes
from pos_app.domain.money import Money
from pos_app.domain.validate import ValidationError
from pos_app.voice.engine import EngineError, find_engine
from pos_app.voice.phrases import Announcement, VoiceOptions
from pos_app.voice.ready import NO_ENGINE
from pos_app.voice.system import PLAYERS, child_environment, find_player
from pos_app.voice.wav import Pcm

__all__ = ["run_say"]


def run_say(args: argparse.Namespace) -> int:
    try:
        amount = Money.parse(args.amount, minimum=Money(1))
    except ValidationError as exc:
        print(f"Refused ({exc.field}): {exc.message}", file=sys.stderr)
        return exit_codes.BAD_INPUT
    options = _saved_options()
    code = args.lang or options.language
    volume = options.volume if args.volume is None else args.volume
    if not 0 <= volume <= 100:
        print("Refused (volume): use a number from 0 to 100.", file=sys.stderr)
        return exit_codes.BAD_INPUT
    from pos_app.voice.languages import language

    spoken = language(code)  # argparse allows only known codes
    bill = args.bill.strip() if args.bill else None
    sentence = Announcement("say", amount.paise, late=args.late, bill=bill).text(spoken)
    print(sentence)
    engine = find_engine()
    if engine is None:
        print(NO_ENGINE, file=sys.stderr)
        return exit_codes.SETUP
    try:
        pcm = engine.render(sentence, spoken).scaled(volume)
    except EngineError as exc:
        print(f"The announcement could not be rendered: {exc}", file=sys.stderr)
        return exit_codes.ERROR
    if args.output:
        Path(args.output).write_bytes(pcm.to_wav())
        print(f"Wrote {pcm.seconds:.2f} s of speech to {args.output}", file=sys.stderr)
        return exit_codes.PAID
    return _play(pcm)


def _saved_options() -> VoiceOptions:
    """The shop's voice settings when they can be read; the defaults otherwise."""
    from pos_app.config import load_settings, paths

    try:
        return VoiceOptions.from_settings(load_settings(paths()).settings)
    except OSError:
        return VoiceOptions()


def _play(pcm: Pcm) -> int:
    player = find_player()
    if player is None:
        print(
            f"No audio player ({', '.join(PLAYERS)}) was found: use --output to write a WAV "
            "file instead.",
            file=sys.stderr,
        )
        return exit_codes.SETUP
    handle, name = tempfile.mkstemp(prefix="pos-say-", suffix=".wav")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(pcm.to_wav())
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [*player, name],
            stdin=subprocess.DEVNULL,
            env=child_environment(),
            timeout=pcm.seconds + 10,
            check=False,
        )
    except subprocess.TimeoutExpired:
        print("The audio player did not finish; stopped.", file=sys.stderr)
        return exit_codes.ERROR
    finally:
        os.unlink(name)
    if done.returncode != 0:
        print(f"The audio player failed (exit status {done.returncode}).", file=sys.stderr)
        return exit_codes.ERROR
    return exit_codes.PAID
