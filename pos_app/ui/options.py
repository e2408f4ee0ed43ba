"""What the desk needs from Settings, read once into a plain value.

The desk depends on a handful of Settings fields only; reading them here keeps every
widget testable with a DeskOptions built by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from pos_app.config import Settings
from pos_app.domain.money import DEFAULT_MAXIMUM, Money
from pos_app.domain.sale import Method
from pos_app.domain.store_phone import fallback_phone

log = logging.getLogger(__name__)

# F1, F2, F3, F4 always mean the same method, whichever are enabled.
METHOD_KEYS: dict[Method, int] = {
    Method.UPI_QR: 1,
    Method.LINK: 2,
    Method.COLLECT: 3,
    Method.CARD: 4,
    Method.CHECKOUT: 5,
}


@dataclass(frozen=True, slots=True)
class DeskOptions:
    store_name: str = "My store"
    terminal_id: str = "1"
    environment: str = "production"
    methods: tuple[Method, ...] = (Method.UPI_QR, Method.LINK)
    maximum: Money = DEFAULT_MAXIMUM
    sound: bool = True
    customer_display_screen: int | str | None = None
    # The number Cashfree gets when the customer gives none (pos_app.domain.store_phone);
    # `phone_required` when there is none, so a sale without the customer's is refused.
    store_phone: str | None = None
    phone_required: bool = False
    phone_is_stand_in: bool = False  # the demo's stand-in, not a number from Settings

    @property
    def default_method(self) -> Method:
        return self.methods[0] if self.methods else Method.UPI_QR

    @classmethod
    def from_settings(cls, settings: Settings, environment: str) -> DeskOptions:
        """Read the till's Settings (already checked when they were built)."""
        methods = _methods(settings.methods, settings.collect_enabled)
        methods = _with_card(methods, settings.card_payments_enabled)
        methods = _with_checkout(methods, settings.embedded_checkout)
        paise = settings.max_amount_paise
        stored = settings.default_customer_phone
        phone = fallback_phone(stored, environment)
        return cls(
            store_name=settings.store_name or "My store",
            terminal_id=settings.terminal_id or "1",
            environment=environment,
            methods=methods,
            maximum=Money(paise) if paise > 0 else DEFAULT_MAXIMUM,
            sound=settings.sound,
            customer_display_screen=settings.customer_display_screen,
            store_phone=phone,
            phone_required=phone is None,
            phone_is_stand_in=phone is not None and phone != stored,
        )


def _with_card(methods: tuple[Method, ...], card_enabled: bool) -> tuple[Method, ...]:
    """Card only when a manager switched card payments on (then always offered, on F4)."""
    others = tuple(m for m in methods if m is not Method.CARD)
    return (*others, Method.CARD) if card_enabled else others


def _with_checkout(methods: tuple[Method, ...], enabled: bool) -> tuple[Method, ...]:
    """The embedded checkout only when switched on AND the kiosk extra can run here
    (otherwise it is hidden; About says why)."""
    others = tuple(m for m in methods if m is not Method.CHECKOUT)
    if not enabled:
        return others
    from pos_app.ui.embedded_checkout import unavailable_reason

    if unavailable_reason() is not None:
        log.info("embedded checkout switched on but not available: %s", unavailable_reason())
        return others
    return (*others, Method.CHECKOUT)


def _methods(chosen: Iterable[Method], collect_enabled: bool) -> tuple[Method, ...]:
    """Enabled methods in settings order; UPI request only when switched on."""
    found: list[Method] = []
    for method in chosen:
        if method is Method.COLLECT and not collect_enabled:
            continue
        if method not in found:
            found.append(method)
    if not found:
        found = [Method.UPI_QR, Method.LINK]
    if collect_enabled and Method.COLLECT not in found:
        found.append(Method.COLLECT)
    return tuple(found)
