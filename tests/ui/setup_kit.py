"""Helpers for the setup dialog tests: a qasync loop for the dialogs' background jobs, the
simulated Cashfree on loopback, and the services the composition root would hand over."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pos_app.app import setup_services
from pos_app.config import paths
from pos_app.secrets import KeyringSecretStore
from pos_app.simulator import Simulator, start_server
from pos_app.ui.setup.context import SetupServices

PIN = "2580"


@dataclass
class LoopbackCashfree:
    sim: Simulator
    url: str


def loopback_cashfree(monkeypatch: object) -> Iterator[LoopbackCashfree]:
    """The simulated Cashfree on 127.0.0.1, with POS_CASHFREE_BASE_URL pointing at it."""
    sim = Simulator()
    handle = start_server(sim)
    monkeypatch.setenv("POS_CASHFREE_BASE_URL", handle.url + "/pg")  # type: ignore[attr-defined]
    try:
        yield LoopbackCashfree(sim, handle.url)
    finally:
        handle.stop()


def services(**changes: object) -> SetupServices:
    """The setup services the composition root builds (app.setup_services), changed."""
    made = setup_services(paths(), KeyringSecretStore(timeout=3))
    for name, value in changes.items():
        setattr(made, name, value)
    return made
