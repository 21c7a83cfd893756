"""Sandbox settings: token lifetimes, payload freshness, the clock, the seed, faults.

Everything time-dependent reads `clock`, so tests drive the sandbox with a fake clock
instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import attrs

from truemarkets_gateway.sandbox.faults import FaultRule

__all__ = ["DEFAULT_WALK_SEED", "Clock", "SandboxConfig"]

DEFAULT_WALK_SEED = 0
"""Seeds the price walk and fault probabilities when `SandboxConfig.seed` is None."""

Clock = Callable[[], float]
"""Returns Unix time in seconds (like `time.time`)."""


@attrs.frozen
class SandboxConfig:
    """How a sandbox behaves. Every field has a default that mimics the real service.

    `settle_delay` is how long a submitted order or transfer stays `pending` (and a cancel
    `cancel_pending`) before the next read moves it on. `rate_limit` turns on the
    per-key limit of `rate_limit_requests` per `rate_limit_window` seconds. `faults` are
    rules installed at start; more can be added at run time through `Sandbox.faults`.
    `provision_delay` is how long a new organisation user's wallets take: until then
    creating it answers 503 with Retry-After.

    `seed` makes a sandbox repeatable: with it, ids (key ids, uids, order and transfer ids,
    the JWT `kid`) come out the same on every run. Without it (the default) they are random
    per instance, so a token or key id from an earlier sandbox never matches a new one. The
    JWT signing key is random per instance either way. The price walk and fault
    probabilities are seeded in both cases (`DEFAULT_WALK_SEED` when `seed` is None).
    """

    token_lifetime: float = 3600.0
    refresh_token_lifetime: float = 30 * 24 * 3600.0
    payload_max_age: float = 60.0
    clock: Clock = time.time
    seed: int | None = None
    rate_limit: bool = False
    rate_limit_requests: int = 100
    rate_limit_window: float = 60.0
    settle_delay: float = 1.0
    challenge_window: float = 30.0
    fund_new_accounts: bool = True
    provision_delay: float = 0.0
    faults: tuple[FaultRule, ...] = attrs.field(default=(), converter=tuple)
