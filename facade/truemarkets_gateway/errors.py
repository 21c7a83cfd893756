"""Every exception the SDK raises. Catch `TrueMarketsError` for all, `APIError` for server
answers, `APIConnectionError` for transport failures, `ValidationError` for refused input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self, TypedDict, Unpack

if TYPE_CHECKING:
    import httpx

    from ._error_body import ErrorEnvelope, FieldViolation, parse_error_body
    from .models import Order, QuoteDetails, Transfer

from ._redact import safe_request, safe_response, scrub_transport_error

# fmt: off
__all__ = [
    "APIConnectionError", "APIError", "APITimeoutError", "AmbiguousCreateError",
    "AuthenticationError", "BadRequestError", "ClientClosedError", "ConflictError",
    "CredentialsError", "DuplicateCandidatesError", "ErrorContext", "ErrorEnvelope",
    "FieldViolation", "InsufficientBalanceError", "InsufficientFundsError", "InternalServerError",
    "NotFoundError", "OrderFailedError", "OrderNotCreatedError", "OrderTimeoutError",
    "OrderUnfundedError", "OrderWaitError", "PermissionDeniedError", "QuoteIssuesError",
    "QuoteStaleError", "RateLimitError", "ServiceUnavailableError", "TransferFailedError",
    "TransferTimeoutError", "TransferWaitError", "TrueMarketsError", "UnexpectedResponseError",
    "UnprocessableEntityError", "ValidationError", "WaitTimeoutError", "error_from_response",
    "parse_error_body", "scrub_transport_error",
]
# fmt: on


class ErrorContext(TypedDict, total=False):
    """What an error concerns (see `TrueMarketsError`)."""

    gateway_request_sent: bool | None
    order_id: str | None
    transfer_id: str | None
    replaced_order_ids: tuple[str, ...]
    order: Order | None
    quote: QuoteDetails | None
    transfer: Transfer | None


class TrueMarketsError(Exception):
    """Root of every exception raised by this SDK. `gateway_request_sent` is False when
    the Gateway saw nothing (a token request failed first), None when unknown. `order_id`,
    `transfer_id` name what the failure concerns; `replaced_order_ids` the orders
    `place_order` abandoned unexecuted; `order`, `quote`, `transfer` what was last read."""

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
        if kept := [*getattr(self, "__notes__", ()), *notes]:  # a list of its own
            made.__notes__ = kept
        return made


class ValidationError(TrueMarketsError, ValueError):
    """Input broke a documented rule (`field`, `rule`); nothing was sent."""

    def __init__(self, field: str, rule: str, **context: Unpack[ErrorContext]) -> None:
        self.field, self.rule = field, rule
        super().__init__(f"{field}: {rule}", **context)


class CredentialsError(TrueMarketsError, ValueError):
    """An API key, key file or signer key could not be loaded or used (never shown)."""


class ClientClosedError(TrueMarketsError):
    """The client was used after `close()`; nothing was sent. Create a new client."""


class APIConnectionError(TrueMarketsError):
    """No response (refused, reset, DNS, TLS...). `may_have_reached_server` is False only
    when no byte was sent: else reconcile orders and transfers before trying again.
    `source` is "gateway", or "auth" for a token request."""

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
        self.request, self.source = safe_request(request), source
        self.may_have_reached_server = may_have_reached_server


class APITimeoutError(APIConnectionError):
    """The request timed out; the server may or may not have processed it."""

    default_message = "Request timed out."


class UnexpectedResponseError(TrueMarketsError):
    """An unreadable answer: the request reached the server, so reconcile before retrying.
    `source` is "gateway", or "auth" for a token request."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response | None = None,
        source: str = "gateway",
        **context: Unpack[ErrorContext],
    ) -> None:
        super().__init__(message, **context)
        self.message, self.source = message, source
        self.response = None if response is None else safe_response(response)
        self.status_code = None if response is None else response.status_code


class APIError(TrueMarketsError):
    """An error status: `status_code`, `reason`, `message`, `request_id`, `field_violations`,
    `body`, `response` (secrets masked); `source` "gateway", or "auth" for a token request."""

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
        self.source, self.status_code, self.envelope = source, status_code, envelope
        self.type, self.code, self.message = envelope.type, envelope.code, envelope.message
        self.request_id, self.body = envelope.request_id, envelope.body
        self.field_violations = envelope.field_violations
        self.response = None if response is None else safe_response(response)
        self.hint, self.retry_after = hint, retry_after
        super().__init__(self._describe(), **context)

    @property
    def reason(self) -> str | None:
        """The machine-readable reason: `code` when present, else `type`."""
        return str(self.code) if self.code is not None else self.type

    def _describe(self) -> str:
        reason = f" [{self.reason}]" if self.reason else ""
        text = f"HTTP {self.status_code}{reason} {self.message or '(no message)'}"
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
    """403: an account permission, or (`is_edge_block`) the edge (WAF) blocked this client."""

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
    """`code: quote_stale` (422 or 409): nothing was traded; create the order again."""


class RateLimitError(APIError):
    """429. `retry_after` is the server's advice in seconds, when it gave one."""


class InternalServerError(APIError):
    """Any status of 500 or more (520 too)."""


class ServiceUnavailableError(InternalServerError):
    """503."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError,
    409: ConflictError, 422: UnprocessableEntityError, 429: RateLimitError,
    503: ServiceUnavailableError,
}  # fmt: skip


def error_from_response(
    response: httpx.Response,
    *,
    hint: str | None = None,
    retry_after: float | None = None,
    source: str = "gateway",
    **context: Unpack[ErrorContext],
) -> APIError:
    """The exception for one error response, holding a copy of it without secrets."""
    from ._error_body import parse_error_body

    response = safe_response(response)
    envelope = parse_error_body(response.content, response.headers.get("content-type"))
    status = response.status_code
    if status == 403 and envelope.is_html:
        hint = hint or (
            "The edge (WAF) blocked this request; this is not an account permission. "
            "Check the User-Agent and the network you call from"
        )
    cls = _BY_STATUS.get(status, InternalServerError if status >= 500 else APIError)
    if envelope.code == "quote_stale" and status in (409, 422):
        cls = QuoteStaleError
    if cls is not RateLimitError:
        retry_after = None
    elif retry_after is None:  # not given (e.g. by the Auth Service): read it here
        import time

        from ._headers import server_wait

        retry_after = server_wait(response.headers, status, time.time())
    return cls(envelope, status_code=status, response=response, hint=hint, source=source,
               retry_after=retry_after, **context)  # fmt: skip


class OrderNotCreatedError(TrueMarketsError):
    """`create_order` created no order (empty `order_id`); `quote` is the server's."""


class InsufficientFundsError(TrueMarketsError):
    """Not enough balance: `InsufficientBalanceError` (DeFi, no order) or `OrderUnfundedError`."""


class InsufficientBalanceError(OrderNotCreatedError, InsufficientFundsError):
    """Not enough balance (on chain or bridgeable from CeFi) to fund the order."""


class QuoteIssuesError(TrueMarketsError):
    """The quote reports `issues`: order `order_id` is created, not signed (`accept_issues`)."""

    def __init__(
        self, message: str, *, issues: Sequence[str], **context: Unpack[ErrorContext]
    ) -> None:
        super().__init__(message, **context)
        self.issues = tuple(issues)


class WaitTimeoutError(TrueMarketsError):
    """A wait ran out of time; the resource may still finish. `cause`: what ended it early."""

    def __init__(
        self,
        message: str,
        *,
        last_status: str | None,
        cause: BaseException | None = None,
        **context: Unpack[ErrorContext],
    ) -> None:
        super().__init__(message, **context)
        self.last_status, self.cause = last_status, cause

    @property
    def resource_id(self) -> str:
        """The order or transfer waited for."""
        return self.order_id or self.transfer_id or ""


class OrderTimeoutError(WaitTimeoutError):
    """An order did not reach the awaited status in time; unless `last_status` is terminal
    it is still open: cancel it or keep waiting. `order`: as last read."""


class TransferTimeoutError(WaitTimeoutError):
    """A transfer is still pending after the wait; it may yet complete."""


class OrderWaitError(OrderTimeoutError):
    """An error (`cause`) ended an order's wait; check `get_order(order_id)` before placing anew."""


class TransferWaitError(TransferTimeoutError):
    """An error (`cause`) ended the wait: check `get_transfer(transfer_id)` before resending."""


class OrderFailedError(TrueMarketsError):
    """The order ended `failed` (`order`: as last read)."""

    @staticmethod
    def for_order(message: str, order: Order, order_id: str) -> OrderFailedError:
        """`OrderUnfundedError` when the failure reason says the balance was short."""
        short = "insufficient" in (order.failure_reason or "").lower()
        return (OrderUnfundedError if short else OrderFailedError)(
            message, order_id=order_id, order=order
        )


class OrderUnfundedError(OrderFailedError, InsufficientFundsError):
    """A (CeFi) order failed for lack of balance (`order.failure_reason`)."""


class TransferFailedError(TrueMarketsError):
    """The transfer ended `failed` (`transfer`: as last read)."""


def __getattr__(name: str) -> Any:
    """`_error_body`'s names, loaded on first use (attrs costs import time)."""
    if name not in ("ErrorEnvelope", "FieldViolation", "parse_error_body"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import _error_body as error_body

    globals()[name] = value = getattr(error_body, name)
    return value


class AmbiguousCreateError(TrueMarketsError):
    """A create may have reached the server and its record could not be settled: nothing
    matching showed, or it cannot be used as found. `candidates` are the ids to check
    (`get_order` / `list_orders`, `get_transfer` / `list_transfers`) before sending again."""

    def __init__(
        self, message: str, *, candidates: Sequence[str] = (), **context: Unpack[ErrorContext]
    ) -> None:
        super().__init__(message, **context)
        self.candidates = tuple(candidates)


class DuplicateCandidatesError(AmbiguousCreateError):
    """After an ambiguous create, more than one record matches what was sent (another
    process may have sent the same, or the create was sent twice): check each of
    `candidates`; the message says whether this SDK sent it again."""
