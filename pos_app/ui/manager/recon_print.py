"""The day report's reconciliation section (HTML for the QTextDocument that is printed or
saved as PDF): exceptions first, then settlements, then what is not settled yet."""

from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape

from pos_app.services.reporting.recon_match import ReconReport
from pos_app.services.reporting.recon_output import sentence, settlement_state, unsettled_line

__all__ = ["NOT_COMPARED", "recon_section_html"]

TITLE = "Reconciliation: the till, Cashfree and the bank"
NOT_COMPARED = (
    "Not compared with Cashfree for this day yet: open the Reconciliation tab and press "
    "“Compare with Cashfree”, then print again."
)


def _when(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%d %b %H:%M") if moment else ""


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    out = ['<table cellspacing="0" cellpadding="3" width="100%">']
    out.append("<tr>" + "".join(f"<th align='left'>{escape(h)}</th>" for h in head) + "</tr>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def recon_section_html(report: ReconReport | None) -> str:
    parts = [f"<h3>{escape(TITLE)}</h3>"]
    if report is None:
        parts.append(f"<p>{escape(NOT_COMPARED)}</p>")
        return "\n".join(parts)
    if report.error:
        parts.append(f"<p>{escape(report.error)}</p>")
        return "\n".join(parts)
    zone = report.zone
    parts.append(
        "<p>"
        + escape(
            f"Cashfree received {report.cashfree_paid.amount.format()} "
            f"({report.cashfree_paid.count}); the till recorded "
            f"{report.journal_paid.amount.format()} ({report.journal_paid.count}); "
            f"{report.matched.count} agree; {settlement_state(report)}."
            + (
                f" Other tills of this Cashfree account: {report.other_tills.amount.format()} "
                f"({report.other_tills.count})."
                if report.other_tills.count
                else ""
            )
        )
        + "</p>"
    )
    if report.issues:
        parts.append(f"<p><b>Needs a look ({len(report.issues)})</b></p>")
        parts.append(
            _table(
                ("What", "Order", "Amount", "Details"),
                [(i.title, i.order_id or "", i.amount.format(), i.detail) for i in report.issues],
            )
        )
    else:
        parts.append("<p>Nothing needs a look: the till and Cashfree agree.</p>")
    if report.settlements:
        parts.append("<p><b>Settlements (bank transfers)</b></p>")
        parts.append(
            _table(
                ("UTR", "Credited", "Gross", "Charges", "Tax", "Adjustments", "Net to bank"),
                [
                    (
                        g.utr or g.cf_settlement_id,
                        _when(g.settled_at, zone),
                        g.gross.format(),
                        g.charges.format(),
                        g.tax.format(),
                        g.adjustment.format(),
                        g.net.format(),
                    )
                    for g in report.settlements
                ],
            )
        )
    if report.unsettled.count:
        parts.append(f"<p>{escape(sentence(unsettled_line(report)))}.</p>")
    return "\n".join(parts)
