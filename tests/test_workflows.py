"""The workflow mixins on stand-in clients (sync and async) with scripted primitives."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from truemarkets_gateway.errors import (
    ErrorEnvelope,
    InsufficientBalanceError,
    OrderTimeoutError,
    QuoteIssuesError,
    QuoteStaleError,
)
from truemarkets_gateway.models import (
    CancelPrepared,
    CreatedOrder,
    ExecutedOrder,
    Order,
    OrderStatus,
    QuoteDetails,
    Transfer,
    TransferStatus,
    UnsignedPayload,
)
from truemarkets_gateway.signing import PayloadSigner
from truemarkets_gateway.workflows import AsyncWorkflows, SyncWorkflows

CLIENT_KEY = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
OTHER_KEY = "00" * 31 + "07"


class Script:
    """Canned answers per primitive, recorded calls, and fake time."""

    def __init__(self, **answers: Iterable[Any]) -> None:
        self.answers = {name: list(items) for name, items in answers.items()}
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.now = 0.0
        self.sleeps: list[float] = []
        self.signer_reads = 0

    def answer(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((name, args, kwargs))
        queue = self.answers.get(name)
        if not queue:
            raise AssertionError(f"unexpected {name}{args}{kwargs}")
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]

    def kwargs(self, name: str, index: int = 0) -> dict[str, Any]:
        return [k for n, _, k in self.calls if n == name][index]

    def args(self, name: str, index: int = 0) -> tuple[Any, ...]:
        return [a for n, a, _ in self.calls if n == name][index]


class StandInGateway(SyncWorkflows):
    """The primitives `Gateway` provides, answered from a script."""

    def __init__(self, script: Script, signer: PayloadSigner | None = None) -> None:
        self.script = script
        self._signer = signer

    @property
    def signer(self) -> PayloadSigner:
        self.script.signer_reads += 1
        if self._signer is None:
            raise AssertionError("no signer configured")
        return self._signer

    def _workflow_sleep(self, seconds: float) -> None:
        self.script.sleeps.append(seconds)
        self.script.now += seconds

    def _workflow_clock(self) -> float:
        return self.script.now

    def create_order(self, **kwargs: Any) -> Any:
        return self.script.answer("create_order", **kwargs)

    def execute_order(self, order: Any, *, signatures: Any = None, signer: Any = None) -> Any:
        return self.script.answer("execute_order", order, signatures=signatures)

    def get_order(self, order_id: str) -> Any:
        return self.script.answer("get_order", order_id)

    def get_order_status(self, order_id: str) -> Any:
        return self.script.answer("get_order_status", order_id)

    def prepare_cancel_order(self, order_id: str) -> Any:
        return self.script.answer("prepare_cancel_order", order_id)

    def execute_cancel_order(self, order_id: str, *, signatures: Any) -> Any:
        return self.script.answer("execute_cancel_order", order_id, signatures=signatures)

    def create_transfer(self, **kwargs: Any) -> Any:
        return self.script.answer("create_transfer", **kwargs)

    def execute_transfer(self, transfer: Any, *, signatures: Any = None, signer: Any = None) -> Any:
        return self.script.answer("execute_transfer", transfer, signatures=signatures)

    def get_transfer(self, transfer_id: str) -> Any:
        return self.script.answer("get_transfer", transfer_id)


class AsyncStandInGateway(AsyncWorkflows):
    """The primitives `AsyncGateway` provides (coroutines), answered from a script."""

    def __init__(self, script: Script, signer: PayloadSigner | None = None) -> None:
        self.script = script
        self._signer = signer

    @property
    def signer(self) -> PayloadSigner:
        self.script.signer_reads += 1
        if self._signer is None:
            raise AssertionError("no signer configured")
        return self._signer

    async def _workflow_sleep(self, seconds: float) -> None:
        self.script.sleeps.append(seconds)
        self.script.now += seconds

    def _workflow_clock(self) -> float:
        return self.script.now

    async def create_order(self, **kwargs: Any) -> Any:
        return self.script.answer("create_order", **kwargs)

    async def execute_order(self, order: Any, *, signatures: Any = None, signer: Any = None) -> Any:
        return self.script.answer("execute_order", order, signatures=signatures)

    async def get_order(self, order_id: str) -> Any:
        return self.script.answer("get_order", order_id)

    async def get_order_status(self, order_id: str) -> Any:
        return self.script.answer("get_order_status", order_id)

    async def prepare_cancel_order(self, order_id: str) -> Any:
        return self.script.answer("prepare_cancel_order", order_id)

    async def execute_cancel_order(self, order_id: str, *, signatures: Any) -> Any:
        return self.script.answer("execute_cancel_order", order_id, signatures=signatures)

    async def create_transfer(self, **kwargs: Any) -> Any:
        return self.script.answer("create_transfer", **kwargs)

    async def execute_transfer(
        self, transfer: Any, *, signatures: Any = None, signer: Any = None
    ) -> Any:
        return self.script.answer("execute_transfer", transfer, signatures=signatures)

    async def get_transfer(self, transfer_id: str) -> Any:
        return self.script.answer("get_transfer", transfer_id)


@pytest.fixture(params=["sync", "async"])
def make(request: pytest.FixtureRequest) -> Any:
    """make(script, signer) -> call(method_name, *args, **kwargs) on a sync or async client."""
    import asyncio

    def factory(script: Script, signer: PayloadSigner | None = None) -> Any:
        if request.param == "sync":
            gw: Any = StandInGateway(script, signer)
            return lambda name, *a, **k: getattr(gw, name)(*a, **k)
        agw: Any = AsyncStandInGateway(script, signer)
        return lambda name, *a, **k: asyncio.run(getattr(agw, name)(*a, **k))

    return factory


# --- helpers ---------------------------------------------------------------------------------


def payloads(n: int, tag: str = "p") -> tuple[UnsignedPayload, ...]:
    return tuple(
        UnsignedPayload(payload=base64.b64encode(f"{tag}{i}".encode()).decode(), digest="")
        for i in range(n)
    )


def quote(*issues: str) -> QuoteDetails:
    return QuoteDetails(
        base_asset="SOL",
        quote_asset="USDC",
        qty=Decimal("10"),
        qty_out=Decimal("0.05"),
        fee=Decimal("0.01"),
        fee_asset="USDC",
        issues=issues,
    )


def created(order_id: str = "o1", n: int = 1, *issues: str) -> CreatedOrder:
    return CreatedOrder(
        order_id=order_id,
        status=OrderStatus.INITIALIZED if n else OrderStatus.PENDING,
        payloads=payloads(n, order_id),
        quote=quote(*issues),
    )


def order(order_id: str = "o1", status: str = "complete") -> Order:
    return Order(order_id=order_id, status=OrderStatus(status), side=None, type=None, venue=None)


def verifies(signer: PayloadSigner, stamp: str, payload: str) -> bool:
    data = json.loads(base64.urlsafe_b64decode(stamp + "=" * (-len(stamp) % 4)))
    if data["publicKey"] != signer.public_key_hex:
        return False
    key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), bytes.fromhex(data["publicKey"])
    )
    try:
        key.verify(bytes.fromhex(data["signature"]), payload.encode(), ec.ECDSA(hashes.SHA256()))
    except Exception:
        return False
    return True


CLIENT_SIGNER = PayloadSigner.from_key(CLIENT_KEY)
OTHER_SIGNER = PayloadSigner.from_key(OTHER_KEY)

MARKET_BUY = {
    "side": "buy",
    "type": "market",
    "qty": Decimal("25"),
    "qty_unit": "quote",
    "base_asset": "So11111111111111111111111111111111111111112",
    "chain": "solana",
}


# --- place_order -----------------------------------------------------------------------------


def test_place_order_signs_three_payloads_in_order(make: Any) -> None:
    c = created("o1", 3)
    script = Script(
        create_order=[c],
        execute_order=[ExecutedOrder("o1", OrderStatus.PENDING)],
        get_order_status=[OrderStatus.COMPLETE],
        get_order=[order("o1")],
    )
    result = make(script, CLIENT_SIGNER)("place_order", **MARKET_BUY)
    # Only the fields given are passed on; workflow knobs are not.
    assert script.kwargs("create_order") == MARKET_BUY
    stamps = script.kwargs("execute_order")["signatures"]
    assert script.args("execute_order") == ("o1",)
    assert len(stamps) == 3
    assert all(
        verifies(CLIENT_SIGNER, s, p.payload) for s, p in zip(stamps, c.payloads, strict=True)
    )
    assert result.executed and result.status == OrderStatus.COMPLETE
    assert result.order == order("o1") and result.created is c
    assert script.sleeps == [0.5]


def test_place_order_explicit_signer_overrides_client_signer(make: Any) -> None:
    c = created("o1", 1)
    script = Script(create_order=[c], execute_order=[ExecutedOrder("o1", OrderStatus.PENDING)])
    make(script, CLIENT_SIGNER)("place_order", wait=False, signer=OTHER_SIGNER, **MARKET_BUY)
    stamp = script.kwargs("execute_order")["signatures"][0]
    assert verifies(OTHER_SIGNER, stamp, c.payloads[0].payload)
    assert script.signer_reads == 0


def test_cefi_order_never_reads_the_signer(make: Any) -> None:
    script = Script(
        create_order=[created("c1", 0)],
        get_order_status=[OrderStatus.ACTIVE],
        get_order=[order("c1", "active")],
    )
    request = {
        "side": "sell",
        "type": "limit",
        "qty": "0.01",
        "qty_unit": "base",
        "base_asset": "BTC",
        "quote_asset": "USD",
        "price": "70000",
    }
    result = make(script, None)("place_order", **request)
    assert not result.executed and result.status == OrderStatus.ACTIVE
    assert script.signer_reads == 0


def test_place_order_insufficient_balance(make: Any) -> None:
    script = Script(
        create_order=[CreatedOrder("", OrderStatus.INITIALIZED, (), quote("Insufficient balance"))]
    )
    with pytest.raises(InsufficientBalanceError):
        make(script, CLIENT_SIGNER)("place_order", **MARKET_BUY)
    assert script.names() == ["create_order"] and script.signer_reads == 0


def test_place_order_issues_refused_then_accepted(make: Any) -> None:
    script = Script(create_order=[created("o1", 1, "Price impact 3%")])
    with pytest.raises(QuoteIssuesError) as info:
        make(script, CLIENT_SIGNER)("place_order", **MARKET_BUY)
    assert info.value.issues == ("Price impact 3%",) and script.names() == ["create_order"]

    script = Script(
        create_order=[created("o1", 1, "Price impact 3%")],
        execute_order=[ExecutedOrder("o1", OrderStatus.PENDING)],
    )
    result = make(script, CLIENT_SIGNER)(
        "place_order", accept_issues=True, wait=False, **MARKET_BUY
    )
    assert result.executed and result.issues == ("Price impact 3%",)


def test_place_order_stale_then_one_recreate(make: Any) -> None:
    stale = QuoteStaleError(ErrorEnvelope("stale", code="quote_stale"), status_code=409)
    script = Script(
        create_order=[created("o1", 2), created("o2", 2)],
        execute_order=[stale, ExecutedOrder("o2", OrderStatus.COMPLETE)],
        get_order=[order("o2")],
    )
    result = make(script, CLIENT_SIGNER)("place_order", **MARKET_BUY)
    assert result.order_id == "o2" and result.replaced_order_ids == ("o1",)
    assert script.kwargs("create_order", 1) == MARKET_BUY


def test_place_order_timeout(make: Any) -> None:
    script = Script(
        create_order=[created("o1", 0)],
        get_order_status=[OrderStatus.PENDING] * 100,
    )
    with pytest.raises(OrderTimeoutError) as info:
        make(script, None)("place_order", timeout=3, **MARKET_BUY)
    assert info.value.order_id == "o1" and info.value.last_status == "pending"
    assert sum(script.sleeps) == pytest.approx(3)


def test_place_order_rejects_bad_options_before_sending(make: Any) -> None:
    script = Script()
    with pytest.raises(ValueError):
        make(script, CLIENT_SIGNER)("place_order", max_payload_age=0, **MARKET_BUY)
    assert script.calls == []


# --- cancel, transfer, waits, sign_payloads -------------------------------------------------


def test_cancel_cefi_and_defi(make: Any) -> None:
    script = Script(prepare_cancel_order=[CancelPrepared("l1", accepted=True)])
    result = make(script, None)("cancel_order", "l1")
    assert result.accepted and not result.signed and script.names() == ["prepare_cancel_order"]

    prepared = CancelPrepared("d1", payloads=payloads(1, "cx"))
    script = Script(
        prepare_cancel_order=[prepared],
        execute_cancel_order=[ExecutedOrder("d1", OrderStatus.CANCEL_PENDING)],
        get_order_status=[OrderStatus.CANCELED],
        get_order=[order("d1", "canceled")],
    )
    result = make(script, CLIENT_SIGNER)("cancel_order", "d1", wait=True)
    stamp = script.kwargs("execute_cancel_order")["signatures"][0]
    assert verifies(CLIENT_SIGNER, stamp, prepared.payloads[0].payload)
    assert result.signed and result.status == OrderStatus.CANCELED


def test_transfer_defi_and_cefi(make: Any) -> None:
    pending = Transfer(
        id="t1", status=TransferStatus.AWAITING_SIGNATURE, payloads=payloads(1, "tx")
    )
    script = Script(
        create_transfer=[pending],
        execute_transfer=[Transfer(id="t1", status=TransferStatus.COMPLETED)],
    )
    result = make(script, CLIENT_SIGNER)("transfer", asset_id="a1", qty="5", to="addr")
    assert script.kwargs("create_transfer") == {
        "asset_id": "a1",
        "qty": "5",
        "to": "addr",
        "qty_unit": "base",
    }
    assert verifies(
        CLIENT_SIGNER,
        script.kwargs("execute_transfer")["signatures"][0],
        pending.payloads[0].payload,
    )
    assert result.signed and result.status == TransferStatus.COMPLETED
    assert "get_transfer" not in script.names()

    script = Script(
        create_transfer=[Transfer(id="t2", status=TransferStatus.PENDING)],
        get_transfer=[Transfer(id="t2", status=TransferStatus.COMPLETED)],
    )
    result = make(script, None)("transfer", asset_id="a2", qty="0.1", to="bc1", network="bitcoin")
    assert script.kwargs("create_transfer")["network"] == "bitcoin"
    assert not result.signed and result.status == TransferStatus.COMPLETED


def test_public_waits(make: Any) -> None:
    script = Script(
        get_order_status=[OrderStatus.PENDING, OrderStatus.COMPLETE],
        get_order=[order("o9")],
    )
    assert make(script, None)("wait_for_order", "o9") == order("o9")
    assert script.sleeps == [0.5]

    script = Script(
        get_transfer=[
            Transfer(id="t9", status=TransferStatus.PENDING),
            Transfer(id="t9", status=TransferStatus.COMPLETED),
        ]
    )
    assert make(script, None)("wait_for_transfer", "t9").status == TransferStatus.COMPLETED


def test_sign_payloads_method() -> None:
    gw = StandInGateway(Script(), CLIENT_SIGNER)
    items = payloads(3)
    stamps = gw.sign_payloads(items)
    assert all(verifies(CLIENT_SIGNER, s, p.payload) for s, p in zip(stamps, items, strict=True))
    other = gw.sign_payloads([p.payload for p in items], signer=OTHER_SIGNER)
    assert all(verifies(OTHER_SIGNER, s, p.payload) for s, p in zip(other, items, strict=True))
    agw = AsyncStandInGateway(Script(), CLIENT_SIGNER)
    assert len(agw.sign_payloads(items)) == 3
