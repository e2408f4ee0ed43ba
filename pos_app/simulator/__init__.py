"""The simulated Cashfree: demo mode, training, and the test double.

Speaks Cashfree PG's 2025-01-01 wire format under /pg (orders, Order Pay, payments,
links, refunds, terminate, the Simulation API, reconciliation and
settlements with a daily T+1 settlement: settlements.py), checks credentials, api version,
idempotency and rate limits like the real service, and can add faults on demand.

    sim = Simulator()
    client = httpx.AsyncClient(transport=SimulatorTransport(sim),
                               base_url="http://simulator.invalid/pg")
    # or over loopback:
    handle = start_server(sim)          # handle.url + "/pg"; handle.stop()
"""

from pos_app.simulator.core import SIM_CLIENT_ID, SIM_CLIENT_SECRET, Simulator
from pos_app.simulator.customer import CustomerAction
from pos_app.simulator.errors import SimulatorError
from pos_app.simulator.faults import Faults
from pos_app.simulator.guards import SANDBOX_RATE_LIMITS
from pos_app.simulator.server import ServerHandle, run_forever, start_server
from pos_app.simulator.transport import SimulatorTransport
from pos_app.simulator.wire import SimRequest, SimResponse

__all__ = [
    "SANDBOX_RATE_LIMITS",
    "SIM_CLIENT_ID",
    "SIM_CLIENT_SECRET",
    "CustomerAction",
    "Faults",
    "ServerHandle",
    "SimRequest",
    "SimResponse",
    "Simulator",
    "SimulatorError",
    "SimulatorTransport",
    "run_forever",
    "start_server",
]
