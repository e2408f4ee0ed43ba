"""What the till says, and when: the rules for announcing a paid sale.

- Only a sale whose status is PAID is announced: the checkout yields PAID only after
  Cashfree's order and a matching SUCCESS payment agree, so nothing is said before that.
- The sale at the counter: "<amount> received" (with its bill when the shop wants it).
- A payment for a sale no longer at the counter: "Late payment received: <amount>" when it
  came after the sale was closed, "<amount> received" for a sale followed in the background;
  either names the sale (bill number, else the end of the order id) whenever another
  customer's QR is on screen, so the customer in front of the cashier is never told their
  own payment arrived.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.domain.sale import SaleStatus
from pos_app.services.checkout.state import SaleState
from pos_app.voice.languages import DEFAULT_LANGUAGE, LANGUAGES, Language, language

__all__ = ["Announcement", "VoiceOptions", "at_counter", "away_from_counter"]

ORDER_TAIL = 4  # characters of the order id said when a sale has no bill number
MAX_VOLUME = 100
DEFAULT_VOLUME = 80


@dataclass(frozen=True, slots=True)
class VoiceOptions:
    enabled: bool = True
    language: str = DEFAULT_LANGUAGE
    volume: int = DEFAULT_VOLUME  # percent
    say_bill: bool = False

    @classmethod
    def from_settings(cls, settings: object) -> VoiceOptions:
        """Read pos_app.config.Settings (or anything with the same attribute names)."""
        code = getattr(settings, "voice_language", DEFAULT_LANGUAGE)
        volume = getattr(settings, "voice_volume", DEFAULT_VOLUME)
        return cls(
            enabled=bool(getattr(settings, "voice", True)),
            language=code if code in LANGUAGES else DEFAULT_LANGUAGE,
            volume=volume if type(volume) is int and 0 <= volume <= MAX_VOLUME else DEFAULT_VOLUME,
            say_bill=bool(getattr(settings, "voice_say_bill", False)),
        )


@dataclass(frozen=True, slots=True)
class Announcement:
    order_id: str
    paise: int
    late: bool  # not the sale at the counter: said as a late payment
    bill: str | None = None  # name the sale by its bill number ...
    order_tail: str | None = None  # ... or by the end of its order id

    def text(self, lang: Language | str) -> str:
        spoken = language(lang) if isinstance(lang, str) else lang
        reference: str | None = None
        if self.bill:
            reference = spoken.bill_reference(self.bill)
        elif self.order_tail:
            reference = spoken.order_reference(self.order_tail)
        if self.late:
            return spoken.late_received(self.paise, reference)
        return spoken.received(self.paise, reference)


def at_counter(state: SaleState, options: VoiceOptions) -> Announcement | None:
    """The announcement for the sale at the counter turning PAID, or None."""
    if not options.enabled or state.status is not SaleStatus.PAID:
        return None
    bill = state.bill_number if options.say_bill else None
    return Announcement(state.order_id, state.amount.paise, late=state.late, bill=bill)


def away_from_counter(
    state: SaleState, options: VoiceOptions, *, other_qr_on_screen: bool
) -> Announcement | None:
    """The announcement for a sale paid while it was not (or no longer) at the counter."""
    if not options.enabled or state.status is not SaleStatus.PAID:
        return None
    name_it = other_qr_on_screen or options.say_bill
    bill = state.bill_number if name_it else None
    tail = _order_tail(state.order_id) if other_qr_on_screen and not bill else None
    # Only money that came after the sale was closed is "late"; a sale followed in the
    # background that is paid in time is simply received (and named, as above).
    return Announcement(
        state.order_id, state.amount.paise, late=state.late, bill=bill, order_tail=tail
    )


def _order_tail(order_id: str) -> str:
    letters = [c for c in order_id if c.isascii() and c.isalnum()]
    return "".join(letters[-ORDER_TAIL:])
