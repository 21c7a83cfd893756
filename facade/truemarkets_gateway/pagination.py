"""Lazy page iterators that follow `pagination.next_cursor` (sync and async).

Nothing is fetched until you iterate. Iterating a pager yields items across pages;
`pages()` yields whole `Page` objects; `first_page()` fetches just one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from .models import Page

__all__ = ["AsyncPager", "SyncPager"]

T = TypeVar("T")


def _next_cursor(page: Page[T], seen: set[str]) -> str | None:
    """The cursor to follow, or None when done. An empty page or a cursor already seen
    ends the walk, so a server that repeats itself cannot loop us forever."""
    cursor = page.next_cursor
    if not cursor or not page.items or cursor in seen:
        return None
    seen.add(cursor)
    return cursor


class SyncPager(Generic[T]):
    """Items of a list endpoint, fetched page by page as you iterate.

    >>> for order in gateway.list_orders(status=["pending", "active"]):
    ...     print(order.order_id)
    """

    __slots__ = ("_cursor", "_fetch")

    def __init__(self, fetch: Callable[[str | None], Page[T]], cursor: str | None = None) -> None:
        self._fetch = fetch
        self._cursor = cursor

    def first_page(self) -> Page[T]:
        """Only the first page (one request)."""
        return self._fetch(self._cursor)

    def pages(self) -> Iterator[Page[T]]:
        """Every page in turn, including a final empty one if the server sends it."""
        cursor = self._cursor
        seen: set[str] = set() if cursor is None else {cursor}
        while True:
            page = self._fetch(cursor)
            yield page
            next_cursor = _next_cursor(page, seen)
            if next_cursor is None:
                return
            cursor = next_cursor

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def __repr__(self) -> str:
        return f"SyncPager(cursor={self._cursor!r})"


class AsyncPager(Generic[T]):
    """Items of a list endpoint, fetched page by page as you `async for` over them.

    >>> async for order in gateway.list_orders(status="pending"):
    ...     print(order.order_id)
    """

    __slots__ = ("_cursor", "_fetch")

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[Page[T]]], cursor: str | None = None
    ) -> None:
        self._fetch = fetch
        self._cursor = cursor

    async def first_page(self) -> Page[T]:
        """Only the first page (one request)."""
        return await self._fetch(self._cursor)

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page in turn."""
        cursor = self._cursor
        seen: set[str] = set() if cursor is None else {cursor}
        while True:
            page = await self._fetch(cursor)
            yield page
            next_cursor = _next_cursor(page, seen)
            if next_cursor is None:
                return
            cursor = next_cursor

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def to_list(self) -> list[T]:
        """Every item of every page (mind the rate limit on long histories)."""
        return [item async for item in self]

    def __repr__(self) -> str:
        return f"AsyncPager(cursor={self._cursor!r})"
