"""Reading the day: totals, the day end, refreshing from Cashfree, three-way reconciliation, the store-wide day."""
