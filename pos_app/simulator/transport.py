"""In-process access: an httpx transport that hands each request to a Simulator.

    client = httpx.AsyncClient(transport=SimulatorTransport(sim),
                               base_url="http://simulator.invalid/pg")

Latency is an `asyncio.sleep`; a dropped connection or a "down" simulator raises
httpx.ConnectError, as a real network failure would.

As over a real network, the caller's event loop turns once before the request is answered:
the simulator's work (a real QR code is ~10 ms of CPU) never runs in the same loop step as
the caller's own, so in demo mode the desk's GUI thread is never held for both at once.
(Not a worker thread: Python code in a thread of a Qt process can trigger the garbage
collector there, which may then destroy Qt objects off the GUI thread and crash.)
"""

from __future__ import annotations

import asyncio

import httpx

from pos_app.simulator.core import Simulator
from pos_app.simulator.wire import SimRequest

__all__ = ["SimulatorTransport"]


class SimulatorTransport(httpx.AsyncBaseTransport):
    def __init__(self, sim: Simulator, *, client_ip: str = "127.0.0.1") -> None:
        self._sim = sim
        self._client_ip = client_ip

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
        await asyncio.sleep(0)  # the request is on its way: let the loop turn
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
