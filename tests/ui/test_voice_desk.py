"""The desk speaks when a sale is verified PAID: the counter sale plainly, a late one
differently and by name while another customer's QR is on screen; silent with a notice
when the machine cannot speak. The engine is the real espeak-ng; the 'player' keeps a copy
of every WAV it is handed."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from desk_kit import FakeCheckout, final_state, waiting_state
from pytestqt.qtbot import QtBot
from test_main_window import CountingSound, make_window
from voice_kit import need_espeak

from pos_app.config import Settings
from pos_app.domain.sale import SaleStatus
from pos_app.ui.main_window import MainWindow
from pos_app.voice.desk import DeskVoice
from pos_app.voice.engine import EspeakEngine
from pos_app.voice.languages.base import Language
from pos_app.voice.phrases import VoiceOptions
from pos_app.voice.ready import NO_ENGINE
from pos_app.voice.speaker import Speaker
from pos_app.voice.wav import Pcm, read_wav


class HeardEngine(EspeakEngine):
    """The real engine, noting each sentence it was asked to say."""

    def __init__(self, program: str) -> None:
        super().__init__(program)
        self.texts: list[str] = []

    def render(self, text: str, language: Language) -> Pcm:
        self.texts.append(text)
        return super().render(text, language)


class Heard:
    def __init__(self, espeak: str, folder: Path) -> None:
        self.engine = HeardEngine(espeak)
        self.folder = folder
        folder.mkdir()
        script = (
            "import shutil, sys, pathlib; d = pathlib.Path(sys.argv[1]); "
            "shutil.copy(sys.argv[2], d / f'{len(list(d.iterdir())):02d}.wav')"
        )
        self.player = [sys.executable, "-c", script, str(folder)]
        self.speakers: list[Speaker] = []

    def opener(self) -> tuple[Speaker | None, str | None]:
        speaker = Speaker(self.engine, self.player)
        self.speakers.append(speaker)
        return speaker, None

    def wavs(self, count: int) -> list[Pcm]:
        end = time.monotonic() + 20
        while len(list(self.folder.iterdir())) < count or not all(s.idle() for s in self.speakers):
            assert time.monotonic() < end, "the player was not given the announcements"
            time.sleep(0.02)
        return [read_wav(p.read_bytes()) for p in sorted(self.folder.iterdir())]


@pytest.fixture
def heard(tmp_path: Path) -> Heard:
    return Heard(need_espeak(), tmp_path / "played")


def _window(
    qtbot: QtBot, checkout: FakeCheckout, voice: DeskVoice, sound: CountingSound
) -> MainWindow:
    window = make_window(qtbot, checkout, sound=sound, voice=voice)
    qtbot.addWidget(window)
    return window


def test_the_counter_sale_is_said_once_when_paid_and_the_chime_gives_way(
    qtbot: QtBot, checkout: FakeCheckout, heard: Heard
) -> None:
    sound = CountingSound()
    window = _window(qtbot, checkout, DeskVoice(VoiceOptions(), heard.opener), sound)
    window.show_state(waiting_state())
    for status in (SaleStatus.EXPIRED, SaleStatus.CANCELLED, SaleStatus.FAILED):
        window.show_state(final_state(status, order_id=f"T1-{status.value}"))
    assert heard.engine.texts == []  # nothing before PAID
    window.show_state(final_state(SaleStatus.PAID))
    window.show_state(final_state(SaleStatus.PAID))  # the same news again
    [wav] = heard.wavs(1)
    assert heard.engine.texts == ["One thousand two hundred fifty rupees and fifty paise received."]
    assert wav.seconds > 2 and wav.rms() > 300
    assert sound.played == 0
    assert window.voice_notice.isHidden()
    window.close()


def test_hindi_with_the_bill_number(qtbot: QtBot, checkout: FakeCheckout, heard: Heard) -> None:
    options = VoiceOptions(language="hi", say_bill=True, volume=60)
    window = _window(qtbot, checkout, DeskVoice(options, heard.opener), CountingSound())
    window.show_state(final_state(SaleStatus.PAID, bill_number="B-9"))
    heard.wavs(1)
    assert heard.engine.texts == ["एक हज़ार दो सौ पचास रुपये और पचास पैसे प्राप्त हुए, बिल B नौ।"]
    window.close()


def test_a_late_payment_names_its_sale_while_another_qr_is_on_screen(
    qtbot: QtBot, checkout: FakeCheckout, heard: Heard
) -> None:
    window = _window(qtbot, checkout, DeskVoice(VoiceOptions(), heard.opener), CountingSound())
    window.show_state(waiting_state(order_id="T1-NOW-CUSTOMER"))  # a new customer's QR
    late = final_state(SaleStatus.PAID, late=True, order_id="T1-OLD-9QX2", bill_number="17")
    window.controller.late_payment.emit(late)
    window.controller.background_paid.emit(late)  # told twice: said once
    heard.wavs(1)
    assert heard.engine.texts == [
        "Late payment received: one thousand two hundred fifty rupees and fifty paise, "
        "for bill one seven."
    ]
    assert window.stack.currentWidget() is window.waiting  # the counter sale stays on screen
    window.close()


def test_a_late_payment_with_no_one_waiting_is_said_without_naming(
    qtbot: QtBot, checkout: FakeCheckout, heard: Heard
) -> None:
    window = _window(qtbot, checkout, DeskVoice(VoiceOptions(), heard.opener), CountingSound())
    late = replace(final_state(SaleStatus.PAID, order_id="T1-X-ZZ11"), late=True)
    window.controller.late_payment.emit(late)
    heard.wavs(1)
    assert heard.engine.texts == [
        "Late payment received: one thousand two hundred fifty rupees and fifty paise."
    ]
    window.close()


def test_without_an_engine_a_notice_shows_and_the_chime_still_plays(
    qtbot: QtBot, checkout: FakeCheckout
) -> None:
    sound = CountingSound()
    voice = DeskVoice(VoiceOptions(), lambda: (None, NO_ENGINE))
    window = _window(qtbot, checkout, voice, sound)
    assert window.voice_notice.isVisible()
    assert window.voice_notice.label.text() == NO_ENGINE
    window.show_state(final_state(SaleStatus.PAID))
    assert sound.played == 1
    window.settings_saved(Settings(voice=False))  # switched off: no notice any more
    assert window.voice_notice.isHidden()


def test_switching_the_voice_on_in_the_settings_takes_effect_at_once(
    qtbot: QtBot, checkout: FakeCheckout, heard: Heard
) -> None:
    sound = CountingSound()
    voice = DeskVoice(VoiceOptions(enabled=False), heard.opener)
    window = _window(qtbot, checkout, voice, sound)
    window.show_state(final_state(SaleStatus.PAID, order_id="T1-FIRST"))
    assert sound.played == 1 and heard.speakers == []
    window.settings_saved(Settings(voice=True, voice_language="hi"))
    window.show_state(waiting_state(order_id="T1-SECOND"))
    window.show_state(final_state(SaleStatus.PAID, order_id="T1-SECOND"))
    heard.wavs(1)
    assert heard.engine.texts == ["एक हज़ार दो सौ पचास रुपये और पचास पैसे प्राप्त हुए।"]
    assert sound.played == 1
    window.close()
