"""The till and the store database: the outbox push, joining a store, webhooks and the push hint."""
