"""Every sentence the first-run wizard, the settings dialog, the PIN dialog and the About
dialog show, in one place."""

from __future__ import annotations

WIZARD_TITLE = "Set up the till"
SETTINGS_TITLE = "Settings"
PIN_TITLE = "Manager PIN"
ABOUT_TITLE = "About this till"

WELCOME = (
    "Welcome. This till takes UPI payments through Cashfree. You can try it at once "
    "without an account: the demo uses a built-in pretend Cashfree, nothing is charged "
    "and no money moves."
)
TRY_DEMO = "Try the demo now"
OR_ACCOUNT = "Or set it up with your Cashfree account:"
MODE_QUESTION = "Which Cashfree should this till use?"
MODE_DEMO = "Demo: the built-in pretend Cashfree (no account, no money moves)"
MODE_SANDBOX = "Cashfree sandbox: test keys, test payments, no real money"
MODE_PRODUCTION = "Cashfree production: real customers, real money"
PRODUCTION_WARNING = (
    "Production means every sale is a real payment: real money moves from real customers "
    "to the shop's Cashfree account."
)
PRODUCTION_CONFIRM = "I understand that real money will move"
PRODUCTION_NOT_CONFIRMED = "Tick the box to confirm that this till will take real money."

CREDENTIALS_INTRO = (
    "Copy the App ID and the secret from the Cashfree dashboard (Developers, API keys). "
    "The secret is kept in this computer's password store only, never in a file."
)
APP_ID = "App ID"
CLIENT_KEY_LABEL = "Client secret"
CLIENT_KEY_KEEP = "Saved: leave empty to keep it"
CLIENT_KEY_NONE = "Paste the secret here"
TEST_CONNECTION = "Test connection"
TESTING = "Asking Cashfree… (this creates nothing)"
NO_CLIENT_KEY_TYPED = "Enter the client secret to test it."
LOADING_CREDENTIALS = "Reading the password store…"


def credentials_heading(environment: str) -> str:
    return f"Cashfree {environment} credentials"


STORE_INTRO = "Printed on receipts and shown on the till."
STORE_NAME = "Store name"
TERMINAL_ID = "Terminal id"
TERMINAL_HINT = "1 to 8 letters or digits, like T1"
STORE_ADDRESS = "Address (receipts)"
STORE_ADDRESS_HINT = "optional, e.g. 12 MG Road, Pune 411001"
STORE_GSTIN = "GSTIN (receipts)"
STORE_GSTIN_HINT = "optional, 15 characters"
DEFAULT_PHONE = "Store mobile number"
DEFAULT_PHONE_HINT = "10 digits, like 98765 43210"
DEFAULT_PHONE_NOTE = (
    "Cashfree needs a mobile number on every order. The till sends the customer's when the "
    "cashier types one, otherwise this one."
)
DEFAULT_PHONE_NOTE_DEMO = (
    "Cashfree needs a mobile number on every order. The till sends the customer's when the "
    "cashier types one, otherwise this one (the demo uses 99999 99999 while it is empty)."
)
DEFAULT_PHONE_NEEDED = (
    "Enter the store's mobile number: Cashfree refuses an order without one when the "
    "customer gives none."
)

PIN_INTRO = (
    "The manager PIN is asked before settings, refunds and the switch to production. "
    "4 to 8 digits; only a salted hash of it is kept."
)
PIN_KEEP_INTRO = "Leave both empty to keep the current PIN."
NEW_PIN = "New PIN"
REPEAT_PIN = "New PIN again"
PIN_MISMATCH = "The two PINs are not the same."
PIN_REQUIRED = "Choose a manager PIN: it keeps real money settings away from everyone else."
PIN_NEEDED_FOR_PRODUCTION = (
    "Set a manager PIN first (on the Manager PIN tab): production moves real money."
)

TILL_INTRO = "How the counter works."
ORDER_EXPIRY = "Order expires after"
MINUTES = " minutes"
METHODS = "Payment methods"
METHOD_QR = "UPI QR"
METHOD_LINK = "Payment link"
METHOD_COLLECT = "UPI request (off by default)"
COLLECT_WARNING = (
    "NPCI has been phasing out UPI requests (collect) for merchant payments since "
    "28 Feb 2026. Cashfree may refuse them; the UPI QR always works."
)
NO_METHOD = "Keep at least one payment method."
SOUND = "Play a sound when a payment arrives"
CUSTOMER_DISPLAY = "Customer display"
NO_CUSTOMER_DISPLAY = "None"


def screen_choice(index: int, name: str) -> str:
    return f"Screen {index + 1} ({name})" if name else f"Screen {index + 1}"


DISCARD_QUESTION = (
    "Close the set-up and forget what you typed? Nothing has been saved yet; the set-up "
    "comes back the next time the till starts."
)
DISCARD = "Forget it and close"
KEEP_EDITING = "Keep editing"

BACK = "Back"
NEXT = "Next"
FINISH = "Finish"
CANCEL = "Cancel"
SAVE = "Save"
SAVING = "Saving…"
OK = "OK"
COPY_DIAGNOSTICS = "Copy diagnostics"
COPIED = "Copied. Paste it into your message to support."
GATHERING = "Gathering…"
CLOSE = "Close"
SETTINGS_MENU = "Till"
SETTINGS_ACTION = "Settings…"
ABOUT_ACTION = "About and diagnostics…"
SETTINGS_SAVED = "Settings saved. They take effect when the till is closed and opened again."
TAB_CASHFREE = "Cashfree"
TAB_STORE = "Store"
TAB_TILL = "Till"
TAB_PIN = "Manager PIN"


def pin_prompt(what: str) -> str:
    return f"Enter the manager PIN to {what}."


WRONG_PIN = "That is not the manager PIN."
ENTER_PIN = "Enter the manager PIN."
