"""Loopback access: the Simulator behind a threaded HTTP/1.1 server (keep-alive).

`start_server` runs it in a background thread and returns a handle; `run_forever` is
what `pos-app gateway-sim` calls: it prints the base URL and the test credentials and
stops cleanly on Ctrl-C. Only loopback addresses are served unless the caller insists:
the simulator has no real security.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TextIO
from urllib.parse import urlsplit

from pos_app.simulator.cards import TEST_CARDS
from pos_app.simulator.core import SIM_CLIENT_ID, SIM_CLIENT_SECRET, Simulator
from pos_app.simulator.wire import SimRequest, SimResponse

__all__ = ["ServerHandle", "run_forever", "start_server"]

log = logging.getLogger(__name__)
_MAX_BODY = 1_000_000


class _SimServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sim: Simulator, family: socket.AddressFamily):
        self.address_family = family
        self.sim = sim
        self.open_sockets: set[socket.socket] = set()
        self.open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def close_open_connections(self) -> None:
        with self.open_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            _hang_up(sock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections are closed after this
    server: _SimServer

    def setup(self) -> None:
        super().setup()
        # Answers go out in one write; without NODELAY, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.open_lock:
            self.server.open_sockets.add(self.connection)

    def finish(self) -> None:
        with self.server.open_lock:
            self.server.open_sockets.discard(self.connection)
        with contextlib.suppress(OSError):  # the socket may be gone after a simulated drop
            super().finish()

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            length = -2
        if not 0 <= length <= _MAX_BODY:
            self.close_connection = True
            status = {-1: 400, -2: 411}.get(length, 413)
            self.send_error(status, "send a Content-Length of at most 1 MB")
            return
        body = self.rfile.read(length) if length else b""
        target = urlsplit(self.path)
        request = SimRequest.build(
            self.command,
            target.path,
            query=target.query,
            headers=self.headers.items(),
            body=body,
            client=str(self.client_address[0]),
        )
        answer = self.server.sim.handle(request)
        if answer.delay > 0:
            time.sleep(answer.delay)
        if answer.disconnect:
            self.close_connection = True
            _hang_up(self.connection)
            return
        self.log_request(answer.status)
        self.wfile.write(self._head(answer) + answer.body)  # one write: head and body

    def _head(self, answer: SimResponse) -> bytes:
        try:
            phrase = HTTPStatus(answer.status).phrase
        except ValueError:
            phrase = ""
        lines = [
            f"{self.protocol_version} {answer.status} {phrase}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
            *(f"{name}: {value}" for name, value in answer.headers.items()),
            f"Content-Length: {len(answer.body)}",
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: object) -> None:
        log.debug("simulator %s " + format, self.client_address[0], *args)


def _hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@dataclass
class ServerHandle:
    """A running simulator server: `url` (no trailing slash; the API is at url + "/pg")."""

    host: str
    port: int
    _server: _SimServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.close_open_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _check_host(host: str, allow_non_loopback: bool) -> None:
    if allow_non_loopback or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"refusing to serve the simulated Cashfree on {host!r}: it has no real security "
            "and is meant for this machine only. Use 127.0.0.1 (or ::1), or pass "
            "allow_non_loopback=True if you really mean it."
        )


def start_server(
    sim: Simulator,
    host: str = "127.0.0.1",
    port: int = 0,
    allow_non_loopback: bool = False,
) -> ServerHandle:
    """Serve `sim` in a background thread; port 0 picks a free port.

    The simulator's `public_url` is set to this server, so link URLs and the test
    checkout page point at it.
    """
    _check_host(host, allow_non_loopback)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server = _SimServer((host, port), sim, family)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="cashfree-sim", daemon=True
    )
    thread.start()
    handle = ServerHandle(host, int(server.server_address[1]), server, thread)
    sim.public_url = handle.url
    return handle


def run_forever(
    host: str = "127.0.0.1",
    port: int = 8790,
    allow_non_loopback: bool = False,
    *,
    sim: Simulator | None = None,
    out: TextIO | None = None,
    webhook_url: str | None = None,
) -> None:
    """Serve until Ctrl-C, printing the base URL and the test credentials first. Payment
    webhooks go to each order's notify_url, or else to `webhook_url`."""
    from pos_app.simulator.webhooks import WebhookSender

    stream = out or sys.stdout
    simulator = sim or Simulator()
    handle = start_server(simulator, host, port, allow_non_loopback)
    sender = WebhookSender(simulator, webhook_url).start()
    try:
        print(f"Simulated Cashfree listening on {handle.url}/pg", file=stream)
        print(f"  App ID (x-client-id):     {SIM_CLIENT_ID}", file=stream)
        print(f"  Secret (x-client-secret): {SIM_CLIENT_SECRET}", file=stream)
        print("  Test cards (any future expiry MM/YY, CVV 123):", file=stream)
        for number, what in TEST_CARDS:
            spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
            print(f"    {spaced}  {what}", file=stream)
        if webhook_url:
            print(
                f"  Payment webhooks go to {webhook_url} (signed with the secret above)",
                file=stream,
            )
        print(f"  Control API: {handle.url}/_sim/faults   Press Ctrl-C to stop.", file=stream)
        stream.flush()
        idle = threading.Event()
        while True:
            idle.wait(0.5)
    except KeyboardInterrupt:
        print("Stopping the simulated Cashfree.", file=stream)
    finally:
        sender.stop()
        handle.stop()
