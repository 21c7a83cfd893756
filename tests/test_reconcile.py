"""Exactly-once creates (issue 12): after an ambiguous create the SDK finds what it sent
before anything else, against the sandbox with faults injected after the create is applied."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from truemarkets_gateway import AsyncGateway, Gateway
from truemarkets_gateway._flows.create import ambiguous
from truemarkets_gateway.errors import (
    AmbiguousCreateError,
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DuplicateCandidatesError,
    InternalServerError,
    RateLimitError,
    UnexpectedResponseError,
    ValidationError,
)

pytest.importorskip("uvicorn")
from truemarkets_gateway.sandbox import Fault, Sandbox

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])

SOL = "So11111111111111111111111111111111111111112"
BTC_CEFI = "b2538174-aae3-4b55-b79f-ac177c99f816"
AFTER = {
    "500": lambda: Fault.error(500, after_processing=True),
    "503": lambda: Fault.error(503, after_processing=True),
    "401": lambda: Fault.error(401, after_processing=True),
    "429": lambda: Fault.error(429, after_processing=True),
    "drop": lambda: Fault.drop(after_processing=True),
    "garbled": Fault.garbled,
}


class Clock:
    """Fake monotonic time that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Any]]:
    with Sandbox() as sb:
        _, key_file = sb.create_api_key(tmp_path_factory.mktemp("key") / "key.json")
        sb.fund("USDC", "100000000")
        sb.fund("PYUSD", "100000000")
        sb.fund("BTC", "1000")
        sb.fund("USDC", "100000000", "solana")
        yield sb, key_file


def gateway(sb: Sandbox, key_file: Any, clock: Clock) -> Gateway:
    return Gateway(
        base_url=sb.base_url, key_file=key_file, sleep=clock.sleep, monotonic=clock.monotonic
    )


_qty = iter(range(1, 10**6))


def limit_order(**extra: Any) -> dict[str, Any]:
    """A resting CeFi limit buy with a quantity no other test uses."""
    qty = Decimal("0.001") + Decimal(next(_qty)) * Decimal("0.00000001")
    return dict(
        side="buy", type="limit", qty=qty, qty_unit="base", base_asset="BTC",
        quote_asset="USD", price="1000", **extra,
    )  # fmt: skip


def holding(sb: Sandbox, qty: Decimal) -> list[str]:
    return [oid for oid, o in sb.state.orders.items() if o.qty == qty]


@pytest.mark.parametrize("fault", sorted(AFTER))
def test_an_ambiguous_create_continues_with_the_order_it_made(
    sandbox: tuple[Sandbox, Any], fault: str
) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    sb.faults.add("POST", "/orders", AFTER[fault](), times=1)
    told: list[str] = []
    order = limit_order()
    with gateway(sb, key_file, Clock()) as gw:
        created = gw.create_order(**order, on_created=told.append)
    sb.faults.clear()
    assert holding(sb, order["qty"]) == [created.order_id] == told
    assert sb.state.request_counts.get("POST /orders", 0) >= 1


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_nothing_applied_is_sent_once_more_after_the_grace(
    sandbox: tuple[Sandbox, Any], fault: str
) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    before = Fault.error(500) if fault == "500" else Fault.drop()
    sb.faults.add("POST", "/orders", before, times=1)
    order, clock = limit_order(), Clock()
    with gateway(sb, key_file, clock) as gw:
        created = gw.create_order(**order)
    assert holding(sb, order["qty"]) == [created.order_id]
    assert clock.slept > 0  # it looked for a while before sending again


def test_reconcile_false_raises_and_sends_once(sandbox: tuple[Sandbox, Any]) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    sb.faults.add("POST", "/orders", Fault.error(500, after_processing=True), times=1)
    order = limit_order()
    with gateway(sb, key_file, Clock()) as gw, pytest.raises(InternalServerError):
        gw.create_order(**order, reconcile=False)
    assert len(holding(sb, order["qty"])) == 1


def test_two_matches_raise_and_send_nothing_more(sandbox: tuple[Sandbox, Any]) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    order = limit_order()
    with gateway(sb, key_file, Clock()) as gw:
        first = gw.create_order(**order)
        gw._handed.remove(first.order_id)  # as if another process had placed it
        sb.faults.add("POST", "/orders", Fault.error(500, after_processing=True), times=1)
        with pytest.raises(DuplicateCandidatesError) as info:
            gw.create_order(**order)
    sb.faults.clear()
    mine = holding(sb, order["qty"])
    assert len(mine) == 2 and set(info.value.candidates) == set(mine) and first.order_id in mine
    assert "list_orders" not in str(info.value) or "check" in str(info.value)


def test_place_order_recreates_a_found_order_it_cannot_sign(sandbox: tuple[Sandbox, Any]) -> None:
    """A DeFi order found by listing has no payloads: it is abandoned unexecuted (named in
    replaced_order_ids) and placed once more; exactly one is executed."""
    sb, key_file = sandbox
    sb.faults.clear()
    sb.faults.add("POST", "/orders", Fault.drop(after_processing=True), times=1)
    qty = Decimal(1) + Decimal(next(_qty)) * Decimal("0.000001")
    with gateway(sb, key_file, Clock()) as gw:
        placed = gw.place_order(
            side="buy", type="market", qty=qty, qty_unit="quote", base_asset=SOL,
            chain="solana", wait=False,
        )  # fmt: skip
    ids = holding(sb, qty)
    assert placed.executed and len(placed.replaced_order_ids) == 1
    assert set(ids) == {placed.order_id, *placed.replaced_order_ids}
    assert sb.state.orders[placed.replaced_order_ids[0]].status == "initialized"


@pytest.mark.parametrize("fault", ["500", "401", "garbled"])
def test_transfer_is_created_once(sandbox: tuple[Sandbox, Any], fault: str) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    sb.faults.add("POST", "/transfers", AFTER[fault](), times=1)
    qty = Decimal("0.0001") + Decimal(next(_qty)) * Decimal("0.00000001")
    told: list[str] = []
    with gateway(sb, key_file, Clock()) as gw:
        result = gw.transfer(
            asset_id=BTC_CEFI, qty=qty, to="bc1qreconcile000000000000000000000000000000",
            network="bitcoin", wait=False, on_created=told.append,
        )  # fmt: skip
    sb.faults.clear()
    mine = [tid for tid, t in sb.state.transfers.items() if t.qty == qty]
    assert mine == [result.transfer.id] == told


def test_async_create_reconciles_too(sandbox: tuple[Sandbox, Any]) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    sb.faults.add("POST", "/orders", Fault.error(503, after_processing=True), times=1)
    order, clock = limit_order(), Clock()

    async def main() -> str:
        async with AsyncGateway(
            base_url=sb.base_url, key_file=key_file, sleep=clock.asleep, monotonic=clock.monotonic
        ) as gw:
            return (await gw.create_order(**order)).order_id

    order_id = asyncio.run(main())
    assert holding(sb, order["qty"]) == [order_id]


def test_a_failed_listing_is_ambiguous_not_resent(sandbox: tuple[Sandbox, Any]) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    sb.faults.add("POST", "/orders", Fault.error(500, after_processing=True), times=1)
    sb.faults.add("GET", "/orders", Fault.error(400))
    order = limit_order()
    with gateway(sb, key_file, Clock()) as gw, pytest.raises(AmbiguousCreateError) as info:
        gw.create_order(**order)
    sb.faults.clear()
    assert len(holding(sb, order["qty"])) == 1
    assert "list_orders" in str(info.value) and info.value.candidates == ()


def test_interrupt_while_waiting_names_the_order(sandbox: tuple[Sandbox, Any]) -> None:
    sb, key_file = sandbox
    sb.faults.clear()

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    told: list[str] = []
    gw = Gateway(base_url=sb.base_url, key_file=key_file, sleep=interrupt)
    with gw, pytest.raises(KeyboardInterrupt) as info:
        gw.place_order(**limit_order(), on_created=told.append, wait_for_fill=True)
    notes = " ".join(info.value.__notes__)
    assert told and told[0] in notes and "get_order" in notes


def test_async_cancellation_names_the_order(sandbox: tuple[Sandbox, Any]) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    told: list[str] = []

    async def main() -> None:
        async with AsyncGateway(base_url=sb.base_url, key_file=key_file) as gw:
            placing = gw.place_order(**limit_order(), on_created=told.append, wait_for_fill=True)
            await asyncio.wait_for(placing, timeout=1.5)

    with pytest.raises(TimeoutError) as info:
        asyncio.run(main())
    cancelled = info.value.__cause__ or info.value.__context__
    assert told and told[0] in " ".join(getattr(cancelled, "__notes__", []))


def test_identical_intents_share_one_lock_per_client(sandbox: tuple[Sandbox, Any]) -> None:
    sb, key_file = sandbox
    with gateway(sb, key_file, Clock()) as gw:
        view = gw.with_options(max_retries=0)
        lock, handed = gw._intent_lock("order", "k")
        assert view._handed is handed
        assert not view._intents["order", "k"].acquire(blocking=False)
        lock.release()
        other, _ = view._intent_lock("order", "other")
        assert other is not lock
        other.release()


def test_identical_intents_in_threads_make_one_order_each(sandbox: tuple[Sandbox, Any]) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    sb.faults.add("POST", "/orders", Fault.error(500, after_processing=True), times=1)
    order, ids, errors = limit_order(), [], []
    with gateway(sb, key_file, Clock()) as gw:

        def place() -> None:
            try:
                ids.append(gw.create_order(**order).order_id)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=place) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    sb.faults.clear()
    assert not errors and sorted(ids) == sorted(holding(sb, order["qty"])) and len(set(ids)) == 3


def test_an_identical_order_placed_earlier_by_this_process_is_not_taken(
    sandbox: tuple[Sandbox, Any],
) -> None:
    sb, key_file = sandbox
    sb.faults.clear()
    order = limit_order()
    with gateway(sb, key_file, Clock()) as gw:
        first = gw.create_order(**order)
        sb.faults.add("POST", "/orders", Fault.error(500), times=1)  # not applied
        second = gw.create_order(**order)
    assert second.order_id != first.order_id
    assert sorted(holding(sb, order["qty"])) == sorted([first.order_id, second.order_id])


def test_what_counts_as_ambiguous() -> None:
    assert ambiguous(APIConnectionError("reset"))
    assert not ambiguous(APIConnectionError("refused", may_have_reached_server=False))
    assert ambiguous(UnexpectedResponseError("garbled"))
    assert not ambiguous(ValidationError("qty", "must be positive"))
    for cls, status, expected in [
        (AuthenticationError, 401, True),  # after apply: never a blind replay
        (RateLimitError, 429, True),
        (InternalServerError, 500, True),
        (BadRequestError, 400, False),
        (ConflictError, 409, False),
    ]:
        error = cls.__new__(cls)
        error.status_code, error.gateway_request_sent = status, None
        assert ambiguous(error) is expected, cls
        error.gateway_request_sent = False  # a token request failed: the Gateway saw nothing
        assert not ambiguous(error)


def test_a_local_clock_ahead_of_the_server_does_not_double(sandbox: tuple[Sandbox, Any]) -> None:
    # The offset is learned only when a mint is refused; the mint window is 30 s wide.
    sb, key_file = sandbox
    sb.faults.clear()
    sb.faults.skew_clock(-15)
    try:
        sb.faults.add("POST", "/orders", Fault.drop(after_processing=True), times=1)
        order = limit_order()
        with gateway(sb, key_file, Clock()) as gw:
            created = gw.create_order(**order)
        assert holding(sb, order["qty"]) == [created.order_id]
    finally:
        sb.faults.skew_clock(0)
        sb.faults.clear()


def test_more_records_than_the_search_reads_is_ambiguous_not_resent() -> None:
    import collections
    import threading
    import types
    from datetime import UTC, datetime

    from truemarkets_gateway._flows import run_sync
    from truemarkets_gateway._flows.create import create_flow
    from truemarkets_gateway.errors import AmbiguousCreateError, APIConnectionError

    class Busy:
        """An account with page after page of other orders since the create was sent."""

        sends = 0

        def _intent_lock(self, *key: str) -> Any:
            lock = threading.Lock()
            lock.acquire()
            return lock, collections.deque()

        def _server_now(self) -> float:
            return 2e9

        def _send_create_order(self, **fields: Any) -> Any:
            self.sends += 1
            raise APIConnectionError("dropped", may_have_reached_server=True)

        def list_orders_page(self, **kw: Any) -> Any:
            other = types.SimpleNamespace(
                order_id="other", created_at=datetime.fromtimestamp(2e9, UTC), extra={},
                side="sell", type="limit", qty="9", qty_unit="base", base_asset="ETH",
            )  # fmt: skip
            return types.SimpleNamespace(items=[other] * 100, next_cursor="more")

    busy = Busy()
    flow = create_flow("order", dict(side="buy", type="market", qty="1", qty_unit="base"))
    with pytest.raises(AmbiguousCreateError, match="more than 5 pages"):
        run_sync(flow, busy, sleep=lambda s: None, clock=lambda: 0.0)
    assert busy.sends == 1


# --- the reconcile flow against a scripted client (no sandbox) -------------------------------

NOW = 2e9
ORDER = dict(side="buy", type="market", qty="1", qty_unit="base", base_asset="BTC")
TRANSFER = dict(asset_id=BTC_CEFI, qty="0.5", to="bc1qdest", network="bitcoin")


def record(kind: str, record_id: str, age: float = 0.0, **fields: Any) -> Any:
    """A listed order or transfer created `age` s before NOW."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    when = datetime.fromtimestamp(NOW - age, UTC)
    key = "order_id" if kind == "order" else "id"
    sent = ORDER if kind == "order" else TRANSFER
    return SimpleNamespace(
        **{key: record_id}, created_at=when, extra={}, status="pending", **{**sent, **fields}
    )


class Scripted:
    """Answers each create from `answers` (an exception is raised); `listings[n]` is what the
    listing shows after n + 1 creates were sent, `per_page` records a page, in that order."""

    def __init__(self, answers: list[Any], listings: list[list[Any]], per_page: int = 2) -> None:
        self.answers, self.listings, self.per_page = answers, listings, per_page
        self.sent = 0
        self.lock = threading.Lock()

    def _intent_lock(self, *key: str) -> Any:
        import collections

        self.lock.acquire()
        return self.lock, collections.deque()

    def _server_now(self) -> float:
        return NOW

    def _send_create_order(self, **fields: Any) -> Any:
        answer = self.answers[self.sent]
        self.sent += 1
        if isinstance(answer, Exception):
            raise answer
        return answer

    _send_create_transfer = _send_create_order

    def list_orders_page(self, *, limit: int, cursor: str | None, max_retries: int) -> Any:
        from types import SimpleNamespace

        rows = self.listings[min(self.sent, len(self.listings)) - 1]
        start = int(cursor or 0)
        end = start + self.per_page
        return SimpleNamespace(
            items=rows[start:end], next_cursor=str(end) if end < len(rows) else None
        )

    list_transfers_page = list_orders_page


def reconcile(kind: str, client: Scripted) -> Any:
    from truemarkets_gateway._flows import run_sync
    from truemarkets_gateway._flows.create import create_flow

    flow = create_flow(kind, ORDER if kind == "order" else TRANSFER)
    return run_sync(flow, client, sleep=lambda s: None, clock=lambda: 0.0)


def dropped() -> APIConnectionError:
    return APIConnectionError("dropped", may_have_reached_server=True)


@pytest.mark.parametrize("kind", ["order", "transfer"])
def test_an_oldest_first_listing_still_finds_the_record(kind: str) -> None:
    """The API promises no order: older records on the first page do not end the search."""
    other = {"qty": "7"}
    oldest_first = [record(kind, f"old{i}", age=3600 - i, **other) for i in range(5)]
    oldest_first.append(record(kind, "mine"))
    client = Scripted([dropped(), AssertionError("sent twice")], [oldest_first])
    found = reconcile(kind, client)
    assert client.sent == 1 and (found.order_id if kind == "order" else found.id) == "mine"


@pytest.mark.parametrize("attempt", [1, 2])
def test_several_candidates_say_whether_the_create_was_resent(attempt: int) -> None:
    twins = [record("order", "a"), record("order", "b")]
    listings = [twins] if attempt == 1 else [[], twins]
    client = Scripted([dropped(), dropped()], listings)
    with pytest.raises(DuplicateCandidatesError) as info:
        reconcile("order", client)
    assert client.sent == attempt and set(info.value.candidates) == {"a", "b"}
    text = str(info.value)
    assert ("nothing was resent" in text) is (attempt == 1)
    assert ("sent twice" in text) is (attempt == 2)


def test_a_2xx_answer_that_could_not_be_read_is_never_resent() -> None:
    import httpx

    garbled = UnexpectedResponseError("unreadable", response=httpx.Response(201, content=b"{"))
    client = Scripted([garbled, record("order", "second")], [[]])
    with pytest.raises(AmbiguousCreateError) as info:
        reconcile("order", client)
    assert client.sent == 1 and info.value.__cause__ is garbled
    assert "no matching order showed" in str(info.value)


def test_a_failed_second_send_notes_the_first_may_have_been_applied() -> None:
    refused = BadRequestError.__new__(BadRequestError)
    refused.status_code, refused.gateway_request_sent = 400, None
    client = Scripted([dropped(), refused], [[]])
    with pytest.raises(BadRequestError) as info:
        reconcile("order", client)
    assert client.sent == 2
    assert "the first order create may have been applied too" in info.value.__notes__


def test_an_interrupt_as_the_flow_takes_its_intent_lock_releases_it() -> None:
    """Ctrl-C right after the runner acquired the lock, as the flow resumes: the next
    identical intent on that client must not block forever."""
    from truemarkets_gateway._flows import run_sync
    from truemarkets_gateway._flows.create import create_flow

    def interrupted_on_resume(flow: Any) -> Any:
        yield next(flow)  # the lock step, performed by the runner
        flow.throw(KeyboardInterrupt)  # delivered as the flow resumes

    client = Scripted([record("order", "mine")], [[]])
    with pytest.raises(KeyboardInterrupt):
        run_sync(interrupted_on_resume(create_flow("order", ORDER)), client)
    assert not client.lock.locked()


def test_a_newest_first_listing_stops_at_records_older_than_the_create() -> None:
    """A busy account (more pages than the search reads) is searched only as far back as the
    create: nothing there after the grace, so it is sent once more instead of refused."""
    created = record("order", "mine")
    older = [record("order", f"old{i}", age=600 + i, qty="7") for i in range(40)]
    client = Scripted([dropped(), created], [older, [created, *older]], per_page=4)
    assert reconcile("order", client) is created
    assert client.sent == 2  # ten pages of older orders: one page read per look, then resent


def test_a_record_listed_on_two_pages_is_one_match() -> None:
    """An offset cursor on a busy account shows the last record of a page again on the next:
    it is still the one record sent, not two candidates."""
    mine = record("order", "mine")
    others = [record("order", f"new{i}", qty="7") for i in range(3)]
    listing = [*others, mine, mine, record("order", "old", age=600, qty="7")]
    client = Scripted([dropped(), AssertionError("sent twice")], [listing], per_page=4)
    assert reconcile("order", client).order_id == "mine"
    assert client.sent == 1
