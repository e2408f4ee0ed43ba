"""Exit codes of `pos-app charge` (and the other commands where they apply)."""

PAID = 0
ERROR = 1  # unexpected error (see the log)
BAD_INPUT = 2  # refused before anything was created
EXPIRED = 3
CANCELLED = 4  # by the cashier (Ctrl-C) or at Cashfree
FAILED = 5  # Cashfree refused the sale
GATEWAY_TROUBLE = 6  # Cashfree unreachable / outcome not confirmed: `pos-app reconcile` later
REFUSED = 7  # another sale in progress, or a duplicate charge not confirmed
SETUP = 8  # no credentials, keyring or journal problem
