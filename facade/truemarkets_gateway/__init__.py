"""Python SDK for the True Markets Gateway API.

    from truemarkets_gateway import Gateway, AsyncGateway

`Gateway` (blocking) and `AsyncGateway` (asyncio) have one method per operation; results
are typed with `Decimal` money; every error is a `TrueMarketsError`. Names load on first
use, so `import truemarkets_gateway` stays fast.
"""

# ruff: noqa: F405 (the names in __all__ come from the TYPE_CHECKING star imports)
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._raw import RawResponse
    from .async_client import AsyncGateway
    from .client import Gateway
    from .credentials import Credentials
    from .environments import Environment
    from .errors import *  # noqa: F403
    from .models import *  # noqa: F403
    from .pagination import AsyncPager, SyncPager
    from .signing import PayloadSigner

# fmt: off
__all__ = [  # noqa: RUF022 (grouped: clients, errors, models)
    "Gateway", "AsyncGateway", "Credentials", "Environment", "PayloadSigner", "RawResponse",
    "SyncPager", "AsyncPager", "Page", "__version__",
    "TrueMarketsError", "APIError", "APIConnectionError", "APITimeoutError", "ClientClosedError",
    "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError",
    "ConflictError", "UnprocessableEntityError", "RateLimitError", "InternalServerError",
    "ServiceUnavailableError", "UnexpectedResponseError", "ValidationError", "FieldViolation",
    "CredentialsError", "AmbiguousCreateError", "DuplicateCandidatesError",
    "InsufficientBalanceError", "InsufficientFundsError", "OrderNotCreatedError",
    "QuoteIssuesError", "QuoteStaleError", "WaitTimeoutError", "OrderWaitError",
    "OrderTimeoutError", "OrderFailedError", "OrderUnfundedError", "TransferWaitError",
    "TransferTimeoutError", "TransferFailedError",
    "Asset", "AssetNetwork", "Balance", "BalanceSummary", "Balances", "CancelPrepared",
    "CancelResult", "Chain", "CreatedOrder", "ExecutedOrder", "Order", "OrderSide", "OrderStatus",
    "OrderType", "OrganizationUser", "PlacedOrder", "Portfolio", "PortfolioPosition", "QtyUnit",
    "Quote", "QuoteDetails", "TransactionDetail", "TransactionStatus", "TransactionType",
    "Transfer", "TransferResult", "TransferStatus", "UnsignedPayload", "Venue", "Wallet",
]
# Where the public names live that are neither errors nor models.
_HOMES = {
    "AsyncGateway": ".async_client", "Gateway": ".client", "Credentials": ".credentials",
    "Environment": ".environments", "AsyncPager": ".pagination", "SyncPager": ".pagination",
    "PayloadSigner": ".signing", "RawResponse": "._raw",
}
# fmt: on


def __getattr__(name: str) -> Any:
    """Load a public name on first use (PEP 562): `import truemarkets_gateway` stays cheap."""
    if name not in __all__ or name == "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    from . import errors  # light: no attrs, no models

    home = _HOMES.get(name, ".errors" if hasattr(errors, name) else ".models")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
