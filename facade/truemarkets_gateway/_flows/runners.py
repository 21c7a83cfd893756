"""The two runners: they perform the steps a flow yields, blocking or awaited. The policy
of feeding results and exceptions back into the flow is written once, in `_Drive`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

from .steps import Call, Flow, Now, Sleep

__all__ = ["run_async", "run_sync"]

T = TypeVar("T")


class _Drive(Generic[T]):
    """Iterating yields the Calls and Sleeps to perform (`Now` is answered here); set
    `value` or `error` (thrown into the flow) before the next one. `result` at the end."""

    def __init__(self, flow: Flow[T], clock: Callable[[], float]) -> None:
        self.flow, self.clock = flow, clock
        self.value: Any = None
        self.error: Exception | None = None

    def __iter__(self) -> Iterator[Call | Sleep]:
        while True:
            value, error, self.value, self.error = self.value, self.error, None, None
            try:
                step = self.flow.send(value) if error is None else self.flow.throw(error)
            except StopIteration as stop:
                self.result: T = stop.value
                return
            if isinstance(step, Now):
                self.value = self.clock()
            elif isinstance(step, Call | Sleep):
                yield step
            else:
                raise TypeError(f"unknown flow step {step!r}")


def run_sync(
    flow: Flow[T],
    client: object,
    *,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Drive a flow with blocking calls. A failing `Call` is thrown into the flow."""
    drive = _Drive(flow, clock)
    try:
        for step in drive:
            if isinstance(step, Sleep):
                sleep(step.seconds)
                continue
            try:
                drive.value = getattr(client, step.name)(*step.args, **step.kwargs)
            except Exception as exc:
                drive.error = exc
        return drive.result
    finally:
        flow.close()


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

    drive = _Drive(flow, clock)
    try:
        for step in drive:
            if isinstance(step, Sleep):
                await (sleep or asyncio.sleep)(step.seconds)
                continue
            try:
                value = getattr(client, step.name)(*step.args, **step.kwargs)
                drive.value = (await value) if inspect.isawaitable(value) else value
            except Exception as exc:
                drive.error = exc
        return drive.result
    finally:
        flow.close()
