"""The two runners: they perform the steps a flow yields, blocking or awaited. How
outcomes go back into the flow is decided once, in `_drive`; only the I/O differs."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar, cast

from .steps import Call, Flow, Now, Sleep

T = TypeVar("T")
Outcome = tuple[Any, Exception | None]  # a step's result, or the exception it raised


def _drive(flow: Flow[T], clock: Callable[[], float]) -> Generator[Call | Sleep, Outcome, T]:
    """Yield the Calls and Sleeps to perform and send each one's outcome back in (a failing
    Call is thrown into the flow); `Now` is answered here. Closes the flow however it ends."""
    value, error = None, None
    try:
        while True:
            try:
                step = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                return cast(T, stop.value)
            if not isinstance(step, Call | Sleep | Now):
                raise TypeError(f"unknown flow step {step!r}")
            value, error = (clock(), None) if isinstance(step, Now) else (yield step)
    finally:
        flow.close()


def run_sync(
    flow: Flow[T],
    client: object,
    *,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Drive a flow with blocking calls."""
    drive = _drive(flow, clock)
    try:
        step = next(drive)
        while True:
            outcome: Outcome = (None, None)
            if isinstance(step, Sleep):
                sleep(step.seconds)
            else:
                try:
                    outcome = (getattr(client, step.name)(*step.args, **step.kwargs), None)
                except Exception as exc:
                    outcome = (None, exc)
            step = drive.send(outcome)
    except StopIteration as stop:
        return cast(T, stop.value)
    finally:
        drive.close()


async def run_async(
    flow: Flow[T],
    client: object,
    *,
    sleep: Callable[[float], Awaitable[object]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Drive a flow with awaited calls (primitives may be coroutines or plain functions).
    `sleep` defaults to `asyncio.sleep` (asyncio is imported here, not with the SDK)."""
    import asyncio
    import inspect

    drive = _drive(flow, clock)
    try:
        step = next(drive)
        while True:
            outcome: Outcome = (None, None)
            if isinstance(step, Sleep):
                await (sleep or asyncio.sleep)(step.seconds)
            else:
                try:
                    value = getattr(client, step.name)(*step.args, **step.kwargs)
                    outcome = ((await value) if inspect.isawaitable(value) else value, None)
                except Exception as exc:
                    outcome = (None, exc)
            step = drive.send(outcome)
    except StopIteration as stop:
        return cast(T, stop.value)
    finally:
        drive.close()
