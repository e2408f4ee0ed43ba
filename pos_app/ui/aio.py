"""A typed face for qasync.asyncSlot (qasync ships no type information)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, cast

import qasync

P = ParamSpec("P")


def async_slot(
    *types: type,
) -> Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]]:
    """Like qasync.asyncSlot: calling the slot schedules the coroutine and returns its task.

    An exception escaping the coroutine goes to sys.excepthook; cancellation is quiet.
    """
    decorator = qasync.asyncSlot(*types)
    return cast(
        "Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, asyncio.Task[None]]]",
        decorator,
    )
