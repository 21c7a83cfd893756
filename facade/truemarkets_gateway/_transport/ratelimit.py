"""Client-side pacing under the Gateway's per-key limit (about 100 requests per 60 s): a
sliding log of send times, never over the limit in any window, fixed or sliding. The lock is
held only for arithmetic, so async callers never block the loop."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from enum import IntEnum

from .._headers import number, reset_seconds, server_wait
from ..errors import ValidationError

__all__ = ["Priority", "RateLimiter", "priority"]


class Priority(IntEnum):
    """Who goes first when budget is short (lower value first)."""

    EXECUTE = 0  # follows a create whose payloads go stale in about 20 s
    CREATE = 1
    READ = 2  # quotes, reads and polls


_EXECUTES = "executeOrder executeCancelOrder executeTransfer".split()
_CREATES = "createOrder createTransfer modifyOrder prepareCancelOrder cancelOrder".split()
_PRIORITIES = dict.fromkeys(_EXECUTES, Priority.EXECUTE) | dict.fromkeys(_CREATES, Priority.CREATE)


def priority(name: str, json: object) -> tuple[Priority, bool]:
    """An operation's priority, and whether an execute follows it (a DeFi create)."""
    then_execute = name == "createOrder" and isinstance(json, dict) and "chain" in json
    return _PRIORITIES.get(name, Priority.READ), then_execute


class RateLimiter:
    """At most `requests` sends in any `seconds`, by priority; learns from the server.
    A create with `then_execute=True` holds a slot for its execute for `hold_seconds`; lower
    priorities wait until `grace` after a waiting higher one; `margin` widens every window."""

    def __init__(
        self,
        requests: int = 100,
        seconds: float = 60.0,
        *,
        margin: float = 0.05,
        grace: float = 0.05,
        hold_seconds: float = 20.0,
    ) -> None:
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
            raise ValidationError("rate_limit", "requests must be a whole number >= 1")
        if not isinstance(seconds, int | float) or not seconds > 0:
            raise ValidationError("rate_limit", "seconds must be a number > 0")
        self.requests, self.seconds = requests, float(seconds)
        self._window = self.seconds + margin
        self._grace, self._hold_seconds = grace, hold_seconds
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()  # send times inside the last window, oldest first
        self._holds: list[float] = []  # expiry times of slots held for executes
        self._waiting: dict[Priority, float] = {}  # priority -> when its latest waiter retries
        self._server_left: int | None = None  # what the server last said is left ...
        self._server_reset = 0.0  # ... until this time
        self._blocked_until = 0.0  # after a 429, nobody sends before this

    @classmethod
    def from_option(cls, option: tuple[int, float] | None) -> RateLimiter | None:
        """The limiter for a client's `rate_limit=(requests, seconds)`; None turns it off."""
        if option is None:
            return None
        if not isinstance(option, tuple) or len(option) != 2:
            raise ValidationError("rate_limit", "must be (requests, seconds) or None")
        return cls(option[0], option[1])

    def reserve(self, priority: Priority, now: float, then_execute: bool = False) -> float:
        """Take a slot at `now` and return 0.0, or return the seconds to wait first."""
        with self._lock:
            delay = self._delay(priority, now)
            if delay > 0:
                self._waiting[priority] = max(self._waiting.get(priority, 0.0), now + delay)
                return delay
            if self._waiting and self._waiting.get(priority, 0.0) <= now:
                self._waiting.pop(priority, None)
            if self._holds and priority is Priority.EXECUTE:
                self._holds.pop(0)
            if then_execute:
                self._holds.append(now + self._hold_seconds)
            self._take(now)
            return 0.0

    def count(self, now: float) -> None:
        """Count a send that did not ask first (a 401's replay inside the auth flow)."""
        with self._lock:
            self._take(now)

    def _take(self, now: float) -> None:
        self._sent.append(now)
        if self._server_left is not None:
            self._server_left -= 1

    def observe(
        self, status: int, headers: Mapping[str, str], now: float, *, wall: float | None = None
    ) -> None:
        """Learn from a response's status and headers; `now` on `reserve`'s clock, `wall` the
        Unix time (for absolute resets and `Retry-After` dates)."""
        if status != 429 and "x-ratelimit-remaining" not in headers:
            return  # the common case: nothing to learn
        wall = time.time() if wall is None else wall
        left, reset = (number(headers.get(f"x-ratelimit-{k}")) for k in ("remaining", "reset"))
        with self._lock:
            if left is not None and reset is not None:
                remaining = max(int(left), 0)
                reset = min(reset_seconds(reset, wall), self.seconds)  # a bad header: no long stall
                # In one server window the count only falls: a late answer may say too much.
                if self._server_left is not None and abs(now + reset - self._server_reset) < 1.5:
                    remaining = min(remaining, self._server_left)
                self._server_left, self._server_reset = remaining, now + reset
            if status == 429:
                wait = server_wait(headers, status, wall)
                wait = self.seconds / self.requests if wait is None else min(wait, self.seconds)
                self._blocked_until = max(self._blocked_until, now + wait)
                self._server_left, self._server_reset = 0, max(self._server_reset, now + wait)

    def acquire(
        self,
        priority: Priority,
        then_execute: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        earliest: float = 0.0,
    ) -> float:
        """Sleep this thread until a slot is taken; the seconds waited. `earliest`: when
        the caller's own sleeping ends (a clock not moved by a stand-in `sleep` trails it)."""
        waited, now = 0.0, max(earliest, clock())
        while delay := self.reserve(priority, now, then_execute):
            sleep(delay)
            waited, now = waited + delay, max(clock(), now + delay)
        return waited

    async def acquire_async(
        self,
        priority: Priority,
        then_execute: bool = False,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        earliest: float = 0.0,
    ) -> float:
        """Like `acquire`, awaiting (`asyncio.sleep`) instead of blocking the event loop."""
        if sleep is None:
            import asyncio  # not loaded for blocking clients

            sleep = asyncio.sleep
        waited, now = 0.0, max(earliest, clock())
        while delay := self.reserve(priority, now, then_execute):
            await sleep(delay)
            waited, now = waited + delay, max(clock(), now + delay)
        return waited

    def _delay(self, priority: Priority, now: float) -> float:
        while self._sent and self._sent[0] <= now - self._window:
            self._sent.popleft()
        if self._holds:
            self._holds = [t for t in self._holds if t > now]
        if self._server_left is not None and now >= self._server_reset:
            self._server_left = None
        held = min(len(self._holds), self.requests - 1) if self._holds and priority else 0
        wait = max(self._blocked_until - now, 0.0)
        over = len(self._sent) - (self.requests - held) + 1  # sends that must expire first
        if over > 0:  # wait for old sends to leave the window, or a hold to lapse
            freed = self._sent[over - 1] + self._window - now
            wait = max(wait, min(freed, min(self._holds) - now) if held else freed)
        if self._server_left is not None and self._server_left <= held:
            wait = max(wait, self._server_reset - now)
        for higher, until in self._waiting.items() if self._waiting else ():
            if higher < priority and until + self._grace > now:
                wait = max(wait, until + self._grace - now)
        return wait
