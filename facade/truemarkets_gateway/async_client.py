"""`AsyncGateway`, the one hand-written client (`client.py` is generated from it)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from . import _flows
from ._api import operations as ops
from ._async_pager import AsyncPager, page_method
from ._base_client import GatewayBase, _kw, _pick
from ._raw import RawResponse
from ._transport import options as _options
from ._transport import send as _send
from ._transport.options import NOT_GIVEN
from ._transport.ratelimit import priority
from ._transport.retry import DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_WAIT
from .errors import CredentialsError, TrueMarketsError

if TYPE_CHECKING:
    from . import models as m
    from ._api.money import Amount
    from ._flows import StatusCallback
    from ._transport.options import SignerKey
    from ._transport.token_cache import TokenCache
    from .credentials import Credentials
    from .environments import Environment
    from .signing import PayloadSigner

__all__ = ["AsyncGateway"]

T = TypeVar("T")


class AsyncGateway(GatewayBase[httpx.AsyncClient]):
    """The True Markets Gateway client, one method per operation (options: docs/reference).

    >>> async with AsyncGateway() as gw:  # credentials from TM_KEY_FILE (or none: public only)
    ...     await gw.quote(base_asset="BTC", quote_asset="USD", qty=1, qty_unit="base", side="buy")

    Async only: an instance belongs to one event loop; create one per `asyncio.run`.

    Money: `Decimal`, `str` or `int` in (never float), `Decimal` out. Creates are never resent
    blindly (reconciled first; `reconcile=False`: never). After `close()`: `ClientClosedError`.
    """

    def __init__(
        self,
        *,
        env: str | Environment | None = None,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        key_file: str | os.PathLike[str] | None = None,
        access_token: str | None = None,
        signer: SignerKey = None,
        on_behalf_of: str | None = None,
        legacy: bool | None = None,
        timeout: float | httpx.Timeout | None = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        rate_limit: tuple[int, float] | None = (100, 60.0),
        http_client: httpx.AsyncClient | None = None,
        user_agent: str | None = None,
        token_cache: str | os.PathLike[str] | TokenCache | None = None,
        refresh_margin: float = 60.0,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError("http_client must be an httpx.AsyncClient")
        cfg = _options.resolve(locals(), owns_http=http_client is None)
        self._start(cfg, http_client or httpx.AsyncClient(**_options.pool_options(cfg, timeout)))
        self._intents_guard = asyncio.Lock()  # one lock per intent, even across threads
        self._sleep = sleep

    async def access_token(self) -> str:
        """The bearer token, minted or refreshed if needed: a secret, never log or store it.
        Raises `CredentialsError` without credentials, or the token request's error."""
        self._check_open()
        return await _options.token_manager(self._cfg).get_token_async(self._http)

    async def organization_id(self) -> str | None:
        """The organisation of this API key (the token's claim); None for a personal key."""
        from ._api.convert import token_claim

        claim = token_claim(await self.access_token(), "tm.organization_id")
        return claim if isinstance(claim, str) and claim else None

    async def create_user(
        self,
        external_ref_id: str,
        *,
        signer: SignerKey,
        organization_id: str | None = None,
        max_retries: int | None = None,
    ) -> m.OrganizationUser:
        """Create (or return: safe to repeat) the organisation user for `external_ref_id`, its
        wallets controlled by `signer` (keep it: no other key can stamp for them)."""
        public_key = self._user_signer(signer).public_key_hex
        if (org := organization_id or await self.organization_id()) is None:
            raise CredentialsError("create_user needs an organisation API key")
        call = ops.build_create_user(self._ctx, org, external_ref_id, public_key)
        return await self._as_organization()._run(call, max_retries)

    async def close(self) -> None:
        """Close the pool (unless it is your `http_client`); later calls: `ClientClosedError`."""
        self._generated, self._closed = None, True  # the generated client shares this pool
        if self._cfg.owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _run(self, call: ops.PreparedCall[T], max_retries: int | None = None) -> T:
        self._check_open()
        budget = self.max_retries if max_retries is None else _options.check_retries(max_retries)
        auth = _options.auth_for(call.op.name, call.op.public, self._auth)
        args = _send.request_args(self._cfg, call)
        tries = _send.Attempts(budget)
        limiter, clock = self._cfg.limiter, self._cfg.monotonic
        rank, then_execute = priority(call.op.name, call.json.reveal())
        earliest = 0.0  # when the last retry's sleep ended
        while True:
            if limiter is not None:  # before every send: a create never waits after it
                await limiter.acquire_async(rank, then_execute, clock, self._sleep, earliest)
            tries.start()
            try:
                request = _send.build(self._cfg, self._http, call, args)
                response = await self._http.send(request, auth=auth, follow_redirects=False)
            except httpx.TransportError as exc:
                decision = _send.after_error(self._cfg, call, exc, tries)
            except TrueMarketsError as exc:  # only the auth flow raises these: a token failure
                decision = _send.after_token_failure(self._cfg, call, exc, request, tries)
            except Exception as exc:  # e.g. a URL too long, a body that cannot be decoded
                raise _send.unusable(call, exc) from exc
            else:
                if limiter is not None:
                    limiter.observe(
                        response.status_code, response.headers, clock(), wall=self._cfg.clock()
                    )
                verdict = _send.after_response(self._cfg, call, response, tries)
                if verdict is None:
                    result = _send.parse(call, response)
                    return RawResponse(result, response) if self._raw else result  # type: ignore[return-value]
                decision = verdict
            earliest = clock() + decision.delay
            await self._sleep(decision.delay)
            tries.retries += 1

    async def _flow(self, flow: _flows.Flow[T]) -> T:
        self._check_open()  # before the flow starts, so a wait does not wrap it
        return await _flows.run_async(flow, self, sleep=self._sleep, clock=self._cfg.monotonic)

    async def _intent_lock(self, *key: str) -> Any:
        async with self._intents_guard:
            lock = self._intents.setdefault(key, asyncio.Lock())
        await lock.acquire()
        return lock, self._handed

    async def quote(
        self,
        *,
        base_asset: str,
        quote_asset: str,
        qty: Amount,
        side: m.OrderSideInput,
        qty_unit: m.QtyUnitInput,
        max_retries: int | None = None,
    ) -> m.Quote:
        """A non-binding CeFi market quote (public: needs no credentials)."""
        call = ops.build_quote(self._ctx, **_kw(locals(), "max_retries"))
        return await self._run(call, max_retries)

    async def create_order(
        self,
        *,
        side: m.OrderSideInput,
        type: m.OrderTypeInput,
        qty: Amount,
        qty_unit: m.QtyUnitInput,
        base_asset: str | None = None,
        quote_asset: str | None = None,
        price: Amount | None = None,
        chain: m.ChainInput | None = None,
        leverage: int | None = None,
        reduce_only: bool | None = None,
        asset_id: str | None = None,
        max_retries: int | None = None,
        reconcile: bool = True,
        on_created: Callable[[str], None] | None = None,
    ) -> m.CreatedOrder:
        """Create an order, never twice (an ambiguous outcome is reconciled); `on_created` gets
        its id. DeFi orders come with `payloads` to sign: pass them to `execute_order`."""
        req = _pick(locals(), ops.OrderRequest._fields)
        flow: _flows.Flow[m.CreatedOrder] = _flows.create_flow("order", req, reconcile, on_created)
        return await self._view(max_retries)._flow(flow)

    async def execute_order(
        self,
        order: m.CreatedOrder | str,
        *,
        signatures: Sequence[str] | None = None,
        signer: PayloadSigner | None = None,
        accept_issues: bool = False,
        max_retries: int | None = None,
    ) -> m.ExecutedOrder:
        """Execute an `initialized` order, stamping its payloads unless `signatures` are given
        (an order id needs them); quote issues: `QuoteIssuesError` unless `accept_issues`."""
        source = self._signer_source(signer)
        flow = _flows.execute_order_flow(order, signatures, source, accept_issues)
        return await self._view(max_retries)._flow(flow)

    async def get_order(self, order_id: str, *, max_retries: int | None = None) -> m.Order:
        """One order, in full (fills, fees, status)."""
        return await self._run(ops.build_get_order(self._ctx, order_id), max_retries)

    async def get_order_status(
        self, order_id: str, *, max_retries: int | None = None
    ) -> m.OrderStatus:
        """The cheapest poll: only the status."""
        return await self._run(ops.build_get_order_status(self._ctx, order_id), max_retries)

    def list_orders(
        self,
        *,
        status: m.OrderStatusInput | Sequence[m.OrderStatusInput] | None = None,
        venue: m.VenueInput | Sequence[m.VenueInput] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncPager[m.Order]:
        """Orders, newest first, across pages as you iterate (`limit` is per page)."""
        return self._pager(
            ops.build_list_orders, ops.orders_query(status, venue, limit), cursor, max_retries
        )

    list_orders_page = page_method(list_orders)
    """One page of `list_orders` (same arguments); pass its `next_cursor` as `cursor`."""

    def _pager(
        self,
        build: Callable[[ops.Ctx, Any, str | None], ops.PreparedCall[m.Page[T]]],
        query: dict[str, Any],
        cursor: str | None,
        max_retries: int | None,
    ) -> AsyncPager[T]:
        build(self._ctx, query, cursor)  # validate now, not on first iteration
        return AsyncPager(lambda c: self._run(build(self._ctx, query, c), max_retries), cursor)

    async def modify_order(
        self,
        order_id: str,
        *,
        price: Amount | None = None,
        qty: Amount | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Change an active CeFi limit order's price and/or qty (applied asynchronously)."""
        return await self._run(ops.build_modify(self._ctx, order_id, price, qty), max_retries)

    async def prepare_cancel_order(
        self, order_id: str, *, max_retries: int | None = None
    ) -> m.CancelPrepared:
        """Step one of a cancel (CeFi: done; DeFi: payloads to sign); `cancel_order` does both."""
        return await self._run(ops.build_prepare_cancel(self._ctx, order_id), max_retries)

    async def execute_cancel_order(
        self, order_id: str, *, signatures: Sequence[str], max_retries: int | None = None
    ) -> m.ExecutedOrder:
        """Step two of a DeFi cancel: send the stamps over the cancel payloads."""
        call = ops.build_execute_order(self._ctx, order_id, signatures, "executeCancelOrder")
        return await self._run(call, max_retries)

    async def cancel_order_deprecated(
        self, order_id: str, *, max_retries: int | None = None
    ) -> None:
        """The deprecated `DELETE /orders/{id}` (CeFi limit orders only). Prefer `cancel_order`."""
        return await self._run(ops.build_cancel_deprecated(self._ctx, order_id), max_retries)

    async def create_transfer(
        self,
        *,
        asset_id: str | m.Asset,
        qty: Amount,
        to: str,
        qty_unit: m.QtyUnitInput = "base",
        network: str | None = None,
        max_retries: int | None = None,
        reconcile: bool = True,
        on_created: Callable[[str], None] | None = None,
    ) -> m.Transfer:
        """Create an on-chain transfer, as `create_order`; `network`: CeFi assets only."""
        req = _kw(locals(), "max_retries", "reconcile", "on_created")
        flow: _flows.Flow[m.Transfer] = _flows.create_flow("transfer", req, reconcile, on_created)
        return await self._view(max_retries)._flow(flow)

    async def execute_transfer(
        self,
        transfer: m.Transfer | str,
        *,
        signatures: Sequence[str] | None = None,
        signer: PayloadSigner | None = None,
        max_retries: int | None = None,
    ) -> m.Transfer:
        """Execute an `awaiting_signature` transfer (stamps its payloads unless given)."""
        flow = _flows.execute_transfer_flow(transfer, signatures, self._signer_source(signer))
        return await self._view(max_retries)._flow(flow)

    async def get_transfer(self, transfer_id: str, *, max_retries: int | None = None) -> m.Transfer:
        """One transfer, with its status and transaction hash once known."""
        return await self._run(ops.build_get_transfer(self._ctx, transfer_id), max_retries)

    def list_transfers(
        self,
        *,
        status: m.TransferStatusInput | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncPager[m.Transfer]:
        """Transfers across pages as you iterate (`limit` is per page)."""
        return self._pager(
            ops.build_list_transfers, ops.transfers_query(status, limit), cursor, max_retries
        )

    list_transfers_page = page_method(list_transfers)
    """One page of `list_transfers` (same arguments); pass its `next_cursor` as `cursor`."""

    def list_assets(
        self,
        *,
        venue: m.VenueInput | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncPager[m.Asset]:
        """The public asset catalog (needs no credentials), across pages as you iterate."""
        return self._pager(
            ops.build_list_assets, ops.assets_query(venue, limit), cursor, max_retries
        )

    list_assets_page = page_method(list_assets)
    """One page of `list_assets` (same arguments); pass its `next_cursor` as `cursor`."""

    async def get_balances(self, *, max_retries: int | None = None) -> m.Balances:
        """Balances by symbol (`balances["USDC"].available`), custody buckets in `.buckets`."""
        return await self._run(ops.build_balances(self._ctx, "getBalances"), max_retries)

    async def list_balances(self, *, max_retries: int | None = None) -> m.Balances:
        """The same from `GET /balances/unified`."""
        return await self._run(ops.build_balances(self._ctx, "listBalances"), max_retries)

    async def get_portfolio(self, *, max_retries: int | None = None) -> m.Portfolio:
        """Holdings valued in USD; `ServiceUnavailableError` while pricing is down."""
        return await self._run(ops.build_portfolio(self._ctx), max_retries)

    def list_transactions(
        self, *, limit: int | None = None, cursor: str | None = None, max_retries: int | None = None
    ) -> AsyncPager[m.TransactionDetail]:
        """The activity feed (orders, transfers, ramps), newest first, across pages."""
        return self._pager(ops.build_list_transactions, {"limit": limit}, cursor, max_retries)

    list_transactions_page = page_method(list_transactions)
    """One page of `list_transactions` (same arguments); pass its `next_cursor` as `cursor`."""

    async def place_order(
        self,
        *,
        side: m.OrderSideInput,
        type: m.OrderTypeInput,
        qty: Amount,
        qty_unit: m.QtyUnitInput,
        base_asset: str | None = None,
        quote_asset: str | None = None,
        price: Amount | None = None,
        chain: m.ChainInput | None = None,
        leverage: int | None = None,
        reduce_only: bool | None = None,
        asset_id: str | None = None,
        wait: bool = True,
        wait_for_fill: bool = False,
        timeout: float = _flows.ORDER_TIMEOUT,
        accept_issues: bool = False,
        max_payload_age: float = _flows.MAX_PAYLOAD_AGE,
        recreate_stale: bool = True,
        raise_on_failure: bool = True,
        signer: PayloadSigner | None = None,
        on_status: StatusCallback | None = None,
        reconcile: bool = True,
        on_created: Callable[[str], None] | None = None,
    ) -> m.PlacedOrder:
        """Create an order, stamp and execute its payloads, then wait (docs/trading.md).
        Nothing created: `InsufficientBalanceError` or `OrderNotCreatedError`; quote issues:
        `QuoteIssuesError` unless `accept_issues`. Stale payloads get one fresh order unless
        `recreate_stale=False`. Waits (unless `wait=False`) until done or `active` (not with
        `wait_for_fill`): `OrderTimeoutError`, `OrderFailedError` (unless `raise_on_failure`
        is False), `OrderWaitError` (check `get_order` before placing again). Errors once an
        order exists carry `order_id` and say whether it was executed."""
        values = locals()
        options = _flows.PlaceOptions(**_pick(values, _flows.PlaceOptions._fields))
        order = _pick(values, ops.OrderRequest._fields)
        flow = _flows.place_order_flow(order, options, signer, on_status=on_status)
        return await self._flow(flow)

    async def cancel_order(
        self,
        order_id: str,
        *,
        wait: bool = False,
        timeout: float = _flows.ORDER_TIMEOUT,
        signer: PayloadSigner | None = None,
        on_status: StatusCallback | None = None,
    ) -> m.CancelResult:
        """Cancel a resting order on either venue (DeFi payloads are stamped and sent); with
        `wait=True`, polls until it ends, at most `timeout` s (else `OrderWaitError`)."""
        options = _kw(locals(), "order_id")
        options["signer"] = self._signer_source(signer)
        return await self._flow(_flows.cancel_order_flow(order_id, **options))

    async def transfer(
        self,
        *,
        asset_id: str | m.Asset,
        qty: Amount,
        to: str,
        qty_unit: m.QtyUnitInput = "base",
        network: str | None = None,
        wait: bool = True,
        timeout: float = _flows.TRANSFER_TIMEOUT,
        raise_on_failure: bool = True,
        signer: PayloadSigner | None = None,
        on_status: StatusCallback | None = None,
        reconcile: bool = True,
        on_created: Callable[[str], None] | None = None,
    ) -> m.TransferResult:
        """Create a transfer, stamp and execute it if needed, then wait (unless `wait=False`):
        `TransferTimeoutError`, `TransferFailedError` (unless `raise_on_failure` is False),
        `TransferWaitError` when an error ends the wait."""
        options = _kw(locals())
        request = {k: options.pop(k) for k in ("asset_id", "qty", "to", "qty_unit", "network")}
        options["signer"] = self._signer_source(signer)
        return await self._flow(_flows.transfer_flow(request, **options))

    async def wait_for_order(
        self,
        order_id: str,
        *,
        timeout: float = _flows.ORDER_TIMEOUT,
        wait_for_fill: bool = False,
        raise_on_failure: bool = True,
        on_status: StatusCallback | None = None,
    ) -> m.Order:
        """Poll until the order ends, or rests (`active`) unless `wait_for_fill`; raises
        `OrderTimeoutError`, or `OrderWaitError` when an error ends the wait."""
        return await self._flow(_flows.wait_order_flow(**_kw(locals())))

    async def wait_for_transfer(
        self,
        transfer_id: str,
        *,
        timeout: float = _flows.TRANSFER_TIMEOUT,
        raise_on_failure: bool = True,
        on_status: StatusCallback | None = None,
    ) -> m.Transfer:
        """Poll until the transfer is `completed` or `failed`; raises `TransferTimeoutError`,
        or `TransferWaitError` when an error ends the wait."""
        return await self._flow(_flows.wait_transfer_flow(**_kw(locals())))
