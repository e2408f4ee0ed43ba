"""The loopback server: loopback only unless told, keep-alive, real dropped sockets,
clean stop, 50 simultaneous clients, and run_forever stopping on Ctrl-C."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from simulator.simkit import AUTH, SpecCheckingTransport, SpecLog, order_body

from pos_app.simulator import Faults, Simulator, start_server
from pos_app.simulator.server import ServerHandle


def _get(conn: http.client.HTTPConnection, path: str) -> http.client.HTTPResponse:
    conn.request("GET", path, headers=AUTH)
    response = conn.getresponse()
    response.read()
    return response


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.com", "::"])
def test_non_loopback_hosts_are_refused(sim: Simulator, host: str) -> None:
    with pytest.raises(ValueError, match="allow_non_loopback"):
        start_server(sim, host=host)


def test_non_loopback_is_served_when_asked(sim: Simulator) -> None:
    handle = start_server(sim, host="0.0.0.0", allow_non_loopback=True)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", handle.port, timeout=5)
        assert _get(conn, "/pg/orders/NOPE").status == 404
        conn.close()
    finally:
        handle.stop()


def test_localhost_is_fine(sim: Simulator) -> None:
    with start_server(sim, host="localhost") as handle:
        assert handle.url == f"http://localhost:{handle.port}"


def test_handle_url_and_public_url(sim: Simulator, server: ServerHandle) -> None:
    assert server.port > 0
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert sim.public_url == server.url  # links and the checkout page point here


def test_keep_alive_serves_many_requests_on_one_connection(server: ServerHandle) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    first = _get(conn, "/pg/orders/NOPE")
    sock = conn.sock
    assert first.status == 404
    assert first.getheader("x-ratelimit-limit") == "60"
    for _ in range(5):
        assert _get(conn, "/pg/orders/NOPE").status == 404
    assert conn.sock is sock  # never reconnected
    conn.close()


def test_a_dropped_connection_really_closes_the_socket(
    sim: Simulator, server: ServerHandle
) -> None:
    sim.set_faults(drop_rate=1.0)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _get(conn, "/pg/orders/NOPE")
    conn.close()
    sim.set_faults(Faults(down=True))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _get(conn, "/pg/orders/NOPE")
    conn.close()


def test_post_with_body_and_control_api_over_loopback(sim: Simulator, server: ServerHandle) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    body = json.dumps(order_body("LB-1", 10)).encode()
    conn.request(
        "POST", "/pg/orders", body=body, headers={**AUTH, "content-type": "application/json"}
    )
    created = conn.getresponse()
    assert created.status == 200
    assert json.loads(created.read())["order_id"] == "LB-1"
    conn.request("POST", "/_sim/orders/LB-1/customer", body=b'{"action": "pay"}')
    assert conn.getresponse().read() and sim.order("LB-1")["order_status"] == "PAID"
    conn.request("GET", "/checkout/order/LB-1")
    page = conn.getresponse()
    assert page.status == 200 and b"PAID" in page.read()
    conn.close()


def test_stop_closes_open_connections_and_the_port(sim: Simulator) -> None:
    handle = start_server(sim)
    conn = http.client.HTTPConnection("127.0.0.1", handle.port, timeout=5)
    assert _get(conn, "/pg/orders/NOPE").status == 404
    handle.stop()
    handle.stop()  # twice is fine
    with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
        _get(conn, "/pg/orders/NOPE")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", handle.port), timeout=2)


@pytest.mark.asyncio
async def test_fifty_simultaneous_clients_get_their_own_orders(spec_log: SpecLog) -> None:
    sim = Simulator(rate_limits={})
    clients = 50
    with start_server(sim) as handle:
        barrier = asyncio.Barrier(clients)

        async def one(i: int) -> tuple[int, dict[str, object], dict[str, object]]:
            transport = SpecCheckingTransport(httpx.AsyncHTTPTransport(), spec_log)
            async with httpx.AsyncClient(
                transport=transport, base_url=handle.url + "/pg", headers=AUTH, timeout=20
            ) as client:
                await barrier.wait()
                created = await client.post("/orders", json=order_body(f"CONC-{i}", 100 + i))
                assert created.status_code == 200, created.text
                read = await client.get(f"/orders/CONC-{i}")
                assert read.status_code == 200, read.text
                return i, created.json(), read.json()

        results = await asyncio.gather(*(one(i) for i in range(clients)))
    assert len(results) == clients
    sessions = set()
    for i, created, read in results:
        assert created == read
        assert read["order_id"] == f"CONC-{i}"
        assert read["order_amount"] == 100 + i
        sessions.add(read["payment_session_id"])
    assert len(sessions) == clients
    assert len(spec_log.checked) == 2 * clients


@pytest.mark.slow
def test_run_forever_prints_credentials_and_stops_on_ctrl_c() -> None:
    code = "from pos_app.simulator import run_forever; run_forever('127.0.0.1', 0)"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        text = "".join(lines)
        assert "SIM-APP-ID" in text and "sim-secret-not-real" in text
        url = lines[0].split("listening on ", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/pg")
        answer = httpx.get(url + "/orders/NOPE", headers=AUTH, timeout=5)
        assert answer.status_code == 404
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert "Stopping" in out
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_run_forever_refuses_a_public_host() -> None:
    from pos_app.simulator import run_forever

    started = time.perf_counter()
    with pytest.raises(ValueError, match="loopback"):
        run_forever("0.0.0.0", 0)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Length": "zero"}, 400),
        ({"Content-Length": "2000000"}, 413),
        ({"Transfer-Encoding": "chunked"}, 411),
    ],
)
def test_bodies_without_a_sane_length_are_refused(
    server: ServerHandle, headers: dict[str, str], status: int
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.putrequest("POST", "/pg/orders")
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    answer = conn.getresponse()
    assert answer.status == status
    conn.close()
