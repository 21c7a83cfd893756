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
import re
import threading
from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "FAULT_SPEC_HELP",
    "Fault",
    "FaultController",
    "FaultKind",
    "FaultRule",
    "Phase",
    "parse_fault",
    "relative_path",
]

SERVICE_BASES = ("/v1/gateway", "/v1/conductor", "/v1/auth", "/v1/account")


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
    GARBLED = "garbled"  # 200 with a truncated JSON body


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

    @classmethod
    def garbled(cls, *, after_processing: bool = True) -> Fault:
        return cls(FaultKind.GARBLED, status=200, phase=_phase(after_processing))


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

    def apply(self, spec: str) -> FaultRule | None:
        """Install a fault written as "ROUTE=SPEC", as `tmgw sandbox --fault` takes it
        (see `FAULT_SPEC_HELP`). Returns the rule, or None for the clock and token settings."""
        parsed = parse_fault(spec)
        if isinstance(parsed, FaultRule):
            return self.add_rule(parsed)
        name, seconds = parsed
        if name == "skew":
            self.skew_clock(seconds)
        else:
            self.expire_tokens_after(seconds)
        return None

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


FAULT_SPEC_HELP = """ROUTE=SPEC, ROUTE being "[METHOD] PATH-GLOB" (e.g. "POST /orders", "/orders/*",
"*"). SPEC: an HTTP status (500, 503...), 429[:RETRY_AFTER], latency:SECONDS, drop or garbled
(a 200 with a truncated JSON body),
optionally followed by xN (the next N matching requests only), @P (probability P) and
+after (apply the request, then lose its answer). Two settings are not per route:
clock=skew:SECONDS (server clock ahead, negative behind) and tokens=expire:SECONDS (access
tokens refused once that old). Examples: "POST /orders=503x2", "/quotes=429:5",
"*=latency:0.5@0.1", "POST /orders/*/execute=drop+after"."""

_SPEC = re.compile(
    r"^(?P<kind>\d{3}|latency|drop|garbled)(?::(?P<arg>[0-9.]+))?"
    r"(?:x(?P<times>\d+))?(?:@(?P<prob>[0-9.]+))?(?P<after>\+after)?$"
)


def parse_fault(text: str) -> FaultRule | tuple[str, float]:
    """A `FaultRule` from "ROUTE=SPEC" (see `FAULT_SPEC_HELP`), or `("skew", s)` /
    `("expire", s)` for the clock and token settings. ValueError says what is wrong."""
    route, sep, spec = text.strip().rpartition("=")
    route, spec = route.strip(), spec.strip().lower()
    if not sep or not route or not spec:
        raise ValueError(f"{text!r}: expected ROUTE=SPEC, e.g. 'POST /orders=503x2'")
    for name, prefix in (("clock", "skew:"), ("tokens", "expire:")):
        if route.lower() == name:
            try:
                return prefix[:-1], float(spec.removeprefix(prefix))
            except ValueError:
                raise ValueError(f"{text!r}: expected {name}={prefix}SECONDS") from None
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(f"{text!r}: unknown fault {spec!r} (a status, 429:N, latency:S or drop)")
    method, _, path = route.rpartition(" ")
    method = method.strip().upper() or "*"
    kind, arg = match["kind"], match["arg"]
    after = match["after"] is not None
    if kind == "latency":
        if arg is None:
            raise ValueError(f"{text!r}: latency needs seconds, e.g. latency:0.5")
        fault = Fault.latency(float(arg))
    elif kind == "drop":
        fault = Fault.drop(after_processing=after)
    elif kind == "garbled":
        fault = Fault.garbled(after_processing=after)
    elif kind == "429":
        fault = Fault.rate_limited(int(float(arg)) if arg else 1)
    elif 400 <= int(kind) <= 599:
        fault = Fault.error(int(kind), after_processing=after)
    else:
        raise ValueError(f"{text!r}: the status must be from 400 to 599")
    probability = float(match["prob"]) if match["prob"] else 1.0
    if not 0 <= probability <= 1:
        raise ValueError(f"{text!r}: the probability must be from 0 to 1")
    times = int(match["times"]) if match["times"] else None
    return FaultRule(method, path.strip(), fault=fault, probability=probability, times=times)
