"""Every exception the SDK raises, and the one function that turns a response into one.

Catch `TrueMarketsError` for everything, `APIError` for anything the server answered,
`APIConnectionError` for transport failures, and `ValidationError` (a `ValueError`) for
bad input that was refused before any request was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

if TYPE_CHECKING:
    import httpx

    from ._api.error_body import ErrorEnvelope, FieldViolation, parse_error_body

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "CredentialsError",
    "ErrorContext",
    "ErrorEnvelope",
    "FieldViolation",
    "InsufficientBalanceError",
    "InternalServerError",
    "NotFoundError",
    "OrderFailedError",
    "OrderNotCreatedError",
    "OrderTimeoutError",
    "OrderWaitError",
    "PermissionDeniedError",
    "QuoteIssuesError",
    "QuoteStaleError",
    "RateLimitError",
    "ServiceUnavailableError",
    "TransferFailedError",
    "TransferTimeoutError",
    "TransferWaitError",
    "TrueMarketsError",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "ValidationError",
    "WaitTimeoutError",
    "error_from_response",
    "parse_error_body",
    "scrub_transport_error",
]


class ErrorContext(TypedDict, total=False):
    """What an error concerns, given to its constructor where it is made."""

    gateway_request_sent: bool | None
    order_id: str | None
    transfer_id: str | None
    replaced_order_ids: tuple[str, ...]


class TrueMarketsError(Exception):
    """Root of every exception raised by this SDK.

    `gateway_request_sent` is False when a token request (mint or refresh) failed before
    the call's Gateway request went out, so the Gateway saw nothing; None when not known.
    `order_id` / `transfer_id` name the order or transfer the failure concerns (None when
    none exists yet); `replaced_order_ids` lists orders `place_order` created and abandoned
    unexecuted before this one.
    """

    def __init__(self, *args: object, **context: Unpack[ErrorContext]) -> None:
        super().__init__(*args)
        self.gateway_request_sent: bool | None = context.get("gateway_request_sent")
        self.order_id: str | None = context.get("order_id")
        self.transfer_id: str | None = context.get("transfer_id")
        self.replaced_order_ids: tuple[str, ...] = tuple(context.get("replaced_order_ids", ()))


# --- refused before sending -------------------------------------------------------------


class ValidationError(TrueMarketsError, ValueError):
    """Input broke a documented rule; nothing was sent.

    `field` names the offending argument and `rule` says what it must satisfy.
    """

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class CredentialsError(TrueMarketsError, ValueError):
    """An API key, key file or signer key could not be loaded or used.

    Messages name the file and the problem, never the key material.
    """


class ClientClosedError(TrueMarketsError):
    """A `Gateway` or `AsyncGateway` was used after `close()` (or after leaving its `with`
    block); nothing was sent. Create a new client."""


# --- transport ------------------------------------------------------------------------------


class APIConnectionError(TrueMarketsError):
    """The request did not get a response (connection refused, reset, DNS, TLS...).

    `may_have_reached_server` is False only when the failure provably happened before
    any byte of the request was sent; for orders and transfers, reconcile with
    `get_order`/`list_orders` (or `list_transfers`) before trying again otherwise.
    `source` is "gateway", or "auth" when the failing request was a token request to the
    Auth Service (then no Gateway request was sent).
    """

    default_message = "Connection error."

    def __init__(
        self,
        message: str | None = None,
        *,
        request: httpx.Request | None = None,
        may_have_reached_server: bool = True,
        source: str = "gateway",
        **context: Unpack[ErrorContext],
    ) -> None:
        message = self.default_message if message is None else message
        super().__init__(message, **context)
        self.message = message
        self.request = _safe_request(request)
        self.may_have_reached_server = may_have_reached_server
        self.source = source


class APITimeoutError(APIConnectionError):
    """The request timed out; the server may or may not have processed it."""

    default_message = "Request timed out."


class UnexpectedResponseError(TrueMarketsError):
    """A success status whose body could not be read as the documented shape.

    The request did reach the server: for orders and transfers, reconcile before retrying.
    `response` is the raw response. `source` is "gateway", or "auth" when the Auth Service
    answered a token request so (then no Gateway request was sent).
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response | None = None,
        source: str = "gateway",
        **context: Unpack[ErrorContext],
    ) -> None:
        super().__init__(message, **context)
        self.message = message
        self.response = None if response is None else _safe_response(response)
        self.status_code = None if response is None else response.status_code
        self.source = source


# --- server answered with an error -------------------------------------------------------------


class APIError(TrueMarketsError):
    """The server answered with a non-success status.

    Carries `status_code`, `type`, `code` (string, or integer on the legacy path),
    `message`, `request_id`, `field_violations`, the parsed `body` and the `response`
    (whose request never holds the `Authorization` header). `source` is "gateway", or
    "auth" when the Auth Service answered a token request (no Gateway request was sent).
    """

    def __init__(
        self,
        envelope: ErrorEnvelope,
        *,
        status_code: int,
        response: httpx.Response | None = None,
        hint: str | None = None,
        source: str = "gateway",
        **context: Unpack[ErrorContext],
    ) -> None:
        self.source = source
        self.status_code = status_code
        self.type = envelope.type
        self.code = envelope.code
        self.message = envelope.message
        self.request_id = envelope.request_id
        self.field_violations = envelope.field_violations
        self.body = envelope.body
        self.response = None if response is None else _safe_response(response)
        self.envelope = envelope
        self.hint = hint
        super().__init__(self._describe(), **context)

    @property
    def reason(self) -> str | None:
        """The machine-readable reason: `code` when present, else `type`."""
        if self.code is not None:
            return str(self.code)
        return self.type

    def _describe(self) -> str:
        parts = [f"HTTP {self.status_code}"]
        if self.reason:
            parts.append(f"[{self.reason}]")
        parts.append(self.message or "(no message)")
        text = " ".join(parts)
        # A violation that only repeats the message adds nothing to the text.
        extra = [v for v in self.field_violations if v.message != self.message]
        if extra:
            text += " (" + "; ".join(f"{v.field}: {v.message}" for v in extra) + ")"
        if self.request_id:
            text += f" request_id={self.request_id}"
        if self.hint:
            text += f". {self.hint}"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, reason={self.reason!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIError):
    """400: the server refused the request as invalid."""


class AuthenticationError(APIError):
    """401: missing, expired or rejected credentials (after one refresh and replay)."""


class PermissionDeniedError(APIError):
    """403. `is_edge_block` is True when an HTML page from the edge (WAF) answered:
    that is a block of this client (often its User-Agent or IP), not an account permission.
    """

    @property
    def is_edge_block(self) -> bool:
        return self.envelope.is_html


class NotFoundError(APIError):
    """404."""


class ConflictError(APIError):
    """409: the resource is not in a state that allows this action."""


class UnprocessableEntityError(APIError):
    """422."""


class QuoteStaleError(UnprocessableEntityError):
    """The quote behind the payloads can no longer be executed (`code: quote_stale`).

    Nothing was traded; create the order again. Raised for 422 and for 409 answers with
    this code, since both have been seen.
    """


class RateLimitError(APIError):
    """429. `retry_after` is the server's advice in seconds, when it gave one."""

    def __init__(
        self,
        envelope: ErrorEnvelope,
        *,
        status_code: int,
        response: httpx.Response | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
        source: str = "gateway",
        **context: Unpack[ErrorContext],
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            envelope,
            status_code=status_code,
            response=response,
            hint=hint,
            source=source,
            **context,
        )


class InternalServerError(APIError):
    """5xx (any status of 500 or more, including non-standard ones such as 520)."""


class ServiceUnavailableError(InternalServerError):
    """503."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def _class_for(status_code: int, envelope: ErrorEnvelope) -> type[APIError]:
    if envelope.code == "quote_stale" and status_code in (409, 422):
        return QuoteStaleError
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code >= 500:
        return InternalServerError
    return APIError


def error_from_response(
    response: httpx.Response,
    *,
    hint: str | None = None,
    retry_after: float | None = None,
    source: str = "gateway",
    **context: Unpack[ErrorContext],
) -> APIError:
    """Map one error response to its exception class. The single place this happens.

    The response attached to the exception is a copy whose request carries no
    `Authorization` header (the bearer token never travels with an exception).
    `source` is "gateway" or "auth" (a token request to the Auth Service failed).
    """
    from ._api.error_body import parse_error_body

    response = _safe_response(response)
    envelope = parse_error_body(response.content, response.headers.get("content-type"))
    status = response.status_code
    if status == 403 and envelope.is_html:
        hint = hint or (
            "The edge (WAF) blocked this request; this is not an account permission. "
            "Check the User-Agent and the network you call from"
        )
    cls = _class_for(status, envelope)
    if cls is RateLimitError:
        if retry_after is None:  # e.g. the Auth Service: read the server's advice here too
            import time

            from ._transport.retry import server_wait

            retry_after = server_wait(response.headers, status, time.time())
        return RateLimitError(
            envelope,
            status_code=status,
            response=response,
            hint=hint,
            retry_after=retry_after,
            source=source,
            **context,
        )
    return cls(envelope, status_code=status, response=response, hint=hint, source=source, **context)


_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def _safe_request(request: httpx.Request | None) -> httpx.Request | None:
    """A copy of the request fit to travel with an exception: its method, URL and headers
    without `Authorization` (the bearer token), and no body (it may hold payload stamps)."""
    if request is None:
        return None
    import httpx

    kept = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _SECRET_HEADERS]
    safe = httpx.Request(request.method, request.url, headers=kept)
    if "timeout" in request.extensions:
        safe.extensions["timeout"] = request.extensions["timeout"]
    return safe


def _safe_response(response: httpx.Response) -> httpx.Response:
    """A detached copy of the response fit to travel with an exception.

    Status, headers (no `Set-Cookie`) and the body already read, tied to a safe copy of the
    request. Not the original object: its stream still references the connection's
    request, bearer token and stamped body included.
    """
    import httpx

    if getattr(response, "_tmgw_safe", False):
        return response
    try:
        request: httpx.Request | None = response.request
    except RuntimeError:
        request = None
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "set-cookie"]
    safe = httpx.Response(response.status_code, headers=headers, content=content)
    # Content-Encoding would make httpx decode the already decoded body again.
    safe.headers.pop("content-encoding", None)
    safe_request = _safe_request(request)
    if safe_request is not None:
        safe.request = safe_request
    safe._tmgw_safe = True  # type: ignore[attr-defined]
    return safe


def scrub_transport_error(exc: BaseException) -> None:
    """Replace, along an httpx exception's chain, each request it holds by a safe copy.

    The facade chains transport failures (`raise APIConnectionError(...) from exc`) so the
    original type and message stay visible; their `.request` must not carry the token.
    """
    import httpx

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, httpx.RequestError):
            held = getattr(current, "_request", None)
            if isinstance(held, httpx.Request):
                current._request = _safe_request(held)
        current = current.__cause__ or current.__context__


# --- workflow outcomes ------------------------------------------------------------------------


class OrderNotCreatedError(TrueMarketsError):
    """`create_order` answered without creating an order (empty `order_id`).

    `quote` holds the informational quote the server returned, if any.
    """

    def __init__(self, message: str, *, quote: Any = None) -> None:
        super().__init__(message)
        self.quote = quote


class InsufficientBalanceError(OrderNotCreatedError):
    """Not enough balance (on chain or bridgeable from CeFi) to fund the order."""


class QuoteIssuesError(TrueMarketsError):
    """The quote reports issues, so the payloads were not signed.

    Pass `accept_issues=True` to sign anyway. `order_id` is the created (unexecuted) order.
    """

    def __init__(self, message: str, *, order_id: str, issues: Sequence[str], quote: Any = None):
        super().__init__(message, order_id=order_id)
        self.issues = tuple(issues)
        self.quote = quote


class WaitTimeoutError(TrueMarketsError):
    """Waiting for a terminal status ran out of time; the resource may still finish."""

    def __init__(self, message: str, *, resource_id: str, last_status: str | None) -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.last_status = last_status


class OrderTimeoutError(WaitTimeoutError):
    """An order did not reach the awaited status in time. See `order_id`, `last_status`.

    Unless `last_status` is terminal the order is still open (a resting limit order stays
    on the book): cancel it or keep waiting. `order` is the full order when the wait read
    one, else None (the wait polls statuses only).
    """

    def __init__(
        self, message: str, *, resource_id: str, last_status: str | None, order: Any = None
    ) -> None:
        super().__init__(message, resource_id=resource_id, last_status=last_status)
        self.order_id = resource_id
        self.order = order


class TransferTimeoutError(WaitTimeoutError):
    """A transfer did not reach a terminal status in time.

    It is still pending and may yet complete: keep waiting. `transfer` is the transfer as
    last read, or None when none was read.
    """

    def __init__(
        self, message: str, *, resource_id: str, last_status: str | None, transfer: Any = None
    ) -> None:
        super().__init__(message, resource_id=resource_id, last_status=last_status)
        self.transfer_id = resource_id
        self.transfer = transfer


class OrderWaitError(OrderTimeoutError):
    """The order exists (or its cancel was sent), but waiting for it ended in an error.

    It is not known to have finished: check `get_order(order_id)` before placing it again.
    Carries `order_id`, `last_status` (None if never read) and `cause` (also `__cause__`).
    An `OrderTimeoutError`, so code that handles wait timeouts handles this too.
    """

    def __init__(
        self, message: str, *, order_id: str, last_status: str | None, cause: BaseException
    ) -> None:
        super().__init__(message, resource_id=order_id, last_status=last_status)
        self.cause = cause


class TransferWaitError(TransferTimeoutError):
    """The transfer exists, but waiting for it ended in an error.

    It is not known to have finished: check `get_transfer(transfer_id)` before sending again.
    Carries `transfer_id`, `last_status` and `cause`; a `TransferTimeoutError`.
    """

    def __init__(
        self, message: str, *, transfer_id: str, last_status: str | None, cause: BaseException
    ) -> None:
        super().__init__(message, resource_id=transfer_id, last_status=last_status)
        self.cause = cause


class OrderFailedError(TrueMarketsError):
    """The order ended `failed`. `order` is the full order as last read."""

    def __init__(self, message: str, *, order_id: str, order: Any = None) -> None:
        super().__init__(message, order_id=order_id)
        self.order = order


class TransferFailedError(TrueMarketsError):
    """The transfer ended `failed`. `transfer` is the transfer as last read."""

    def __init__(self, message: str, *, transfer_id: str, transfer: Any = None) -> None:
        super().__init__(message, transfer_id=transfer_id)
        self.transfer = transfer


# --- error bodies, loaded with the first error ---------------------------------------------------

_BODY_NAMES = frozenset({"ErrorEnvelope", "FieldViolation", "parse_error_body"})


def __getattr__(name: str) -> Any:
    """`ErrorEnvelope`, `FieldViolation` and `parse_error_body` live in `_error_body` (attrs
    classes), which loads on first use so that importing the SDK does not load attrs."""
    if name in _BODY_NAMES:
        from ._api import error_body as _error_body

        value = getattr(_error_body, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
