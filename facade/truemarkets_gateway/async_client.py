"""`AsyncGateway`: the asyncio client. Policy lives in `_base.py`; this is only the I/O loop."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

import httpx

from ._api.operations import PreparedCall
from ._base import NOT_GIVEN, GatewayBase
from ._transport.retry import DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_WAIT
from .errors import TrueMarketsError
from .pagination import AsyncPager
from .workflows import AsyncWorkflows

if TYPE_CHECKING:
    from truemarkets_gateway_client import AuthenticatedClient

    from ._api.money import Amount
    from ._base import SignerKey
    from ._transport.token_cache import TokenCache
    from .credentials import Credentials
    from .environments import Environment
    from .models import (
        Asset,
        Balances,
        CancelPrepared,
        ChainInput,
        CreatedOrder,
        ExecutedOrder,
        Order,
        OrderSideInput,
        OrderStatus,
        OrderStatusInput,
        OrderTypeInput,
        Page,
        QtyUnitInput,
        Quote,
        Transfer,
        TransferStatusInput,
        VenueInput,
    )
    from .signing import PayloadSigner

__all__ = ["AsyncGateway"]

T = TypeVar("T")


class AsyncGateway(AsyncWorkflows, GatewayBase):
    """The True Markets Gateway for asyncio: `Gateway`'s methods, awaited.

    >>> async with AsyncGateway() as gw:   # credentials from TM_KEY_FILE (or none: public only)
    ...     await gw.quote(base_asset="BTC", quote_asset="USD", qty="100",
    ...              qty_unit="quote", side="buy")

    Options: `env` ("prod", "uat" or an `Environment`) or `base_url` (a host root);
    `credentials` / `key_file` / `access_token` (default: `TM_KEY_FILE`, or `TM_KEY_ID` and
    `TM_PRIVATE_KEY`; with none, only `quote` and `list_assets` work); `signer` for DeFi
    payload stamps (default `TM_SIGNER_KEY`, else the API key); `on_behalf_of` (organisation
    keys); `legacy` (the deprecated /v1/conductor path); `timeout`; `max_retries` (also per
    call; `with_options(...)` changes timeout and retries for a block of calls);
    `max_retry_wait` (the longest Retry-After slept through, 10 s by default);
    `http_client` (your own `httpx.AsyncClient`; it is not closed for you);
    `user_agent`; `token_cache`; `refresh_margin`; `clock` (wall clock, Unix seconds: token
    expiry, Retry-After dates) and `monotonic` (deadlines and payload age in the workflows).

    An instance belongs to one event loop: its connection pool (and the token refresh it
    shares) is bound to the loop that first used it, so create one `AsyncGateway` per loop
    (per `asyncio.run`) rather than sharing one across loops or threads. After `close()`
    (or leaving `async with`) every method raises `ClientClosedError`.

    Money goes in as `Decimal`, `str` or `int` (never float) and comes out as `Decimal`.
    Reads retry on transient failures; orders and transfers are never resent once they may
    have reached the server (reconcile with `get_order` / `list_orders` instead).

    Anything not wrapped here: `gateway.generated` is the generated
    `truemarkets_gateway_client.AuthenticatedClient`, sharing this client's connection pool,
    base URL, User-Agent and auth; call its endpoint modules directly, e.g.
    `from truemarkets_gateway_client.api.orders import get_order;
    await get_order.asyncio_detailed(id, client=gateway.generated)`.
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
            raise TypeError("http_client must be an httpx.AsyncClient (use Gateway for sync)")
        super().__init__(
            env=env,
            base_url=base_url,
            credentials=credentials,
            key_file=key_file,
            access_token=access_token,
            signer=signer,
            on_behalf_of=on_behalf_of,
            legacy=legacy,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            user_agent=user_agent,
            token_cache=token_cache,
            refresh_margin=refresh_margin,
            environ=environ,
            rand=rand,
            clock=clock,
            monotonic=monotonic,
        )
        self._http = http_client = self._adopt_http(http_client, httpx.AsyncClient, timeout)
        self._sleep = sleep
        if self._tokens is not None:
            from ._transport.auth import GatewayAuth

            self._auth = GatewayAuth(
                self._tokens, async_http=http_client, on_behalf_of=on_behalf_of
            )

    # --- lifecycle ------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the connection pool (unless it is your `http_client`); later calls raise
        `ClientClosedError`."""
        self._generated = None  # it shares the pool closed here
        self._closed = True
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncGateway:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The `httpx.AsyncClient` requests go through."""
        return self._http

    @property
    def generated(self) -> AuthenticatedClient:
        """The generated client for operations this facade does not wrap (see class doc).

        It sends through this client's connection pool with its base URL, User-Agent and
        auth; errors and retries are then yours to handle. Do not close it.
        """
        if self._generated is None:
            from truemarkets_gateway_client import AuthenticatedClient

            http = httpx.AsyncClient(**self._generated_http_options(self._http))
            client = AuthenticatedClient(base_url=self._gateway_url, token="")
            self._generated = client.set_async_httpx_client(http)
        return self._generated

    async def access_token(self) -> str:
        """The current bearer access token, minted or refreshed first if needed.

        This is a secret: whoever holds it acts as this API key until it expires
        (`token_expires_at`). Do not log, print or store it. Raises `CredentialsError`
        without credentials, and the token request's `APIError` / `APIConnectionError`
        (with `source == "auth"`) if it fails.
        """
        if self.closed:
            raise self._closed_error()
        return await self._token_manager().get_token_async(self._http)

    # --- the I/O loop ---------------------------------------------------------------------

    async def _run(self, call: PreparedCall[T], max_retries: int | None = None) -> T:
        if self.closed:
            raise self._closed_error()
        budget = self._budget(max_retries)
        auth = self._auth_for(call.op)
        args = self._request_args(call)
        retries = 0
        first_started = time.perf_counter()
        while True:
            request = self._http.build_request(call.method, call.url, **args)
            started = time.perf_counter()
            try:
                response = await self._http.send(request, auth=auth)
            except httpx.TransportError as exc:
                decision = self._after_error(call, exc, retries, budget, started, first_started)
            except TrueMarketsError as exc:  # only the auth flow raises these: a token failure
                decision = self._after_token_failure(call, exc, request, retries, budget)
            else:
                verdict = self._after_response(
                    call, response, retries, budget, started, first_started
                )
                if verdict is None:
                    return self._parse(call, response)
                decision = verdict
            await self._sleep(decision.delay)
            retries += 1

    async def _workflow_sleep(self, seconds: float) -> None:
        await self._sleep(seconds)

    # --- quotes and orders ------------------------------------------------------------------

    async def quote(
        self,
        *,
        base_asset: str,
        quote_asset: str,
        qty: Amount,
        side: OrderSideInput,
        qty_unit: QtyUnitInput,
        max_retries: int | None = None,
    ) -> Quote:
        """A non-binding CeFi market quote (public: needs no credentials)."""
        call = self._prep_quote(
            base_asset=base_asset, quote_asset=quote_asset, qty=qty, side=side, qty_unit=qty_unit
        )
        return await self._run(call, max_retries)

    async def create_order(
        self,
        *,
        side: OrderSideInput,
        type: OrderTypeInput,
        qty: Amount,
        qty_unit: QtyUnitInput,
        base_asset: str | None = None,
        quote_asset: str | None = None,
        price: Amount | None = None,
        chain: ChainInput | None = None,
        leverage: int | None = None,
        reduce_only: bool | None = None,
        asset_id: str | None = None,
        max_retries: int | None = None,
    ) -> CreatedOrder:
        """Create an order (not resent once it may have reached the server).

        DeFi orders (`chain` given) come back with `payloads` to sign: pass the result to
        `execute_order`, or use `place_order` for the whole flow.
        """
        call = self._prep_create_order(
            side=side,
            type=type,
            qty=qty,
            qty_unit=qty_unit,
            base_asset=base_asset,
            quote_asset=quote_asset,
            price=price,
            chain=chain,
            leverage=leverage,
            reduce_only=reduce_only,
            asset_id=asset_id,
        )
        return await self._run(call, max_retries)

    async def execute_order(
        self,
        order: CreatedOrder | str,
        *,
        signatures: Sequence[str] | None = None,
        signer: PayloadSigner | None = None,
        accept_issues: bool = False,
        max_retries: int | None = None,
    ) -> ExecutedOrder:
        """Execute an `initialized` order: its payloads are stamped with `signer` (or the
        client's signer) unless `signatures` are given; an order id needs `signatures`.

        A created order whose quote reports issues is not signed (`QuoteIssuesError`, nothing
        sent) unless `accept_issues=True`, as in `place_order`; given `signatures` are sent
        as they are."""
        return await self._run(
            self._prep_execute_order(order, signatures, signer, accept_issues), max_retries
        )

    async def get_order(self, order_id: str, *, max_retries: int | None = None) -> Order:
        return await self._run(self._prep_get_order(order_id), max_retries)

    async def get_order_status(
        self, order_id: str, *, max_retries: int | None = None
    ) -> OrderStatus:
        """The cheapest poll: only the status."""
        return await self._run(self._prep_get_order_status(order_id), max_retries)

    def list_orders(
        self,
        *,
        status: OrderStatusInput | Sequence[OrderStatusInput] | None = None,
        venue: VenueInput | Sequence[VenueInput] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncPager[Order]:
        """Orders, newest first, across pages as you iterate (`limit` is per page)."""
        query = self._orders_query(status, venue, limit)
        self._prep_list_orders(query, cursor)  # validate now, not on first iteration
        return AsyncPager(
            lambda c: self._run(self._prep_list_orders(query, c), max_retries), cursor
        )

    async def list_orders_page(
        self,
        *,
        status: OrderStatusInput | Sequence[OrderStatusInput] | None = None,
        venue: VenueInput | Sequence[VenueInput] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_retries: int | None = None,
    ) -> Page[Order]:
        """One page of orders; pass its `next_cursor` as `cursor` for the next."""
        query = self._orders_query(status, venue, limit)
        return await self._run(self._prep_list_orders(query, cursor), max_retries)

    async def modify_order(
        self,
        order_id: str,
        *,
        price: Amount | None = None,
        qty: Amount | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Change an active CeFi limit order's price and/or qty (applied asynchronously)."""
        await self._run(self._prep_modify(order_id, price, qty), max_retries)

    async def prepare_cancel_order(
        self, order_id: str, *, max_retries: int | None = None
    ) -> CancelPrepared:
        """Step one of a cancel: CeFi is `accepted` at once; DeFi returns payloads to sign.
        `cancel_order` does both steps."""
        return await self._run(self._prep_prepare_cancel(order_id), max_retries)

    async def execute_cancel_order(
        self, order_id: str, *, signatures: Sequence[str], max_retries: int | None = None
    ) -> ExecutedOrder:
        """Step two of a DeFi cancel: send the stamps over the cancel payloads."""
        return await self._run(self._prep_execute_cancel(order_id, signatures), max_retries)

    async def cancel_order_deprecated(
        self, order_id: str, *, max_retries: int | None = None
    ) -> None:
        """The deprecated `DELETE /orders/{id}` (CeFi limit orders only). Prefer `cancel_order`."""
        await self._run(self._prep_cancel_deprecated(order_id), max_retries)

    # --- transfers ---------------------------------------------------------------------------

    async def create_transfer(
        self,
        *,
        asset_id: str | Asset,
        qty: Amount,
        to: str,
        qty_unit: QtyUnitInput = "base",
        network: str | None = None,
        max_retries: int | None = None,
    ) -> Transfer:
        """Create an on-chain transfer. `network` is required for CeFi assets and refused
        for DeFi ones; pass an `Asset` (or list assets first) to have that checked here."""
        call = self._prep_create_transfer(
            asset_id=asset_id, qty=qty, to=to, qty_unit=qty_unit, network=network
        )
        return await self._run(call, max_retries)

    async def execute_transfer(
        self,
        transfer: Transfer | str,
        *,
        signatures: Sequence[str] | None = None,
        signer: PayloadSigner | None = None,
        max_retries: int | None = None,
    ) -> Transfer:
        """Execute an `awaiting_signature` transfer (stamps its payloads unless given)."""
        return await self._run(
            self._prep_execute_transfer(transfer, signatures, signer), max_retries
        )

    async def get_transfer(self, transfer_id: str, *, max_retries: int | None = None) -> Transfer:
        return await self._run(self._prep_get_transfer(transfer_id), max_retries)

    def list_transfers(
        self,
        *,
        status: TransferStatusInput | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncPager[Transfer]:
        """Transfers across pages as you iterate (`limit` is per page)."""
        query = self._transfers_query(status, limit)
        self._prep_list_transfers(query, cursor)  # validate now, not on first iteration
        return AsyncPager(
            lambda c: self._run(self._prep_list_transfers(query, c), max_retries), cursor
        )

    async def list_transfers_page(
        self,
        *,
        status: TransferStatusInput | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_retries: int | None = None,
    ) -> Page[Transfer]:
        query = self._transfers_query(status, limit)
        return await self._run(self._prep_list_transfers(query, cursor), max_retries)

    # --- assets and balances -------------------------------------------------------------------

    def list_assets(
        self,
        *,
        venue: VenueInput | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncPager[Asset]:
        """The public asset catalog (needs no credentials), across pages as you iterate."""
        query = self._assets_query(venue, limit)
        self._prep_list_assets(query, cursor)
        return AsyncPager(
            lambda c: self._run(self._prep_list_assets(query, c), max_retries), cursor
        )

    async def list_assets_page(
        self,
        *,
        venue: VenueInput | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        max_retries: int | None = None,
    ) -> Page[Asset]:
        query = self._assets_query(venue, limit)
        return await self._run(self._prep_list_assets(query, cursor), max_retries)

    async def get_balances(self, *, max_retries: int | None = None) -> Balances:
        """Balances by symbol (`balances["USDC"].available`), each keeping its custody
        buckets (exchange-held, per chain) in `.buckets`."""
        return await self._run(self._prep_balances("getBalances"), max_retries)

    async def list_balances(self, *, max_retries: int | None = None) -> Balances:
        """The same from `GET /balances/unified`."""
        return await self._run(self._prep_balances("listBalances"), max_retries)
