"""Everything `Gateway` and `AsyncGateway` share: configuration, the operation table,
request building (with validation), response handling, retry decisions and logging.

The two clients only run the loop (send, maybe sleep, repeat) around `PreparedCall`s built
here, so every policy is written once. Generated endpoint modules are imported on first use.
"""

from __future__ import annotations

import importlib
import logging
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

import httpx

from . import _retry, _validate
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    CredentialsError,
    OrderNotCreatedError,
    QuoteIssuesError,
    TrueMarketsError,
    UnexpectedResponseError,
    ValidationError,
    error_from_response,
    scrub_transport_error,
)

if TYPE_CHECKING:
    from datetime import datetime

    from ._auth import TokenManager
    from ._token_cache import TokenCache
    from .credentials import Credentials
    from .environments import Environment
    from .models import (
        Asset,
        Balances,
        CancelPrepared,
        CreatedOrder,
        ExecutedOrder,
        Order,
        OrderStatus,
        Page,
        Quote,
        Transfer,
        UnsignedPayload,
    )
    from .signing import PayloadSigner

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "OPERATIONS",
    "GatewayBase",
    "Operation",
    "PreparedCall",
]

T = TypeVar("T")

logger = logging.getLogger("truemarkets_gateway")

DEFAULT_TIMEOUT = 30.0
DEFAULT_USER_AGENT = f"truemarkets-gateway-python/{__version__}"
_AUTH_TYPE = "api_key"


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()
"""Marks an option the caller did not pass (so a user-supplied client keeps its own)."""


# --- the operation table ---------------------------------------------------------------------


# Operation and PreparedCall are plain immutable values (not attrs classes): this module loads
# on import of the SDK, and a PreparedCall is built on every call.


class Operation(NamedTuple):
    """One Gateway endpoint and the policy that follows from it.

    `idempotent` operations retry on any transient failure; the others (orders, transfers:
    the API has no idempotency key) only when the request never left. `public` ones are
    sent without a token. `reconcile` tells the caller what to check after an ambiguous
    failure of a non-idempotent call.
    """

    name: str
    module: str
    idempotent: bool
    public: bool = False
    reconcile: str = ""

    def build(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The generated `_get_kwargs(...)`: method, relative url, params, json."""
        builder = _BUILDERS.get(self.module)
        if builder is None:
            module = importlib.import_module(f"truemarkets_gateway_client.api.{self.module}")
            builder = _BUILDERS[self.module] = module._get_kwargs
        result: dict[str, Any] = builder(*args, **kwargs)
        return result


_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {}

_ORDER_CHECK = "check get_order_status(order_id) before trying again"
OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("computeQuote", "quotes.compute_quote", idempotent=True, public=True),
        Operation(
            "createOrder",
            "orders.create_order",
            idempotent=False,
            reconcile="The order may have been created: reconcile with list_orders "
            "(or get_order) before placing it again",
        ),
        Operation("listOrders", "orders.list_orders", idempotent=True),
        Operation("getOrder", "orders.get_order", idempotent=True),
        Operation("getOrderStatus", "orders.get_order_status", idempotent=True),
        Operation(
            "executeOrder",
            "orders.execute_order",
            idempotent=False,
            reconcile=f"The order may have been executed: {_ORDER_CHECK}",
        ),
        Operation(
            "modifyOrder",
            "orders.modify_order",
            idempotent=False,
            reconcile="The change may have been accepted: check get_order(order_id)",
        ),
        Operation(
            "prepareCancelOrder",
            "orders.prepare_cancel_order",
            idempotent=False,
            reconcile=f"The cancel may have been accepted: {_ORDER_CHECK}",
        ),
        Operation(
            "executeCancelOrder",
            "orders.execute_cancel_order",
            idempotent=False,
            reconcile=f"The cancel may have been submitted: {_ORDER_CHECK}",
        ),
        Operation(
            "cancelOrder",
            "orders.cancel_order",
            idempotent=False,
            reconcile=f"The cancel may have been accepted: {_ORDER_CHECK}",
        ),
        Operation(
            "createTransfer",
            "transfers.create_transfer",
            idempotent=False,
            reconcile="The transfer may have been created: reconcile with list_transfers "
            "before sending it again",
        ),
        Operation("listTransfers", "transfers.list_transfers", idempotent=True),
        Operation("getTransfer", "transfers.get_transfer", idempotent=True),
        Operation(
            "executeTransfer",
            "transfers.execute_transfer",
            idempotent=False,
            reconcile="The transfer may have been executed: check get_transfer(transfer_id) "
            "before trying again",
        ),
        Operation("listAssets", "assets.list_assets", idempotent=True, public=True),
        Operation("getBalances", "balances.get_balances", idempotent=True),
        Operation("listBalances", "balances.list_balances", idempotent=True),
    )
}


class PreparedCall(NamedTuple, Generic[T]):
    """A validated request, ready to send (and to send again), and how to read its answer."""

    op: Operation
    method: str
    path: str
    url: str
    params: Mapping[str, Any] | None
    json: Any
    parse: Callable[[httpx.Response], T]

    def __repr__(self) -> str:
        # Never the JSON body: an execute call's body holds payload stamps.
        return f"PreparedCall(op={self.op.name!r}, method={self.method!r}, path={self.path!r})"


def _json(response: httpx.Response) -> Any:
    """The JSON body; None for an empty body (202 answers)."""
    if not response.content:
        return None
    return response.json()


# --- the shared client base ----------------------------------------------------------------------


def _check_wait(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e6:
        raise ValidationError("max_retry_wait", "must be a number of seconds, 0 or more")
    return float(value)


def _check_retries(value: object, field: str = "max_retries") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(field, f"must be an integer, 0 or more; got {value!r}")
    return value


def _resolve_credentials(
    credentials: Credentials | None,
    key_file: str | os.PathLike[str] | None,
    access_token: str | None,
    environ: Mapping[str, str] | None,
) -> Credentials | None:
    from .credentials import Credentials

    if credentials is not None and key_file is not None:
        raise ValidationError("key_file", "pass credentials or key_file, not both")
    if key_file is not None:
        return Credentials.from_key_file(key_file)
    if credentials is not None:
        if not isinstance(credentials, Credentials):
            raise TypeError(
                "credentials must be a Credentials object (Credentials.from_key_file(...)); "
                "for a path use key_file="
            )
        return credentials
    if access_token is not None:
        return None  # a static token: do not mix in keys from the environment
    return Credentials.from_env(environ)


class GatewayBase:
    """Configuration and every request policy; subclasses add the I/O loop."""

    _tokens: TokenManager | None
    _auth: httpx.Auth | None
    _owns_http: bool = False

    def __init__(
        self,
        *,
        env: str | Environment | None,
        base_url: str | None,
        credentials: Credentials | None,
        key_file: str | os.PathLike[str] | None,
        access_token: str | None,
        signer: PayloadSigner | Any,
        on_behalf_of: str | None,
        legacy: bool | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        max_retry_wait: float,
        user_agent: str | None,
        token_cache: str | os.PathLike[str] | TokenCache | None,
        refresh_margin: float,
        environ: Mapping[str, str] | None,
        rand: Callable[[], float] | None,
        clock: Callable[[], float],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        from .environments import Environment

        self.environment = Environment.resolve(
            env=env, base_url=base_url, legacy=legacy, environ=environ
        )
        self.max_retries = _check_retries(max_retries)
        if user_agent is not None and (not isinstance(user_agent, str) or not user_agent.strip()):
            raise ValidationError("user_agent", "must be a non-empty string")
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        self._gateway_url = self.environment.gateway_url
        self._headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        self._timeout = timeout
        self._environ = environ
        self._retry_policy = _retry.RetryPolicy(max_wait=_check_wait(max_retry_wait))
        self._rand = rand if rand is not None else random.random
        self._clock = clock
        self._monotonic = monotonic  # deadlines and payload age in the workflows
        self._signer_option = signer
        self._signer: PayloadSigner | None = None
        self._on_behalf_of = on_behalf_of
        self._asset_info: dict[str, tuple[str | None, frozenset[str]]] = {}
        self._generated: Any = None

        self._credentials = _resolve_credentials(credentials, key_file, access_token, environ)
        self._tokens = None
        self._auth = None
        if self._credentials is not None or access_token is not None:
            from ._auth import TokenManager

            self._tokens = TokenManager(
                self.environment,
                credentials=self._credentials,
                access_token=access_token,
                refresh_margin=refresh_margin,
                token_cache=token_cache,
                clock=clock,
            )
        elif on_behalf_of is not None:
            raise ValidationError("on_behalf_of", "needs credentials or an access_token")

    def __repr__(self) -> str:
        mode = self._tokens.mode if self._tokens is not None else "none"
        return f"{type(self).__name__}(environment={self.environment!r}, auth={mode!r})"

    # --- options ------------------------------------------------------------------------

    @property
    def credentials(self) -> Credentials | None:
        """The API key in use, if any (its private key never shows in repr)."""
        return self._credentials

    @property
    def signer(self) -> PayloadSigner:
        """The payload signer: the `signer=` option, else `TM_SIGNER_KEY`, else the API key.

        Raises `CredentialsError` (only when first needed) if there is none.
        """
        if self._signer is None:
            self._signer = self._resolve_signer()
        return self._signer

    def _resolve_signer(self) -> PayloadSigner:
        from .signing import PayloadSigner

        option = self._signer_option
        if isinstance(option, PayloadSigner):
            return option
        if option is not None:
            return PayloadSigner.from_key(option)
        from_env = PayloadSigner.from_env(self._environ)
        if from_env is not None:
            return from_env
        if self._credentials is not None:
            return PayloadSigner.from_credentials(self._credentials)
        raise CredentialsError(
            "no payload signer: pass signer= (a PayloadSigner or a private key), set "
            "TM_SIGNER_KEY, or use API key credentials"
        )

    @property
    def token_expires_at(self) -> datetime | None:
        """When the current access token expires (UTC), if known: None before the first
        token, for a static token without an expiry, or without credentials."""
        expires_at = self._tokens.expires_at if self._tokens is not None else None
        if expires_at is None:
            return None
        from datetime import UTC, datetime

        return datetime.fromtimestamp(expires_at, tz=UTC)

    def _token_manager(self) -> TokenManager:
        if self._tokens is None:
            raise CredentialsError(
                "no access token without credentials: pass credentials= or key_file= or "
                "access_token=, or set TM_KEY_FILE (or TM_KEY_ID and TM_PRIVATE_KEY)"
            )
        return self._tokens

    def _auth_for(self, op: Operation) -> httpx.Auth | None:
        if op.public:
            return None
        if self._auth is None:
            raise CredentialsError(
                f"{op.name} needs credentials: pass credentials= or key_file= or "
                "access_token=, or set TM_KEY_FILE (or TM_KEY_ID and TM_PRIVATE_KEY)"
            )
        return self._auth

    def _budget(self, max_retries: int | None) -> int:
        return self.max_retries if max_retries is None else _check_retries(max_retries)

    # --- building calls -------------------------------------------------------------------

    def _call(
        self, op: Operation, parse: Callable[[httpx.Response], T], *args: Any, **kwargs: Any
    ) -> PreparedCall[T]:
        built = op.build(*args, **kwargs)
        path = built["url"]
        return PreparedCall(
            op=op,
            method=built["method"].upper(),
            path=path,
            url=self._gateway_url + path,
            params=built.get("params") or None,
            json=built.get("json"),
            parse=parse,
        )

    def _prep_quote(
        self, *, base_asset: str, quote_asset: str, qty: Any, side: Any, qty_unit: Any
    ) -> PreparedCall[Quote]:
        from . import _convert

        body = _validate.quote_body(
            base_asset=base_asset, quote_asset=quote_asset, qty=qty, qty_unit=qty_unit, side=side
        )
        return self._call(
            OPERATIONS["computeQuote"],
            lambda r: _convert.quote(r.json()),
            body=_convert.body_model("QuoteRequest", body),
        )

    def _prep_create_order(self, **fields: Any) -> PreparedCall[CreatedOrder]:
        from . import _convert

        body = _validate.create_order_body(**fields)
        return self._call(
            OPERATIONS["createOrder"],
            lambda r: _convert.created_order(r.json()),
            body=_convert.body_model("CreateOrderRequest", body),
        )

    def _stamps(
        self,
        payloads: Sequence[UnsignedPayload],
        signatures: Sequence[str] | None,
        signer: PayloadSigner | None,
        what: str,
    ) -> list[str]:
        if signatures is None:
            if not payloads:
                raise ValidationError(
                    "signatures", f"{what} has no payloads to sign; pass signatures= explicitly"
                )
            signatures = (signer or self.signer).sign_payloads(payloads)
        stamps = _validate.signatures_list(signatures)
        if payloads and len(stamps) != len(payloads):
            raise ValidationError(
                "signatures", f"need one stamp per payload: {len(payloads)}, got {len(stamps)}"
            )
        return stamps

    def _execute_body(self, stamps: list[str]) -> Any:
        from . import _convert

        return _convert.body_model(
            "ExecuteOrderRequest", {"signatures": stamps, "auth_type": _AUTH_TYPE}
        )

    def _prep_execute_order(
        self,
        order: CreatedOrder | str,
        signatures: Sequence[str] | None,
        signer: PayloadSigner | None,
        accept_issues: bool = False,
    ) -> PreparedCall[ExecutedOrder]:
        from . import _convert
        from .models import CreatedOrder

        if isinstance(order, CreatedOrder):
            if not order.order_created:
                raise OrderNotCreatedError(
                    "no order was created (empty order_id), so there is nothing to execute; "
                    "see quote.issues",
                    quote=order.quote,
                )
            order_id = order.order_id
            issues = order.quote.issues if order.quote is not None else ()
            if issues and signatures is None and not accept_issues:
                # The same rule as place_order: never sign over a quote that reports issues.
                raise QuoteIssuesError(
                    f"order {order_id} was created but not signed: the quote reports "
                    + "; ".join(repr(i) for i in issues)
                    + ". Pass accept_issues=True to sign anyway.",
                    order_id=order_id,
                    issues=issues,
                    quote=order.quote,
                )
            stamps = self._stamps(order.payloads, signatures, signer, "the order")
        else:
            order_id = _validate.require_id("order_id", order)
            if signatures is None:
                raise ValidationError(
                    "signatures", "required when the order is given by id (no payloads to sign)"
                )
            stamps = _validate.signatures_list(signatures)
        return self._call(
            OPERATIONS["executeOrder"],
            lambda r: _convert.executed_order(_json(r), order_id),
            order_id,
            body=self._execute_body(stamps),
        )

    def _prep_by_id(self, name: str, order_id: str, parse: Callable[[Any], T]) -> PreparedCall[T]:
        order_id = _validate.require_id("order_id", order_id)
        return self._call(OPERATIONS[name], lambda r: parse(r.json()), order_id)

    def _prep_get_order(self, order_id: str) -> PreparedCall[Order]:
        from . import _convert

        return self._prep_by_id("getOrder", order_id, _convert.order)

    def _prep_get_order_status(self, order_id: str) -> PreparedCall[OrderStatus]:
        from . import _convert

        def parse(data: Any) -> OrderStatus:
            status = _convert.order_status(data)
            if status is None:
                raise ValueError("the response has no status")
            return status

        return self._prep_by_id("getOrderStatus", order_id, parse)

    def _prep_prepare_cancel(self, order_id: str) -> PreparedCall[CancelPrepared]:
        from . import _convert

        order_id = _validate.require_id("order_id", order_id)
        return self._call(
            OPERATIONS["prepareCancelOrder"],
            lambda r: _convert.cancel_prepared(r.status_code, _json(r), order_id),
            order_id,
        )

    def _prep_execute_cancel(
        self, order_id: str, signatures: Sequence[str]
    ) -> PreparedCall[ExecutedOrder]:
        from . import _convert

        order_id = _validate.require_id("order_id", order_id)
        stamps = _validate.signatures_list(signatures)
        return self._call(
            OPERATIONS["executeCancelOrder"],
            lambda r: _convert.executed_order(_json(r), order_id),
            order_id,
            body=self._execute_body(stamps),
        )

    def _prep_cancel_deprecated(self, order_id: str) -> PreparedCall[None]:
        order_id = _validate.require_id("order_id", order_id)
        return self._call(OPERATIONS["cancelOrder"], lambda r: None, order_id)

    def _prep_modify(self, order_id: str, price: Any, qty: Any) -> PreparedCall[None]:
        from . import _convert

        order_id = _validate.require_id("order_id", order_id)
        body = _validate.modify_order_body(price=price, qty=qty)
        return self._call(
            OPERATIONS["modifyOrder"],
            lambda r: None,
            order_id,
            body=_convert.body_model("ModifyOrderRequest", body),
        )

    def _orders_query(self, status: Any, venue: Any, limit: Any) -> dict[str, Any]:
        return {
            "status": _validate.csv_filter("status", status),
            "venue": _validate.csv_filter("venue", venue, allowed=_validate.VENUES),
            "limit": _validate.limit_param(limit),
        }

    def _prep_list_orders(self, query: Mapping[str, Any], cursor: Any) -> PreparedCall[Page[Order]]:
        from . import _convert

        return self._call(
            OPERATIONS["listOrders"],
            lambda r: _convert.orders_page(r.json()),
            cursor=_validate.cursor_param(cursor),
            **query,
        )

    def _transfers_query(self, status: Any, limit: Any) -> dict[str, Any]:
        status_v = _validate.csv_filter("status", status, single=True)
        if status_v is not None:
            from truemarkets_gateway_client.models import TransferStatus

            return {"status": TransferStatus(status_v), "limit": _validate.limit_param(limit)}
        return {"limit": _validate.limit_param(limit)}

    def _prep_list_transfers(
        self, query: Mapping[str, Any], cursor: Any
    ) -> PreparedCall[Page[Transfer]]:
        from . import _convert

        return self._call(
            OPERATIONS["listTransfers"],
            lambda r: _convert.transfers_page(r.json()),
            cursor=_validate.cursor_param(cursor),
            **query,
        )

    def _assets_query(self, venue: Any, limit: Any) -> dict[str, Any]:
        venue_v = _validate.csv_filter("venue", venue, allowed=_validate.VENUES, single=True)
        query: dict[str, Any] = {"limit": _validate.limit_param(limit)}
        if venue_v is not None:
            from truemarkets_gateway_client.models import Venue

            query["venue"] = Venue(venue_v)
        return query

    def _prep_list_assets(self, query: Mapping[str, Any], cursor: Any) -> PreparedCall[Page[Asset]]:
        from . import _convert

        def parse(response: httpx.Response) -> Page[Asset]:
            page = _convert.assets_page(response.json())
            for asset in page.items:
                if asset.id:
                    venue = asset.venue.value if asset.venue is not None else None
                    self._asset_info[asset.id] = (venue, asset.network_names)
            return page

        return self._call(
            OPERATIONS["listAssets"], parse, cursor=_validate.cursor_param(cursor), **query
        )

    def _prep_balances(self, name: str) -> PreparedCall[Balances]:
        from . import _convert

        return self._call(OPERATIONS[name], lambda r: _convert.balances(r.json()))

    def _prep_create_transfer(
        self, *, asset_id: str | Asset, qty: Any, to: str, qty_unit: Any, network: str | None
    ) -> PreparedCall[Transfer]:
        from . import _convert
        from .models import Asset

        venue: str | None = None
        networks: frozenset[str] = frozenset()
        if isinstance(asset_id, Asset):
            venue = asset_id.venue.value if asset_id.venue is not None else None
            networks = asset_id.network_names
            asset_id = asset_id.id
        elif isinstance(asset_id, str) and asset_id in self._asset_info:
            venue, networks = self._asset_info[asset_id]
        body = _validate.create_transfer_body(
            asset_id=asset_id,
            qty=qty,
            to=to,
            qty_unit=qty_unit,
            network=network,
            venue=venue,
            known_networks=networks,
        )
        return self._call(
            OPERATIONS["createTransfer"],
            lambda r: _convert.transfer(r.json()),
            body=_convert.body_model("CreateTransferRequest", body),
        )

    def _prep_execute_transfer(
        self,
        transfer: Transfer | str,
        signatures: Sequence[str] | None,
        signer: PayloadSigner | None,
    ) -> PreparedCall[Transfer]:
        from . import _convert
        from .models import Transfer

        if isinstance(transfer, Transfer):
            transfer_id = _validate.require_id("transfer_id", transfer.id)
            stamps = self._stamps(transfer.payloads, signatures, signer, "the transfer")
        else:
            transfer_id = _validate.require_id("transfer_id", transfer)
            if signatures is None:
                raise ValidationError(
                    "signatures", "required when the transfer is given by id (no payloads)"
                )
            stamps = _validate.signatures_list(signatures)
        return self._call(
            OPERATIONS["executeTransfer"],
            lambda r: _convert.transfer(r.json()),
            transfer_id,
            body=_convert.body_model(
                "ExecuteTransferRequest", {"signatures": stamps, "auth_type": _AUTH_TYPE}
            ),
        )

    def _prep_get_transfer(self, transfer_id: str) -> PreparedCall[Transfer]:
        from . import _convert

        transfer_id = _validate.require_id("transfer_id", transfer_id)
        return self._call(
            OPERATIONS["getTransfer"], lambda r: _convert.transfer(r.json()), transfer_id
        )

    # --- one attempt's outcome (the loop calls these) ---------------------------------------

    def _request_args(self, call: PreparedCall[Any]) -> dict[str, Any]:
        # Our own client carries the headers already; a caller's client gets them per request.
        args: dict[str, Any] = {"params": call.params}
        if not self._owns_http:
            args["headers"] = self._headers
        if call.json is not None:
            args["json"] = call.json
        if self._timeout is not NOT_GIVEN:
            args["timeout"] = self._timeout
        return args

    def _after_response(
        self,
        call: PreparedCall[Any],
        response: httpx.Response,
        retries_done: int,
        max_retries: int,
        started: float,
    ) -> _retry.RetryDecision | None:
        """None on success; a decision to retry; or raises the mapped `APIError`."""
        status = response.status_code
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.perf_counter() - started) * 1000.0
            logger.debug("%s %s -> %d in %.1f ms", call.method, call.path, status, elapsed)
        if 200 <= status < 300:
            return None
        decision = _retry.decide_after_response(
            idempotent=call.op.idempotent,
            retries_done=retries_done,
            max_retries=max_retries,
            status=status,
            headers=response.headers,
            now=self._clock(),
            rand=self._rand,
            policy=self._retry_policy,
        )
        self._log_decision(call, decision, retries_done, max_retries)
        if decision.retry:
            return decision
        retry_after = (
            _retry.server_wait(response.headers, status, self._clock()) if status == 429 else None
        )
        hint = None
        if call.op.idempotent or not call.op.reconcile:
            pass
        elif status == 429:
            # Turned away by the rate limit: nothing was processed, so no reconcile is needed.
            wait = f"in {retry_after:g} s" if retry_after is not None else "after a short wait"
            hint = (
                "The server turned the request away (rate limit), so nothing was created or "
                f"executed; try again {wait}"
            )
        elif _retry.is_retryable_status(status):
            hint = call.op.reconcile
        raise error_from_response(response, hint=hint, retry_after=retry_after)

    def _after_error(
        self,
        call: PreparedCall[Any],
        exc: httpx.TransportError,
        retries_done: int,
        max_retries: int,
        started: float,
    ) -> _retry.RetryDecision:
        """A decision to retry, or raises `APIConnectionError` / `APITimeoutError`."""
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.perf_counter() - started) * 1000.0
            name = type(exc).__name__
            logger.debug("%s %s failed after %.1f ms: %s", call.method, call.path, elapsed, name)
        decision = _retry.decide_after_error(
            idempotent=call.op.idempotent,
            retries_done=retries_done,
            max_retries=max_retries,
            exc=exc,
            rand=self._rand,
            policy=self._retry_policy,
        )
        self._log_decision(call, decision, retries_done, max_retries)
        if decision.retry:
            return decision
        sent = not _retry.never_sent(exc)
        what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        message = f"{call.method} {call.path} {what} ({type(exc).__name__}: {exc})"
        if not sent:
            message += "; the request was not sent"
        elif not call.op.idempotent and call.op.reconcile:
            message += f". {call.op.reconcile}"
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        scrub_transport_error(exc)  # it stays chained as the cause: no token on its request
        raise cls(message, request=_request_of(exc), may_have_reached_server=sent) from exc

    def _after_token_failure(
        self,
        call: PreparedCall[Any],
        exc: TrueMarketsError,
        request: httpx.Request,
        retries_done: int,
        max_retries: int,
    ) -> _retry.RetryDecision:
        """Getting a token (mint or refresh, inside the auth flow) failed.

        Before the Gateway request was sent (it carries no `Authorization` yet), nothing
        reached the Gateway: a transient failure of the token request (connection error,
        timeout, 408/429/5xx) is retried under the normal backoff for every operation,
        orders included; anything else is raised with `source == "auth"` and a hint that no
        Gateway request was sent. After a sent request (its 401 triggered a renewal that
        failed) the exception is raised as it is.
        """
        if "authorization" in request.headers or not isinstance(exc, APIError | APIConnectionError):
            raise exc
        exc.source = "auth"
        status = exc.status_code if isinstance(exc, APIError) else None
        transient = status is None or _retry.is_retryable_status(status)
        if not transient:
            decision = _retry.RetryDecision(False, reason=f"token request answered {status}")
        elif retries_done >= max_retries:
            decision = _retry.RetryDecision(False, reason=f"gave up after {retries_done} retries")
        else:
            wait = None
            if isinstance(exc, APIError) and status is not None and exc.response is not None:
                wait = _retry.server_wait(exc.response.headers, status, self._clock())
            if wait is not None and wait > self._retry_policy.max_wait:
                decision = _retry.RetryDecision(False, reason="token request: wait over the cap")
            elif wait is not None:
                decision = _retry.RetryDecision(True, wait, f"token request {status}, server wait")
            else:
                delay = _retry.backoff_delay(retries_done, self._rand, self._retry_policy)
                what = type(exc).__name__ if status is None else str(status)
                decision = _retry.RetryDecision(True, delay, f"token request {what}, backoff")
        self._log_decision(call, decision, retries_done, max_retries)
        if decision.retry:
            return decision
        note = "the token request to the Auth Service failed, so no Gateway request was sent"
        if "no Gateway request was sent" in str(exc):  # the auth flow already said so
            if isinstance(exc, APIConnectionError):
                exc.may_have_reached_server = False
            raise exc
        if isinstance(exc, APIError):
            exc.hint = f"{exc.hint}. {note[0].upper()}{note[1:]}" if exc.hint else note
            exc.args = (exc._describe(),)
        else:
            exc.may_have_reached_server = False
            exc.message = f"{exc.message}; {note}"
            exc.args = (exc.message,)
        raise exc

    def _parse(self, call: PreparedCall[T], response: httpx.Response) -> T:
        try:
            return call.parse(response)
        except TrueMarketsError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            message = (
                f"{call.method} {call.path} answered {response.status_code} with a body this "
                f"SDK could not read ({type(exc).__name__}: {exc})"
            )
            if not call.op.idempotent and call.op.reconcile:
                message += f". {call.op.reconcile}"
            raise UnexpectedResponseError(message, response=response) from exc

    @staticmethod
    def _log_decision(
        call: PreparedCall[Any], decision: _retry.RetryDecision, retries_done: int, budget: int
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        if decision.retry:
            logger.debug(
                "retrying %s %s in %.2f s (retry %d of %d): %s",
                call.method,
                call.path,
                decision.delay,
                retries_done + 1,
                budget,
                decision.reason,
            )
        else:
            logger.debug("not retrying %s %s: %s", call.method, call.path, decision.reason)

    def _generated_headers(self) -> dict[str, str]:
        return dict(self._headers)


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:
        return None
