"""UPI payloads and real, scannable QR codes (qrcode + pillow) as data-URI PNGs."""

from __future__ import annotations

import base64
import io
from urllib.parse import quote

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from pos_app.domain.money import Money

__all__ = [
    "SIM_MERCHANT_NAME",
    "SIM_MERCHANT_VPA",
    "intent_urls",
    "png_data_uri",
    "upi_pay_url",
]

SIM_MERCHANT_VPA = "simmerchant@gocash"
SIM_MERCHANT_NAME = "Simulated Merchant"
_PNG_PREFIX = "data:image/png;base64,"


def upi_pay_url(
    amount: Money,
    cf_payment_id: str,
    order_id: str,
    *,
    vpa: str = SIM_MERCHANT_VPA,
    name: str = SIM_MERCHANT_NAME,
) -> str:
    """The NPCI deep link a UPI app reads from the QR: payee, amount, reference, note."""
    return (
        f"upi://pay?pa={quote(vpa, safe='@.')}&pn={quote(name, safe='')}"
        f"&am={amount.decimal_text()}&cu=INR&tr={quote(cf_payment_id, safe='')}"
        f"&tn={quote(order_id, safe='')}"
    )


def intent_urls(upi_url: str) -> dict[str, str]:
    """Per-app intent links for the `link` channel, as Cashfree's payload names them."""
    query = upi_url.partition("?")[2]
    return {
        "default": upi_url,
        "gpay": f"tez://upi/pay?{query}",
        "phonepe": f"phonepe://pay?{query}",
        "paytm": f"paytmmp://pay?{query}",
        "bhim": f"upi://pay?{query}",
    }


def png_data_uri(text: str) -> str:
    """`text` as a QR code PNG in a `data:image/png;base64,...` URI."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer)
    return _PNG_PREFIX + base64.b64encode(buffer.getvalue()).decode("ascii")
