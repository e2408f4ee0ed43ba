"""In-process access: an httpx transport that hands each request to a Simulator.

    client = httpx.AsyncClient(transport=SimulatorTransport(sim),
                               base_url="http://simulator.invalid/pg")

Latency is an `asyncio.sleep`; a dropped connection or a "down" simulator raises
httpx.ConnectError, as a real network failure would.
"""

from __future__ import annotations

import asyncio

import httpx

from pos_app.gateway.simulator.core import Simulator
from pos_app.gateway.simulator.wire import SimRequest

__all__ = ["SimulatorTransport"]


class SimulatorTransport(httpx.AsyncBaseTransport):
    def __init__(self, sim: Simulator, *, client_ip: str = "127.0.0.1") -> None:
        self._sim = sim
        self._client_ip = client_ip

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        answer = self._sim.handle(
            SimRequest.build(
                request.method,
                request.url.path,
                query=request.url.query.decode("ascii", "replace"),
                headers=request.headers.multi_items(),
                body=body,
                client=self._client_ip,
            )
        )
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
