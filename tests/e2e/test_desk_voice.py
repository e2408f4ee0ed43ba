"""A real window, the real checkout and the simulated Cashfree: the customer pays and the
till says the amount, once, through the real speech engine, after PAID is on screen."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from desk_drive import close_desk, open_desk, type_amount
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from voice_kit import need_espeak

from pos_app.app import open_runtime
from pos_app.voice.desk import DeskVoice
from pos_app.voice.engine import EspeakEngine
from pos_app.voice.languages.base import Language
from pos_app.voice.phrases import VoiceOptions
from pos_app.voice.speaker import Speaker
from pos_app.voice.wav import Pcm, read_wav


def test_the_customer_pays_and_the_till_says_so(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    seen_on_screen: list[bool] = []
    texts: list[str] = []

    class Engine(EspeakEngine):
        def render(self, text: str, language: Language) -> Pcm:
            seen_on_screen.append(window.result.title.text() == "PAID")
            texts.append(text)
            return super().render(text, language)

    played = tmp_path / "played"
    played.mkdir()
    player = [
        sys.executable,
        "-c",
        "import shutil, sys; shutil.copy(sys.argv[2], sys.argv[1] + '/paid.wav')",
        str(played),
    ]
    speaker = Speaker(Engine(need_espeak()), player)
    voice = DeskVoice(VoiceOptions(language="hi"), lambda: (speaker, None))
    desk = open_desk(qtbot, open_runtime("demo"), voice=voice)
    window = desk.window
    try:
        type_amount(qtbot, window.amount, "450")
        qtbot.keyClick(window.amount, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: window.stack.currentWidget() is window.waiting and window.waiting.qr.has_code(),
            timeout=3000,
        )
        qtbot.wait(200)
        assert texts == []  # the QR is up, nothing is paid: nothing said
        qtbot.mouseClick(window.demo.buttons["customer_pays"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.result, timeout=3000)
        qtbot.waitUntil(lambda: (played / "paid.wav").exists() and speaker.idle(), timeout=20000)
    finally:
        close_desk(qtbot, desk)
        window.close()
    assert texts == ["चार सौ पचास रुपये प्राप्त हुए।"]
    assert seen_on_screen == [True]  # rendered only once PAID was on screen
    wav = read_wav((played / "paid.wav").read_bytes())
    assert wav.seconds > 1 and wav.rms() > 300
    assert speaker.said == 1
