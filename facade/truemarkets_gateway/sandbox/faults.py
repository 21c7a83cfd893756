"""Fault injection plans: what goes wrong, on which route, and when.

A `FaultRule` matches requests by method and path pattern and yields a `Fault` either with a
(seeded) probability or from a scripted sequence. `FaultController` (reached as
`Sandbox.faults`) holds the live rules plus the two faults that are not per request:
server clock skew and early token expiry.

Path patterns are `fnmatch` globs tried against the full path (`/v1/gateway/orders`) and
the path below its service base (`/orders`), so `"/orders"` covers both `/v1/gateway` and
the legacy `/v1/conductor`. `*` also matches `/`.
"""

from __future__ import annotations

import enum
import fnmatch
import random
import threading
from collections.abc import Iterable, Sequence

import attrs

__all__ = ["Fault", "FaultController", "FaultKind", "FaultRule", "Phase", "relative_path"]

SERVICE_BASES = ("/v1/gateway", "/v1/conductor", "/v1/auth")


def relative_path(path: str) -> str:
    """The path below its service base (`/v1/gateway/orders` -> `/orders`)."""
    for base in SERVICE_BASES:
        if path == base or path.startswith(base + "/"):
            return path[len(base) :] or "/"
    return path


class FaultKind(enum.Enum):
    ERROR = "error"  # answer `status` with an error envelope
    RATE_LIMITED = "rate_limited"  # 429 with Retry-After and x-ratelimit-* headers
    LATENCY = "latency"  # wait `delay` seconds, then serve normally
    DROP = "drop"  # close the connection without any response


class Phase(enum.Enum):
    BEFORE = "before"  # the request is never applied
    AFTER = "after"  # the request is applied, then its answer is replaced


@attrs.frozen
class Fault:
    """One thing that goes wrong with one request. Build with the class methods."""

    kind: FaultKind
    status: int = 500
    delay: float = 0.0
    retry_after: int = 1
    phase: Phase = Phase.BEFORE

    @classmethod
    def error(cls, status: int = 500, *, after_processing: bool = False) -> Fault:
        return cls(FaultKind.ERROR, status=status, phase=_phase(after_processing))

    @classmethod
    def unavailable(cls) -> Fault:
        return cls(FaultKind.ERROR, status=503)

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> Fault:
        return cls(FaultKind.RATE_LIMITED, status=429, retry_after=retry_after)

    @classmethod
    def latency(cls, seconds: float) -> Fault:
        return cls(FaultKind.LATENCY, delay=seconds)

    @classmethod
    def drop(cls, *, after_processing: bool = False) -> Fault:
        return cls(FaultKind.DROP, phase=_phase(after_processing))


def _phase(after_processing: bool) -> Phase:
    return Phase.AFTER if after_processing else Phase.BEFORE


@attrs.define
class FaultRule:
    """Faults for requests matching `method` (or "*") and the `path` glob.

    With `script`, the n-th matching request gets `script[n]` (None = no fault) until the
    script runs out. Otherwise each matching request gets `fault` with `probability`,
    at most `times` times when given.
    """

    method: str
    path: str
    fault: Fault | None = None
    probability: float = 1.0
    times: int | None = None
    script: Sequence[Fault | None] = ()
    hits: int = 0  # matching requests seen
    fired: int = 0  # faults actually injected

    def matches(self, method: str, path: str) -> bool:
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.path) or fnmatch.fnmatchcase(
            relative_path(path), self.path
        )

    @property
    def exhausted(self) -> bool:
        if self.script:
            return self.hits >= len(self.script)
        return self.times is not None and self.fired >= self.times

    def draw(self, rng: random.Random) -> Fault | None:
        """Advance the rule by one matching request and return its fault, if any."""
        index = self.hits
        self.hits += 1
        if self.script:
            chosen = self.script[index] if index < len(self.script) else None
        elif self.fault is not None and rng.random() < self.probability:
            chosen = self.fault
        else:
            chosen = None
        if chosen is not None:
            self.fired += 1
        return chosen


class FaultController:
    """Live fault settings of one sandbox. Safe to change from the test thread."""

    def __init__(self, seed: int, rules: Iterable[FaultRule] = ()) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(f"faults:{seed}")  # noqa: S311 - seeded on purpose
        self._rules: list[FaultRule] = list(rules)
        self.clock_skew: float = 0.0
        self.token_expiry: float | None = None

    def add(
        self,
        method: str,
        path: str,
        fault: Fault,
        *,
        probability: float = 1.0,
        times: int | None = None,
    ) -> FaultRule:
        """Inject `fault` into matching requests (each with `probability`, `times` at most)."""
        return self.add_rule(
            FaultRule(method, path, fault=fault, probability=probability, times=times)
        )

    def script(self, method: str, path: str, faults: Sequence[Fault | None]) -> FaultRule:
        """Give the n-th matching request `faults[n]` (None lets it through)."""
        return self.add_rule(FaultRule(method, path, script=tuple(faults)))

    def burst(self, method: str, path: str, count: int, status: int = 500) -> FaultRule:
        """The next `count` matching requests fail with `status`."""
        return self.add(method, path, Fault.error(status), times=count)

    def add_rule(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def skew_clock(self, seconds: float) -> None:
        """Run the server clock (auth window checks, token times, Date) `seconds` ahead."""
        self.clock_skew = seconds

    def expire_tokens_after(self, seconds: float | None) -> None:
        """Reject access tokens once they are `seconds` old, whatever their `exp` says."""
        self.token_expiry = seconds

    def clear(self) -> None:
        """Remove every rule and reset clock skew and early expiry."""
        with self._lock:
            self._rules.clear()
        self.clock_skew = 0.0
        self.token_expiry = None

    @property
    def rules(self) -> tuple[FaultRule, ...]:
        with self._lock:
            return tuple(self._rules)

    def pick(self, method: str, path: str) -> Fault | None:
        """The fault for this request: the first live matching rule that fires."""
        with self._lock:
            for rule in self._rules:
                if rule.exhausted or not rule.matches(method, path):
                    continue
                fault = rule.draw(self._rng)
                if fault is not None:
                    return fault
            return None
