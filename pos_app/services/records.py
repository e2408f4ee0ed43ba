"""The journal's types the screens handle, named once for them: the UI takes these from
services (ARCHITECTURE: the UI never imports store, gateway or commands)."""

from __future__ import annotations

from pos_app.store.codec import RefundRecord
from pos_app.store.errors import JournalError
from pos_app.store.journal import Journal

__all__ = ["Journal", "JournalError", "RefundRecord"]
