"""`AsyncPager`, the page iterator behind `truemarkets_gateway.pagination`, and the
`list_*_page` methods made from the methods that return one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

if TYPE_CHECKING:
    from .models import Page

__all__ = ["AsyncPager", "page_method"]

T = TypeVar("T")
P = ParamSpec("P")

_MAX_EMPTY_PAGES = 100  # consecutive empty pages that still point further


def _next_cursor(page: Page[T], seen: set[str], empty_run: int) -> str | None:
    """The cursor to follow, or None when done; raises on a loop or endless empty pages."""
    cursor = page.next_cursor
    if not cursor:
        return None
    from .errors import UnexpectedResponseError

    if cursor in seen:
        shown = cursor if len(cursor) <= 40 else cursor[:40] + "..."
        raise UnexpectedResponseError(
            f"the server sent the page cursor {shown!r} again after {len(seen)} followed; "
            "stopping here so the listing does not loop: the items so far may be incomplete"
        )
    if empty_run >= _MAX_EMPTY_PAGES:
        raise UnexpectedResponseError(
            f"{empty_run} empty pages in a row still point to a next page; stopping: "
            "the items so far may be incomplete"
        )
    seen.add(cursor)
    return cursor


class AsyncPager(Generic[T]):
    """Items of a list endpoint, fetched page by page as you iterate.

    >>> async for order in gateway.list_orders(status="pending"):
    ...     print(order.order_id)
    """

    __slots__ = ("_cursor", "_fetch")

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[Page[T]]], cursor: str | None = None
    ) -> None:
        self._fetch, self._cursor = fetch, cursor

    async def first_page(self) -> Page[T]:
        """Only the first page (one request)."""
        return await self._fetch(self._cursor)

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page in turn, empty ones included."""
        cursor: str | None = self._cursor
        seen: set[str] = set() if cursor is None else {cursor}
        empty_run = 0
        while True:
            page = await self._fetch(cursor)
            yield page
            empty_run = 0 if page.items else empty_run + 1
            if (cursor := _next_cursor(page, seen, empty_run)) is None:
                return

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def to_list(self) -> list[T]:
        """Every item of every page (mind the rate limit on long histories)."""
        return [item async for item in self]

    def __repr__(self) -> str:
        return f"AsyncPager(cursor={self._cursor!r})"


def page_method(
    lister: Callable[Concatenate[Any, P], AsyncPager[T]],
) -> Callable[Concatenate[Any, P], Awaitable[Page[T]]]:
    """The `list_*_page` method of a `list_*` method: its arguments, its first page."""

    async def page(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> Page[T]:
        return await lister(self, *args, **kwargs).first_page()

    page.__name__, page.__qualname__ = f"{lister.__name__}_page", f"{lister.__qualname__}_page"
    page.__wrapped__ = lister  # type: ignore[attr-defined]  # help() shows its parameters
    page.__doc__ = (
        f"One page of `{lister.__name__}` (same arguments); pass its `next_cursor` as `cursor`."
    )
    return page
