"""The pytest plugin: `tm_sandbox`, `tm_gateway`, `tm_async_gateway`, `tm_sandbox_config`.

Registered through the `pytest11` entry point. pytest loads it whenever the package is
installed, so it imports the sandbox (the `sandbox` extra) only when a fixture is used.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

try:  # pytest-asyncio's strict mode only runs async fixtures it decorated itself
    from pytest_asyncio import fixture as _async_fixture
except ImportError:  # pragma: no cover - anyio's plugin runs plain async fixtures
    _async_fixture = pytest.fixture  # type: ignore[assignment]

if TYPE_CHECKING:
    from ..async_client import AsyncGateway
    from ..client import Gateway
    from ..sandbox import FaultController, Sandbox, SandboxConfig, SandboxState

__all__ = [
    "SandboxFixture",
    "tm_async_gateway",
    "tm_gateway",
    "tm_sandbox",
    "tm_sandbox_config",
]

_MARKER = "tm_sandbox"
FIXTURE_SETTLE_DELAY = 0.1
"""Seconds an order or transfer stays pending in the fixture's sandbox (the service's 1 s
default would make every test wait)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(**fields): start this test's tm_sandbox with these SandboxConfig fields "
        "changed (settle_delay, token_lifetime, rate_limit, rate_limit_requests, ...)",
    )


class SandboxFixture:
    """A running sandbox for one test, with a funded API key.

    `base_url`, `key_id` and `key_file` are what a client needs (`gateway()` and
    `async_gateway()` build one). Controls: `faults` (inject errors, 429s, latency, dropped
    connections, clock skew, early token expiry), `fund()`, `set_mid()`, `create_api_key()`;
    `state` holds every order and transfer for assertions, `config` the settings in use.
    """

    def __init__(self, sandbox: Sandbox, key_id: str, key_file: Path) -> None:
        self.sandbox = sandbox
        """The running `Sandbox` (all of its helpers, for what this class does not wrap)."""
        self.key_id = key_id
        """The id of the funded API key."""
        self.key_file = key_file
        """Its key file (0600, the format the API Keys page downloads)."""

    def __repr__(self) -> str:
        return f"SandboxFixture(base_url={self.base_url!r}, key_id={self.key_id!r})"

    @property
    def base_url(self) -> str:
        """The host root to pass as `base_url`, e.g. "http://127.0.0.1:54321"."""
        return self.sandbox.base_url

    @property
    def config(self) -> SandboxConfig:
        """The settings this sandbox started with."""
        return self.sandbox.state.config

    @property
    def state(self) -> SandboxState:
        """The server side: `state.orders`, `state.transfers`, `state.request_count(route)`."""
        return self.sandbox.state

    @property
    def faults(self) -> FaultController:
        """Fault injection: `faults.add(...)`, `faults.burst(...)`, `faults.script(...)`,
        `faults.skew_clock(s)`, `faults.expire_tokens_after(s)`, `faults.clear()`."""
        return self.sandbox.faults

    def fund(self, symbol: str, amount: Decimal | str | int, chain: str | None = None) -> None:
        """Add `amount` (negative: take away) of `symbol` to the fixture key's account,
        exchange-held (`chain=None`) or in its wallet on `chain`."""
        self.sandbox.fund(symbol, amount, chain, key_id=self.key_id)

    def balance(self, symbol: str, chain: str | None = None) -> Decimal:
        """The server's total of `symbol` in one custody bucket of the fixture key's account."""
        return self.sandbox.state.balance(self.sandbox.account_of(self.key_id), symbol, chain)

    def set_mid(self, symbol: str, price: Decimal | str | int, *, pin: bool = True) -> None:
        """Set the simulated mid price of `symbol`; resting limit orders fill when it
        crosses them. Pinned it stays put, `pin=False` lets the price walk resume from it."""
        self.sandbox.set_mid(symbol, price, pin=pin)

    def create_api_key(self, path: str | Path, *, fund: bool = True) -> tuple[str, Path]:
        """Register another API key (a new account, funded unless `fund=False`) and write
        its key file to `path`. Returns `(key_id, path)`."""
        key_id, written = self.sandbox.create_api_key(path, fund=fund)
        assert isinstance(written, Path)
        return key_id, written

    def gateway(self, **options: Any) -> Gateway:
        """A new `Gateway` on this sandbox with the fixture's key (`options` override)."""
        from ..client import Gateway

        return Gateway(**self._client_options(options))

    def async_gateway(self, **options: Any) -> AsyncGateway:
        """A new `AsyncGateway` on this sandbox with the fixture's key (`options` override)."""
        from ..async_client import AsyncGateway

        return AsyncGateway(**self._client_options(options))

    def _client_options(self, options: dict[str, Any]) -> dict[str, Any]:
        # environ={}: the developer's own TM_* variables must never leak into a test.
        defaults: dict[str, Any] = {
            "base_url": self.base_url,
            "key_file": self.key_file,
            "environ": {},
        }
        return defaults | options


@pytest.fixture
def tm_sandbox_config() -> SandboxConfig:
    """The `SandboxConfig` every `tm_sandbox` starts from. Override it in a `conftest.py`;
    the `tm_sandbox` marker changes fields for one test."""
    from ..sandbox import SandboxConfig

    return SandboxConfig(settle_delay=FIXTURE_SETTLE_DELAY)


@pytest.fixture
def tm_sandbox(
    request: pytest.FixtureRequest, tm_sandbox_config: SandboxConfig
) -> Iterator[SandboxFixture]:
    """A fresh, empty in-process sandbox for this test, with a funded API key."""
    import attrs

    from ..sandbox import Sandbox

    config = tm_sandbox_config
    for marker in reversed(list(request.node.iter_markers(_MARKER))):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{_MARKER} takes SandboxConfig fields by name")
        config = attrs.evolve(config, **marker.kwargs)
    with tempfile.TemporaryDirectory(prefix="tm-sandbox-") as workdir, Sandbox(config) as sb:
        key_id, key_file = sb.create_api_key(Path(workdir) / "sandbox-key.json")
        assert isinstance(key_file, Path)
        yield SandboxFixture(sb, key_id, key_file)


@pytest.fixture
def tm_gateway(tm_sandbox: SandboxFixture) -> Iterator[Gateway]:
    """A `Gateway` connected to `tm_sandbox` with its funded key; closed after the test."""
    with tm_sandbox.gateway() as gw:
        yield gw


@_async_fixture
async def tm_async_gateway(tm_sandbox: SandboxFixture) -> AsyncIterator[AsyncGateway]:
    """An `AsyncGateway` connected to `tm_sandbox`; closed after the test. Needs an async
    test runner: pytest-asyncio (any mode) or anyio."""
    async with tm_sandbox.async_gateway() as gw:
        yield gw
