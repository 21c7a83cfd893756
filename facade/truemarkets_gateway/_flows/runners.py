"""The runners perform the steps a flow yields. There is one loop, `run_async`; `run_sync`
runs it with blocking functions, whose results it never has to await."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .steps import Call, Flow, Note, Now, Sleep

T = TypeVar("T")


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio  # only when awaited: the sync client never loads it

    await asyncio.sleep(seconds)


async def run_async(
    flow: Flow[T],
    client: object,
    *,
    sleep: Callable[[float], Awaitable[object]] = _asyncio_sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Drive a flow with awaited calls (coroutines or plain functions). A KeyboardInterrupt
    or CancelledError that ends it gets the last `Note` of each key."""
    notes: dict[str, str] = {}
    value: Any = None
    error: Exception | None = None
    try:
        while True:
            try:
                step = flow.send(value) if error is None else flow.throw(error)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            value, error = None, None
            if isinstance(step, Now):
                value = clock()
            elif isinstance(step, Note):
                notes[step.key] = step.text
            elif isinstance(step, Sleep):
                await sleep(step.seconds)
            elif isinstance(step, Call):
                try:
                    value = getattr(client, step.name)(*step.args, **step.kwargs)
                    if isinstance(value, Awaitable):
                        value = await value
                    if step.into is not None:
                        step.into.append(value)
                except Exception as exc:
                    error = exc
            else:
                raise TypeError(f"unknown flow step {step!r}")
    except BaseException as exc:
        if not isinstance(exc, Exception | GeneratorExit):
            for text in filter(None, notes.values()):
                exc.add_note(f"interrupted: {text}")
        raise
    finally:
        flow.close()


def run_sync(
    flow: Flow[T],
    client: object,
    *,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Drive a flow with blocking calls: `run_async`, which then never suspends."""

    async def blocking(seconds: float) -> None:
        sleep(seconds)

    running = run_async(flow, client, sleep=blocking, clock=clock)
    try:
        running.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    running.close()
    raise RuntimeError("a blocking client returned something to await")
