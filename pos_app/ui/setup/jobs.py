"""The setup dialogs' name for the one asyncio<->Qt adapter (pos_app/ui/operations.py).

A dialog hands `Jobs.run` an awaitable and what to do with its result or its failure; the
work never blocks the GUI thread, every task is kept until it ends, and `cancel_all` stops
them when the dialog closes.
"""

from __future__ import annotations

from pos_app.ui.operations import Operations as Jobs

__all__ = ["Jobs"]
