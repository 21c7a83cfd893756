"""Every failure of place_order once its order exists names that order: a fault at each
step after the create (execute, status poll, order read), over a real socket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from truemarkets_gateway import Gateway
from truemarkets_gateway.errors import TrueMarketsError

pytest.importorskip("uvicorn")
from truemarkets_gateway.sandbox import Fault, Sandbox

SOL = "So11111111111111111111111111111111111111112"
STEPS = [("POST", "/orders/*/execute"), ("GET", "/orders/*/status"), ("GET", "/orders/*")]
FAULTS = {
    "500": lambda: Fault.error(500),
    "500-after": lambda: Fault.error(500, after_processing=True),
    "503": Fault.unavailable,
    "429": lambda: Fault.rate_limited(0),
    "drop": Fault.drop,
    "drop-after": lambda: Fault.drop(after_processing=True),
    "400": lambda: Fault.error(400),
    "404": lambda: Fault.error(404),
    "409": lambda: Fault.error(409),
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Any]]:
    with Sandbox() as sb:
        _, key_file = sb.create_api_key(tmp_path_factory.mktemp("key") / "key.json")
        yield sb, key_file


@pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize(("method", "path"), STEPS)
def test_a_failure_after_the_create_names_the_order(
    sandbox: tuple[Sandbox, Any], method: str, path: str, fault: str
) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    sb.faults.add(method, path, FAULTS[fault](), times=200)
    created: list[str] = []
    with Gateway(base_url=sb.base_url, key_file=key_file, sleep=lambda _s: None) as gw:
        with pytest.raises(TrueMarketsError) as info:  # the fault is there at every retry
            gw.place_order(
                side="buy",
                type="market",
                qty="5",
                qty_unit="quote",
                base_asset=SOL,
                chain="solana",
                timeout=5,
                on_created=created.append,
            )
    sb.faults.clear()
    exc = info.value
    assert created and exc.order_id == created[-1], (type(exc), exc, created)
    told = str(exc) + " ".join(getattr(exc, "__notes__", []))
    assert created[-1] in told and ("get_order" in told or "not executed" in told)
