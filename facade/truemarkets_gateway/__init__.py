"""Python SDK for the True Markets Gateway API.

    from truemarkets_gateway import Gateway, AsyncGateway

`Gateway` (blocking) and `AsyncGateway` (asyncio) have one method per operation; results
are typed with `Decimal` money; every error is a `TrueMarketsError`. Names load on first
use, so `import truemarkets_gateway` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .async_client import AsyncGateway
    from .client import Gateway
    from .credentials import Credentials
    from .environments import Environment
    from .errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ClientClosedError,
        ConflictError,
        CredentialsError,
        FieldViolation,
        InsufficientBalanceError,
        InternalServerError,
        NotFoundError,
        OrderFailedError,
        OrderNotCreatedError,
        OrderTimeoutError,
        OrderWaitError,
        PermissionDeniedError,
        QuoteIssuesError,
        QuoteStaleError,
        RateLimitError,
        ServiceUnavailableError,
        TransferFailedError,
        TransferTimeoutError,
        TransferWaitError,
        TrueMarketsError,
        UnexpectedResponseError,
        UnprocessableEntityError,
        ValidationError,
        WaitTimeoutError,
    )
    from .models import (
        Asset,
        AssetNetwork,
        Balance,
        Balances,
        BalanceSummary,
        CancelPrepared,
        CancelResult,
        Chain,
        CreatedOrder,
        ExecutedOrder,
        Order,
        OrderSide,
        OrderStatus,
        OrderType,
        Page,
        PlacedOrder,
        QtyUnit,
        Quote,
        QuoteDetails,
        Transfer,
        TransferResult,
        TransferStatus,
        UnsignedPayload,
        Venue,
    )
    from .pagination import (
        AsyncPager,
        SyncPager,
    )
    from .signing import PayloadSigner

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Asset",
    "AssetNetwork",
    "AsyncGateway",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "BalanceSummary",
    "Balances",
    "CancelPrepared",
    "CancelResult",
    "Chain",
    "ClientClosedError",
    "ConflictError",
    "CreatedOrder",
    "Credentials",
    "CredentialsError",
    "Environment",
    "ExecutedOrder",
    "FieldViolation",
    "Gateway",
    "InsufficientBalanceError",
    "InternalServerError",
    "NotFoundError",
    "Order",
    "OrderFailedError",
    "OrderNotCreatedError",
    "OrderSide",
    "OrderStatus",
    "OrderTimeoutError",
    "OrderType",
    "OrderWaitError",
    "Page",
    "PayloadSigner",
    "PermissionDeniedError",
    "PlacedOrder",
    "QtyUnit",
    "Quote",
    "QuoteDetails",
    "QuoteIssuesError",
    "QuoteStaleError",
    "RateLimitError",
    "ServiceUnavailableError",
    "SyncPager",
    "Transfer",
    "TransferFailedError",
    "TransferResult",
    "TransferStatus",
    "TransferTimeoutError",
    "TransferWaitError",
    "TrueMarketsError",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "UnsignedPayload",
    "ValidationError",
    "Venue",
    "WaitTimeoutError",
    "__version__",
]

_LAZY: dict[str, str] = {
    "AsyncGateway": ".async_client",
    "Gateway": ".client",
    "Environment": ".environments",
    "AsyncPager": ".pagination",
    "SyncPager": ".pagination",
    "Credentials": ".credentials",
    "PayloadSigner": ".signing",
    "APIConnectionError": ".errors",
    "APIError": ".errors",
    "APITimeoutError": ".errors",
    "AuthenticationError": ".errors",
    "BadRequestError": ".errors",
    "ClientClosedError": ".errors",
    "ConflictError": ".errors",
    "CredentialsError": ".errors",
    "FieldViolation": ".errors",
    "InsufficientBalanceError": ".errors",
    "InternalServerError": ".errors",
    "NotFoundError": ".errors",
    "OrderFailedError": ".errors",
    "OrderNotCreatedError": ".errors",
    "OrderTimeoutError": ".errors",
    "OrderWaitError": ".errors",
    "PermissionDeniedError": ".errors",
    "QuoteIssuesError": ".errors",
    "QuoteStaleError": ".errors",
    "RateLimitError": ".errors",
    "ServiceUnavailableError": ".errors",
    "TransferFailedError": ".errors",
    "TransferTimeoutError": ".errors",
    "TransferWaitError": ".errors",
    "TrueMarketsError": ".errors",
    "UnexpectedResponseError": ".errors",
    "UnprocessableEntityError": ".errors",
    "ValidationError": ".errors",
    "WaitTimeoutError": ".errors",
    "Asset": ".models",
    "AssetNetwork": ".models",
    "Balance": ".models",
    "Balances": ".models",
    "BalanceSummary": ".models",
    "CancelPrepared": ".models",
    "CancelResult": ".models",
    "Chain": ".models",
    "CreatedOrder": ".models",
    "ExecutedOrder": ".models",
    "Order": ".models",
    "OrderSide": ".models",
    "OrderStatus": ".models",
    "OrderType": ".models",
    "Page": ".models",
    "PlacedOrder": ".models",
    "QtyUnit": ".models",
    "Quote": ".models",
    "QuoteDetails": ".models",
    "Transfer": ".models",
    "TransferResult": ".models",
    "TransferStatus": ".models",
    "UnsignedPayload": ".models",
    "Venue": ".models",
}


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562), so `import truemarkets_gateway` is cheap
    and key handling (`cryptography`) or asyncio load only when something needs them."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
