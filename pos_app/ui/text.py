"""Every sentence the desk shows, in one place.

Widgets never compose display wording themselves: they call these functions with the state
they render. Gateway failures arrive already worded (SaleState.error, from the services);
a status's title and sentence come from the one table (services.wording), by code; this
module words the desk's own screens, refusals and announcements.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.services import wording
from pos_app.services.checkout.state import Offline, SaleState

# ---- fixed strings ----------------------------------------------------------------------
APP_TITLE = "Cashfree till"
SCAN_INSTRUCTION = "Scan with any UPI app"
LINK_INSTRUCTION = "Scan to open the payment page, or send the link"
COLLECT_INSTRUCTION = "Ask the customer to approve the request in their UPI app"
CUSTOMER_WELCOME = "Welcome"
CUSTOMER_PAID = "Payment received. Thank you!"
CUSTOMER_SCAN = "Scan to pay with any UPI app"
CUSTOMER_WAIT = "One moment: the QR code to pay is on its way"
CANCEL = "Cancel (Esc)"
CHECK_NOW = "Check now"
COPY_LINK = "Copy link"
LINK_COPIED = "Link copied"
SHOW_LINK_QR = "Show a payment-link QR instead"
TRY_AGAIN = "Try again"
NEW_SALE = "New sale (Enter, or type the next amount)"
CONFIRM_CANCEL_TITLE = "Cancel this payment?"
CONFIRM_CANCEL = (
    "The till will ask Cashfree to close this order. If the customer has already paid, "
    "the payment is still recorded."
)
CANCEL_YES = "Cancel the payment"
CANCEL_NO = "Keep waiting"
DUPLICATE_TITLE = "Charge the same amount again?"
LATE_TITLE = "Late payment received"
LATE_ACK = "I have noted it"
UNEXPECTED = (
    "Something went wrong inside the till. The sale is kept in the journal and will be "
    "checked again; details are in the log."
)
SALE_IN_PROGRESS = "A payment is already in progress at this till. Finish or cancel it first."
CREDENTIALS_MISSING = (
    "This till has no Cashfree App ID and secret for {environment}. "
    "The manager can add them in Settings. Meanwhile you can try the till in demo mode: "
    "nothing is charged and no money moves."
)
TRY_DEMO = "Try the demo"
QR_MISSING = "The QR code is not available yet."
BILL_NUMBER = "Bill number"
NOTE = "Note"
PHONE = "Customer mobile"
EMAIL = "Customer e-mail"
VPA = "Customer UPI id"
SEND_SMS = "Text the link to the customer"
SEND_EMAIL = "E-mail the link to the customer"
COLLECT_WARNING = (
    "NPCI is phasing out UPI requests for merchant payments (since 28 Feb 2026). "
    "Cashfree may refuse them; the UPI QR always works."
)
DEMO_PAYS = "Customer pays"
DEMO_FAILS = "Customer's payment fails"
DEMO_WALKS_AWAY = "Customer walks away"
DEMO_PANEL = "Demo customer:"
ONLINE = "Online"


# ---- states -----------------------------------------------------------------------------
def status_title(status: SaleStatus) -> str:
    return wording.status_title(status)


def method_label(method: Method) -> str:
    return method.label


def method_button(method: Method, key: int) -> str:
    return f"{method.label} (F{key})"


CARD_INSTRUCTION = "The customer pays by card: their bank sends them an OTP."
CARD_BANK_INSTRUCTION = "The customer pays by card on their bank's own page (scan the QR)."
CARD_NUMBER = "Card number"
CARD_EXPIRY = "Expiry (MM/YY)"
CARD_CVV = "CVV"
CARD_NAME = "Name on card"
OTP = "OTP"
SUBMIT_OTP = "Submit OTP"
RESEND_OTP = "Send OTP again"
ANOTHER_CARD = "Pay with this card"
USE_BANK_PAGE = "No OTP? Use the bank's page (QR)"
TRY_ANOTHER_CARD = "The card did not work. Enter another card, or cancel the sale."


def resend_wait(seconds: int) -> str:
    return f"{RESEND_OTP} ({seconds} s)"


CUSTOMER_CARD_OTP = "Your bank has sent an OTP to your phone: type it here, or tell the cashier."
CUSTOMER_OTP_HINT = "OTP from your bank's SMS"
CUSTOMER_BANK_PAGE = "Scan with your phone to finish on your bank's secure page."
CHECKOUT_INSTRUCTION = "The customer pays on the customer screen, in Cashfree's checkout."


def instruction(method: Method) -> str:
    if method is Method.CARD:
        return CARD_INSTRUCTION
    if method is Method.CHECKOUT:
        return CHECKOUT_INSTRUCTION
    if method is Method.LINK:
        return LINK_INSTRUCTION
    if method is Method.COLLECT:
        return COLLECT_INSTRUCTION
    return SCAN_INSTRUCTION


WAITING_FOR_CODE = "Waiting for Cashfree: the QR shows here in a moment"
WAITING_FOR_CODE_OFFLINE = "Waiting for Cashfree: no QR yet, the till keeps trying"
_SAID_BY_INSTRUCTION = ("Scan with any UPI app", "Scan to open the payment page")
WAITING_FOR_CUSTOMER = wording.STATUS_WORDS[SaleStatus.AWAITING_PAYMENT].sentence


def waiting_for_code(offline: bool) -> str:
    return WAITING_FOR_CODE_OFFLINE if offline else WAITING_FOR_CODE


def status_line(state: SaleState) -> str:
    """The waiting screen's status line, without repeating the instruction above it."""
    message = state.message or status_title(state.status)
    if message.startswith(_SAID_BY_INSTRUCTION):
        return WAITING_FOR_CUSTOMER
    return message


def payee_line(store_name: str, qr_text: str | None) -> str:
    """Who the customer pays, as their UPI app will show it: the store and its UPI id."""
    from urllib.parse import parse_qs, urlsplit

    vpa = ""
    if qr_text and qr_text.lower().startswith("upi://"):
        query = parse_qs(urlsplit(qr_text).query)
        vpa = (query.get("pa") or [""])[0]
        store_name = store_name or (query.get("pn") or [""])[0]
    parts = [p for p in (store_name, vpa) if p]
    return "Pay to " + " · ".join(parts) if parts else ""


def attempt_failed(reason: str) -> str:
    return wording.attempt_failed(reason)


def result_reason(state: SaleState) -> str:
    """Why a sale ended the way it did: the gateway's words first, then the service's,
    then the table's for its status and reason code."""
    if state.error:
        return state.error
    if state.message:
        return state.message
    return wording.words(state.status, state.reason_code).sentence


def paid_details(state: SaleState) -> list[str]:
    lines = [f"Method: {method_label(state.method)}"]
    if state.payment_group:
        lines[0] += f" ({state.payment_group.replace('_', ' ')})"
    if state.bank_reference:
        lines.append(f"UTR / bank reference: {state.bank_reference}")
    if state.paid_at is not None:
        lines.append(f"Paid at {clock_time(state.paid_at)}")
    if state.bill_number:
        lines.append(f"Bill {state.bill_number}")
    if state.late:
        lines.append("Paid late: after the sale was cancelled or expired.")
    lines.append(f"Order {state.order_id}")
    return lines


# ---- times ------------------------------------------------------------------------------
def clock_time(moment: datetime) -> str:
    """A time of day in the till's local zone, like 14:05:09."""
    return moment.astimezone().strftime("%H:%M:%S")


def countdown(expires_at: datetime | None, now: datetime) -> str:
    if expires_at is None:
        return ""
    left = expires_at - now
    if left <= timedelta(0):
        return "Expiring now…"
    seconds = int(left.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"Expires in {hours}:{minutes:02d}:{secs:02d}"
    return f"Expires in {minutes}:{secs:02d}"


def offline_banner(offline: Offline) -> str:
    what = "Cashfree answers only with errors" if offline.answered else "No connection to Cashfree"
    return (
        f"{what} since {clock_time(offline.since)} ({offline.reason.rstrip('.')}). "
        f"Next try at {clock_time(offline.next_try_at)}."
    )


def connection(offline: Offline | None) -> str:
    if offline is None:
        return ONLINE
    what = "Cashfree error" if offline.answered else "Offline"
    return f"{what} · next try {clock_time(offline.next_try_at)}"


def open_payments(count: int) -> str:
    if count <= 0:
        return "No open payments"
    if count == 1:
        return "1 open payment"
    return f"{count} open payments"


# ---- header -----------------------------------------------------------------------------
def environment_badge(environment: str) -> str:
    return environment.upper()  # DEMO, SANDBOX, PRODUCTION


def store_line(store_name: str, terminal_id: str) -> str:
    return f"{store_name} · till {terminal_id}" if terminal_id else store_name


def credentials_missing(environment: str) -> str:
    return CREDENTIALS_MISSING.format(environment=environment_badge(environment).lower())


# ---- questions and announcements ---------------------------------------------------------
def duplicate_question(amount: Money, paid_at: datetime | None, now: datetime) -> str:
    if paid_at is None:
        when = "moments ago"
    else:
        minutes = max(0, int((now - paid_at).total_seconds() // 60))
        when = "less than a minute ago" if minutes == 0 else _minutes_ago(minutes)
    return f"{amount.format()} was paid at this till {when}. Charge again?"


def _minutes_ago(minutes: int) -> str:
    return "1 minute ago" if minutes == 1 else f"{minutes} minutes ago"


def late_payment(state: SaleState) -> str:
    bill = f" (bill {state.bill_number})" if state.bill_number else ""
    utr = f" UTR {state.bank_reference}." if state.bank_reference else ""
    return (
        f"{state.amount.format()} for order {state.order_id}{bill} arrived after the sale "
        f"was cancelled or expired. It is recorded as paid; tell the manager.{utr}"
    )


def link_sent(phone: str | None, email: str | None) -> str:
    targets = [t for t in (phone, email) if t]
    return "Link sent to " + " and ".join(targets) if targets else ""


def last_sale(state: SaleState, local_time: str) -> str:
    """The amount screen's strip: "Last sale ₹1,250.50 PAID at 10:42"."""
    name = wording.status_name(state.status)
    word = name.upper() if state.status is SaleStatus.PAID else name.lower()
    return f"Last sale {state.amount.format()} {word} at {local_time}"


# ---- amount screen refusals ---------------------------------------------------------------
NEED_PHONE = (
    "Cashfree needs a mobile number on every order: enter the customer's, or ask the "
    "manager to set the store's number in Settings (Store)."
)


def phone_hint(store_phone: str | None, required: bool, *, stand_in: bool = False) -> str:
    """The customer mobile field's placeholder: says which number goes to Cashfree."""
    if required or not store_phone:
        return "10 digits: needed (no store number in Settings)"
    spaced = f"{store_phone[:5]} {store_phone[5:]}" if len(store_phone) == 10 else store_phone
    whose = "the demo's stand-in" if stand_in else "the store's"
    return f"10 digits, or leave empty to send {whose} {spaced}"


NEED_PHONE_FOR_SMS = "Enter the customer's mobile number to text the link."
NEED_EMAIL_FOR_LINK = "Enter the customer's e-mail address to e-mail the link."
CANCELLING = "Cancelling: asking Cashfree to close the order…"
UNSETTLED = (
    "The till lost track of this sale before it was settled. It is kept in the journal and "
    "checked again in the background; money that arrives is announced."
)
DEMO_FAILED = "The demo customer could not do that just now. Try again."
DUPLICATE_YES = "Charge again"
DUPLICATE_NO = "Don't charge"
NOTICE_DISMISS = "Dismiss"
DEMO_RUNNING = (
    "This till has no Cashfree credentials yet, so it runs in DEMO mode: nothing is charged "
    "and no money moves. The manager can add the App ID and secret in Settings."
)
