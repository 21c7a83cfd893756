"""The two runners perform the steps a flow yields, blocking or awaited; `_Drive` holds
what they share, so only the I/O differs."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Generic, TypeVar

from .steps import Call, Flow, Note, Now, Sleep

T = TypeVar("T")


class _Drive(Generic[T]):
    """Yields the Calls and Sleeps to perform; set `value` or `error` to answer a Call.
    Leaving adds the last `Note` of each key to a KeyboardInterrupt or CancelledError."""

    def __init__(self, flow: Flow[T], clock: Callable[[], float]) -> None:
        self.flow, self.clock = flow, clock
        self.notes: dict[str, str] = {}
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
            elif isinstance(step, Note):
                self.notes[step.key] = step.text
            elif isinstance(step, Call | Sleep):
                yield step
            else:
                raise TypeError(f"unknown flow step {step!r}")

    def __enter__(self) -> _Drive[T]:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        self.flow.close()
        if exc is not None and not isinstance(exc, Exception | GeneratorExit):
            for text in filter(None, self.notes.values()):
                exc.add_note(f"interrupted: {text}")


def run_sync(
    flow: Flow[T],
    client: object,
    *,
    sleep: Callable[[float], object] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Drive a flow with blocking calls."""
    with _Drive(flow, clock) as drive:
        for step in drive:
            if isinstance(step, Sleep):
                sleep(step.seconds)
                continue
            try:
                drive.value = getattr(client, step.name)(*step.args, **step.kwargs)
                if step.into is not None:
                    step.into.append(drive.value)
            except Exception as exc:
                drive.error = exc
        return drive.result


async def run_async(
    flow: Flow[T],
    client: object,
    *,
    sleep: Callable[[float], Awaitable[object]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Drive a flow with awaited calls (coroutines or plain functions)."""
    import asyncio
    import inspect

    with _Drive(flow, clock) as drive:
        for step in drive:
            if isinstance(step, Sleep):
                await (sleep or asyncio.sleep)(step.seconds)
                continue
            try:
                value = getattr(client, step.name)(*step.args, **step.kwargs)
                drive.value = (await value) if inspect.isawaitable(value) else value
                if step.into is not None:
                    step.into.append(drive.value)
            except Exception as exc:
                drive.error = exc
        return drive.result
