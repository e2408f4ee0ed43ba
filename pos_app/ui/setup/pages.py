"""The pages the first-run wizard and the settings dialog share.

Each page shows part of the settings and turns what was typed back into values: `apply`
returns a new Settings (or raises PageProblem naming the field to fix). Pages do no I/O:
the dialogs read and write the password store and the settings file.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QGuiApplication, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Settings
from pos_app.domain.sale import Method
from pos_app.domain.validate import ValidationError
from pos_app.services.manager.pin import validate_new_pin
from pos_app.ui.setup import wording
from pos_app.ui.setup.card_switch import CardSwitch, CardSwitchProblem, checkout_box

__all__ = [
    "ModePage",
    "PageProblem",
    "PinPage",
    "StorePage",
    "TillPage",
    "bold_heading",
    "mark_invalid",
]


class PageProblem(Exception):
    """What to fix before going on, and the field to put the cursor in."""

    def __init__(self, message: str, widget: QWidget | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.widget = widget


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    widget.setProperty("invalid", invalid)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def sentence(error: ValueError, key: str) -> str:
    """Settings' "key: what is allowed" as a sentence for a form."""
    message = str(error)
    if message.startswith(f"{key}: "):
        message = message[len(key) + 2 :]
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else f"{message}."


def _label(text: str, parent: QWidget, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    if name == "pageHeading":
        bold_heading(label)
    return label


def bold_heading(label: QLabel) -> None:
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)


def _line(parent: QWidget, name: str, max_length: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setAccessibleName(name)
    edit.setMaxLength(max_length)
    edit.setPlaceholderText(placeholder)
    edit.textEdited.connect(lambda _text: mark_invalid(edit, False))
    return edit


# ---- which Cashfree ------------------------------------------------------------------------
class ModePage(QWidget):
    environment_changed = Signal(str)

    def __init__(self, *, include_demo: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(wording.MODE_QUESTION)
        column = QVBoxLayout(self)
        column.addWidget(_label(wording.MODE_QUESTION, self, "pageHeading"))
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        choices = [("sandbox", wording.MODE_SANDBOX), ("production", wording.MODE_PRODUCTION)]
        if include_demo:
            choices.insert(0, ("demo", wording.MODE_DEMO))
        for environment, caption in choices:
            radio = QRadioButton(caption, self)
            radio.setAccessibleName(caption)
            radio.toggled.connect(lambda on, env=environment: self._toggled(env, on))
            self.group.addButton(radio)
            self.radios[environment] = radio
            column.addWidget(radio)
        self.warning = _label(wording.PRODUCTION_WARNING, self, "warning")
        self.confirm = QCheckBox(wording.PRODUCTION_CONFIRM, self)
        self.confirm.setAccessibleName(wording.PRODUCTION_CONFIRM)
        column.addWidget(self.warning)
        column.addWidget(self.confirm)
        column.addStretch(1)
        self.set_environment("sandbox")

    def environment(self) -> str:
        for environment, radio in self.radios.items():
            if radio.isChecked():
                return environment
        return "sandbox"

    def set_environment(self, environment: str, *, confirmed: bool = False) -> None:
        radio = self.radios.get(environment) or self.radios["sandbox"]
        radio.setChecked(True)
        self.confirm.setChecked(confirmed)
        self._show_warning()

    def check(self, *, already_production: bool = False) -> None:
        production = self.environment() == "production"
        if production and not already_production and not self.confirm.isChecked():
            raise PageProblem(wording.PRODUCTION_NOT_CONFIRMED, self.confirm)

    def _toggled(self, environment: str, on: bool) -> None:
        if on:
            self._show_warning()
            self.environment_changed.emit(environment)

    def _show_warning(self) -> None:
        production = self.environment() == "production"
        self.warning.setVisible(production)
        self.confirm.setVisible(production)


# ---- store details -------------------------------------------------------------------------
class StorePage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(wording.TAB_STORE)
        column = QVBoxLayout(self)
        column.addWidget(_label(wording.STORE_INTRO, self))
        form = QFormLayout()
        self.store_name = _line(self, wording.STORE_NAME, 60)
        self.terminal_id = _line(self, wording.TERMINAL_ID, 8, wording.TERMINAL_HINT)
        self.phone = _line(self, wording.DEFAULT_PHONE, 16, wording.DEFAULT_PHONE_HINT)
        form.addRow(wording.STORE_NAME, self.store_name)
        form.addRow(wording.TERMINAL_ID, self.terminal_id)
        form.addRow(wording.DEFAULT_PHONE, self.phone)
        self.address = _line(self, wording.STORE_ADDRESS, 200, wording.STORE_ADDRESS_HINT)
        self.gstin = _line(self, wording.STORE_GSTIN, 15, wording.STORE_GSTIN_HINT)
        form.addRow(wording.STORE_ADDRESS, self.address)
        form.addRow(wording.STORE_GSTIN, self.gstin)
        column.addLayout(form)
        self.phone_note = _label(wording.DEFAULT_PHONE_NOTE, self)
        self.phone_note.setAccessibleName("About the store mobile number")
        column.addWidget(self.phone_note)
        column.addStretch(1)
        self.phone_required = False

    def set_phone_required(self, required: bool) -> None:
        """Sandbox and production need the store's number (pos_app.domain.store_phone)."""
        self.phone_required = required
        self.phone_note.setText(
            wording.DEFAULT_PHONE_NOTE if required else wording.DEFAULT_PHONE_NOTE_DEMO
        )

    def load(self, settings: Settings) -> None:
        self.store_name.setText(settings.store_name)
        self.terminal_id.setText(settings.terminal_id)
        self.phone.setText(settings.default_customer_phone or "")
        self.address.setText(settings.store_address or "")
        self.gstin.setText(settings.store_gstin or "")

    def apply(self, settings: Settings) -> Settings:
        fields = (
            ("store_name", self.store_name),
            ("terminal_id", self.terminal_id),
            ("default_customer_phone", self.phone),
            ("store_address", self.address),
            ("store_gstin", self.gstin),
        )
        for key, edit in fields:
            try:
                settings = settings.replace_value(key, edit.text())
            except ValueError as error:
                mark_invalid(edit, True)
                raise PageProblem(sentence(error, key), edit) from None
        if self.phone_required and not settings.default_customer_phone:
            mark_invalid(self.phone, True)
            raise PageProblem(wording.DEFAULT_PHONE_NEEDED, self.phone)
        return settings


# ---- the manager PIN -------------------------------------------------------------------------
class PinPage(QWidget):
    def __init__(self, *, required: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(wording.TAB_PIN)
        column = QVBoxLayout(self)
        column.addWidget(_label(wording.PIN_INTRO, self))
        self.keep_note = _label(wording.PIN_KEEP_INTRO, self)
        column.addWidget(self.keep_note)
        form = QFormLayout()
        digits = QRegularExpressionValidator(QRegularExpression("[0-9]{0,8}"), self)
        self.pin = _line(self, wording.NEW_PIN, 8)
        self.repeat = _line(self, wording.REPEAT_PIN, 8)
        for edit in (self.pin, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setValidator(digits)
        form.addRow(wording.NEW_PIN, self.pin)
        form.addRow(wording.REPEAT_PIN, self.repeat)
        column.addLayout(form)
        column.addStretch(1)
        self.required = required
        self.set_required(required)

    def set_required(self, required: bool) -> None:
        self.required = required
        self.keep_note.setVisible(not required)

    def new_pin(self) -> str | None:
        """The new PIN, or None to keep the current one (when one is not required)."""
        first, second = self.pin.text(), self.repeat.text()
        if not first and not second and not self.required:
            return None
        if not first:
            mark_invalid(self.pin, True)
            raise PageProblem(wording.PIN_REQUIRED, self.pin)
        try:
            pin = validate_new_pin(first)
        except ValidationError as error:
            mark_invalid(self.pin, True)
            raise PageProblem(error.message, self.pin) from None
        if second != pin:
            mark_invalid(self.repeat, True)
            raise PageProblem(wording.PIN_MISMATCH, self.repeat)
        return pin

    def clear(self) -> None:
        self.pin.clear()
        self.repeat.clear()


# ---- how the counter works -------------------------------------------------------------------
_METHOD_CHOICES = (
    (Method.UPI_QR, wording.METHOD_QR),
    (Method.LINK, wording.METHOD_LINK),
    (Method.COLLECT, wording.METHOD_COLLECT),
)


class TillPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(wording.TAB_TILL)
        column = QVBoxLayout(self)
        column.addWidget(_label(wording.TILL_INTRO, self))
        form = QFormLayout()
        self.expiry = QSpinBox(self)
        self.expiry.setAccessibleName(wording.ORDER_EXPIRY)
        self.expiry.setRange(5, 1440)
        self.expiry.setSuffix(wording.MINUTES)
        form.addRow(wording.ORDER_EXPIRY, self.expiry)
        methods = QVBoxLayout()
        self.methods: dict[Method, QCheckBox] = {}
        for method, caption in _METHOD_CHOICES:
            box = QCheckBox(caption, self)
            box.setAccessibleName(caption)
            self.methods[method] = box
            methods.addWidget(box)
        self.collect_warning = _label(wording.COLLECT_WARNING, self, "warning")
        self.collect_warning.setAccessibleName("UPI request warning")
        methods.addWidget(self.collect_warning)
        self.card = CardSwitch(self)
        methods.addWidget(self.card)
        self.checkout = checkout_box(self)
        if self.checkout is not None:
            methods.addWidget(self.checkout)
        form.addRow(wording.METHODS, methods)
        self.sound = QCheckBox(wording.SOUND, self)
        self.sound.setAccessibleName(wording.SOUND)
        form.addRow("", self.sound)
        self.display = QComboBox(self)
        self.display.setAccessibleName(wording.CUSTOMER_DISPLAY)
        form.addRow(wording.CUSTOMER_DISPLAY, self.display)
        column.addLayout(form)
        column.addStretch(1)

    def load(self, settings: Settings) -> None:
        self.expiry.setValue(settings.order_expiry_minutes)
        chosen = set(settings.methods)
        for method, box in self.methods.items():
            on = settings.collect_enabled if method is Method.COLLECT else method in chosen
            box.setChecked(on)
        self.sound.setChecked(settings.sound)
        self.card.load(settings)
        if self.checkout is not None:
            self.checkout.setChecked(settings.embedded_checkout)
        self._fill_screens(settings.customer_display_screen)

    def apply(self, settings: Settings) -> Settings:
        chosen = tuple(m.value for m, box in self.methods.items() if box.isChecked())
        if not chosen:
            raise PageProblem(wording.NO_METHOD, self.methods[Method.UPI_QR])
        screen = self.display.currentData()
        try:
            card = self.card.chosen(settings)
        except CardSwitchProblem as problem:
            raise PageProblem(problem.message, problem.widget) from None
        return dataclasses.replace(
            settings,
            order_expiry_minutes=self.expiry.value(),
            enabled_methods=chosen,
            collect_enabled=self.methods[Method.COLLECT].isChecked(),
            card_payments_enabled=card,
            embedded_checkout=(
                self.checkout.isChecked()
                if self.checkout is not None
                else settings.embedded_checkout
            ),
            sound=self.sound.isChecked(),
            customer_display_screen=screen if isinstance(screen, int) else None,
        )

    def _fill_screens(self, current: int | None) -> None:
        self.display.clear()
        self.display.addItem(wording.NO_CUSTOMER_DISPLAY, None)
        screens = QGuiApplication.screens()
        for index, screen in enumerate(screens):
            self.display.addItem(wording.screen_choice(index, screen.name()), index)
        if current is not None and current >= len(screens):
            self.display.addItem(wording.screen_choice(current, "not connected now"), current)
        found = self.display.findData(current) if current is not None else 0
        self.display.setCurrentIndex(max(found, 0))
