"""Widget tests: sync pytest-qt, no asyncio loop. desk_kit.py beside this file holds the
sample states and a stand-in checkout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_kit import FakeCheckout

from pos_app.ui.controller import SaleController
from pos_app.ui.options import DeskOptions


@pytest.fixture
def options() -> DeskOptions:
    return DeskOptions(store_name="Sharma General Store", terminal_id="T1", environment="sandbox")


@pytest.fixture
def checkout() -> FakeCheckout:
    return FakeCheckout()


@pytest.fixture
def controller(qapp: object, checkout: FakeCheckout) -> SaleController:
    return SaleController(checkout)
