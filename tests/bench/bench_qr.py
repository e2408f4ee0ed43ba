"""Time building a payment QR and painting it on the desk's QR view (offscreen).

    python tests/bench/bench_qr.py [ROUNDS]      (default 200)

Each round makes the QR for a fresh Cashfree-sized UPI payload, hands it to a QrView of
600x600 and grabs the view (which paints it); then resizes the view to 420x420 and grabs
again (a repaint at another size, as when the window is resized); then draws it for an
80x24 terminal as `pos-app charge` does. Prints the median and
95th percentile of each step in milliseconds.

Works on both sides of issue 14's "the QR is a value" change: before it the service drew a
PNG (`services.qr.render_png`) that the view decoded and rescaled; after it the service
builds a `QrCode` once and the view paints its modules.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from pos_app.services.terminal_qr import terminal_qr
from pos_app.ui.widgets.qr_view import QrView

PAYLOAD = (
    "upi://pay?pa=simmerchant@gocash&pn=Simulated%20Merchant&am={amount}.50&cu=INR"
    "&tr=5114910{n:06d}&tn=T1-260302093000-ABCDEF"
)


def _steps() -> tuple[str, Callable[[str], object], Callable[[QrView, object], bool]]:
    try:
        from pos_app.domain.qr import QrCode
    except ImportError:  # before: a PNG round trip
        from pos_app.services.qr import render_png

        def show_png(view: QrView, png: object) -> bool:
            return bool(view.set_png(png))  # type: ignore[attr-defined,arg-type,unused-ignore]

        return "PNG (render_png + set_png)", render_png, show_png

    def show_code(view: QrView, code: object) -> bool:
        return bool(view.set_code(code))  # type: ignore[attr-defined,arg-type,unused-ignore]

    return "QrCode (QrCode.encode + set_code)", QrCode.encode, show_code


def _summary(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{name:<22} median {statistics.median(ms):7.3f} ms   p95 {p95:7.3f} ms"


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    app = QApplication.instance() or QApplication([])
    label, build, show = _steps()
    terminal_takes_code = not label.startswith("PNG")
    view = QrView()
    view.resize(600, 600)
    view.show()
    app.processEvents()
    timings: dict[str, list[float]] = {
        "build": [],
        "hand to view": [],
        "paint 600": [],
        "repaint 420": [],
        "terminal": [],
        "total": [],
    }
    for n in range(rounds):
        text = PAYLOAD.format(amount=100 + n, n=n)
        view.resize(600, 600)
        t0 = time.perf_counter()
        value = build(text)
        t1 = time.perf_counter()
        assert show(view, value)
        t2 = time.perf_counter()
        view.grab()
        t3 = time.perf_counter()
        view.resize(420, 420)
        view.grab()
        t4 = time.perf_counter()
        terminal_qr(value if terminal_takes_code else text, color=False)  # type: ignore[arg-type,unused-ignore]
        t5 = time.perf_counter()
        for key, seconds in (
            ("build", t1 - t0),
            ("hand to view", t2 - t1),
            ("paint 600", t3 - t2),
            ("repaint 420", t4 - t3),
            ("terminal", t5 - t4),
            ("total", t5 - t0),
        ):
            timings[key].append(seconds)
    print(f"{label}, {rounds} rounds, Python {sys.version.split()[0]}")
    for key, samples in timings.items():
        print(_summary(key, samples))


if __name__ == "__main__":
    main()
