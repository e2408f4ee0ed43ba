"""In-process access: an httpx transport that hands each request to a Simulator.

    client = httpx.AsyncClient(transport=SimulatorTransport(sim),
                               base_url="http://simulator.invalid/pg")

Latency is an `asyncio.sleep`; a dropped connection or a "down" simulator raises
httpx.ConnectError, as a real network failure would.

With `in_thread=True` each request is answered on a worker thread, as a server elsewhere
would answer it: the caller's event loop keeps turning meanwhile (the simulator draws real
QR codes, ~10 ms of CPU each, which would otherwise stall the desk's GUI thread in demo
mode). The default answers each request right away, atomically, which tests rely on.
"""

from __future__ import annotations

import asyncio

import httpx

from pos_app.gateway.simulator.core import Simulator
from pos_app.gateway.simulator.wire import SimRequest

__all__ = ["SimulatorTransport"]


class SimulatorTransport(httpx.AsyncBaseTransport):
    def __init__(
        self, sim: Simulator, *, client_ip: str = "127.0.0.1", in_thread: bool = False
    ) -> None:
        self._sim = sim
        self._client_ip = client_ip
        self._in_thread = in_thread

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        asked = SimRequest.build(
            request.method,
            request.url.path,
            query=request.url.query.decode("ascii", "replace"),
            headers=request.headers.multi_items(),
            body=body,
            client=self._client_ip,
        )
        if self._in_thread:  # the Simulator serialises requests with its own lock
            answer = await asyncio.to_thread(self._sim.handle, asked)
        else:
            answer = self._sim.handle(asked)
        if answer.delay > 0:
            await asyncio.sleep(answer.delay)
        if answer.disconnect:
            raise httpx.ConnectError("simulated Cashfree dropped the connection", request=request)
        return httpx.Response(
            answer.status,
            headers=list(answer.headers.items()),
            content=answer.body,
            request=request,
        )
