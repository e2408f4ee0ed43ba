"""Customer receipts for the printers shops have: 58 mm and 80 mm thermal rolls, and A4.

Qt-free: this module words a receipt and lays it out as simple HTML (label and value on
each line, no wide tables, so a 32-character roll prints it whole); receipt_print.py
turns it into a page of the right size. The store's name, address, GSTIN and phone come
from Settings; the amount is also written in words, as Indian receipts do.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from html import escape

from pos_app.domain.money import Money
from pos_app.domain.sale import Sale, SaleStatus
from pos_app.store.codec import RefundRecord
from pos_app.ui.manager import text

__all__ = ["Paper", "StoreDetails", "amount_in_words", "receipt_document_html", "rupees_in_words"]

_ENVIRONMENT_NOTE = {
    "demo": "DEMO: a training sale, no money moved",
    "sandbox": "SANDBOX: a test payment, no money moved",
}


class Paper(enum.Enum):
    """(printable width in mm, base font size in pt, caption)."""

    ROLL_58 = (48.0, 7.5, "58 mm roll")
    ROLL_80 = (72.0, 8.5, "80 mm roll")
    A4 = (186.0, 11.0, "A4")

    @property
    def width_mm(self) -> float:
        return self.value[0]

    @property
    def font_pt(self) -> float:
        return self.value[1]

    @property
    def caption(self) -> str:
        return self.value[2]

    @property
    def is_roll(self) -> bool:
        return self is not Paper.A4


@dataclass(frozen=True, slots=True)
class StoreDetails:
    name: str
    address: str | None = None
    gstin: str | None = None
    phone: str | None = None


_ONES = (
    "",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
)
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    return (_TENS[n // 10] + " " + _ONES[n % 10]).strip()


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{_ONES[hundreds]} Hundred"] if hundreds else []
    if rest:
        words.append(_below_hundred(rest))
    return " ".join(words)


def amount_in_words(n: int) -> str:
    """A whole number in the Indian system: 1,23,45,678 -> One Crore Twenty Three Lakh ..."""
    if n == 0:
        return "Zero"
    parts = []
    crore, n = divmod(n, 1_00_00_000)
    if crore:
        parts.append(f"{amount_in_words(crore)} Crore")
    lakh, n = divmod(n, 1_00_000)
    if lakh:
        parts.append(f"{_below_hundred(lakh)} Lakh")
    thousand, n = divmod(n, 1000)
    if thousand:
        parts.append(f"{_below_hundred(thousand)} Thousand")
    if n:
        parts.append(_below_thousand(n))
    return " ".join(parts)


def rupees_in_words(amount: Money) -> str:
    """₹1,250.50 -> "Rupees One Thousand Two Hundred Fifty and Fifty Paise Only"."""
    rupees, paise = divmod(amount.paise, 100)
    words = f"Rupees {amount_in_words(rupees)}"
    if paise:
        words += f" and {amount_in_words(paise)} Paise"
    return words + " Only"


def _line(label: str, value: str) -> str:
    return f"<tr><td>{escape(label)}</td><td align='right'>{escape(value)}</td></tr>"


def receipt_document_html(
    sale: Sale,
    refunds: Sequence[RefundRecord],
    *,
    store: StoreDetails,
    zone: tzinfo,
    paper: Paper = Paper.ROLL_80,
    environment: str | None = None,
) -> str:
    """The receipt as HTML for a QTextDocument `paper` wide."""
    env = environment or sale.environment
    head = [f"<p align='center'><b style='font-size:{paper.font_pt * 1.4:.1f}pt'>"]
    head.append(f"{escape(store.name)}</b>")
    for extra in (store.address, f"GSTIN {store.gstin}" if store.gstin else None):
        if extra:
            head.append(f"<br>{escape(extra)}")
    if store.phone:
        head.append(f"<br>Phone {escape(store.phone)}")
    head.append(f"<br>Till {escape(sale.terminal_id)}</p>")
    parts = ["".join(head)]
    if env in _ENVIRONMENT_NOTE:
        parts.append(f"<p align='center'><b>{escape(_ENVIRONMENT_NOTE[env])}</b></p>")
    paid = sale.status is SaleStatus.PAID
    title = "PAYMENT RECEIPT" if paid else text.status_name(sale.status).upper()
    parts.append(f"<p align='center'><b>{escape(title)}</b></p>")
    parts.append(
        f"<p align='center'><b style='font-size:{paper.font_pt * 2:.1f}pt'>"
        f"{escape(sale.amount.format())}</b><br>{escape(rupees_in_words(sale.amount))}</p>"
    )
    rows = []
    if sale.bill_number:
        rows.append(_line("Bill no.", sale.bill_number))
    when = sale.paid_at or sale.created_at
    rows.append(_line("Date", text.local(when, zone)))
    method = sale.method.label
    if sale.payment_group:
        method += f" ({sale.payment_group.replace('_', ' ')})"
    rows.append(_line("Method", method))
    rows.append(_line("UTR", sale.bank_reference or "-"))
    rows.append(_line("Order", sale.order_id))
    if sale.cf_payment_id:
        rows.append(_line("Payment id", sale.cf_payment_id))
    parts.append(
        "<table width='100%' cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>"
    )
    if refunds:
        lines = []
        for refund in refunds:
            lines.append(_line(text.local(refund.created_at, zone), refund.amount.format()))
            lines.append(_line(f"  {refund.refund_id}", refund.status.title()))
        done = Money(sum(r.amount.paise for r in refunds if r.status == "SUCCESS"))
        lines.append(_line("Refunded", done.format()))
        lines.append(_line("Kept", (sale.amount - done).format()))
        parts.append("<p><b>Refunds</b></p>")
        parts.append(
            "<table width='100%' cellspacing='0' cellpadding='1'>" + "".join(lines) + "</table>"
        )
    parts.append("<p align='center'>Paid through Cashfree Payments.<br>Thank you!</p>")
    body = "\n".join(parts)
    return (
        f"<html><body style='font-family:sans-serif; font-size:{paper.font_pt:.1f}pt'>"
        f"{body}</body></html>"
    )
