"""Every embedded checkout view a test makes is torn down before the next test (page before
profile), so no Qt WebEngine object outlives its test.

Qt WebEngine, once started, stays for the life of the process and tears itself down when the
application's event loop quits; a later test that runs and quits a whole desk
(QApplication.exec, e.g. tests/ui/test_setup_first_run.py) then crashes in that teardown.
So the tests in this folder run last in any session (the desk itself quits cleanly with the
embedded checkout: test_kiosk_desk runs it as a real process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from pos_app.ui.embedded_checkout import unavailable_reason


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    kiosk = [item for item in items if here in Path(str(item.path)).resolve().parents]
    if kiosk:
        others = [item for item in items if item not in kiosk]
        items[:] = others + kiosk


@pytest.fixture(autouse=True)
def _dispose_web_views(qapp: QApplication) -> Iterator[None]:
    yield
    if unavailable_reason(load=False) is not None:
        return
    from pos_app.ui.embedded_checkout import CheckoutView

    for widget in QApplication.allWidgets():
        if isinstance(widget, CheckoutView):
            widget.dispose()
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        qapp.processEvents()
