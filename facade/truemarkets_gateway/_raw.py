"""`RawResponse`: a result together with the HTTP response it was read from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx

__all__ = ["RawResponse", "RawResponseView"]

T = TypeVar("T")

_SINGLE = frozenset(
    "quote get_order get_order_status list_orders_page modify_order prepare_cancel_order "
    "execute_cancel_order cancel_order_deprecated get_transfer list_transfers_page "
    "list_assets_page get_balances list_balances".split()  # creates run the reconcile flow
)


class RawResponse(Generic[T]):
    """A result (`parsed`) with the answer's `status_code`, `headers` and `request_id` (its
    `x-request-id`, if sent: quote it to support)."""

    __slots__ = ("headers", "http_response", "parsed", "request_id", "status_code")

    def __init__(self, parsed: T, http_response: httpx.Response) -> None:
        self.parsed, self.http_response = parsed, http_response
        self.status_code, self.headers = http_response.status_code, http_response.headers
        self.request_id: str | None = self.headers.get("x-request-id")

    def parse(self) -> T:
        """The result, as the method returns it without `with_raw_response`."""
        return self.parsed

    def __repr__(self) -> str:
        return f"RawResponse(status_code={self.status_code}, request_id={self.request_id!r})"


class RawResponseView:
    """The client's single-request methods, returning `RawResponse` (no workflows, no pagers)."""

    __slots__ = ("_client",)

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in _SINGLE:
            raise AttributeError(f"with_raw_response has single-request methods only, not {name}")
        method: Callable[..., Any] = getattr(self._client, name)
        return method

    def __dir__(self) -> list[str]:
        return sorted(_SINGLE)
