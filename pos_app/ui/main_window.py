"""The cashier's window: header, banners, the three screens, the demo controls.

It routes: intents from the screens go to the SaleController; SaleStates from the
controller go to the screen that shows them (and to the customer display).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Settings
from pos_app.domain.clock import Clock, utc_now
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.ui import text
from pos_app.ui.announcements import Announcer
from pos_app.ui.closing import ask_before_closing
from pos_app.ui.controller import DuplicateWarning, SaleController
from pos_app.ui.customer_display import CustomerDisplay
from pos_app.ui.manager.entry import attach_manager_entry
from pos_app.ui.options import DeskOptions
from pos_app.ui.screens.amount import AmountScreen
from pos_app.ui.screens.result import ResultScreen
from pos_app.ui.screens.waiting import WaitingScreen
from pos_app.ui.services import DeskServices
from pos_app.ui.setup.entry import attach_setup_entry
from pos_app.ui.sound import SilentSound, Sound
from pos_app.ui.sound_failed import play_failed, sound_notice
from pos_app.ui.widgets.background_notice import BackgroundNotice
from pos_app.ui.widgets.banner import Banner
from pos_app.ui.widgets.demo_panel import DemoPanel
from pos_app.ui.widgets.send_link import NOT_RESENT, RESENDING, LinkRecipients
from pos_app.ui.widgets.status_bar import StatusHeader
from pos_app.voice.desk import DeskVoice
from pos_app.voice.phrases import VoiceOptions

OPEN_COUNT_REFRESH_MS = 1000


class MainWindow(QMainWindow):
    closed = Signal()  # the cashier closed the window: time to shut down

    def __init__(
        self,
        controller: SaleController,
        options: DeskOptions,
        *,
        sound: Sound | None = None,
        customer: CustomerDisplay | None = None,
        notice: str | None = None,
        credentials_missing: bool = False,
        on_try_demo: Callable[[], object] | None = None,
        clock: Clock = utc_now,
        voice: DeskVoice | None = None,
        services: DeskServices | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        env = text.environment_badge(options.environment)
        self.setWindowTitle(f"{text.APP_TITLE}: {options.store_name} ({env})")
        self.setMinimumSize(1000, 560)
        self.controller = controller
        self.options = options
        self.sound: Sound = sound or SilentSound()
        self.voice = voice or DeskVoice.silent()  # says "₹450 received" (issue 18)
        self.customer = customer
        self.announcer = Announcer(self, clock)
        self._clock = clock
        # The old sale's ending (CANCELLED / EXPIRED), not shown while a new sale replaces
        # it; shown after all if the new one never starts.
        self._held_final: SaleState | None = None
        self.leaving = False  # the cashier confirmed closing with a payment open
        self.close_box: QMessageBox | None = None

        self.header = StatusHeader(options.store_name, options.terminal_id, options.environment)
        self.background = BackgroundNotice(self.header)
        header_row = self.header.layout()
        if isinstance(header_row, QBoxLayout):  # a calm line beside the connection state
            header_row.insertWidget(header_row.indexOf(self.header.connection), self.background)
        self.notice = Banner("info", "Notice")
        self.setup = Banner("warning", "Credentials")
        self.problem = Banner("error", "Problem")
        self.amount = AmountScreen(options)
        self.waiting = WaitingScreen(clock=clock)
        self.waiting.store_name = options.store_name
        self.result = ResultScreen()
        self.stack = QStackedWidget()
        for screen in (self.amount, self.waiting, self.result):
            self.stack.addWidget(screen)
        self.demo = DemoPanel()
        self.demo.setVisible(options.environment == "demo" and controller.has_demo_customer)

        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        for widget in (self.header, self.notice, self.setup, self.problem):
            column.addWidget(widget)
        # A problem can appear mid-sale: its line is kept even when empty, so showing it
        # never pushes the keypad, the QR or the buttons down.
        policy = self.problem.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.problem.setSizePolicy(policy)
        column.addWidget(self.stack, 1)
        column.addWidget(self.demo)
        self.setCentralWidget(central)

        if notice:
            self.notice.show_message(notice)
        self.voice_notice = Banner("info", "Voice")  # on, but this machine cannot speak
        self.voice_notice.show_message(self.voice.notice or "")
        column.insertWidget(column.indexOf(self.problem) + 1, self.voice_notice)
        self.header.show_sound_notice(sound_notice(self.sound, options.sound))
        if credentials_missing:
            self._explain_setup(on_try_demo)

        self._connect()
        self._open_timer = QTimer(self)
        self._open_timer.setInterval(OPEN_COUNT_REFRESH_MS)
        self._open_timer.timeout.connect(self._refresh_open_count)
        self._open_timer.start()
        self._refresh_open_count()
        self.new_sale()
        self.services = services  # what the composition root handed the desk (None: tests)
        setup = services.setup if services is not None else None
        if setup is not None:  # About repeats the header's sound notice
            setup.sound_notice = sound_notice(self.sound, options.sound)
        # "Till" menu: Settings (behind the PIN), About
        self.setup_entry = attach_setup_entry(
            self, setup, on_saved=self.settings_saved, notice=self.notice
        )
        # the manager's console (F9), behind the PIN
        self.manager_entry = (
            attach_manager_entry(
                self,
                services.checkout,
                services.manager,
                problem=self.problem,
                store_reader=services.store.reader if services.store is not None else None,
            )
            if services is not None
            else None
        )

    def _explain_setup(self, on_try_demo: Callable[[], object] | None) -> None:
        if self.options.environment == "demo":
            self.setup.show_message(text.DEMO_RUNNING)
            return
        self.setup.show_message(text.credentials_missing(self.options.environment))
        if on_try_demo is not None:
            self.setup.offer(text.TRY_DEMO, on_try_demo)

    def _connect(self) -> None:
        c = self.controller
        c.state_changed.connect(self.show_state)
        c.sale_ended.connect(self._sale_ended)
        c.error.connect(self._problem)
        c.duplicate_warning.connect(self._duplicate)
        c.late_payment.connect(self.announcer.announce_late)
        c.background_paid.connect(self._background_paid)
        c.late_payment.connect(self._speak_away_from_counter)
        c.background_paid.connect(self._speak_away_from_counter)
        c.replacement_dropped.connect(self._replacement_dropped)
        self.amount.charge_requested.connect(self.charge)
        self.waiting.cancel_requested.connect(self._cancel)
        self.waiting.check_now_requested.connect(c.check_now)
        self.waiting.fallback_requested.connect(self._fallback)
        self.waiting.send_link_requested.connect(self._send_link)
        self.waiting.otp_submitted.connect(c.submit_otp)
        self.waiting.resend_otp_requested.connect(c.resend_otp)
        self.waiting.bank_page_requested.connect(c.use_bank_page)
        if self.customer is not None:
            self.customer.otp_submitted.connect(c.submit_otp)
        self.waiting.another_card_requested.connect(c.another_card)
        self.result.new_sale_requested.connect(self.new_sale)
        self.result.next_sale_typed.connect(self._next_sale_typed)
        self.result.try_again_requested.connect(self._try_again)
        self.result.fallback_requested.connect(self._fallback)
        self.demo.action.connect(c.demo)

    # ---- intents --------------------------------------------------------------------------
    def charge(self, request: ChargeRequest) -> None:
        self.problem.hide()
        self.controller.charge(request)

    def new_sale(self) -> None:
        self.result.stop()
        self.waiting.stop()
        self.amount.reset()
        self.stack.setCurrentWidget(self.amount)
        self.demo.set_active(False)
        if self.customer is not None:
            self.customer.show_welcome()
        self.amount.setFocus(Qt.FocusReason.OtherFocusReason)

    def _next_sale_typed(self, key: str) -> None:
        self.new_sale()
        self.amount.type_key(key)

    def _cancel(self) -> None:
        self.waiting.mark_cancelling()
        self.controller.cancel()

    def _try_again(self) -> None:
        request = self.controller.last_request
        if request is not None:
            self.charge(dataclasses.replace(request, confirm_duplicate=False))

    def _fallback(self) -> None:
        """The account cannot show a UPI QR itself: take the same sale as a payment link."""
        request = self.controller.last_request
        if request is None:
            return
        link = dataclasses.replace(request, method=Method.LINK, vpa=None, confirm_duplicate=False)
        if not self.controller.busy:
            self.charge(link)
        elif self.controller.replace_sale(link):
            self.waiting.mark_cancelling()

    def _send_link(self, recipients: LinkRecipients) -> None:
        """Cashfree cannot send a link's SMS / e-mail again: close this link and create a
        new one for the same amount that Cashfree sends (paid wins, see replace_sale)."""
        request = self.controller.last_request
        state = self.controller.current
        if request is None or state is None or state.method is not Method.LINK:
            return
        again = dataclasses.replace(
            request,
            method=Method.LINK,
            vpa=None,
            phone=recipients.phone or request.phone,
            email=recipients.email or request.email,
            send_sms=recipients.phone is not None,
            send_email=recipients.email is not None,
        )
        if self.controller.replace_sale(again):
            self.problem.hide()
            self.waiting.mark_cancelling(RESENDING)

    def _duplicate(self, warning: DuplicateWarning) -> None:
        again = dataclasses.replace(warning.request, confirm_duplicate=True)
        self.announcer.ask_duplicate(warning, lambda: self.charge(again))

    # ---- rendering ------------------------------------------------------------------------
    def show_state(self, state: SaleState) -> None:
        self.header.show_connection(state.offline)
        if self.customer is not None:
            self.customer.show_state(state)
        if state.is_final:
            if self.controller.replacing and state.status in (
                SaleStatus.CANCELLED,
                SaleStatus.EXPIRED,
            ):
                self._held_final = state  # a new sale takes its place: keep waiting
                return
            self._show_result(state)
            return
        self._held_final = None
        self.result.stop()
        previous = self.waiting.state
        self.waiting.show_state(state)
        if state.attempt_failed and (
            previous is None
            or previous.order_id != state.order_id
            or previous.attempt_failed != state.attempt_failed
        ):
            play_failed(self.sound)  # the customer's attempt failed: a distinct sound
        request = self.controller.last_request
        if state.method is Method.LINK and request is not None:
            self.waiting.prefill_recipients(request.phone, request.email)
            self.waiting.show_link_note(
                text.link_sent(
                    request.phone if request.send_sms else None,
                    request.email if request.send_email else None,
                )
            )
        else:
            self.waiting.show_link_note("")
        if self.stack.currentWidget() is not self.waiting:
            self.stack.setCurrentWidget(self.waiting)
            self.waiting.setFocus(Qt.FocusReason.OtherFocusReason)
        self.demo.set_active(state.status is SaleStatus.AWAITING_PAYMENT)
        self._refresh_open_count()

    def _show_result(self, state: SaleState) -> None:
        before = self.result.state
        newly_paid = state.status is SaleStatus.PAID and not (
            self.stack.currentWidget() is self.result
            and before is not None
            and before.order_id == state.order_id
            and before.status is SaleStatus.PAID
        )
        newly_failed = state.status is SaleStatus.FAILED and (
            before is None or before.order_id != state.order_id
        )
        self.waiting.stop()
        self.demo.set_active(False)
        self.result.show_state(state)
        self.stack.setCurrentWidget(self.result)
        self.result.setFocus(Qt.FocusReason.OtherFocusReason)
        when = (state.paid_at or self._clock()).astimezone()
        self.amount.show_last_sale(text.last_sale(state, f"{when:%H:%M}"))
        if newly_paid and not self.voice.counter_paid(state):
            self.sound.paid()  # the chime when the till does not speak
        elif newly_failed:
            play_failed(self.sound)
        self._refresh_open_count()

    def _sale_ended(self, last: SaleState | None) -> None:
        held, self._held_final = self._held_final, None
        if held is not None:
            if last is None:
                # The replacement never started (refused, or the cashier declined to charge
                # a just-paid amount again): show how the old sale ended after all.
                self._show_result(held)
            else:
                self._held_final = held  # the old sale's stream ended; its replacement is next
            return
        if last is not None and not last.is_final:
            # The stream stopped before a settled state: say what that means, calmly.
            if last.status is not SaleStatus.UNCERTAIN:
                last = dataclasses.replace(
                    last, status=SaleStatus.UNCERTAIN, message=text.UNSETTLED, error=None
                )
            self._show_result(last)

    def _problem(self, message: str) -> None:
        if self.stack.currentWidget() is self.amount:
            self.amount.show_refusal(message)
        elif self.stack.currentWidget() is self.waiting and self.waiting.card.isVisible():
            self.waiting.card.show_refusal(message)
        else:
            self.problem.show_message(message)

    def _replacement_dropped(self, last: SaleState | None) -> None:
        """The old sale did not end cancelled, so no new link was created. PAID speaks for
        itself on the result screen; anything else is explained."""
        if last is not None and last.status is SaleStatus.PAID:
            return
        self.problem.show_message(NOT_RESENT)

    def _background_paid(self, state: SaleState) -> None:
        self.background.announce(state, self._clock())
        # The checkout stops counting the sale right after telling us: recount next turn.
        QTimer.singleShot(0, self._refresh_open_count)

    def _speak_away_from_counter(self, state: SaleState) -> None:
        """Another customer may be at the counter: their sale on the waiting screen means
        the announcement must say which sale was paid."""
        shown = self.waiting.state
        other_customer = (
            self.stack.currentWidget() is self.waiting
            and shown is not None
            and shown.order_id != state.order_id
            and not shown.is_final
        )
        self.voice.paid_elsewhere(state, other_qr_on_screen=other_customer)

    def settings_saved(self, settings: Settings) -> None:
        """The settings dialog saved: the voice follows at once (the rest at restart)."""
        self.voice.reconfigure(VoiceOptions.from_settings(settings))
        self.voice_notice.show_message(self.voice.notice or "")

    def _refresh_open_count(self) -> None:
        # The payment on screen counts too: "1 open payment" while the customer pays.
        current = self.controller.current
        at_counter = int(self.controller.busy and current is not None and not current.is_final)
        self.header.show_open_count(self.controller.open_count() + at_counter)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.leaving and ask_before_closing(self):
            event.ignore()  # the question decides (non-blocking)
            return
        self._open_timer.stop()
        self.voice.close()
        self.result.stop()
        self.waiting.stop()
        if self.customer is not None:
            self.customer.close()
        super().closeEvent(event)
        self.closed.emit()
