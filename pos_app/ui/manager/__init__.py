"""The manager's console: transactions, day end, refunds, receipts (behind the manager PIN)."""
