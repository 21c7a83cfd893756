"""The sans-I/O flows, driven by both runners against a scripted fake client and fake time."""

from __future__ import annotations

import base64
import collections
import json
import types
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from truemarkets_gateway._api.secret import reveal
from truemarkets_gateway._flows import (
    Call,
    Now,
    PlaceOptions,
    Sleep,
    cancel_order_flow,
    place_order_flow,
    run_async,
    run_sync,
    transfer_flow,
    wait_order_flow,
    wait_transfer_flow,
)
from truemarkets_gateway._flows import wait as _wait
from truemarkets_gateway.errors import (
    APIConnectionError,
    ErrorEnvelope,
    InsufficientBalanceError,
    InternalServerError,
    NotFoundError,
    OrderFailedError,
    OrderNotCreatedError,
    OrderTimeoutError,
    OrderWaitError,
    QuoteIssuesError,
    QuoteStaleError,
    RateLimitError,
    ServiceUnavailableError,
    TransferFailedError,
    TransferTimeoutError,
    TransferWaitError,
    UnexpectedResponseError,
    ValidationError,
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

KEY_HEX = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
SIGNER = PayloadSigner.from_key(KEY_HEX)
PUBLIC = ec.EllipticCurvePublicKey.from_encoded_point(
    ec.SECP256R1(), bytes.fromhex(SIGNER.public_key_hex)
)


# --- fakes -----------------------------------------------------------------------------------


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def _no_client_signer() -> PayloadSigner:
    raise AssertionError("the client's own signer was read")


class FakeClient:
    """Each primitive answers from its script in order; an exception in the script is raised.

    `delays[name]` lists how far each successive call of a primitive advances fake time
    (a slow server).
    """

    def __init__(self, time: FakeTime, **script: Iterable[Any]) -> None:
        self.time = time
        self.script = {name: list(items) for name, items in script.items()}
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.delays: dict[str, list[float]] = {}
        self.client_signer: Callable[[], PayloadSigner] = _no_client_signer

    def sign_payloads(self, items: Any) -> list[str]:
        return self.client_signer().sign_payloads(items)  # as the client's own signer would

    def _intent_lock(self, *key: str) -> Any:
        return types.SimpleNamespace(release=lambda: None), collections.deque()

    def _server_now(self) -> float:
        return 2e9 + self.time.now

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__") or name in ("time", "script", "calls", "delays", "client_signer"):
            raise AttributeError(name)
        name = name.removeprefix("_send_") if name.startswith("_send_create") else name

        def primitive(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            delays = self.delays.get(name)
            if delays:
                self.time.now += delays.pop(0)
            queue = self.script.get(name)
            if not queue:
                raise AssertionError(f"unexpected call {name}{args}{kwargs}")
            answer = queue.pop(0)
            if isinstance(answer, BaseException):
                raise answer
            return answer

        return primitive

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def call(self, name: str, index: int = 0) -> tuple[tuple[Any, ...], dict[str, Any]]:
        found = [(a, k) for n, a, k in self.calls if n == name]
        return found[index]


class AsyncFacade:
    """The same fake, with coroutine primitives (as AsyncGateway has)."""

    def __init__(self, fake: FakeClient) -> None:
        self.fake = fake

    def __getattr__(self, name: str) -> Callable[..., Any]:
        sync = getattr(self.fake, name)

        async def primitive(*args: Any, **kwargs: Any) -> Any:
            return sync(*args, **kwargs)

        return primitive


Runner = Callable[[Any, FakeClient], Any]


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest) -> Runner:
    import asyncio

    def sync_run(flow: Any, fake: FakeClient) -> Any:
        return run_sync(flow, fake, sleep=fake.time.sleep, clock=fake.time.clock)

    def async_run(flow: Any, fake: FakeClient) -> Any:
        return asyncio.run(
            run_async(flow, AsyncFacade(fake), sleep=fake.time.asleep, clock=fake.time.clock)
        )

    return sync_run if request.param == "sync" else async_run


# --- builders --------------------------------------------------------------------------------


def payloads(n: int, tag: str = "p") -> tuple[UnsignedPayload, ...]:
    return tuple(
        UnsignedPayload(payload=base64.b64encode(f"{tag}-{i}".encode()).decode(), digest=f"d{i}")
        for i in range(n)
    )


def created(
    order_id: str = "o1",
    *,
    n: int = 1,
    issues: tuple[str, ...] = (),
    status: str = "initialized",
    tag: str = "p",
) -> CreatedOrder:
    quote = QuoteDetails(
        base_asset="SOL",
        quote_asset="USDC",
        qty=Decimal("10"),
        qty_out=Decimal("0.05"),
        fee=Decimal("0.01"),
        fee_asset="USDC",
        issues=issues,
    )
    return CreatedOrder(
        order_id=order_id,
        status=OrderStatus(status),
        payloads=payloads(n, tag),
        quote=quote if n or issues else None,
    )


def order(order_id: str = "o1", status: str = "complete", **extra: Any) -> Order:
    return Order(
        order_id=order_id, status=OrderStatus(status), side=None, type=None, venue=None, **extra
    )


def executed(order_id: str = "o1", status: str = "pending") -> ExecutedOrder:
    return ExecutedOrder(order_id=order_id, status=OrderStatus(status))


def transfer(transfer_id: str = "t1", status: str = "awaiting_signature", n: int = 1) -> Transfer:
    return Transfer(id=transfer_id, status=TransferStatus(status), payloads=payloads(n, "tx"))


def stale() -> QuoteStaleError:
    return QuoteStaleError(
        ErrorEnvelope(message="quote is stale", type="failed_precondition", code="quote_stale"),
        status_code=422,
    )


REQUEST = {"side": "buy", "type": "market", "qty": "10", "qty_unit": "quote", "chain": "solana"}


def place(**options: Any) -> Any:
    return place_order_flow(REQUEST, PlaceOptions(**options), SIGNER)


def stamp_signed(stamp: Any, payload: str) -> bool:
    stamp = reveal(stamp)  # the flows hold stamps as Secrets
    data = json.loads(base64.urlsafe_b64decode(stamp + "=" * (-len(stamp) % 4)))
    try:
        PUBLIC.verify(bytes.fromhex(data["signature"]), payload.encode(), ec.ECDSA(hashes.SHA256()))
    except Exception:
        return False
    return True


# --- runners ---------------------------------------------------------------------------------


def test_runner_feeds_results_time_and_exceptions(run: Runner) -> None:
    seen: list[Any] = []

    def flow() -> Any:
        seen.append((yield Now()))
        yield Sleep(2.5)
        seen.append((yield Now()))
        seen.append((yield Call("get_order_status", ("o1",))))
        try:
            yield Call("get_order", ("o1",))
        except APIConnectionError as exc:
            seen.append(type(exc).__name__)
        return "done"

    t = FakeTime()
    fake = FakeClient(t, get_order_status=["pending"], get_order=[APIConnectionError()])
    assert run(flow(), fake) == "done"
    assert seen == [1000.0, 1002.5, "pending", "APIConnectionError"]
    assert t.sleeps == [2.5]


def test_runner_propagates_uncaught_exceptions(run: Runner) -> None:
    def flow() -> Any:
        yield Call("get_order", ("o1",))
        return None

    fake = FakeClient(
        FakeTime(), get_order=[InternalServerError(ErrorEnvelope("x"), status_code=500)]
    )
    with pytest.raises(InternalServerError):
        run(flow(), fake)


def test_call_repr_hides_arguments() -> None:
    text = repr(Call("_send_execute_order", ("o1",), {"signatures": ["secret-stamp"]}))
    assert "secret-stamp" not in text and "_send_execute_order" in text


# --- place_order -----------------------------------------------------------------------------


def test_payloads_are_signed_executed_and_awaited(run: Runner) -> None:
    t = FakeTime()
    c = created(n=3)
    fake = FakeClient(
        t,
        create_order=[c],
        _send_execute_order=[executed("o1", "pending")],
        get_order_status=["pending", "complete"],
        get_order=[order("o1", "complete", tx_hash="sig")],
    )
    result = run(place(), fake)
    assert fake.names() == [
        "create_order",
        "_send_execute_order",
        "get_order_status",
        "get_order_status",
        "get_order",
    ]
    assert fake.call("create_order")[1] == REQUEST
    (order_id, stamps), kwargs = fake.call("_send_execute_order")
    assert order_id == "o1" and kwargs == {}
    assert len(stamps) == 3
    for stamp, p in zip(stamps, c.payloads, strict=True):
        assert stamp_signed(stamp, p.payload)
    assert not stamp_signed(stamps[0], c.payloads[1].payload)
    assert result.executed and result.order_id == "o1"
    assert result.status == OrderStatus.COMPLETE
    assert result.order.tx_hash == "sig"
    assert result.replaced_order_ids == () and not result.recreated
    # Back-off: first poll after 0.5 s, then 0.75 s.
    assert t.sleeps == [0.5, 0.75]


def test_no_payloads_means_already_submitted(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(
        t,
        create_order=[created("c1", n=0, status="pending")],
        get_order_status=["complete"],
        get_order=[order("c1")],
    )
    result = run(place(), fake)
    assert "_send_execute_order" not in fake.names()
    assert not result.executed and result.status == OrderStatus.COMPLETE

    # No signer given, and the client's own is never read (it raises if it is).
    fake = FakeClient(FakeTime(), create_order=[created("c2", n=0, status="pending")])
    result = run(place_order_flow(REQUEST, PlaceOptions(wait=False)), fake)
    assert result.order is None and result.status == OrderStatus.PENDING
    assert fake.names() == ["create_order"]


def test_wait_false_returns_after_execute(run: Runner) -> None:
    fake = FakeClient(FakeTime(), create_order=[created()], _send_execute_order=[executed()])
    result = run(place(wait=False), fake)
    assert fake.names() == ["create_order", "_send_execute_order"]
    assert result.executed and result.order is None and result.status == OrderStatus.PENDING


def test_insufficient_balance(run: Runner) -> None:
    c = created("", n=0, issues=("Insufficient balance",), status="initialized")
    fake = FakeClient(FakeTime(), create_order=[c])
    with pytest.raises(InsufficientBalanceError) as info:
        run(place(), fake)
    assert info.value.quote is c.quote
    assert "Insufficient balance" in str(info.value)
    assert fake.names() == ["create_order"]


def test_empty_order_id_without_issues(run: Runner) -> None:
    fake = FakeClient(FakeTime(), create_order=[created("", n=0)])
    with pytest.raises(OrderNotCreatedError) as info:
        run(place(), fake)
    assert not isinstance(info.value, InsufficientBalanceError)
    assert fake.names() == ["create_order"]


def test_issues_refused_by_default(run: Runner) -> None:
    fake = FakeClient(FakeTime(), create_order=[created(issues=("High price impact",))])
    with pytest.raises(QuoteIssuesError) as info:
        run(place(), fake)
    assert info.value.order_id == "o1"
    assert info.value.issues == ("High price impact",)
    assert "High price impact" in str(info.value) and "accept_issues" in str(info.value)
    assert fake.names() == ["create_order"]


def test_issues_are_refused_by_execute_order_even_when_old(run: Runner) -> None:
    # The refusal is _send_execute_order's own (the fake runs the client's preparation); the flow
    # hands it the order rather than re-creating it for its age.
    fake = FakeClient(FakeTime(), create_order=[created(issues=("High price impact",))])
    fake.delays["create_order"] = [25.0]
    with pytest.raises(QuoteIssuesError) as info:
        run(place(), fake)
    assert info.value.order_id == "o1" and info.value.replaced_order_ids == ()
    assert fake.names() == ["create_order"]
    assert not any("not executed" in note for note in getattr(info.value, "__notes__", []))


def test_issues_accepted(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_order=[created(issues=("High price impact",))],
        _send_execute_order=[executed(status="complete")],
        get_order=[order()],
    )
    result = run(place(accept_issues=True), fake)
    assert result.executed and result.issues == ("High price impact",)
    # The execute answer was terminal already: no status poll, one full read.
    assert fake.names() == ["create_order", "_send_execute_order", "get_order"]


def test_quote_stale_recreates_once(run: Runner) -> None:
    first, second = created("o1", n=2, tag="a"), created("o2", n=2, tag="b")
    fake = FakeClient(
        FakeTime(),
        create_order=[first, second],
        _send_execute_order=[stale(), executed("o2", "complete")],
        get_order=[order("o2")],
    )
    result = run(place(), fake)
    assert fake.names() == [
        "create_order",
        "_send_execute_order",
        "create_order",
        "_send_execute_order",
        "get_order",
    ]
    assert fake.call("create_order", 1)[1] == REQUEST
    (order_id, stamps), _ = fake.call("_send_execute_order", 1)
    assert order_id == "o2"
    assert stamp_signed(stamps[0], second.payloads[0].payload)
    assert result.order_id == "o2" and result.replaced_order_ids == ("o1",) and result.recreated
    assert result.created is second


def test_quote_stale_twice_raises(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("o2")],
        _send_execute_order=[stale(), stale()],
    )
    with pytest.raises(QuoteStaleError):
        run(place(), fake)
    assert fake.names().count("create_order") == 2


def test_quote_stale_without_recreate(run: Runner) -> None:
    fake = FakeClient(FakeTime(), create_order=[created()], _send_execute_order=[stale()])
    with pytest.raises(QuoteStaleError) as info:
        run(place(recreate_stale=False), fake)
    assert fake.names() == ["create_order", "_send_execute_order"]
    assert any("o1" in note for note in info.value.__notes__)


def test_age_based_recreate_before_any_execute(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(
        t,
        create_order=[created("o1"), created("o2")],
        _send_execute_order=[executed("o2", "complete")],
        get_order=[order("o2")],
    )
    fake.delays["create_order"] = [25.0]  # the first create outlived max_payload_age
    result = run(place(), fake)
    assert fake.names() == ["create_order", "create_order", "_send_execute_order", "get_order"]
    assert fake.call("_send_execute_order")[0][0] == "o2"
    assert result.replaced_order_ids == ("o1",)


def test_age_check_respects_max_payload_age_and_opt_out(run: Runner) -> None:
    for options, expected in (
        ({"max_payload_age": 30.0}, ["create_order", "_send_execute_order"]),
        ({"recreate_stale": False}, ["create_order", "_send_execute_order"]),
    ):
        fake = FakeClient(FakeTime(), create_order=[created()], _send_execute_order=[executed()])
        fake.delays["create_order"] = [25.0]
        result = run(place(wait=False, **options), fake)
        assert fake.names() == expected and result.replaced_order_ids == ()


def test_second_order_also_old_is_executed_not_recreated_again(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("o2")],
        _send_execute_order=[executed("o2")],
    )
    fake.delays["create_order"] = [25.0, 25.0]
    result = run(place(wait=False), fake)
    assert fake.names() == ["create_order", "create_order", "_send_execute_order"]
    assert result.order_id == "o2"


def test_recreated_order_rechecks_issues_and_balance(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("o2", issues=("High price impact",))],
        _send_execute_order=[stale()],
    )
    with pytest.raises(QuoteIssuesError) as info:
        run(place(), fake)
    assert info.value.order_id == "o2"

    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("", n=0, issues=("Insufficient balance",))],
        _send_execute_order=[stale()],
    )
    with pytest.raises(InsufficientBalanceError):
        run(place(), fake)


@pytest.mark.parametrize(
    "error",
    [
        APIConnectionError("reset"),
        InternalServerError(ErrorEnvelope("boom"), status_code=502),
    ],
)
def test_execute_failure_surfaces_and_never_recreates(run: Runner, error: Exception) -> None:
    fake = FakeClient(FakeTime(), create_order=[created("o1")], _send_execute_order=[error])
    with pytest.raises(type(error)) as info:
        run(place(), fake)
    assert fake.names() == ["create_order", "_send_execute_order"]
    assert any("o1" in note and "get_order" in note for note in info.value.__notes__)


def test_timeout_carries_order_id_and_last_status(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(
        t,
        create_order=[created()],
        _send_execute_order=[executed()],
        get_order_status=["pending"] * 100,
        get_order=[order("o1", "pending")],
    )
    with pytest.raises(OrderTimeoutError) as info:
        run(place(timeout=10), fake)
    assert info.value.order_id == "o1" and info.value.last_status == "pending"
    assert sum(t.sleeps) == pytest.approx(10.0)
    assert max(t.sleeps) <= _wait.POLL_CAP
    # The order is still open: read once more, without retries, for the error to carry.
    assert fake.names()[-1] == "get_order" and fake.names().count("get_order") == 1
    assert fake.call("get_order") == (("o1",), {"max_retries": 0})
    assert info.value.order is not None and info.value.order.order_id == "o1"


def test_timeout_read_of_the_open_order_is_best_effort(run: Runner) -> None:
    fake = FakeClient(FakeTime(), get_order_status=["pending"] * 100, get_order=[unavailable()])
    with pytest.raises(OrderTimeoutError) as info:
        run(wait_order_flow("o1", timeout=3), fake)
    assert type(info.value) is OrderTimeoutError  # the failed read changes nothing
    assert info.value.order is None and info.value.last_status == "pending"
    assert "still open" in str(info.value)

    # Nothing more is read when no status was ever seen.
    fake = FakeClient(FakeTime(), get_order_status=[unavailable()] * 100)
    with pytest.raises(OrderTimeoutError):
        run(wait_order_flow("o1", timeout=3), fake)
    assert "get_order" not in fake.names()


def test_timeout_of_a_resting_order_says_it_is_still_open(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_order=[created("l1")],
        _send_execute_order=[executed("l1", "pending")],
        get_order_status=["pending"] + ["active"] * 100,
        get_order=[order("l1", "active")],
    )
    with pytest.raises(OrderTimeoutError) as info:
        run(place(wait_for_fill=True, timeout=1.5), fake)
    error = info.value
    assert error.order_id == "l1" and error.last_status == "active"
    assert "order l1 is still open (status active)" in str(error)
    assert "cancel_order('l1')" in str(error) and "wait_for_order('l1')" in str(error)
    assert error.order is not None and error.order.status == OrderStatus.ACTIVE  # live


def test_timeout_after_a_cancel_says_the_order_is_still_open(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        prepare_cancel_order=[CancelPrepared("l1", accepted=True)],
        get_order_status=["cancel_pending"] * 50,
        get_order=[order("l1", "cancel_pending")],
    )
    with pytest.raises(OrderTimeoutError) as info:
        run(cancel_order_flow("l1", wait=True, timeout=5, signer=lambda: SIGNER), fake)
    text = str(info.value)
    assert "order l1 is still open (status cancel_pending)" in text
    assert "after its cancel was submitted" in text and "wait_for_order('l1')" in text


def test_transfer_timeout_says_it_is_still_pending_and_carries_the_transfer(
    run: Runner,
) -> None:
    reads = [transfer("t5", "pending", n=0) for _ in range(100)]
    fake = FakeClient(
        FakeTime(), create_transfer=[transfer("t5", "pending", n=0)], get_transfer=reads
    )
    with pytest.raises(TransferTimeoutError) as info:
        run(do_transfer(timeout=30), fake)
    error = info.value
    assert "transfer t5 is still pending (status pending)" in str(error)
    assert "wait_for_transfer('t5')" in str(error)
    assert error.transfer is reads[fake.names().count("get_transfer") - 1]

    fake = FakeClient(FakeTime(), get_transfer=[transfer("t6")] * 100)
    with pytest.raises(TransferTimeoutError) as unsigned:
        run(wait_transfer_flow("t6", timeout=3), fake)
    assert "still awaits its signature" in str(unsigned.value)
    assert unsigned.value.transfer is not None and unsigned.value.transfer.id == "t6"


def test_transfer_wait_error_carries_the_transfer_as_last_read(run: Runner) -> None:
    pending = transfer("t2", "pending", n=0)
    fake = FakeClient(
        FakeTime(),
        get_transfer=[pending, UnexpectedResponseError("garbled")],
    )
    with pytest.raises(TransferWaitError) as info:
        run(wait_transfer_flow("t2"), fake)
    assert info.value.transfer is pending


def test_backoff_caps_at_five_seconds(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(t, get_order_status=["pending"] * 100, get_order=[order("o1", "pending")])
    with pytest.raises(OrderTimeoutError):
        run(wait_order_flow("o1", timeout=60), fake)
    assert t.sleeps[:6] == pytest.approx([0.5, 0.75, 1.125, 1.6875, 2.53125, 3.796875])
    assert t.sleeps[6:-1] == [5.0] * len(t.sleeps[6:-1])
    assert sum(t.sleeps) == pytest.approx(60.0)
    # Polled once at the start, then after every sleep.
    assert fake.names().count("get_order_status") == len(t.sleeps) + 1


def test_failed_raises_unless_told_not_to(run: Runner) -> None:
    def script() -> FakeClient:
        return FakeClient(
            FakeTime(),
            create_order=[created()],
            _send_execute_order=[executed()],
            get_order_status=["failed"],
            get_order=[order("o1", "failed", failure_reason="slippage")],
        )

    with pytest.raises(OrderFailedError) as info:
        run(place(), script())
    assert info.value.order_id == "o1" and info.value.order.status == OrderStatus.FAILED
    assert "slippage" in str(info.value)
    result = run(place(raise_on_failure=False), script())
    assert result.status == OrderStatus.FAILED


def test_resting_order_returns_unless_wait_for_fill(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_order=[created("l1", n=0, status="pending")],
        get_order_status=["active"],
        get_order=[order("l1", "active")],
    )
    assert run(place(), fake).status == OrderStatus.ACTIVE

    fake = FakeClient(
        FakeTime(),
        create_order=[created("l1", n=0, status="pending")],
        get_order_status=["active", "active", "complete"],
        get_order=[order("l1", "complete")],
    )
    assert run(place(wait_for_fill=True), fake).status == OrderStatus.COMPLETE


def test_wait_order_accepts_status_objects(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        get_order_status=[executed("o1", "pending"), OrderStatus.COMPLETE],
        get_order=[order()],
    )
    assert run(wait_order_flow("o1"), fake).status == OrderStatus.COMPLETE


def test_place_options_validation() -> None:
    for options in (PlaceOptions(timeout=-1), PlaceOptions(max_payload_age=0)):
        with pytest.raises(ValueError):
            run_sync(place_order_flow(REQUEST, options), FakeClient(FakeTime()))


# --- cancel ----------------------------------------------------------------------------------


def test_cefi_cancel_accepted(run: Runner) -> None:
    fake = FakeClient(FakeTime(), prepare_cancel_order=[CancelPrepared("l1", accepted=True)])
    result = run(cancel_order_flow("l1", wait=False, timeout=60, signer=lambda: SIGNER), fake)
    assert fake.names() == ["prepare_cancel_order"]
    assert result.accepted and not result.signed and result.status is None


def test_cefi_cancel_waits_for_canceled_not_active(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(
        t,
        prepare_cancel_order=[CancelPrepared("l1", accepted=True)],
        get_order_status=["active", "cancel_pending", "canceled"],
        get_order=[order("l1", "canceled")],
    )
    result = run(cancel_order_flow("l1", wait=True, timeout=60, signer=lambda: SIGNER), fake)
    assert result.status == OrderStatus.CANCELED and result.order is not None
    assert t.sleeps == [0.5, 0.75]


def test_cancel_that_filled_first_ends_complete(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        prepare_cancel_order=[CancelPrepared("l1", accepted=True)],
        get_order_status=["complete"],
        get_order=[order("l1", "complete")],
    )
    result = run(cancel_order_flow("l1", wait=True, timeout=60, signer=lambda: SIGNER), fake)
    assert result.status == OrderStatus.COMPLETE


def test_defi_cancel_signs_and_executes(run: Runner) -> None:
    prepared = CancelPrepared("d1", payloads=payloads(2, "cancel"))
    fake = FakeClient(
        FakeTime(),
        prepare_cancel_order=[prepared],
        execute_cancel_order=[executed("d1", "cancel_pending")],
        get_order_status=["canceled"],
        get_order=[order("d1", "canceled")],
    )
    result = run(cancel_order_flow("d1", wait=True, timeout=60, signer=lambda: SIGNER), fake)
    args, kwargs = fake.call("execute_cancel_order")
    assert args == ("d1",)
    assert [
        stamp_signed(s, p.payload)
        for s, p in zip(kwargs["signatures"], prepared.payloads, strict=True)
    ] == [True, True]
    assert result.signed and result.status == OrderStatus.CANCELED


def test_cancel_timeout(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        prepare_cancel_order=[CancelPrepared("l1", accepted=True)],
        get_order_status=["cancel_pending"] * 50,
        get_order=[not_found()],
    )
    with pytest.raises(OrderTimeoutError) as info:
        run(cancel_order_flow("l1", wait=True, timeout=5, signer=lambda: SIGNER), fake)
    assert info.value.last_status == "cancel_pending" and info.value.order is None


# --- transfer --------------------------------------------------------------------------------

TRANSFER_REQUEST = {"asset_id": "a1", "qty": "1", "to": "addr", "qty_unit": "base"}


def do_transfer(**options: Any) -> Any:
    kwargs: dict[str, Any] = {"wait": True, "timeout": 120.0, "raise_on_failure": True}
    kwargs.update(options)
    return transfer_flow(TRANSFER_REQUEST, signer=lambda: SIGNER, **kwargs)


def test_defi_transfer_signs_executes_and_waits(run: Runner) -> None:
    t = FakeTime()
    created_transfer = transfer("t1", "awaiting_signature")
    fake = FakeClient(
        t,
        create_transfer=[created_transfer],
        _send_execute_transfer=[transfer("t1", "pending", n=0)],
        get_transfer=[transfer("t1", "pending", n=0), transfer("t1", "completed", n=0)],
    )
    result = run(do_transfer(), fake)
    assert fake.names() == [
        "create_transfer",
        "_send_execute_transfer",
        "get_transfer",
        "get_transfer",
    ]
    assert fake.call("create_transfer")[1] == TRANSFER_REQUEST
    (transfer_id, stamps), _ = fake.call("_send_execute_transfer")
    assert transfer_id == "t1"
    assert stamp_signed(stamps[0], created_transfer.payloads[0].payload)
    assert result.signed and result.status == TransferStatus.COMPLETED and result.id == "t1"
    assert t.sleeps == [0.5, 0.75]


def test_cefi_transfer_is_not_signed(run: Runner) -> None:
    def no_signer() -> PayloadSigner:
        raise AssertionError("CeFi withdrawals need no signer")

    fake = FakeClient(
        FakeTime(),
        create_transfer=[transfer("t2", "pending", n=0)],
        get_transfer=[transfer("t2", "completed", n=0)],
    )
    flow = transfer_flow(
        TRANSFER_REQUEST, wait=True, timeout=120.0, raise_on_failure=True, signer=no_signer
    )
    result = run(flow, fake)
    assert fake.names() == ["create_transfer", "get_transfer"]
    assert not result.signed and result.status == TransferStatus.COMPLETED


def test_transfer_wait_false(run: Runner) -> None:
    fake = FakeClient(FakeTime(), create_transfer=[transfer("t3", "pending", n=0)])
    result = run(do_transfer(wait=False), fake)
    assert result.status == TransferStatus.PENDING and fake.names() == ["create_transfer"]


def test_transfer_failed_and_timeout(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_transfer=[transfer("t4", "pending", n=0)],
        get_transfer=[transfer("t4", "failed", n=0)],
    )
    with pytest.raises(TransferFailedError) as failed:
        run(do_transfer(), fake)
    assert failed.value.transfer_id == "t4"

    fake = FakeClient(
        FakeTime(),
        create_transfer=[transfer("t4", "pending", n=0)],
        get_transfer=[transfer("t4", "failed", n=0)],
    )
    assert run(do_transfer(raise_on_failure=False), fake).status == TransferStatus.FAILED

    t = FakeTime()
    fake = FakeClient(
        t,
        create_transfer=[transfer("t5", "pending", n=0)],
        get_transfer=[transfer("t5", "pending", n=0)] * 100,
    )
    with pytest.raises(TransferTimeoutError) as timeout:
        run(do_transfer(timeout=30), fake)
    assert timeout.value.transfer_id == "t5" and timeout.value.last_status == "pending"
    assert sum(t.sleeps) == pytest.approx(30.0)


def test_wait_transfer_polls_immediately_without_known_state(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(t, get_transfer=[transfer("t6", "completed", n=0)])
    assert run(wait_transfer_flow("t6"), fake).id == "t6"
    assert t.sleeps == []


def test_transfer_execute_error_names_the_transfer(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_transfer=[transfer("t7")],
        _send_execute_transfer=[APIConnectionError("reset")],
    )
    with pytest.raises(APIConnectionError) as info:
        run(do_transfer(), fake)
    assert any("t7" in note for note in info.value.__notes__)


def test_zero_timeout_still_looks_once(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(t, get_order_status=["pending"], get_order=[order("o1", "pending")])
    with pytest.raises(OrderTimeoutError) as info:
        run(wait_order_flow("o1", timeout=0), fake)
    assert info.value.last_status == "pending" and t.sleeps == []

    fake = FakeClient(t, get_transfer=[transfer("t1", "pending", n=0)])
    with pytest.raises(TransferTimeoutError):
        run(wait_transfer_flow("t1", timeout=0), fake)
    assert fake.names() == ["get_transfer"]


def test_validation_error_on_execute_gets_no_reconcile_note(run: Runner) -> None:
    from truemarkets_gateway.errors import ValidationError

    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1")],
        _send_execute_order=[ValidationError("signatures", "need one stamp per payload")],
    )
    with pytest.raises(ValidationError) as info:
        run(place(), fake)
    # Refused before sending: the order is named, as not executed, with nothing to reconcile.
    assert info.value.order_id == "o1"  # type: ignore[attr-defined]
    assert info.value.__notes__ == ["order o1 was created but not executed: nothing was traded"]


def test_token_failure_on_execute_says_not_executed(run: Runner) -> None:
    """The auth flow failed before the execute request left: nothing can have been traded."""
    from truemarkets_gateway.errors import AuthenticationError

    refused = AuthenticationError(ErrorEnvelope("key revoked"), status_code=401, source="auth")
    refused.gateway_request_sent = False
    fake = FakeClient(FakeTime(), create_order=[created("o1")], _send_execute_order=[refused])
    with pytest.raises(AuthenticationError) as info:
        run(place(), fake)
    assert info.value.__notes__ == ["order o1 was created but not executed: nothing was traded"]


def test_execute_error_after_sending_says_it_may_have_been_accepted(run: Runner) -> None:
    fake = FakeClient(FakeTime(), create_order=[created("o1")], _send_execute_order=[unavailable()])
    with pytest.raises(ServiceUnavailableError) as info:
        run(place(), fake)
    assert "may have been accepted" in info.value.__notes__[0]


# --- errors while waiting: the order exists, so the error must name it ----------------------


def unavailable() -> ServiceUnavailableError:
    return ServiceUnavailableError(ErrorEnvelope("try later"), status_code=503)


def not_found() -> NotFoundError:
    return NotFoundError(ErrorEnvelope("no such order"), status_code=404)


def rate_limited(retry_after: float | None = None) -> RateLimitError:
    return RateLimitError(ErrorEnvelope("slow down"), status_code=429, retry_after=retry_after)


def test_wait_polls_through_transient_errors(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(
        t,
        create_order=[created()],
        _send_execute_order=[executed("o1", "pending")],
        get_order_status=[
            unavailable(),
            APIConnectionError("reset"),
            InternalServerError(ErrorEnvelope("boom"), status_code=500),
            rate_limited(retry_after=3.0),
            "complete",
        ],
        get_order=[unavailable(), order("o1", "complete")],
    )
    result = run(place(), fake)
    assert result.status == OrderStatus.COMPLETE and result.order is not None
    assert fake.names().count("get_order_status") == 5
    assert fake.names().count("get_order") == 2
    # Backing off as usual; the pause after the 429 honours its Retry-After.
    assert t.sleeps[:4] == pytest.approx([0.5, 0.75, 1.125, 1.6875])
    assert t.sleeps[4] == pytest.approx(3.0)


def test_not_found_shortly_after_creation_is_polled_through(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_order=[created("c1", n=0, status="pending")],
        get_order_status=[not_found(), not_found(), "complete"],
        get_order=[order("c1")],
    )
    assert run(place(), fake).status == OrderStatus.COMPLETE


def test_wait_error_names_the_order_and_chains_the_cause(run: Runner) -> None:
    unreadable = UnexpectedResponseError("could not read the status body")
    fake = FakeClient(
        FakeTime(),
        create_order=[created()],
        _send_execute_order=[executed("o1", "pending")],
        get_order_status=[unreadable],
    )
    with pytest.raises(OrderWaitError) as info:
        run(place(), fake)
    error = info.value
    assert isinstance(error, OrderTimeoutError)  # existing timeout handlers catch it
    assert error.order_id == "o1" and error.last_status == "pending"
    assert error.__cause__ is unreadable and error.cause is unreadable
    text = str(error)
    assert "order o1 was created and submitted" in text
    assert "not known to have finished" in text and "get_order('o1')" in text
    assert "before placing it again" in text
    assert fake.names() == ["create_order", "_send_execute_order", "get_order_status"]


def test_transient_errors_until_the_deadline_end_in_a_wait_error(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(
        t,
        create_order=[created("c1", n=0, status="pending")],
        get_order_status=["pending"] + [unavailable() for _ in range(100)],
    )
    with pytest.raises(OrderWaitError) as info:
        run(place(timeout=10), fake)
    assert info.value.order_id == "c1" and info.value.last_status == "pending"
    assert isinstance(info.value.__cause__, ServiceUnavailableError)
    assert sum(t.sleeps) == pytest.approx(10.0)


def test_a_later_success_clears_the_error_so_the_deadline_is_a_plain_timeout(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        get_order_status=[unavailable()] + ["pending"] * 100,
        get_order=[order("o1", "pending")],
    )
    with pytest.raises(OrderTimeoutError) as info:
        run(wait_order_flow("o1", timeout=5), fake)
    assert type(info.value) is OrderTimeoutError and info.value.last_status == "pending"


def test_not_found_after_the_grace_period_ends_the_wait(run: Runner) -> None:
    t = FakeTime()
    fake = FakeClient(t, get_order_status=[not_found() for _ in range(100)])
    with pytest.raises(OrderWaitError) as info:
        run(wait_order_flow("o404", timeout=60), fake)
    assert isinstance(info.value.__cause__, NotFoundError)
    assert info.value.last_status is None and "last status: unknown" in str(info.value)
    assert _wait.NOT_FOUND_GRACE <= sum(t.sleeps) < 60


def test_final_get_order_error_names_the_order(run: Runner) -> None:
    from truemarkets_gateway.errors import AuthenticationError

    denied = AuthenticationError(ErrorEnvelope("expired"), status_code=401)
    fake = FakeClient(FakeTime(), get_order_status=["complete"], get_order=[denied])
    with pytest.raises(OrderWaitError) as info:
        run(wait_order_flow("o1"), fake)
    assert info.value.last_status == "complete" and info.value.__cause__ is denied


def test_cancel_wait_error_names_the_cancel(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        prepare_cancel_order=[CancelPrepared("l1", accepted=True)],
        get_order_status=[UnexpectedResponseError("garbled")],
    )
    with pytest.raises(OrderWaitError) as info:
        run(cancel_order_flow("l1", wait=True, timeout=60, signer=lambda: SIGNER), fake)
    assert info.value.order_id == "l1"
    assert "cancel of order l1 was submitted" in str(info.value)


def test_transfer_wait_polls_through_and_names_the_transfer(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_transfer=[transfer("t1", "pending", n=0)],
        get_transfer=[unavailable(), not_found(), transfer("t1", "completed", n=0)],
    )
    assert run(do_transfer(), fake).status == TransferStatus.COMPLETED

    garbled = UnexpectedResponseError("garbled")
    fake = FakeClient(
        FakeTime(),
        create_transfer=[transfer("t2", "awaiting_signature")],
        _send_execute_transfer=[transfer("t2", "pending", n=0)],
        get_transfer=[garbled],
    )
    with pytest.raises(TransferWaitError) as info:
        run(do_transfer(), fake)
    error = info.value
    assert isinstance(error, TransferTimeoutError)
    assert error.transfer_id == "t2" and error.last_status == "pending"
    assert error.__cause__ is garbled
    assert "transfer t2 was created" in str(error) and "get_transfer('t2')" in str(error)

    fake = FakeClient(FakeTime(), get_transfer=[unavailable() for _ in range(100)])
    with pytest.raises(TransferWaitError) as timed_out:
        run(wait_transfer_flow("t3", timeout=8), fake)
    assert timed_out.value.last_status is None
    assert isinstance(timed_out.value.__cause__, ServiceUnavailableError)


def test_recreate_error_names_the_replaced_order(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), APIConnectionError("reset", may_have_reached_server=False)],
        _send_execute_order=[stale()],
    )
    with pytest.raises(APIConnectionError) as info:
        run(place(), fake)
    assert any("o1" in note for note in info.value.__notes__)

    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("o2")],
        _send_execute_order=[stale(), stale()],
    )
    with pytest.raises(QuoteStaleError) as stale_twice:
        run(place(), fake)
    notes = " ".join(stale_twice.value.__notes__)
    assert "o2" in notes and "o1" in notes

    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("o2")],
        _send_execute_order=[stale(), executed("o2", "pending")],
        get_order_status=[UnexpectedResponseError("garbled")],
    )
    with pytest.raises(OrderWaitError) as waited:
        run(place(), fake)
    assert waited.value.order_id == "o2"
    assert any("o1" in note for note in waited.value.__notes__)


def test_quote_stale_after_the_recreate_names_both_orders(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("o2")],
        _send_execute_order=[stale(), stale()],
    )
    with pytest.raises(QuoteStaleError) as info:
        run(place(), fake)
    error: Any = info.value
    assert error.order_id == "o2" and error.replaced_order_ids == ("o1",)
    notes = error.__notes__
    assert "order o2 was created but not executed: nothing was traded" in notes
    assert "stale order(s) o1 were abandoned unexecuted and order o2 created instead" in notes


def test_every_error_once_an_order_exists_names_it(run: Runner) -> None:
    from truemarkets_gateway.errors import CredentialsError

    # Without a re-create: the order, and no replaced ones.
    fake = FakeClient(FakeTime(), create_order=[created()], _send_execute_order=[stale()])
    with pytest.raises(QuoteStaleError) as not_recreated:
        run(place(recreate_stale=False), fake)
    error: Any = not_recreated.value
    assert error.order_id == "o1" and error.replaced_order_ids == ()

    # Execute may have been accepted: named, with the reconcile advice.
    fake = FakeClient(
        FakeTime(), create_order=[created()], _send_execute_order=[APIConnectionError()]
    )
    with pytest.raises(APIConnectionError) as executing:
        run(place(), fake)
    error = executing.value
    assert error.order_id == "o1" and error.replaced_order_ids == ()
    assert any("may have been accepted" in note for note in error.__notes__)

    # The signer failed: created, not executed.
    def broken_signer() -> PayloadSigner:
        raise CredentialsError("no signer key")

    fake = FakeClient(FakeTime(), create_order=[created()])
    fake.client_signer = broken_signer
    with pytest.raises(CredentialsError) as unsigned:
        run(place_order_flow(REQUEST, PlaceOptions()), fake)
    error = unsigned.value
    assert error.order_id == "o1" and "order o1 was created but not executed" in str(
        error.__notes__
    )

    # The replacement could not be created: the stale order is the last one created.
    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), APIConnectionError("reset", may_have_reached_server=False)],
        _send_execute_order=[stale()],
    )
    with pytest.raises(APIConnectionError) as recreating:
        run(place(), fake)
    error = recreating.value
    assert error.order_id == "o1" and error.replaced_order_ids == ("o1",)

    # Issues on the replacement: QuoteIssuesError keeps its own order_id (the same order).
    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("o2", issues=("High price impact",))],
        _send_execute_order=[stale()],
    )
    with pytest.raises(QuoteIssuesError) as issues:
        run(place(), fake)
    error = issues.value
    assert error.order_id == "o2" and error.replaced_order_ids == ("o1",)
    assert not any("created but not executed" in note for note in error.__notes__)

    # A wait error after a re-create: its own order_id, plus the replaced ones.
    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("o2")],
        _send_execute_order=[stale(), executed("o2", "pending")],
        get_order_status=[UnexpectedResponseError("garbled")],
    )
    with pytest.raises(OrderWaitError) as waited:
        run(place(), fake)
    error = waited.value
    assert error.order_id == "o2" and error.replaced_order_ids == ("o1",)

    # No order yet: nothing attached.
    fake = FakeClient(
        FakeTime(), create_order=[APIConnectionError("reset", may_have_reached_server=False)]
    )
    with pytest.raises(APIConnectionError) as before:
        run(place(), fake)
    assert before.value.order_id is None
    assert before.value.replaced_order_ids == ()


# --- argument checks ---------------------------------------------------------------------------


BAD_SECONDS = [float("nan"), float("inf"), -1.0, "10", True]


@pytest.mark.parametrize("bad", BAD_SECONDS)
def test_bad_timeouts_are_refused_before_any_request(bad: Any) -> None:
    builders: list[Callable[[], Any]] = [
        lambda: wait_order_flow("o1", timeout=bad),
        lambda: wait_transfer_flow("t1", timeout=bad),
        lambda: cancel_order_flow("o1", wait=True, timeout=bad, signer=lambda: SIGNER),
        lambda: transfer_flow(
            TRANSFER_REQUEST, wait=True, timeout=bad, raise_on_failure=True, signer=lambda: SIGNER
        ),
        lambda: place_order_flow(REQUEST, PlaceOptions(timeout=bad)),
    ]
    for build in builders:
        fake = FakeClient(FakeTime())
        with pytest.raises(ValidationError) as info:
            run_sync(build(), fake)  # refused before the flow's first step
        assert info.value.field == "timeout" and fake.calls == []


@pytest.mark.parametrize("bad", [*BAD_SECONDS, 0])
def test_bad_max_payload_age_is_refused(bad: Any) -> None:
    fake = FakeClient(FakeTime())
    with pytest.raises(ValidationError) as info:
        run_sync(place_order_flow(REQUEST, PlaceOptions(max_payload_age=bad)), fake)
    assert info.value.field == "max_payload_age" and fake.calls == []


def test_infinite_or_nan_timeout_did_not_reach_the_loop(run: Runner) -> None:
    fake = FakeClient(FakeTime(), get_order_status=["pending"] * 5)
    with pytest.raises(ValidationError):
        run(wait_order_flow("o1", timeout=float("nan")), fake)
    assert fake.calls == []


# --- time: the flow cannot spin on a clock that does not move --------------------------------


def test_frozen_clock_and_no_op_sleep_still_time_out() -> None:
    sleeps: list[float] = []
    fake = FakeClient(
        FakeTime(), get_order_status=["pending"] * 1000, get_order=[order("o1", "pending")]
    )
    flow = wait_order_flow("o1", timeout=10)
    with pytest.raises(OrderTimeoutError):
        run_sync(flow, fake, sleep=sleeps.append, clock=lambda: 1000.0)
    assert sum(sleeps) == pytest.approx(10.0)
    assert len(sleeps) < 20

    sleeps.clear()
    fake = FakeClient(FakeTime(), get_transfer=[transfer("t1", "pending", n=0)] * 1000)
    with pytest.raises(TransferTimeoutError):
        run_sync(wait_transfer_flow("t1", timeout=10), fake, sleep=sleeps.append, clock=lambda: 0.0)
    assert sum(sleeps) == pytest.approx(10.0)


# --- on_status ---------------------------------------------------------------------------------


def test_on_status_sees_each_new_status_once(run: Runner) -> None:
    seen: list[str] = []
    fake = FakeClient(
        FakeTime(),
        create_order=[created()],
        _send_execute_order=[executed("o1", "pending")],
        get_order_status=["pending", unavailable(), "pending", "complete"],
        get_order=[order("o1", "complete")],
    )
    flow = place_order_flow(REQUEST, PlaceOptions(), SIGNER, on_status=seen.append)
    run(flow, fake)
    assert seen == ["pending", "complete"]

    seen.clear()
    fake = FakeClient(
        FakeTime(),
        prepare_cancel_order=[CancelPrepared("l1", accepted=True)],
        get_order_status=["cancel_pending", "canceled"],
        get_order=[order("l1", "canceled")],
    )
    run(
        cancel_order_flow(
            "l1", wait=True, timeout=60, signer=lambda: SIGNER, on_status=seen.append
        ),
        fake,
    )
    assert seen == ["cancel_pending", "canceled"]

    seen.clear()
    fake = FakeClient(
        FakeTime(),
        create_transfer=[transfer("t1", "pending", n=0)],
        get_transfer=[transfer("t1", "pending", n=0), transfer("t1", "completed", n=0)],
    )
    run(do_transfer(on_status=seen.append), fake)
    assert seen == ["pending", "completed"]


# --- nits ----------------------------------------------------------------------------------------


class CountingSigner:
    def __init__(self) -> None:
        self.signed: list[str] = []

    def sign_payloads(self, items: Any) -> list[str]:
        self.signed.extend(p.payload for p in items)
        return SIGNER.sign_payloads(items)


def test_stale_payloads_are_not_signed(run: Runner) -> None:
    counting = CountingSigner()
    first, second = created("o1", tag="a"), created("o2", tag="b")
    fake = FakeClient(
        FakeTime(),
        create_order=[first, second],
        _send_execute_order=[executed("o2")],
    )
    fake.delays["create_order"] = [25.0]
    flow = place_order_flow(REQUEST, PlaceOptions(wait=False), counting)  # type: ignore[arg-type]
    run(flow, fake)
    assert counting.signed == [second.payloads[0].payload]


def test_signed_defi_cancel_is_accepted(run: Runner) -> None:
    fake = FakeClient(
        FakeTime(),
        prepare_cancel_order=[CancelPrepared("d1", payloads=payloads(1, "cancel"))],
        execute_cancel_order=[executed("d1", "cancel_pending")],
    )
    result = run(cancel_order_flow("d1", wait=False, timeout=60, signer=lambda: SIGNER), fake)
    assert result.signed and result.accepted


def test_place_order_takes_a_signer_or_a_signer_source(run: Runner) -> None:
    for signer in (SIGNER, lambda: SIGNER):
        c = created()
        fake = FakeClient(FakeTime(), create_order=[c], _send_execute_order=[executed()])
        run(place_order_flow(REQUEST, PlaceOptions(wait=False), signer), fake)
        (_, stamps), _ = fake.call("_send_execute_order")
        assert stamp_signed(stamps[0], c.payloads[0].payload)


def test_a_failed_defi_cancel_names_the_order_and_whether_it_was_sent(run: Runner) -> None:
    from truemarkets_gateway.errors import CredentialsError

    prepared = CancelPrepared("d1", payloads=payloads(1, "cancel"))
    fake = FakeClient(
        FakeTime(), prepare_cancel_order=[prepared], execute_cancel_order=[APIConnectionError()]
    )
    with pytest.raises(APIConnectionError) as sent:
        run(cancel_order_flow("d1", wait=False, timeout=60, signer=lambda: SIGNER), fake)
    assert sent.value.order_id == "d1"
    assert any("may have been accepted" in note for note in sent.value.__notes__)

    def broken_signer() -> PayloadSigner:
        raise CredentialsError("no signer key")

    fake = FakeClient(FakeTime(), prepare_cancel_order=[prepared])
    with pytest.raises(CredentialsError) as unsigned:
        run(cancel_order_flow("d1", wait=False, timeout=60, signer=broken_signer), fake)
    assert unsigned.value.order_id == "d1"
    assert any("was not sent" in note for note in unsigned.value.__notes__)
    assert fake.names() == ["prepare_cancel_order"]


def test_an_interrupt_in_on_created_after_a_recreate_names_the_abandoned_order(
    run: Runner,
) -> None:
    """Ctrl-C in on_created for the fresh order must still say the stale one was abandoned:
    the create flow's own note may not replace place_order's (found by the soak)."""

    def hook(order_id: str) -> None:
        if order_id == "o2":
            raise KeyboardInterrupt

    fake = FakeClient(
        FakeTime(),
        create_order=[created("o1"), created("o2")],
        _send_execute_order=[stale()],
    )
    with pytest.raises(KeyboardInterrupt) as info:
        run(place(on_created=hook), fake)
    notes = info.value.__notes__
    assert "interrupted: order o2 was created: check get_order('o2')" in notes
    assert "interrupted: stale order(s) o1 were abandoned unexecuted" in notes


def test_an_error_raised_by_on_created_names_the_created_order(run: Runner) -> None:
    def hook(order_id: str) -> None:
        raise ValueError("the caller's database is down")

    fake = FakeClient(FakeTime(), create_order=[created("o1")])
    with pytest.raises(ValueError) as info:
        run(place(on_created=hook), fake)
    assert info.value.__notes__ == ["raised by on_created after order o1 was created"]
