"""A card sale against the in-process simulated Cashfree: OTP at the till, the bank page,
declines, another card, resend cool-down, and card data that never reaches the journal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio
from till_fakes import Till, make_till, qr_request

from pos_app.domain.card import CardDetails, parse_card
from pos_app.domain.money import Money
from pos_app.domain.sale import Method, SaleStatus
from pos_app.domain.validate import ValidationError
from pos_app.services.checkout.card import CardStepError
from pos_app.services.checkout.service import SaleInProgressError
from pos_app.services.checkout.state import ChargeRequest, SaleState
from pos_app.simulator.cards import DECLINED_CARD, OTP_CARD, THREE_DS_CARD

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def till(tmp_path: Path) -> AsyncIterator[Till]:
    t = make_till(tmp_path)
    yield t
    await t.checkout.shutdown()
    await t.client.aclose()
    t.journal.close()


def card(number: str = OTP_CARD, cvv: str = "123") -> CardDetails:
    return parse_card(number, "08/29", cvv, "Asha Rao", today=date(2026, 11, 26))


def card_request(rupees: int = 499, details: CardDetails | None = None) -> ChargeRequest:
    return ChargeRequest(amount=Money.rupees(rupees), method=Method.CARD, card=details or card())


async def until(till: Till, stream: AsyncIterator[SaleState], test: object) -> SaleState:
    async for state in stream:
        till.seen.append(state)
        if test(state):  # type: ignore[operator]
            return state
    raise AssertionError(f"the sale ended first: {till.seen[-1]}")


def waiting_otp(state: SaleState) -> bool:
    return state.card is not None and state.card.needs_otp


def card_failed(state: SaleState) -> bool:
    return state.card is not None and state.card.failed is not None


def kinds(till: Till, order_id: str) -> list[str]:
    return [e.kind for e in till.journal.events(order_id)]


async def test_wrong_then_right_otp_pays_and_keeps_only_the_last_four(
    till: Till, tmp_path: Path
) -> None:
    details = card()
    request = card_request(details=details)
    till.stream = till.checkout.start(request)
    asking = await until(till, till.stream, waiting_otp)
    assert details.cleared, "the card data is wiped as soon as Order Pay answered"
    assert asking.status is SaleStatus.AWAITING_PAYMENT
    assert asking.card is not None and asking.card.label == "Visa •••• 1111"
    assert asking.card.tries_left == 3 and "OTP" in asking.message
    wrong = await till.checkout.submit_otp(asking.order_id, "000000")
    assert wrong.card is not None and wrong.card.needs_otp
    assert (
        wrong.card.otp_message
        == "Cashfree: otp is invalid, 2 attempts left. The customer can try again."
    )
    assert wrong.card.tries_left == 2
    right = await till.checkout.submit_otp(asking.order_id, " 123456 ")
    assert right.card is not None and right.card.checking and not right.card.needs_otp
    final = await till.finish()
    assert final.status is SaleStatus.PAID
    sale = till.journal.get_sale(final.order_id)
    assert sale is not None and sale.payer == "xxxx1111" and sale.payment_group == "credit_card"
    events = {e.kind: e.detail for e in till.journal.events(final.order_id)}
    assert events["card_attempt_started"]["last4"] == "1111"
    assert events["card_attempt_started"]["network"] == "Visa"
    assert kinds(till, final.order_id).count("otp_submitted") == 2
    till.journal.close()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert OTP_CARD.encode() not in data and b"123456" not in data, path


async def test_three_wrong_otps_fail_the_card_then_another_card_pays(till: Till) -> None:
    till.stream = till.checkout.start(card_request())
    asking = await until(till, till.stream, waiting_otp)
    for _ in range(3):
        state = await till.checkout.submit_otp(asking.order_id, "111111")
    assert state.card is not None and state.card.failed is not None
    assert "no attempts left" in state.card.failed and not state.card.needs_otp
    assert state.status is SaleStatus.AWAITING_PAYMENT
    with pytest.raises(CardStepError):
        await till.checkout.submit_otp(asking.order_id, "123456")
    again = till.checkout.retry_card(asking.order_id, card())
    second = await until(till, again, waiting_otp)
    assert second.card is not None and second.card.failed is None and second.card.tries_left == 3
    await till.checkout.submit_otp(asking.order_id, "123456")
    assert (await till.finish()).status is SaleStatus.PAID
    assert kinds(till, asking.order_id).count("card_attempt_started") == 2


async def test_a_declined_card_says_so_and_another_card_may_be_tried(till: Till) -> None:
    declined = card(DECLINED_CARD)
    till.stream = till.checkout.start(card_request(details=declined))
    state = await until(till, till.stream, card_failed)
    assert declined.cleared
    assert state.card is not None and "declined" in (state.card.failed or "")
    assert state.status is SaleStatus.AWAITING_PAYMENT
    assert "card_refused" in kinds(till, state.order_id)
    again = till.checkout.retry_card(state.order_id, card())
    asking = await until(till, again, waiting_otp)
    await till.checkout.submit_otp(asking.order_id, "123456")
    assert (await till.finish()).status is SaleStatus.PAID


async def test_a_wrong_cvv_is_declined(till: Till) -> None:
    till.stream = till.checkout.start(card_request(details=card(cvv="999")))
    state = await until(till, till.stream, card_failed)
    assert "declined" in (state.card.failed or "")  # type: ignore[union-attr]
    assert (await till.cancel_and_finish(state.order_id)).status is SaleStatus.CANCELLED


async def test_the_bank_page_is_shown_as_a_qr_and_followed(till: Till) -> None:
    till.stream = till.checkout.start(card_request(details=card(THREE_DS_CARD)))
    shown = await until(till, till.stream, lambda s: s.card is not None and s.card.bank_page)
    assert shown.qr is not None and shown.qr.text == shown.qr_text
    assert shown.qr_text is not None and "/checkout/card/" in shown.qr_text
    assert "3-D Secure" in shown.message
    cf_payment_id = shown.qr_text.rsplit("/", 1)[1]
    till.sim.card_page_acts(cf_payment_id, approve=True)
    assert (await till.finish()).status is SaleStatus.PAID


async def test_resend_has_a_cool_down(till: Till) -> None:
    till.stream = till.checkout.start(card_request())
    asking = await until(till, till.stream, waiting_otp)
    with pytest.raises(ValidationError) as caught:
        await till.checkout.resend_otp(asking.order_id)
    assert caught.value.field == "otp" and "Wait 30 s" in caught.value.message
    assert not any("/authenticate/" in path for _, _, path in till.transport.calls)
    assert asking.card is not None and asking.card.resend_at is not None
    till.clock.now = asking.card.resend_at
    resent = await till.checkout.resend_otp(asking.order_id)
    assert (
        resent.card is not None and resent.card.otp_message == "The bank is sending the OTP again."
    )
    with pytest.raises(ValidationError):
        await till.checkout.resend_otp(asking.order_id)
    assert "otp_resent" in kinds(till, asking.order_id)
    await till.checkout.submit_otp(asking.order_id, "123456")
    assert (await till.finish()).status is SaleStatus.PAID


@pytest.mark.parametrize("otp", ["", "12", "12ab56", "123456789"])
async def test_a_malformed_otp_is_refused_before_sending(till: Till, otp: str) -> None:
    till.stream = till.checkout.start(card_request())
    asking = await until(till, till.stream, waiting_otp)
    before = len(till.transport.calls)
    with pytest.raises(ValidationError):
        await till.checkout.submit_otp(asking.order_id, otp)
    assert len(till.transport.calls) == before
    assert (await till.cancel_and_finish(asking.order_id)).status is SaleStatus.CANCELLED


async def test_otp_for_a_sale_that_is_not_a_card_sale(till: Till) -> None:
    shown = await till.run(qr_request(20), until_awaiting=True)
    with pytest.raises(CardStepError):
        await till.checkout.submit_otp(shown.order_id, "123456")
    with pytest.raises(CardStepError):
        await till.checkout.resend_otp("no-such-order")
    assert (await till.cancel_and_finish(shown.order_id)).status is SaleStatus.CANCELLED


async def test_card_requests_are_checked(tmp_path: Path) -> None:
    without_card = make_till(tmp_path / "a", methods=frozenset({Method.UPI_QR, Method.LINK}))
    with pytest.raises(ValidationError) as caught:
        without_card.checkout.check_request(card_request())
    assert "switched off" in caught.value.message
    await without_card.client.aclose()
    without_card.journal.close()
    till = make_till(tmp_path / "b")
    with pytest.raises(ValidationError) as caught:
        till.checkout.check_request(ChargeRequest(amount=Money.rupees(5), method=Method.CARD))
    assert caught.value.field == "card_number"
    used = card()
    used.clear()
    with pytest.raises(ValidationError):
        till.checkout.check_request(card_request(details=used))
    await till.client.aclose()
    till.journal.close()


async def test_cancel_while_waiting_for_the_otp(till: Till) -> None:
    till.stream = till.checkout.start(card_request())
    asking = await until(till, till.stream, waiting_otp)
    final = await till.cancel_and_finish(asking.order_id)
    assert final.status is SaleStatus.CANCELLED
    with pytest.raises(CardStepError):
        await till.checkout.submit_otp(asking.order_id, "123456")


async def test_the_card_is_wiped_when_the_order_is_refused(till: Till) -> None:
    details = card()
    till.sim.set_faults(down=True)
    till.stream = till.checkout.start(card_request(details=details))
    async for state in till.stream:
        if state.offline is not None:
            break
    assert not details.cleared  # still needed: Order Pay has not been sent yet
    cancel_state = await till.cancel_and_finish(state.order_id)
    assert cancel_state.status in (SaleStatus.CANCELLED, SaleStatus.UNCERTAIN)
    assert details.cleared


async def test_a_refused_request_wipes_the_card(till: Till) -> None:
    shown = await till.run(qr_request(20), until_awaiting=True)
    details = card()
    with pytest.raises(SaleInProgressError):
        async for _ in till.checkout.start(card_request(details=details)):
            pass
    assert details.cleared
    assert (await till.cancel_and_finish(shown.order_id)).status is SaleStatus.CANCELLED


async def test_no_otp_the_bank_page_instead(till: Till) -> None:
    till.stream = till.checkout.start(card_request())
    asking = await until(till, till.stream, waiting_otp)
    assert asking.card is not None and asking.card.bank_page_offered
    switched = await till.checkout.use_bank_page(asking.order_id)
    assert switched.card is not None and switched.card.bank_page and not switched.card.needs_otp
    assert not switched.card.bank_page_offered
    assert switched.qr is not None and switched.qr_text is not None
    assert "/checkout/card/" in switched.qr_text and "3-D Secure" in switched.message
    with pytest.raises(CardStepError):
        await till.checkout.submit_otp(asking.order_id, "123456")
    till.sim.card_page_acts(switched.qr_text.rsplit("/", 1)[1], approve=True)
    assert (await till.finish()).status is SaleStatus.PAID
    assert "card_bank_page" in kinds(till, asking.order_id)
