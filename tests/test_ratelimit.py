"""The client-side rate limiter's decisions, on a fake clock."""

from __future__ import annotations

import asyncio
import email.utils
import random
import threading
import time

import pytest

from truemarkets_gateway._transport.ratelimit import Priority, RateLimiter
from truemarkets_gateway.errors import ValidationError

READ, CREATE, EXECUTE = Priority.READ, Priority.CREATE, Priority.EXECUTE
WALL = 1_900_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def limiter(n: int = 5, seconds: float = 10.0, **kw: float) -> RateLimiter:
    return RateLimiter(n, seconds, margin=0.0, grace=0.05, **kw)


def fill(lim: RateLimiter, now: float, count: int, priority: Priority = READ) -> None:
    for _ in range(count):
        assert lim.reserve(priority, now) == 0.0


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window - 1e-9:  # float rounding of now + delay
            start += 1
        best = max(best, end - start + 1)
    return best


# --- pacing ------------------------------------------------------------------------------------


def test_the_limit_is_handed_out_then_the_next_slot_is_when_the_oldest_send_expires() -> None:
    lim = limiter()
    for i in range(5):
        assert lim.reserve(READ, 100.0 + i) == 0.0
    assert lim.reserve(READ, 105.0) == pytest.approx(5.0)  # the send at 100 leaves at 110
    assert lim.reserve(EXECUTE, 109.99) == pytest.approx(0.01)
    assert lim.reserve(EXECUTE, 110.0) == 0.0
    assert lim.reserve(READ, 110.0) > 0


def test_margin_widens_the_window() -> None:
    lim = RateLimiter(1, 10.0, margin=0.5)
    assert lim.reserve(READ, 0.0) == 0.0
    assert lim.reserve(READ, 10.0) == pytest.approx(0.5)


@pytest.mark.parametrize("seed", range(5))
def test_never_more_than_the_limit_in_any_window_and_no_budget_wasted(seed: int) -> None:
    rng = random.Random(seed)
    lim, clock = limiter(7, 3.0), Clock()
    sent: list[float] = []
    end = clock.now + 60.0
    # Many callers with random priorities; each retries when told to.
    due = [(clock.now + rng.random(), rng.choice(list(Priority))) for _ in range(12)]
    while clock.now < end:
        due.sort()
        at, priority = due.pop(0)
        clock.now = max(clock.now, at)
        delay = lim.reserve(priority, clock.now, then_execute=priority is CREATE)
        if delay == 0:
            sent.append(clock.now)
            due.append((clock.now, EXECUTE if priority is CREATE else rng.choice(list(Priority))))
        else:
            due.append((clock.now + delay, priority))
    assert max_in_window(sent, 3.0) <= 7
    # Under constant demand the pace is the limit: 20 windows of 7.
    assert len(sent) >= 0.95 * 7 * 60 / 3


def test_threads_share_one_budget() -> None:
    lim = limiter(50, 60.0)
    granted: list[int] = []

    def worker() -> None:
        granted.append(sum(lim.reserve(READ, 1.0) == 0.0 for _ in range(100)))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(granted) == 50


# --- priorities --------------------------------------------------------------------------------


def test_an_execute_after_a_create_gets_the_held_slot_reads_and_creates_do_not() -> None:
    lim = limiter(5)
    assert lim.reserve(CREATE, 0.0, then_execute=True) == 0.0
    fill(lim, 0.0, 3)
    assert lim.reserve(READ, 0.0) > 0
    assert lim.reserve(CREATE, 0.0) > 0
    assert lim.reserve(EXECUTE, 0.0) == 0.0
    assert lim.reserve(EXECUTE, 0.0) > 0  # the window is full now


def test_a_hold_lapses_when_its_execute_never_comes() -> None:
    lim = limiter(2, 100.0, hold_seconds=20.0)
    assert lim.reserve(CREATE, 0.0, then_execute=True) == 0.0
    assert lim.reserve(READ, 10.0) == pytest.approx(10.0)
    assert lim.reserve(READ, 20.0) == 0.0


def test_a_waiting_execute_goes_before_reads_that_ask_at_the_same_moment() -> None:
    lim = limiter(2)
    fill(lim, 0.0, 2)
    wait_exec = lim.reserve(EXECUTE, 1.0)
    assert wait_exec == pytest.approx(9.0)
    # At 10.0 a slot frees; a read that asks first is sent to wait just after the execute.
    read_wait = lim.reserve(READ, 10.0)
    assert read_wait == pytest.approx(0.05)
    assert lim.reserve(CREATE, 10.0) == pytest.approx(0.05)
    assert lim.reserve(EXECUTE, 10.0) == 0.0
    # Then the read and create get the next slots in turn: nobody is starved.
    assert lim.reserve(CREATE, 10.05) == 0.0
    assert lim.reserve(READ, 10.06) > 0
    assert lim.reserve(READ, 20.0) == 0.0


def test_polling_backs_off_behind_a_waiting_create() -> None:
    lim, clock = limiter(3, 10.0), Clock()
    fill(lim, clock.now, 3)
    assert lim.reserve(CREATE, clock.now + 1) > 0
    order: list[str] = []
    due = [(clock.now + 2 + i * 0.001, READ, f"poll{i}") for i in range(5)]
    due.append((clock.now + 9.999, CREATE, "create"))
    while len(order) < 3:
        due.sort()
        at, priority, name = due.pop(0)
        delay = lim.reserve(priority, at)
        if delay == 0:
            order.append(name)
        else:
            due.append((at + delay, priority, name))
    assert order[0] == "create"


def test_executes_are_never_held_back_by_lower_priorities_waiting() -> None:
    lim = limiter(1)
    assert lim.reserve(READ, 0.0) == 0.0
    assert lim.reserve(READ, 1.0) > 0
    assert lim.reserve(EXECUTE, 10.0) == 0.0


# --- learning from the server ------------------------------------------------------------------


def test_remaining_zero_waits_for_the_reset_in_seconds() -> None:
    lim = limiter(100, 60.0)
    lim.observe(200, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "7"}, 5.0, wall=WALL)
    assert lim.reserve(EXECUTE, 5.0) == pytest.approx(7.0)
    assert lim.reserve(EXECUTE, 12.0) == 0.0
    assert lim.reserve(READ, 12.05) == 0.0


def test_reset_as_unix_time_and_remaining_counted_down_by_our_sends() -> None:
    lim = limiter(100, 60.0)
    headers = {"x-ratelimit-remaining": "2", "x-ratelimit-reset": str(WALL + 30)}
    lim.observe(200, headers, 0.0, wall=WALL)
    fill(lim, 0.0, 2)
    assert lim.reserve(READ, 1.0) == pytest.approx(29.0)


def test_a_late_answer_does_not_give_back_budget_already_spent() -> None:
    lim = limiter(100, 60.0)
    lim.observe(200, {"x-ratelimit-remaining": "3", "x-ratelimit-reset": "30"}, 0.0, wall=WALL)
    fill(lim, 0.0, 3)
    lim.observe(200, {"x-ratelimit-remaining": "2", "x-ratelimit-reset": "30"}, 0.2, wall=WALL)
    assert lim.reserve(READ, 0.2) > 0
    # A new server window is believed.
    lim.observe(200, {"x-ratelimit-remaining": "50", "x-ratelimit-reset": "60"}, 31.0, wall=WALL)
    assert lim.reserve(READ, 31.0) == 0.0


def test_remaining_held_back_for_a_pending_execute() -> None:
    lim = limiter(100, 60.0)
    assert lim.reserve(CREATE, 0.0, then_execute=True) == 0.0
    lim.observe(200, {"x-ratelimit-remaining": "1", "x-ratelimit-reset": "30"}, 0.1, wall=WALL)
    assert lim.reserve(READ, 0.1) > 0
    assert lim.reserve(EXECUTE, 0.1) == 0.0


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after": "4"}, 4.0),
        ({"retry-after": email.utils.formatdate(WALL + 6, usegmt=True)}, 6.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({}, 0.6),  # no word from the server: one request's share of the window
    ],
)
def test_a_429_stops_every_priority_for_retry_after(headers: dict[str, str], wait: float) -> None:
    lim = limiter(100, 60.0)
    lim.observe(429, headers, 10.0, wall=WALL)
    for priority in Priority:  # (each lower one also lets the higher waiter go first)
        assert lim.reserve(priority, 10.0) == pytest.approx(wait + 0.05 * priority, abs=0.01)
    assert lim.reserve(EXECUTE, 10.0 + wait) == 0.0


@pytest.mark.parametrize(
    "headers",
    [
        {"x-ratelimit-remaining": "lots", "x-ratelimit-reset": "10"},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "soon"},
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "nan"},
        {"x-ratelimit-remaining": "0"},
        {"x-ratelimit-reset": "10"},
    ],
)
def test_unreadable_headers_are_ignored(headers: dict[str, str]) -> None:
    lim = limiter(100, 60.0)
    lim.observe(200, headers, 0.0, wall=WALL)
    assert lim.reserve(READ, 0.0) == 0.0


# --- waiting loops and configuration ---------------------------------------------------------


def test_acquire_sleeps_until_a_slot_is_taken() -> None:
    lim, clock = limiter(2, 10.0), Clock()
    start = clock.now
    assert lim.acquire(READ, clock=clock, sleep=clock.sleep) == 0.0
    assert lim.acquire(READ, clock=clock, sleep=clock.sleep) == 0.0
    assert lim.acquire(READ, clock=clock, sleep=clock.sleep) == pytest.approx(10.0)
    assert clock.now == pytest.approx(start + 10.0)


async def test_acquire_async_awaits_and_leaves_the_loop_free() -> None:
    lim, clock = limiter(1, 10.0), Clock()
    assert await lim.acquire_async(CREATE, clock=clock, sleep=clock.asleep) == 0.0
    assert await lim.acquire_async(CREATE, clock=clock, sleep=clock.asleep) == pytest.approx(10.0)
    real = RateLimiter(1, 0.2, margin=0.0)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    await real.acquire_async(READ)
    await real.acquire_async(READ)
    task.cancel()
    assert time.monotonic() - started >= 0.19
    assert ticks >= 5


def test_from_option_and_validation() -> None:
    assert RateLimiter.from_option(None) is None
    lim = RateLimiter.from_option((30, 10))
    assert lim is not None and (lim.requests, lim.seconds) == (30, 10.0)
    for bad in [(0, 60), (1.5, 60), (True, 60), (10, 0), (10, -1), (10, "60"), (10,), [10, 60]]:
        with pytest.raises(ValidationError) as info:
            RateLimiter.from_option(bad)  # type: ignore[arg-type]
        assert info.value.field == "rate_limit"


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (429, {"retry-after": "86400"}),
        (429, {"retry-after-ms": "1e308"}),
        (200, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(WALL + 7200)}),
    ],
)
def test_a_wait_the_server_asks_is_never_longer_than_the_window(
    status: int, headers: dict[str, str]
) -> None:
    # One bad header must not stall every later call for hours: at most one window.
    lim = limiter(100, 60.0)
    lim.observe(status, headers, 10.0, wall=WALL)
    assert 0.0 < lim.reserve(EXECUTE, 10.0) <= 60.0 + 0.5
    assert lim.reserve(EXECUTE, 10.0 + 61.0) == 0.0
