"""What the control API and the test checkout page (control.py) ask of a simulator.

control.py works on this protocol, not on core.Simulator: core imports control to route
requests outside /pg, and control no longer needs core back (no import circle).
"""

from __future__ import annotations

from typing import Any, Protocol

from pos_app.simulator.calls import CallLog
from pos_app.simulator.customer import CustomerAction
from pos_app.simulator.faults import Faults
from pos_app.simulator.settlements import DisputeKind

__all__ = ["ControlledSimulator"]


class ControlledSimulator(Protocol):
    calls: CallLog

    @property
    def public_url(self) -> str: ...

    @property
    def faults(self) -> Faults: ...

    def set_faults(self, faults: Faults | None = None, **changes: Any) -> Faults: ...

    def order(self, order_id: str) -> dict[str, Any]: ...

    def order_ids(self) -> list[str]: ...

    def link(self, link_id: str) -> dict[str, Any]: ...

    def link_notifications(self, link_id: str) -> dict[str, Any]: ...

    def card_page_facts(self, cf_payment_id: str) -> tuple[str, Any, str]: ...

    def card_page_acts(self, cf_payment_id: str, *, approve: bool) -> None: ...

    def open_dispute(
        self, order_id: str, kind: DisputeKind | str = ..., *, rupees: str | None = None
    ) -> str: ...

    def customer_acts(
        self,
        order_id: str,
        action: CustomerAction | str,
        *,
        error_code: str | None = None,
        after_seconds: float = 0.0,
    ) -> str: ...

    def link_customer_acts(
        self,
        link_id: str,
        action: CustomerAction | str,
        *,
        error_code: str | None = None,
        after_seconds: float = 0.0,
    ) -> str: ...
