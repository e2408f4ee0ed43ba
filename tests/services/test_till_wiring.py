"""Test tills are wired by the composition root (app.make_deps / app.make_checkout): what
the app builds for the same Settings is what the service tests drive, but for the choices
a test names (its polling pace, its owner, no lease keeper on a fake clock)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from pathlib import Path

from till_fakes import FakeClock, gone_owner, make_till, till_settings

from pos_app.app import make_checkout, make_deps, open_runtime
from pos_app.config import Settings, paths, save_settings
from pos_app.domain.sale import Method
from pos_app.gateway.retry import RateBudget
from pos_app.services.checkout.schedule import PollSchedule, sustainable_interval
from pos_app.simulator import Simulator
from pos_app.store.journal import Journal

# Deps fields that are objects of one run (its gateway views, journal, clock, callbacks)
# or the test's named choices; every other field must be the app's.
_PER_RUN = {"gateway", "background", "journal", "clock", "sleep", "owner", "wake_local"}


def test_make_deps_takes_a_schedule_and_an_owner(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "journal.sqlite3")
    try:
        pace = PollSchedule(fast_interval=0.5)
        owner = gone_owner()
        given = make_deps(Settings(), "sandbox", None, journal, schedule=pace, owner=owner)  # type: ignore[arg-type]
        assert given.schedule is pace and given.owner == owner
        built = make_deps(Settings(), "sandbox", None, journal)  # type: ignore[arg-type]
        link_pace = sustainable_interval(RateBudget.for_environment("sandbox").capacity("get_link"))
        assert built.schedule.link_min_interval == link_pace
        assert built.owner.pid == os.getpid() and built.owner != owner  # this process
    finally:
        journal.close()


def test_a_test_till_is_the_apps_checkout_but_for_the_named_choices(tmp_path: Path) -> None:
    methods = frozenset({Method.UPI_QR, Method.LINK, Method.COLLECT})
    clock = FakeClock()
    till = make_till(tmp_path / "till", clock=clock, methods=methods)
    save_settings(paths(), till_settings(methods))
    runtime = open_runtime("demo", clock=clock, sleep=clock.sleep, simulator=Simulator(clock=clock))
    try:
        app, test = runtime.deps, till.deps
        for f in dataclasses.fields(app):
            if f.name in _PER_RUN | {"schedule"}:
                continue
            assert getattr(test, f.name) == getattr(app, f.name), f.name
        # the polling pace is the test's: the plain PollSchedule, no Get Link floor
        assert test.schedule == dataclasses.replace(app.schedule, link_min_interval=0.0)
        assert till.checkout.enabled_methods == runtime.checkout.enabled_methods == methods
        assert till.checkout.max_amount == runtime.checkout.max_amount
        assert till.checkout.duplicate_window == runtime.checkout.duplicate_window
        # and the app's own wiring keeps the lease keeper; the test till's is off
        assert make_checkout(runtime.settings, app)._keep_leases
        assert not till.checkout._keep_leases
    finally:
        asyncio.run(runtime.aclose())
        till.journal.close()
