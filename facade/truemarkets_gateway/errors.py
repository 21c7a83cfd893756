"""Every exception the SDK raises, and the one function that turns a response into one.

Catch `TrueMarketsError` for everything, `APIError` for anything the server answered,
`APIConnectionError` for transport failures, and `ValidationError` (a `ValueError`) for
bad input that was refused before any request was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self, TypedDict, Unpack

if TYPE_CHECKING:
    import httpx

    from ._api.error_body import ErrorEnvelope, FieldViolation, parse_error_body
    from .models import Order, QuoteDetails, Transfer

from ._redact import safe_request, safe_response, scrub_transport_error

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
    order: Order | None
    quote: QuoteDetails | None
    transfer: Transfer | None


class TrueMarketsError(Exception):
    """Root of every exception raised by this SDK.

    `gateway_request_sent` is False when a token request (mint or refresh) failed before
    the call's Gateway request went out, so the Gateway saw nothing; None when not known.
    `order_id` / `transfer_id` name the order or transfer the failure concerns (None when
    none exists yet); `replaced_order_ids` lists orders `place_order` created and abandoned
    unexecuted before this one. `order`, `quote`, `transfer` hold what was last read of
    them, when the error concerns one.
    """

    def __init__(self, *args: object, **context: Unpack[ErrorContext]) -> None:
        super().__init__(*args)
        self.gateway_request_sent: bool | None = context.get("gateway_request_sent")
        self.order_id: str | None = context.get("order_id")
        self.transfer_id: str | None = context.get("transfer_id")
        self.replaced_order_ids: tuple[str, ...] = tuple(context.get("replaced_order_ids", ()))
        self.order: Order | None = context.get("order")
        self.quote: QuoteDetails | None = context.get("quote")
        self.transfer: Transfer | None = context.get("transfer")

    def _with_context(self, *notes: str, **context: Unpack[ErrorContext]) -> Self:
        """A new error like this one, also naming what it concerns (raise it `from` this)."""
        made = type(self).__new__(type(self), *self.args)
        made.__dict__.update(self.__dict__, **context)
        if kept := [*getattr(self, "__notes__", ()), *notes]:
            made.__notes__ = kept  # a list of its own: the original's notes stay as they were
        return made


class ValidationError(TrueMarketsError, ValueError):
    """Input broke a documented rule; nothing was sent. `field` names the offending
    argument and `rule` says what it must satisfy."""

    def __init__(self, field: str, rule: str, **context: Unpack[ErrorContext]) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}", **context)


class CredentialsError(TrueMarketsError, ValueError):
    """An API key, key file or signer key could not be loaded or used. Messages name the
    file and the problem, never the key material."""


class ClientClosedError(TrueMarketsError):
    """A `Gateway` or `AsyncGateway` was used after `close()` (or after its `with` block);
    nothing was sent. Create a new client."""


class APIConnectionError(TrueMarketsError):
    """No response (connection refused, reset, DNS, TLS...). `may_have_reached_server` is
    False only when no byte was sent; otherwise reconcile orders and transfers before trying
    again. `source` is "gateway", or "auth" for a token request (no Gateway request sent)."""

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
        self.message = self.default_message if message is None else message
        super().__init__(self.message, **context)
        self.request = safe_request(request)
        self.may_have_reached_server = may_have_reached_server
        self.source = source


class APITimeoutError(APIConnectionError):
    """The request timed out; the server may or may not have processed it."""

    default_message = "Request timed out."


class UnexpectedResponseError(TrueMarketsError):
    """A success status whose body is not the documented shape. The request reached the
    server: reconcile orders and transfers before retrying. `response` is the raw response;
    `source` is "gateway", or "auth" for a token request (no Gateway request was sent)."""

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
        self.response = None if response is None else safe_response(response)
        self.status_code = None if response is None else response.status_code
        self.source = source


class APIError(TrueMarketsError):
    """The server answered with a non-success status: `status_code`, `type`, `code`,
    `message`, `request_id`, `field_violations`, the parsed `body` and the `response`
    (without the `Authorization` header). `source` is "gateway", or "auth" when the Auth
    Service answered a token request (no Gateway request was sent)."""

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
        self.source = source
        self.status_code = status_code
        self.type = envelope.type
        self.code = envelope.code
        self.message = envelope.message
        self.request_id = envelope.request_id
        self.field_violations = envelope.field_violations
        self.body = envelope.body
        self.response = None if response is None else safe_response(response)
        self.envelope = envelope
        self.hint = hint
        self.retry_after = retry_after
        super().__init__(self._describe(), **context)

    @property
    def reason(self) -> str | None:
        """The machine-readable reason: `code` when present, else `type`."""
        return str(self.code) if self.code is not None else self.type

    def _describe(self) -> str:
        text = " ".join(
            [f"HTTP {self.status_code}"]
            + ([f"[{self.reason}]"] if self.reason else [])
            + [self.message or "(no message)"]
        )
        # A violation that only repeats the message adds nothing to the text.
        extra = [v for v in self.field_violations if v.message != self.message]
        if extra:
            text += " (" + "; ".join(f"{v.field}: {v.message}" for v in extra) + ")"
        if self.request_id:
            text += f" request_id={self.request_id}"
        return text + (f". {self.hint}" if self.hint else "")

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
    """403. `is_edge_block` is True when an HTML page from the edge (WAF) answered: a
    block of this client (often its User-Agent or IP), not an account permission."""

    @property
    def is_edge_block(self) -> bool:
        """True when an edge proxy (not the Gateway) refused the request with an HTML page."""
        return self.envelope.is_html


class NotFoundError(APIError):
    """404."""


class ConflictError(APIError):
    """409: the resource is not in a state that allows this action."""


class UnprocessableEntityError(APIError):
    """422."""


class QuoteStaleError(UnprocessableEntityError):
    """The quote behind the payloads can no longer be executed (`code: quote_stale`, seen
    with 422 and 409). Nothing was traded; create the order again."""


class RateLimitError(APIError):
    """429. `retry_after` is the server's advice in seconds, when it gave one."""


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


def error_from_response(
    response: httpx.Response,
    *,
    hint: str | None = None,
    retry_after: float | None = None,
    source: str = "gateway",
    **context: Unpack[ErrorContext],
) -> APIError:
    """The exception for one error response (the single place this is decided), holding a
    copy of the response without the bearer token. `source`: "gateway" or "auth"."""
    from ._api.error_body import parse_error_body

    response = safe_response(response)
    envelope = parse_error_body(response.content, response.headers.get("content-type"))
    status = response.status_code
    if status == 403 and envelope.is_html:
        hint = hint or (
            "The edge (WAF) blocked this request; this is not an account permission. "
            "Check the User-Agent and the network you call from"
        )
    if envelope.code == "quote_stale" and status in (409, 422):
        cls: type[APIError] = QuoteStaleError
    else:
        cls = _BY_STATUS.get(status, InternalServerError if status >= 500 else APIError)
    if cls is RateLimitError and retry_after is None:  # e.g. the Auth Service
        import time

        from ._transport.retry import server_wait

        retry_after = server_wait(response.headers, status, time.time())
    return cls(
        envelope,
        status_code=status,
        response=response,
        hint=hint,
        retry_after=retry_after if cls is RateLimitError else None,
        source=source,
        **context,
    )


class OrderNotCreatedError(TrueMarketsError):
    """`create_order` answered without creating an order (empty `order_id`). `quote` is
    the informational quote the server returned, if any."""


class InsufficientBalanceError(OrderNotCreatedError):
    """Not enough balance (on chain or bridgeable from CeFi) to fund the order."""


class QuoteIssuesError(TrueMarketsError):
    """The quote reports `issues`, so the payloads were not signed; `order_id` is the
    created, unexecuted order. Pass `accept_issues=True` to sign anyway."""

    def __init__(
        self, message: str, *, issues: Sequence[str], **context: Unpack[ErrorContext]
    ) -> None:
        super().__init__(message, **context)
        self.issues = tuple(issues)


class WaitTimeoutError(TrueMarketsError):
    """Waiting for a terminal status ran out of time; the resource may still finish.
    `cause` is the error that ended a wait early (`OrderWaitError`, `TransferWaitError`)."""

    def __init__(
        self,
        message: str,
        *,
        last_status: str | None,
        cause: BaseException | None = None,
        **context: Unpack[ErrorContext],
    ) -> None:
        super().__init__(message, **context)
        self.last_status = last_status
        self.cause = cause

    @property
    def resource_id(self) -> str:
        """The order or transfer waited for."""
        return self.order_id or self.transfer_id or ""


class OrderTimeoutError(WaitTimeoutError):
    """An order did not reach the awaited status in time (see `order_id`, `last_status`).

    Unless `last_status` is terminal the order is still open (a resting limit order stays
    on the book): cancel it or keep waiting. `order` is the order when the wait read it.
    """


class TransferTimeoutError(WaitTimeoutError):
    """A transfer did not reach a terminal status in time; it is still pending and may yet
    complete. `transfer` is the transfer as last read, if any."""


class OrderWaitError(OrderTimeoutError):
    """The order exists (or its cancel was sent), but waiting for it ended in an error
    (`cause`, also `__cause__`). It is not known to have finished: check
    `get_order(order_id)` before placing it again. Handled as an `OrderTimeoutError`."""


class TransferWaitError(TransferTimeoutError):
    """The transfer exists, but waiting for it ended in an error (`cause`). It is not known
    to have finished: check `get_transfer(transfer_id)` before sending again."""


class OrderFailedError(TrueMarketsError):
    """The order ended `failed`. `order` is the order as last read."""


class TransferFailedError(TrueMarketsError):
    """The transfer ended `failed`. `transfer` is the transfer as last read."""


def __getattr__(name: str) -> Any:
    """The error body names from `_api.error_body`, loaded on first use (attrs costs time)."""
    if name in ("ErrorEnvelope", "FieldViolation", "parse_error_body"):
        from ._api import error_body

        value = getattr(error_body, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
