"""The settings dialog's Voice tab: spoken confirmation on or off, the language, the
volume, whether to say the bill number, and "Test voice" to hear the choice before saving.

Testing never blocks: the sentence is queued on the voice's worker thread and the button
returns at once. A machine that cannot speak says so on the page.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Settings
from pos_app.voice.desk import DeskVoice, Opener
from pos_app.voice.languages import LANGUAGES
from pos_app.voice.phrases import VoiceOptions
from pos_app.voice.ready import open_speaker

__all__ = ["VoicePage"]

TAB_VOICE = "Voice"
INTRO = (
    "When a payment is confirmed, the till says the amount aloud, like a soundbox: "
    "“Four hundred fifty rupees received”. It never speaks before Cashfree confirms the payment."
)
VOICE_ON = "Say the amount when a payment is confirmed"
LANGUAGE = "Language"
VOLUME = "Volume"
SAY_BILL = "Say the bill number too"
TEST = "Test voice"
TESTING = "Saying: “{sentence}”"


class VoicePage(QWidget):
    def __init__(self, parent: QWidget | None = None, *, opener: Opener = open_speaker) -> None:
        super().__init__(parent)
        self.setAccessibleName(TAB_VOICE)
        self._tester = DeskVoice(VoiceOptions(enabled=False), opener)  # opened on first test
        column = QVBoxLayout(self)
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        column.addWidget(intro)
        form = QFormLayout()
        self.enabled = QCheckBox(VOICE_ON, self)
        self.enabled.setAccessibleName(VOICE_ON)
        form.addRow("", self.enabled)
        self.language = QComboBox(self)
        self.language.setAccessibleName(LANGUAGE)
        for code, lang in LANGUAGES.items():
            self.language.addItem(lang.name, code)
        form.addRow(LANGUAGE, self.language)
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setAccessibleName(VOLUME)
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(5)
        self.volume.setPageStep(10)
        self.volume_value = QLabel("", self)
        self.volume_value.setMinimumWidth(48)
        self.volume.valueChanged.connect(lambda v: self.volume_value.setText(f"{v} %"))
        volume_row = QHBoxLayout()
        volume_row.addWidget(self.volume, 1)
        volume_row.addWidget(self.volume_value)
        form.addRow(VOLUME, volume_row)
        self.say_bill = QCheckBox(SAY_BILL, self)
        self.say_bill.setAccessibleName(SAY_BILL)
        form.addRow("", self.say_bill)
        column.addLayout(form)
        self.test_button = QPushButton(TEST, self)
        self.test_button.setAccessibleName(TEST)
        self.test_button.clicked.connect(lambda _=False: self.test_voice())
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        column.addLayout(test_row)
        self.status = QLabel("", self)
        self.status.setObjectName("voiceStatus")
        self.status.setAccessibleName("Voice status")
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        column.addStretch(1)
        self.enabled.toggled.connect(self._enable_choices)

    def load(self, settings: Settings) -> None:
        options = VoiceOptions.from_settings(settings)
        self.enabled.setChecked(options.enabled)
        self.language.setCurrentIndex(max(self.language.findData(options.language), 0))
        self.volume.setValue(options.volume)
        self.volume_value.setText(f"{options.volume} %")
        self.say_bill.setChecked(options.say_bill)
        self._enable_choices(options.enabled)

    def options(self) -> VoiceOptions:
        return VoiceOptions(
            enabled=self.enabled.isChecked(),
            language=str(self.language.currentData()),
            volume=self.volume.value(),
            say_bill=self.say_bill.isChecked(),
        )

    def apply(self, settings: Settings) -> Settings:
        chosen = self.options()
        return dataclasses.replace(
            settings,
            voice=chosen.enabled,
            voice_language=chosen.language,
            voice_volume=chosen.volume,
            voice_say_bill=chosen.say_bill,
        )

    def test_voice(self) -> None:
        sentence = self._tester.test(self.options())
        if sentence is None:
            self.status.setProperty("kind", "warning")
            self.status.setText(self._tester.problem or "")
        else:
            self.status.setProperty("kind", "info")
            self.status.setText(TESTING.format(sentence=sentence))

    def close_voice(self) -> None:
        self._tester.close()

    def _enable_choices(self, on: bool) -> None:
        for widget in (self.language, self.volume, self.say_bill):
            widget.setEnabled(on)
