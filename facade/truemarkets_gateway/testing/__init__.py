"""Test your bot against an in-process sandbox, with no money and no network.

Installed with the `sandbox` extra, pytest picks up the fixtures by itself (the `pytest11`
entry point `truemarkets_gateway`):

- `tm_sandbox`: a fresh sandbox per test (a `SandboxFixture`) with a funded API key.
- `tm_gateway` / `tm_async_gateway`: a `Gateway` / `AsyncGateway` connected to it.
- `tm_sandbox_config`: the `SandboxConfig` each sandbox starts with; override it in your
  `conftest.py`, or change fields for one test with
  `@pytest.mark.tm_sandbox(settle_delay=0, rate_limit=True, token_lifetime=30)`.

```
def test_buys(tm_gateway, tm_sandbox):
    tm_sandbox.set_mid("BTC", "60000")
    placed = tm_gateway.place_order(side="buy", type="market", base_asset="BTC",
                                    quote_asset="USD", qty="100", qty_unit="quote")
    assert placed.status == "complete"
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .plugin import SandboxFixture

__all__ = ["SandboxFixture"]


def __getattr__(name: str) -> Any:
    # Lazy, so that loading the plugin never imports the sandbox extra.
    if name == "SandboxFixture":
        from .plugin import SandboxFixture

        return SandboxFixture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
