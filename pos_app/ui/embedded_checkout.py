"""The embedded Cashfree checkout for the customer screen (optional `kiosk` extra).

QtWebEngine comes with PySide6-Addons, which the ordinary till does not install; this
module imports it only inside `CheckoutView`, and `unavailable_reason()` says why the
option is hidden when it is missing. The view: no address bar, an off-the-record profile
(no cookies or cache kept on disk), downloads cancelled, pop-ups refused, no context
menu, and top-level navigation locked by services/embedded_checkout.allowed_navigation.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from pos_app.services.embedded_checkout import (
    SDK_URL,
    allowed_navigation,
    bootstrap_html,
    demo_checkout_url,
)

__all__ = ["KIOSK_HINT", "CheckoutView", "unavailable_reason"]

log = logging.getLogger(__name__)

KIOSK_HINT = (
    "The embedded Cashfree checkout for a customer screen needs the optional 'kiosk' extra "
    "(Qt WebEngine, from PySide6-Addons): pip install 'pos_app[kiosk]'."
)


def unavailable_reason(*, load: bool = True) -> str | None:
    """None when the embedded checkout can be built here; otherwise why not, in words.

    `load=False` only looks for the modules (a few ms, for About); the default loads them
    once (~0.1 s), which also proves Qt WebEngine's own libraries are on this machine."""
    if not load:
        try:
            found = importlib.util.find_spec("PySide6.QtWebEngineWidgets") is not None
        except (ImportError, ValueError):
            found = False
        return None if found else f"{KIOSK_HINT} (PySide6-Addons is not installed)"
    try:
        import PySide6.QtWebEngineCore
        import PySide6.QtWebEngineWidgets  # noqa: F401
    except ImportError as exc:
        return f"{KIOSK_HINT} ({exc})"
    return None


def _allow_as_root() -> None:
    # Chromium refuses to start its sandbox as root (CI, some kiosk images). Only then is it
    # switched off, and said so in the log.
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and geteuid() == 0 and "QTWEBENGINE_DISABLE_SANDBOX" not in os.environ:
        log.warning("running as root: Qt WebEngine's sandbox is switched off")
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"


class CheckoutView(QWidget):
    """Shows one order's checkout; `close_checkout()` empties it when the sale ends."""

    blocked = Signal(str)  # the host of a page that was refused
    loaded = Signal(bool)

    def __init__(
        self, environment: str, demo_origin: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        _allow_as_root()
        from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEngineSettings
        from PySide6.QtWebEngineWidgets import QWebEngineView

        self.setObjectName("embeddedCheckout")
        self.environment = environment
        self.demo_origin = demo_origin
        self.order_id: str | None = None
        self.profile = QWebEngineProfile()  # no storage name: off the record
        self.profile.downloadRequested.connect(self._refuse_download)
        self.page = _locked_page(self.profile, self)
        self.profile.setParent(self.page)  # the page goes first, then its profile
        settings = self.page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows, False)
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, False)
        self.view = QWebEngineView(self)
        self.view.setPage(self.page)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.view.loadFinished.connect(self.loaded.emit)
        self.notice = QLabel("", self)
        self.notice.setObjectName("warning")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.notice)
        column.addWidget(self.view, 1)

    # ---- what the desk calls -----------------------------------------------------------
    def open_checkout(self, order_id: str, payment_session_id: str | None) -> None:
        self.order_id = order_id
        self.notice.setVisible(False)
        if self.environment == "demo":
            if not self.demo_origin:
                raise ValueError("the demo checkout needs the simulator's address")
            self.view.load(QUrl(demo_checkout_url(self.demo_origin, order_id)))
            return
        if payment_session_id is None:
            raise ValueError("Cashfree gave no payment session for this order")
        self.page.allow_bootstrap = True
        self.view.setHtml(bootstrap_html(self.environment, payment_session_id), QUrl(SDK_URL))

    def close_checkout(self) -> None:
        """The sale ended: nothing of its checkout stays on the customer's screen."""
        self.order_id = None
        self.page.allow_bootstrap = True
        self.view.setHtml("<!DOCTYPE html><html><body></body></html>")

    def dispose(self) -> None:
        """Tear the web view down now, page before profile (Qt WebEngine's required
        order), instead of whenever Python's garbage collector gets to it."""
        self.order_id = None
        self.view.stop()
        self.view.setPage(None)  # type: ignore[arg-type]
        self.page.deleteLater()  # its profile is its child: deleted after it
        self.view.deleteLater()

    # ---- the locks -----------------------------------------------------------------------
    def _refuse_download(self, download: Any) -> None:
        log.warning("embedded checkout: a download was refused")
        download.cancel()

    def refused(self, url: QUrl) -> None:
        host = url.host() or url.scheme()
        log.warning("embedded checkout: navigation to %s refused", host)
        self.notice.setText(
            f"The checkout tried to open a page outside Cashfree ({host}); it was blocked. "
            "Ask the customer to pay by QR instead."
        )
        self.notice.setVisible(True)
        self.blocked.emit(host)


def _locked_page(profile: Any, owner: CheckoutView) -> Any:
    from PySide6.QtWebEngineCore import QWebEnginePage

    class LockedPage(QWebEnginePage):
        allow_bootstrap = False

        def acceptNavigationRequest(self, url: QUrl | str, kind: Any, is_main_frame: bool) -> bool:
            target = QUrl(url) if isinstance(url, str) else url
            if self.allow_bootstrap and target.scheme() in ("data", "about"):
                self.allow_bootstrap = False
                return True
            if not is_main_frame:
                return target.scheme() == "https" or allowed_navigation(
                    target.toString(), owner.environment, owner.demo_origin
                )
            if allowed_navigation(target.toString(), owner.environment, owner.demo_origin):
                return True
            owner.refused(target)
            return False

        def createWindow(self, kind: Any) -> Any:
            log.warning("embedded checkout: a pop-up window was refused")
            return None

    return LockedPage(profile, owner)
