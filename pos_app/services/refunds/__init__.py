"""Refunds: made here, asked for by a door that may not move money, made outside the till, or for a sale taken at another till."""
