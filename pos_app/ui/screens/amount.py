"""The amount screen: type an amount, optionally details, pick a method, charge.

It emits `charge_requested(ChargeRequest)` with validated, normalised fields, or shows a
plain refusal and emits nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain import validate
from pos_app.domain.money import Money
from pos_app.domain.sale import Method
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.state import ChargeRequest
from pos_app.ui import text
from pos_app.ui.options import METHOD_KEYS, DeskOptions
from pos_app.ui.resources import icon
from pos_app.ui.widgets.amount_display import AmountBuffer, AmountDisplay
from pos_app.ui.widgets.card_form import CardForm
from pos_app.ui.widgets.keypad import BACKSPACE, CLEAR, Keypad

LAST_SALE_MS = 60_000  # how long the last sale's strip stays on the amount screen
_F_KEYS = {
    Qt.Key.Key_F1: 1,
    Qt.Key.Key_F2: 2,
    Qt.Key.Key_F3: 3,
    Qt.Key.Key_F4: 4,
    Qt.Key.Key_F5: 5,
}
_ICONS = {
    Method.UPI_QR: "qr",
    Method.LINK: "link",
    Method.COLLECT: "request",
    Method.CARD: "card",
    Method.CHECKOUT: "card",
}


class AmountScreen(QWidget):
    charge_requested = Signal(object)  # ChargeRequest

    def __init__(self, options: DeskOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("amountScreen")
        self.setAccessibleName("New sale")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._options = options
        self._buffer = AmountBuffer()
        self._selected = options.default_method

        self.display = AmountDisplay(self)
        self.refusal = QLabel("", self)
        self.refusal.setObjectName("refusal")
        self.refusal.setAccessibleName("Problem with the input")
        self.refusal.setWordWrap(True)
        self.last_sale = QLabel("", self)
        self.last_sale.setObjectName("lastSale")
        self.last_sale.setAccessibleName("Last sale")
        self._last_sale_timer = QTimer(self)
        self._last_sale_timer.setSingleShot(True)
        self._last_sale_timer.setInterval(LAST_SALE_MS)
        self._last_sale_timer.timeout.connect(lambda: self._show_last_sale(""))
        self.keypad = Keypad(self)
        self.keypad.key_pressed.connect(self._key)

        self.bill = self._field(text.BILL_NUMBER, "e.g. INV-1042", 30)
        self.note = self._field(text.NOTE, "optional", 200)
        self.phone = self._field(
            text.PHONE,
            text.phone_hint(
                options.store_phone, options.phone_required, stand_in=options.phone_is_stand_in
            ),
            16,
        )
        self.email = self._field(text.EMAIL, "optional", 100)
        self.vpa = self._field(text.VPA, "name@bank", 100)
        self.send_sms = QCheckBox(text.SEND_SMS, self)
        self.send_sms.setAccessibleName(text.SEND_SMS)
        self.send_email = QCheckBox(text.SEND_EMAIL, self)
        self.send_email.setAccessibleName(text.SEND_EMAIL)
        self.collect_warning = QLabel(text.COLLECT_WARNING, self)
        self.collect_warning.setObjectName("warning")
        self.collect_warning.setWordWrap(True)
        self.collect_warning.setAccessibleName("UPI request warning")
        self.card_form = CardForm(self)

        self.method_buttons: dict[Method, QPushButton] = {}
        for method in options.methods:
            button = QPushButton(text.method_button(method, METHOD_KEYS[method]), self)
            button.setObjectName("methodButton")
            button.setIcon(icon(_ICONS[method]))
            button.setAccessibleName(f"Charge by {method.label}")
            button.setAutoDefault(True)  # Enter on a focused button charges with it
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, m=method: self.charge(m))
            self.method_buttons[method] = button

        self._layout()
        self._show_method()
        self._refresh()

    # ---- construction ---------------------------------------------------------------------
    def _field(self, label: str, placeholder: str, limit: int) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(limit)
        edit.setAccessibleName(label)
        edit.setClearButtonEnabled(True)
        for button in edit.findChildren(QToolButton):
            button.setAccessibleName(f"Clear {label.lower()}")
        edit.textEdited.connect(lambda _: self._mark(edit, False))
        return edit

    def _layout(self) -> None:
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(6)
        self._form = form
        for label, edit in (
            (text.BILL_NUMBER, self.bill),
            (text.NOTE, self.note),
            (text.PHONE, self.phone),
            (text.EMAIL, self.email),
            (text.VPA, self.vpa),
        ):
            form.addRow(label, edit)
        details = QVBoxLayout()
        details.setSpacing(8)
        details.addLayout(form)
        details.addWidget(self.send_sms)
        details.addWidget(self.send_email)
        details.addWidget(self.collect_warning)
        details.addWidget(self.card_form)
        details.addStretch(1)
        methods = QHBoxLayout()
        for button in self.method_buttons.values():
            methods.addWidget(button)
        details.addLayout(methods)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.keypad, 5)
        body.addLayout(details, 6)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 8, 16, 12)
        outer.setSpacing(6)
        top = QHBoxLayout()
        top.addWidget(self.last_sale, 0, Qt.AlignmentFlag.AlignBottom)
        top.addWidget(self.display, 1)
        outer.addLayout(top)
        outer.addWidget(self.refusal)
        outer.addLayout(body, 1)
        # A refusal or the last sale's strip takes space kept for it: showing or hiding
        # one never moves the keypad or the fields.
        for line in (self.refusal, self.last_sale):
            policy = line.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            line.setSizePolicy(policy)
        self._show_last_sale("")

        order: list[QWidget] = [self, *self.method_buttons.values()]
        order += [self.bill, self.note, self.phone, self.email, self.vpa]
        order += [self.send_sms, self.send_email]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)

    # ---- state ----------------------------------------------------------------------------
    @property
    def selected_method(self) -> Method:
        return self._selected

    @property
    def amount_text(self) -> str:
        return self.display.text()

    def reset(self) -> None:
        """A new sale: empty amount and details, the default method, focus on the amount."""
        self._buffer.clear()
        for edit in (self.bill, self.note, self.phone, self.email, self.vpa):
            edit.clear()
            self._mark(edit, False)
        self.send_sms.setChecked(False)
        self.send_email.setChecked(False)
        self.card_form.clear()
        self._selected = self._options.default_method
        self._show_method()
        self._refuse("")
        self._refresh()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def select_method(self, method: Method) -> None:
        if method not in self.method_buttons:
            return
        self._selected = method
        self._show_method()
        if method is Method.COLLECT and not self.vpa.text().strip():
            self.vpa.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if method is Method.CARD and not self.card_form.number.text().strip():
            self.card_form.number.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_method(self) -> None:
        collect = self._selected is Method.COLLECT
        link = self._selected is Method.LINK
        self.vpa.setVisible(collect)
        label = self._form.labelForField(self.vpa)
        if label is not None:
            label.setVisible(collect)
        self.collect_warning.setVisible(collect)
        self.send_sms.setVisible(link)
        self.send_email.setVisible(link)
        self.card_form.setVisible(self._selected is Method.CARD)
        for method, button in self.method_buttons.items():
            button.setProperty("selected", method is self._selected)
            button.style().unpolish(button)
            button.style().polish(button)

    # ---- keys -----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in _F_KEYS:
            for method, number in METHOD_KEYS.items():
                if number == _F_KEYS[Qt.Key(key)]:
                    self.select_method(method)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.charge(self._selected)
            return
        if key == Qt.Key.Key_Escape:
            focused = self.focusWidget()
            if focused is not None and focused is not self:
                # Esc in a field or on a button: back to the amount, nothing cleared.
                self.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
            self._key(CLEAR)
            return
        if key == Qt.Key.Key_Backspace:
            self._key(BACKSPACE)
            return
        typed = event.text()
        if typed == ",":
            # Digit grouping, as people write amounts (1,234.50): the display regroups by
            # itself, so the comma is taken and changes nothing. Never a decimal point.
            return
        if typed and (typed.isdigit() or typed == ".") and typed.isascii():
            self._key(typed)
            return
        super().keyPressEvent(event)

    def type_key(self, key: str) -> None:
        """A key of the amount typed elsewhere (the result screen passes the first one on)."""
        self._key(key)

    def show_last_sale(self, summary: str) -> None:
        """The strip with the last sale (amount, outcome, time), for LAST_SALE_MS."""
        self._show_last_sale(summary)
        if summary:
            self._last_sale_timer.start()

    def _show_last_sale(self, summary: str) -> None:
        self.last_sale.setText(summary)
        self.last_sale.setVisible(bool(summary))

    def _key(self, key: str) -> None:
        refusal: str | None = None
        if key == CLEAR:
            self._buffer.clear()
        elif key == BACKSPACE:
            self._buffer.backspace()
        else:
            refusal = self._buffer.press(key)
        self._refuse(refusal or "")
        self._refresh()

    def _refresh(self) -> None:
        self.display.show_text(self._buffer.display(), empty=not self._buffer.text)

    def show_refusal(self, message: str) -> None:
        """A refusal from further on (the checkout), shown like the screen's own."""
        self._refuse(message)

    def _refuse(self, message: str) -> None:
        self.refusal.setText(message)
        self.refusal.setVisible(bool(message))

    def _mark(self, edit: QLineEdit, invalid: bool) -> None:
        edit.setProperty("invalid", invalid)
        edit.style().unpolish(edit)
        edit.style().polish(edit)

    # ---- charging -------------------------------------------------------------------------
    def charge(self, method: Method) -> None:
        """Validate everything; emit charge_requested or show why not."""
        try:
            request = self._request(method)
        except ValidationError as refused:
            self._refuse(refused.message)
            edit = self._edit_for(refused.field)
            if edit is not None:
                self._mark(edit, True)
                edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._refuse("")
        self.charge_requested.emit(request)

    def _request(self, method: Method) -> ChargeRequest:
        amount = Money.parse(self._buffer.text.rstrip("."), maximum=self._options.maximum)
        phone = _optional(self.phone, validate.phone)
        email = _optional(self.email, validate.email)
        sms = method is Method.LINK and self.send_sms.isChecked()
        mail = method is Method.LINK and self.send_email.isChecked()
        if phone is None and self._options.phone_required:
            raise ValidationError("phone", text.NEED_PHONE)
        if sms and phone is None:
            raise ValidationError("phone", text.NEED_PHONE_FOR_SMS)
        if mail and email is None:
            raise ValidationError("email", text.NEED_EMAIL_FOR_LINK)
        bill = _optional(self.bill, validate.bill_number)
        note = _optional(self.note, validate.note)
        # Last: a refused card keeps its fields; an accepted one leaves the form empty.
        card = self.card_form.take_card() if method is Method.CARD else None
        return ChargeRequest(
            amount=amount,
            method=method,
            bill_number=bill,
            note=note,
            phone=phone,
            email=email,
            vpa=validate.vpa(self.vpa.text()) if method is Method.COLLECT else None,
            send_sms=sms,
            send_email=mail,
            card=card,
        )

    def _edit_for(self, field: str) -> QLineEdit | None:
        return {
            "bill_number": self.bill,
            "note": self.note,
            "phone": self.phone,
            "email": self.email,
            "vpa": self.vpa,
        }.get(field)


def _optional(edit: QLineEdit, check: Callable[[str], str]) -> str | None:
    value = edit.text().strip()
    return check(value) if value else None
