"""GET /_sim/calls: every /pg request the simulated Cashfree received, counted at the
server (the benches count Get Order calls a minute with it), faults included."""

from __future__ import annotations

import time

import httpx
from simulator.simkit import AUTH

from pos_app.simulator import Faults, Simulator, start_server
from pos_app.simulator.calls import operation


def test_operations_are_named_as_cashfree_counts_them() -> None:
    assert operation("GET", "/pg/orders/T1-1") == "get_order"
    assert operation("PATCH", "/pg/orders/T1-1") == "terminate_order"
    assert operation("POST", "/pg/orders") == "create_order"
    assert operation("POST", "/pg/orders/sessions") == "pay_order"
    assert operation("GET", "/pg/orders/T1-1/payments") == "list_payments"
    assert operation("GET", "/pg/links/L1") == "other"


def test_calls_are_logged_with_their_outcome_and_filtered_by_time(sim: Simulator) -> None:
    with start_server(sim) as server, httpx.Client(base_url=server.url, timeout=5) as http:
        start = time.time()
        for _ in range(3):
            http.get("/pg/orders/NOPE", headers=AUTH)
        sim.set_faults(Faults(error_rate=1.0))
        http.get("/pg/orders/NOPE", headers=AUTH)
        sim.set_faults(Faults())
        http.get("/_sim/orders")  # the control API is not Cashfree: not counted
        answer = http.get("/_sim/calls", params={"since": start})
        later = http.get("/_sim/calls", params={"since": time.time() + 60})
        bad = http.get("/_sim/calls", params={"since": "yesterday"})
    calls = answer.json()["calls"]
    assert [(c["operation"], c["outcome"]) for c in calls] == [
        ("get_order", "answered"),
        ("get_order", "answered"),
        ("get_order", "answered"),
        ("get_order", "error"),
    ]
    assert all(c["at"] >= start for c in calls)
    assert later.json() == {"calls": []}
    assert bad.status_code == 400
