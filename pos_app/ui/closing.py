"""Closing the cashier's window while a payment is still open asks first, and says what
happens next; the question never blocks the loop (open() + signals, never exec())."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from pos_app.ui.main_window import MainWindow

__all__ = ["CLOSE_ANYWAY", "KEEP_OPEN", "ask_before_closing", "closing_question"]

CLOSE_TITLE = "A payment is still open"
CLOSE_ANYWAY = "Close the till"
KEEP_OPEN = "Keep the till open"


def closing_question(amount: str, expires: str | None) -> str:
    until = f" until {expires}" if expires else " until the order expires"
    return (
        f"The customer can still pay {amount}{until}. If you close the till now, nothing is "
        "lost: the sale stays in the journal, and when the till starts again it asks Cashfree "
        "and records the payment if it came. Until then this screen will not say PAID."
    )


def ask_before_closing(window: MainWindow) -> bool:
    """True when a question is now on screen (the window must stay open for the answer);
    False when nothing is open and the window may close."""
    state = window.controller.current
    if not window.controller.busy or state is None or state.is_final:
        return False
    if window.close_box is not None:
        window.close_box.raise_()
        return True
    expires = f"{state.expires_at.astimezone():%H:%M}" if state.expires_at else None
    box = QMessageBox(QMessageBox.Icon.Warning, CLOSE_TITLE, CLOSE_TITLE, parent=window)
    box.setInformativeText(closing_question(state.amount.format(), expires))
    close = box.addButton(CLOSE_ANYWAY, QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(KEEP_OPEN, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    window.close_box = box

    def answered(_: int) -> None:
        confirmed = box.clickedButton() is close
        window.close_box = None
        box.deleteLater()
        if confirmed:
            window.leaving = True
            window.close()

    box.finished.connect(answered)
    box.open()
    return True
