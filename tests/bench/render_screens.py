"""Render every desk screen and state offscreen to PNG files, to look at them.

    python tests/bench/render_screens.py [OUT_DIR]     (default bench-out/screens/)

Sizes: 1024x600 (the smallest till), 1280x800 and 1920x1080; light and dark palettes
(dark at 1024x600 and 1280x800).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The wizard scenario reads the (empty) settings and password store of a throwaway folder.
os.environ.setdefault("POS_DATA_DIR", tempfile.mkdtemp(prefix="pos-render-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))

from desk_kit import (
    NOW,
    FakeCheckout,
    final_state,
    link_state,
    offline,
    waiting_state,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.ui.controller import SaleController
from pos_app.ui.customer_display import CustomerDisplay
from pos_app.ui.main_window import MainWindow
from pos_app.ui.options import DeskOptions
from pos_app.ui.resources import stylesheet
from pos_app.ui.sound import SilentSound

SIZES = ((1024, 600), (1280, 800), (1920, 1080))


def dark_palette() -> QPalette:
    p = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#2b2c2f",
        QPalette.ColorRole.AlternateBase: "#303134",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#3c4043",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.Mid: "#5f6368",
        QPalette.ColorRole.Highlight: "#8ab4f8",
        QPalette.ColorRole.HighlightedText: "#202124",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.ToolTipBase: "#303134",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
    }
    for role, value in colors.items():
        p.setColor(role, QColor(value))
    return p


def with_box(window: QWidget, box: QWidget | None) -> QPixmap:
    """The window with a question drawn where it opened (a box is its own window)."""
    shot = window.grab()
    if box is not None:
        painter = QPainter(shot)
        where = box.mapToGlobal(box.rect().topLeft()) - window.mapToGlobal(window.rect().topLeft())
        painter.drawPixmap(where, box.grab())
        painter.end()
        box.close()
    return shot


def window(env: str = "sandbox", **kwargs: object) -> MainWindow:
    options = DeskOptions(
        store_name="Sharma General Store",
        terminal_id="T1",
        environment=env,
        methods=(Method.UPI_QR, Method.LINK, Method.COLLECT),
    )
    checkout = FakeCheckout()
    checkout.open_count = 2
    customer = object() if env == "demo" else None  # the demo buttons show; never pressed
    controller = SaleController(checkout, customer)  # type: ignore[arg-type]
    return MainWindow(controller, options, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]


def type_amount(w: MainWindow, keys: str) -> None:
    for key in keys:
        w.amount._key(key)


Scenario = Callable[[], QWidget]


def scenarios() -> dict[str, Scenario]:
    def amount_empty() -> QWidget:
        return window("demo")

    def amount_typed() -> QWidget:
        w = window("production")
        type_amount(w, "1250.5")
        w.amount.bill.setText("INV-1042")
        w.amount.phone.setText("98765 43210")
        return w

    def amount_refused() -> QWidget:
        w = window()
        type_amount(w, "0.5")
        w.amount.charge(Method.UPI_QR)
        return w

    def amount_collect() -> QWidget:
        w = window()
        type_amount(w, "499")
        w.amount.select_method(Method.COLLECT)
        return w

    def amount_link() -> QWidget:
        w = window()
        type_amount(w, "12345678")
        w.amount.select_method(Method.LINK)
        return w

    def state(env: str, s: object) -> Scenario:
        def make() -> QWidget:
            w = window(env)
            w.show_state(s)  # type: ignore[arg-type]
            return w

        return make

    def setup_missing() -> QWidget:
        return window(
            "production",
            credentials_missing=True,
            notice="Settings could not be read and were reset to defaults.",
            on_try_demo=lambda: None,
        )

    def customer(s: object | None) -> Scenario:
        def make() -> QWidget:
            c = CustomerDisplay("Sharma General Store")
            if s is not None:
                c.show_state(s)  # type: ignore[arg-type]
            return c

        return make

    def amount_after_paid() -> QWidget:
        w = window("sandbox")
        w.show_state(final_state(SaleStatus.PAID, bill_number="INV-1042"))  # type: ignore[arg-type]
        w.new_sale()
        type_amount(w, "75")
        return w

    def no_sound() -> QWidget:
        silent = SilentSound()
        silent.missing_player = True
        return window("sandbox", sound=silent)

    def cancel_question() -> QWidget:
        w = window("sandbox")
        w.show_state(waiting_state())  # type: ignore[arg-type]

        def overlay() -> QPixmap:
            w.waiting.ask_cancel()
            QApplication.processEvents()
            return with_box(w, w.waiting.confirm_box)

        w.render_overlay = overlay  # type: ignore[attr-defined]
        return w

    def wizard_store_number() -> QWidget:
        from setup_kit import services

        from pos_app.ui.setup.wizard import FirstRunWizard

        wizard = FirstRunWizard(services())
        wizard.stack.setCurrentWidget(wizard.store)
        wizard.store.set_phone_required(True)
        wizard.store.store_name.setText("Sharma General Store")
        wizard.next()  # no store number: refused, with the reason
        return wizard

    big = Money(1_23_456_78)
    return {
        "01-amount-empty-demo": amount_empty,
        "02-amount-typed-production": amount_typed,
        "03-amount-refused": amount_refused,
        "04-amount-collect": amount_collect,
        "05-amount-link-big": amount_link,
        "06-waiting-qr": state("sandbox", waiting_state()),
        "07-waiting-qr-demo": state("demo", waiting_state()),
        "08-waiting-attempt-failed": state(
            "sandbox", waiting_state(attempt_failed="the customer's bank declined the payment")
        ),
        "09-waiting-offline": state("sandbox", waiting_state(offline=offline())),
        "10-waiting-link": state("sandbox", link_state(amount=big)),
        "11-waiting-collect": state(
            "sandbox",
            waiting_state(
                method=Method.COLLECT, qr=None, message="Request sent to ravi@okaxis."
            ),
        ),
        "12-waiting-creating": state(
            "sandbox",
            waiting_state(status=SaleStatus.CREATED, qr=None, message="Creating the order…"),
        ),
        "13-result-paid": state("sandbox", final_state(SaleStatus.PAID, bill_number="INV-1042")),
        "14-result-expired": state("sandbox", final_state(SaleStatus.EXPIRED)),
        "15-result-cancelled": state(
            "sandbox", final_state(SaleStatus.CANCELLED, message="Cancelled by the cashier.")
        ),
        "16-result-failed-fallback": state(
            "sandbox",
            final_state(
                SaleStatus.FAILED,
                link_fallback=True,
                error="This Cashfree account cannot show a UPI QR itself (the S2S flag is off). "
                "(Cashfree request id: 7f3a9c)",
            ),
        ),
        "17-result-uncertain": state("sandbox", final_state(SaleStatus.UNCERTAIN)),
        "18-setup-missing": setup_missing,
        "19-customer-welcome": customer(None),
        "20-customer-paying": customer(waiting_state()),
        "21-customer-paid": customer(final_state(SaleStatus.PAID)),
        "22-amount-after-paid": amount_after_paid,
        "23-no-sound-player": no_sound,
        "25-waiting-cancel-question": cancel_question,
        "26-wizard-store-number": wizard_store_number,
        "24-result-walked-away": state(
            "demo",
            final_state(SaleStatus.EXPIRED, message="The time to pay ran out. No money was taken."),
        ),
    }


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "bench-out/screens")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setStyleSheet(stylesheet())
    light = app.palette()
    count = 0
    for theme, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        for name, make in scenarios().items():
            for width, height in SIZES:
                if theme == "dark" and width > 1280:
                    continue
                widget = make()
                widget.resize(width, height)
                widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
                widget.show()
                app.processEvents()
                path = out / f"{name}-{width}x{height}-{theme}.png"
                overlay = getattr(widget, "render_overlay", None)
                shot = overlay() if callable(overlay) else widget.grab()
                shot.save(str(path))
                widget.close()
                widget.deleteLater()
                count += 1
    app.processEvents()
    print(f"wrote {count} screens to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
