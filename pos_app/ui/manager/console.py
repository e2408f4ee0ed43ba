"""The manager's console: a window with Transactions and Day end, wired to the controller.

It routes: intents from the views go to the ManagerController, answers from the controller
go to the view that shows them. Printing and PDFs are done here, from the journal's
current facts.

The console is opened with the manager PIN; refunds ask it again only after five minutes
without a key press or click in the console (IDLE_SECONDS), and a FURTHER refund while
one is on its way always asks it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money
from pos_app.services.refunds.requests import recent_tool_calls
from pos_app.services.refunds.service import FINAL, RefundOutcome, RefundRecord
from pos_app.services.reporting.day_end import DayReport
from pos_app.services.reporting.queries import SalesFilter
from pos_app.ui import text as desk_text
from pos_app.ui.manager import text
from pos_app.ui.manager.controller import ManagerContext, ManagerController
from pos_app.ui.manager.day_end_view import DayEndView
from pos_app.ui.manager.evidence_dialog import EvidenceDialog
from pos_app.ui.manager.mcp_calls_view import McpCallsView
from pos_app.ui.manager.paginate import keep_tables_whole
from pos_app.ui.manager.printing import (
    CHART_URL,
    day_report_html,
    make_document,
    print_document,
    save_pdf,
)
from pos_app.ui.manager.receipt import Paper, StoreDetails, receipt_document_html
from pos_app.ui.manager.receipt_print import page_layout, receipt_document, save_receipt_pdf
from pos_app.ui.manager.recon_controller import ReconController
from pos_app.ui.manager.recon_print import recon_section_html
from pos_app.ui.manager.recon_view import DEMO_NOTE, RECON_TAB, ReconView
from pos_app.ui.manager.refund_dialog import RefundDialog
from pos_app.ui.manager.refund_request_dialog import RefundRequestDialog
from pos_app.ui.manager.save_folder import in_documents
from pos_app.ui.manager.store_refund import StoreRefundFlow
from pos_app.ui.manager.store_tab import STORE_TAB, StoreDayPort, StoreTab
from pos_app.ui.manager.transactions import TransactionsView
from pos_app.ui.widgets.banner import Banner
from pos_app.ui.widgets.env_badge import EnvBadge

__all__ = ["IDLE_SECONDS", "ManagerConsole", "PinGate"]

IDLE_SECONDS = 300.0  # the PIN is asked again after this long without input in the console
_INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})

# (parent, what the PIN is for, what to do once it is given; on_refused=...)
PinGate = Callable[..., object]


def _no_pin(_parent: QWidget, _what: str, then: Callable[[], object], **_options: Any) -> None:
    then()


class ManagerConsole(QWidget):
    closed = Signal()

    def __init__(
        self,
        context: ManagerContext,
        *,
        pin_gate: PinGate = _no_pin,
        today: datetime | None = None,
        parent: QWidget | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        store_reader: StoreDayPort | None = None,  # the store database, when joined
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        deps = context.deps
        self.context = context
        self.pin_gate = pin_gate
        self._monotonic = monotonic
        self._active_at = monotonic()  # opened with the PIN: that counts as activity
        self._gap = 0.0  # how long the console was idle before the latest input
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.controller = ManagerController(context, self)
        self.setWindowTitle(
            f"{text.CONSOLE_TITLE}: {deps.store_name} · till {deps.terminal_id} "
            f"({desk_text.environment_badge(deps.environment)})"
        )
        self.resize(1180, 720)
        now = (today or deps.clock()).astimezone(context.zone).date()
        self.refund_dialog: RefundDialog | None = None
        self.request_dialog: RefundRequestDialog | None = None
        self.dialogs: list[QWidget] = []  # open file / print dialogs, kept alive
        self.document: QTextDocument | None = None  # what is being printed
        self.receipt_paper = Paper.ROLL_80

        self.notice = Banner("info", "Notice", self)
        self.problem = Banner("error", "Problem", self)
        self.transactions = TransactionsView(context.reader, now, context.zone, self)
        self.day_end = DayEndView(now, context.zone, context.reader.terminals(), self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.transactions, text.TRANSACTIONS_TAB)
        self.tabs.addTab(self.day_end, text.DAY_END_TAB)
        self.mcp_calls = McpCallsView(lambda: recent_tool_calls(context.reader), context.zone, self)
        self.tabs.addTab(self.mcp_calls, text.MCP_TAB)
        self.recon = ReconView(
            now, context.zone, self, note=DEMO_NOTE if deps.environment == "demo" else ""
        )
        self.recon_controller = ReconController(context, self)
        self.evidence_dialog: EvidenceDialog | None = None
        self.tabs.addTab(self.recon, RECON_TAB)
        reader = store_reader
        self.store_tab = StoreTab(reader, now, context.zone, self) if reader else None
        if self.store_tab is not None:
            self.tabs.addTab(self.store_tab, STORE_TAB)
            self.tabs.currentChanged.connect(self._store_tab_shown)
            self.store_refunds = StoreRefundFlow(
                self.store_tab, lambda what, then: self.gate(what, then), self.show_sale, self
            )
        header = QHBoxLayout()
        header.addWidget(QLabel(f"<b>{deps.store_name}</b> · till {deps.terminal_id}", self))
        header.addStretch(1)
        header.addWidget(EnvBadge(deps.environment, self))
        column = QVBoxLayout(self)
        column.addLayout(header)
        column.addWidget(self.notice)
        column.addWidget(self.problem)
        column.addWidget(self.tabs, 1)
        if not context.pin_set:
            self.notice.show_message(text.NO_PIN_SET)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        self._connect()
        self.transactions.load()

    def _store_tab_shown(self, index: int) -> None:
        if self.store_tab is not None and self.tabs.widget(index) is self.store_tab:
            self.store_tab.load()

    def _connect(self) -> None:
        c = self.controller
        detail = self.transactions.detail
        detail.refresh_requested.connect(c.refresh_sale)
        detail.cancel_requested.connect(self.confirm_cancel)
        detail.refund_requested.connect(self.ask_refund)
        detail.check_refunds_requested.connect(c.check_refunds)
        detail.print_requested.connect(self.print_receipt)
        detail.pdf_requested.connect(self.ask_receipt_pdf)
        c.sale_changed.connect(self.transactions.refresh_order)
        c.notice.connect(self._notice)
        c.problem.connect(self._problem)
        c.refund_done.connect(self._refund_done)
        c.refund_refused.connect(self._refund_refused)
        detail.refund_request_requested.connect(self.ask_refund_request)
        c.request_decided.connect(self._request_decided)
        c.request_refused.connect(self._request_refused)
        c.refund_waiting.connect(self._refund_waiting)
        c.day_ready.connect(self.day_end.show_report)
        c.progress.connect(self.day_end.show_progress)
        c.day_refreshed.connect(self.day_end.show_refresh)
        c.busy_changed.connect(self.day_end.set_busy)
        self.day_end.load_requested.connect(c.load_day)
        self.day_end.refresh_requested.connect(c.refresh_day)
        self.day_end.export_sales_requested.connect(self.export_day_sales)
        self.day_end.print_requested.connect(self.print_day)
        self.day_end.pdf_requested.connect(self.save_day_pdf)
        self.tabs.currentChanged.connect(self._tab_changed)
        rc = self.recon_controller
        detail.evidence_requested.connect(self.ask_evidence)
        self.recon.load_requested.connect(rc.load_recon)
        rc.recon_ready.connect(self.recon.show_report)
        rc.busy_changed.connect(self.recon.set_busy)
        rc.problem.connect(self._problem)
        rc.sale_changed.connect(self.transactions.refresh_order)
        rc.evidence_done.connect(self._evidence_done)
        self.recon.open_sale_requested.connect(self.show_sale)

    # ---- transactions ------------------------------------------------------------------------
    def confirm_cancel(self, order_id: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            desk_text.CONFIRM_CANCEL_TITLE,
            desk_text.CONFIRM_CANCEL,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(desk_text.CANCEL_YES)
        box.button(QMessageBox.StandardButton.No).setText(desk_text.CANCEL_NO)
        box.accepted.connect(lambda: self.controller.cancel_sale(order_id))
        self._keep(box)
        box.open()

    # ---- the PIN: once per opening, again after IDLE_SECONDS without input ------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT and self._inside(watched):
            now = self._monotonic()
            self._gap = now - self._active_at
            self._active_at = now
        return False

    def _inside(self, watched: QObject) -> bool:
        widget = watched if isinstance(watched, QWidget) else None
        while widget is not None:
            if widget is self:
                return True
            widget = widget.parentWidget()
        return False

    @property
    def pin_fresh(self) -> bool:
        """True while the console has not been left alone for IDLE_SECONDS."""
        idle = max(self._gap, self._monotonic() - self._active_at)
        return idle < IDLE_SECONDS

    def gate(
        self,
        what: str,
        then: Callable[[], object],
        *,
        always: bool = False,
        on_refused: Callable[[], object] | None = None,
    ) -> None:
        """Run `then` at once while the PIN is fresh (unless `always`), else ask it."""
        if self.pin_fresh and not always:
            then()
            return

        def granted() -> None:
            self._active_at, self._gap = self._monotonic(), 0.0
            then()

        if on_refused is None:
            self.pin_gate(self, what, granted)
        else:
            self.pin_gate(self, what, granted, on_refused=on_refused)

    def ask_refund(self, order_id: str) -> None:
        self.gate(text.PIN_TO_REFUND, lambda: self.open_refund(order_id))

    def open_refund(self, order_id: str) -> RefundDialog | None:
        detail = self.transactions.detail_of(order_id)
        if detail is None or detail.refundable.paise <= 0:
            return None
        waiting = next(
            (r for r in self.context.reader.refunds_for(order_id) if r.status not in FINAL),
            None,
        )
        dialog = RefundDialog(detail.sale, detail.refundable, self, waiting=waiting)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.submitted.connect(self._refund_submitted)
        dialog.another_requested.connect(self._another_requested)
        dialog.finished.connect(lambda _r: self._refund_closed(dialog))
        self.refund_dialog = dialog
        dialog.open()
        return dialog

    def _refund_submitted(self, order_id: str, amount: Money, reason: str | None) -> None:
        self.controller.refund(order_id, amount, reason)

    def _another_requested(self, order_id: str, amount: Money, reason: str | None) -> None:
        """A further refund while one is on its way: the PIN is asked again, always."""
        dialog = self.refund_dialog

        def go() -> None:
            self.controller.refund_another(order_id, amount, reason)

        def refused() -> None:
            if dialog is not None and dialog.waiting is not None:
                dialog.show_waiting(dialog.waiting)

        self.gate(text.PIN_TO_REFUND_ANOTHER, go, always=True, on_refused=refused)

    def _refund_waiting(self, waiting: RefundRecord, message: str) -> None:
        if self.refund_dialog is not None:
            self.refund_dialog.show_waiting(waiting, message)
        else:
            self._problem(message)

    def _refund_done(self, outcome: RefundOutcome) -> None:
        if self.refund_dialog is not None:
            order_id = outcome.refund.order_id
            sale = self.context.reader.get_sale(order_id)
            taken = None
            if sale is not None:
                taken = self.context.reader.refunded_total(order_id, include_pending=True)
            self.refund_dialog.show_outcome(outcome, taken)

    def _refund_refused(self, message: str) -> None:
        if self.refund_dialog is not None:
            self.refund_dialog.show_refusal(message)
        else:
            self._problem(message)

    def _refund_closed(self, dialog: RefundDialog) -> None:
        if self.refund_dialog is dialog:
            self.refund_dialog = None

    # ---- refund requests ---------------------------------------------------------------------
    def ask_refund_request(self, order_id: str) -> None:
        self.pin_gate(self, text.PIN_TO_DECIDE, lambda: self.open_refund_request(order_id))

    def open_refund_request(self, order_id: str) -> RefundRequestDialog | None:
        detail = self.transactions.detail_of(order_id)
        if detail is None or not detail.pending_requests:
            self._notice(text.NO_PENDING_REQUEST)
            return None
        dialog = RefundRequestDialog(
            detail.sale, detail.pending_requests[0], self.context.zone, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.approved.connect(self.controller.approve_refund_request)
        dialog.rejected.connect(self.controller.reject_refund_request)
        dialog.finished.connect(lambda _r: self._request_closed(dialog))
        self.request_dialog = dialog
        dialog.open()
        return dialog

    def _request_decided(self, message: str) -> None:
        if self.request_dialog is not None:
            self.request_dialog.show_outcome(message)

    def _request_refused(self, message: str) -> None:
        if self.request_dialog is not None:
            self.request_dialog.show_refusal(message)
        else:
            self._problem(message)

    def _request_closed(self, dialog: RefundRequestDialog) -> None:
        if self.request_dialog is dialog:
            self.request_dialog = None

    def show_sale(self, order_id: str) -> None:
        """Transactions, filtered to this one sale (on its day), with its detail open."""
        sale = self.context.reader.get_sale(order_id)
        if sale is None:
            return
        filters = self.transactions.filters
        quiet = [filters.days.blockSignals(True), filters.search.blockSignals(True)]
        try:  # one load below, not one per change
            filters.days.set_days(sale.created_at.astimezone(self.context.zone).date())
            filters.search.setText(order_id)
        finally:
            filters.days.blockSignals(quiet[0])
            filters.search.blockSignals(quiet[1])
        self.tabs.setCurrentWidget(self.transactions)
        if self.transactions.load(filters.current()):
            self.transactions.select_row(0)

    # ---- "the customer says they paid" ---------------------------------------------------------
    def ask_evidence(self, order_id: str) -> None:
        self.pin_gate(self, text.PIN_TO_EVIDENCE, lambda: self.open_evidence(order_id))

    def open_evidence(self, order_id: str) -> EvidenceDialog | None:
        sale = self.context.reader.get_sale(order_id)
        if sale is None:
            return None
        dialog = EvidenceDialog(sale, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.submitted.connect(self.recon_controller.paid_evidence)
        dialog.finished.connect(lambda _r: self._evidence_closed(dialog))
        self.evidence_dialog = dialog
        dialog.open()
        return dialog

    def _evidence_done(self, outcome: object) -> None:
        if self.evidence_dialog is not None:
            self.evidence_dialog.show_outcome(outcome)  # type: ignore[arg-type]

    def _evidence_closed(self, dialog: EvidenceDialog) -> None:
        if self.evidence_dialog is dialog:
            self.evidence_dialog = None

    def receipt(self, order_id: str) -> QTextDocument | None:
        sale = self.context.reader.get_sale(order_id)
        if sale is None:
            return None
        paper = self.transactions.detail.paper_choice()
        store = self.context.store or StoreDetails(self.context.deps.store_name)
        html = receipt_document_html(
            sale,
            self.context.reader.refunds_for(order_id),
            store=store,
            zone=self.context.zone,
            paper=paper,
            environment=self.context.deps.environment,
        )
        document = receipt_document(html, paper)
        self.receipt_paper = paper
        return document

    def print_receipt(self, order_id: str) -> None:
        document = self.receipt(order_id)
        if document is not None:
            self.document = document
            layout = page_layout(document, self.receipt_paper)
            dialog = print_document(document, self, lambda _done: None, layout=layout)
            self._keep(dialog)

    def ask_receipt_pdf(self, order_id: str) -> None:
        self._ask_pdf(f"receipt-{order_id}.pdf", lambda path: self.save_receipt_pdf(order_id, path))

    def save_receipt_pdf(self, order_id: str, path: Path) -> Path | None:
        document = self.receipt(order_id)
        if document is None:
            return None
        paper = self.transactions.detail.paper_choice()
        return self._saved(save_receipt_pdf(document, paper, path, title=f"Receipt {order_id}"))

    # ---- day end -------------------------------------------------------------------------------
    def day_document(self, report: DayReport) -> QTextDocument:
        recon = self.recon.report
        same_days = recon is not None and (recon.start, recon.end) == (report.start, report.end)
        html = day_report_html(
            report,
            store_name=self.context.deps.store_name,
            environment=self.context.deps.environment,
            with_chart=True,
            extra_html=recon_section_html(recon if same_days else None),
        )
        document = make_document(html, images={CHART_URL: self.day_end.chart.render_image()})
        keep_tables_whole(document)  # a table that fits on a page is not split across two
        return document

    def print_day(self) -> None:
        if self.day_end.report is not None:
            self._print(self.day_document(self.day_end.report))

    def save_day_pdf(self, path: Path) -> Path | None:
        report = self.day_end.report
        if report is None:
            return None
        return self._saved(save_pdf(self.day_document(report), path, title="Day end"))

    def export_day_sales(self, path: Path) -> None:
        start, end, terminal = self.day_end.selection()
        self.controller.export_sales(path, SalesFilter(start, end, terminal_id=terminal))

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.mcp_calls:
            self.mcp_calls.reload()
        if self.tabs.widget(index) is self.day_end and self.day_end.report is None:
            self.day_end.request_load()
        if self.tabs.widget(index) is self.recon and self.recon.report is None:
            self.recon.request_load()

    # ---- plumbing ------------------------------------------------------------------------------
    def _print(self, document: QTextDocument) -> None:
        self.document = document
        dialog = print_document(document, self, lambda _done: None)
        self._keep(dialog)

    def _ask_pdf(self, name: str, then: Callable[[Path], object]) -> None:
        dialog = QFileDialog(self, "", in_documents(name), text.PDF_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("pdf")
        dialog.fileSelected.connect(lambda chosen: then(Path(chosen)))
        self._keep(dialog)
        dialog.open()

    def _saved(self, path: Path) -> Path:
        self._notice(text.saved(str(path)))
        return path

    def _keep(self, dialog: QWidget) -> None:
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]

    def _notice(self, message: str) -> None:
        self.problem.hide()
        self.notice.show_message(message)
        if self.tabs.currentWidget() is self.day_end:
            self.day_end.show_message(message)

    def _problem(self, message: str) -> None:
        self.problem.show_message(message)

    def closeEvent(self, event: QCloseEvent) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.controller.shutdown()
        self.recon_controller.shutdown()
        super().closeEvent(event)
        self.closed.emit()
