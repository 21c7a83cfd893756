"""Pagination: lazy cursor walks across three pages, an empty page, and single pages."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
from _facade_stub import ORDER, TRANSFER, Stub, async_gateway, sync_gateway

from truemarkets_gateway import (
    AsyncGateway,
    AsyncPager,
    Gateway,
    Page,
    SyncPager,
    UnexpectedResponseError,
)


def _order(n: int) -> dict[str, Any]:
    return {**ORDER, "order_id": f"o{n}"}


def _three_pages(stub: Stub, path: str = "/orders") -> Stub:
    def reply(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        pages = {
            None: ([_order(1), _order(2)], "c2"),
            "c2": ([_order(3), _order(4)], "c3"),
            "c3": ([_order(5)], None),
        }
        items, next_cursor = pages[cursor]
        return httpx.Response(
            200, json={"data": items, "pagination": {"next_cursor": next_cursor, "limit": 2}}
        )

    return stub.on("GET", path, reply)


def test_iterates_three_pages_lazily() -> None:
    stub = _three_pages(Stub())
    pager = sync_gateway(stub).list_orders(limit=2)
    assert isinstance(pager, SyncPager) and stub.requests == []  # nothing until iterated
    iterator = iter(pager)
    assert next(iterator).order_id == "o1"
    assert len(stub.requests) == 1
    assert [o.order_id for o in iterator] == ["o2", "o3", "o4", "o5"]
    assert [r.url.params.get("cursor") for r in stub.requests] == [None, "c2", "c3"]
    assert all(r.url.params["limit"] == "2" for r in stub.requests)


def test_pages_and_first_page() -> None:
    stub = _three_pages(Stub())
    gw = sync_gateway(stub)
    pages = list(gw.list_orders().pages())
    assert [len(p) for p in pages] == [2, 2, 1] and pages[-1].next_cursor is None
    first = gw.list_orders().first_page()
    assert isinstance(first, Page) and first.next_cursor == "c2"
    resumed = gw.list_orders(cursor="c3")
    assert [o.order_id for o in resumed] == ["o5"]


def test_empty_page_with_a_cursor_is_followed() -> None:
    stub = Stub().on(
        "GET",
        "/transfers",
        httpx.Response(200, json={"data": [], "pagination": {"next_cursor": "c2"}}),
        httpx.Response(200, json={"data": [TRANSFER], "pagination": {"next_cursor": None}}),
    )
    assert [t.id for t in sync_gateway(stub).list_transfers()] == [TRANSFER["id"]]
    assert [r.url.params.get("cursor") for r in stub.requests] == [None, "c2"]


def test_empty_pages_repeating_a_cursor_raise() -> None:
    stub = Stub().json("GET", "/transfers", {"data": [], "pagination": {"next_cursor": "again"}})
    with pytest.raises(UnexpectedResponseError, match="again"):
        list(sync_gateway(stub).list_transfers())
    assert [r.url.params.get("cursor") for r in stub.requests] == [None, "again"]


def test_repeated_cursor_raises_after_the_items_read() -> None:
    stub = Stub().json(
        "GET",
        "/assets",
        {"data": [{"id": "a", "networks": []}], "pagination": {"next_cursor": "x"}},
    )
    got: list[Any] = []
    with pytest.raises(UnexpectedResponseError, match="incomplete"):
        for asset in sync_gateway(stub).list_assets():
            got.append(asset)
    assert len(got) == 2  # first page, then "x" once
    assert [r.url.params.get("cursor") for r in stub.requests] == [None, "x"]


def test_endless_empty_pages_raise() -> None:
    counter = iter(range(10_000))

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"data": [], "pagination": {"next_cursor": f"c{next(counter)}"}}
        )

    stub = Stub().on("GET", "/orders", reply)
    with pytest.raises(UnexpectedResponseError, match="empty pages"):
        list(sync_gateway(stub).list_orders())
    assert len(stub.requests) == 100


def test_missing_pagination_is_one_page() -> None:
    stub = Stub().json("GET", "/orders", {"data": [_order(1)]})
    assert len(list(sync_gateway(stub).list_orders())) == 1


async def test_async_pager() -> None:
    stub = _three_pages(Stub())
    gw = async_gateway(stub)
    pager = gw.list_orders(status="pending")
    assert isinstance(pager, AsyncPager) and stub.requests == []
    assert [o.order_id async for o in pager] == ["o1", "o2", "o3", "o4", "o5"]
    assert [len(p) async for p in gw.list_orders().pages()] == [2, 2, 1]
    assert (await gw.list_orders().first_page()).next_cursor == "c2"
    assert len(await gw.list_orders().to_list()) == 5
    empty = Stub().json("GET", "/transfers", {"data": [], "pagination": {"next_cursor": "n"}})
    with pytest.raises(UnexpectedResponseError):
        await async_gateway(empty).list_transfers().to_list()
    assert [r.url.params.get("cursor") for r in empty.requests] == [None, "n"]
    await gw.close()


async def test_async_empty_page_with_a_cursor_is_followed() -> None:
    stub = Stub().on(
        "GET",
        "/transfers",
        httpx.Response(200, json={"data": [], "pagination": {"next_cursor": "c2"}}),
        httpx.Response(200, json={"data": [TRANSFER], "pagination": {}}),
    )
    assert [t.id for t in await async_gateway(stub).list_transfers().to_list()] == [TRANSFER["id"]]
    assert len(stub.requests) == 2


async def test_async_repeated_cursor_raises() -> None:
    stub = Stub().json("GET", "/orders", {"data": [_order(1)], "pagination": {"next_cursor": "x"}})
    got: list[Any] = []
    with pytest.raises(UnexpectedResponseError):
        async for order in async_gateway(stub).list_orders():
            got.append(order)
    assert len(got) == 2 and len(stub.requests) == 2


def test_sync_to_list_reads_every_page() -> None:
    stub = Stub().on(
        "GET",
        "/transfers",
        httpx.Response(200, json={"data": [], "pagination": {"next_cursor": "c2"}}),
        httpx.Response(200, json={"data": [TRANSFER], "pagination": {}}),
    )
    pager = sync_gateway(stub).list_transfers()
    assert [t.id for t in pager.to_list()] == [TRANSFER["id"]]
    assert len(stub.requests) == 2
    assert [t.id for t in pager] == [TRANSFER["id"]]  # list(pager) reads the same


@pytest.mark.parametrize(
    "lister", ["list_orders", "list_transfers", "list_assets", "list_transactions"]
)
def test_each_page_method_is_named_documented_and_awaited_like_its_client(lister: str) -> None:
    for client in (Gateway, AsyncGateway):
        method = getattr(client, f"{lister}_page")
        assert method.__qualname__ == f"{client.__name__}.{lister}_page"
        assert f"One page of `{lister}`" in method.__doc__
        assert inspect.iscoroutinefunction(method) == (client is AsyncGateway)
        # help() and editors see the list method's parameters, not *args/**kwargs
        listed = inspect.signature(getattr(client, lister)).parameters
        assert inspect.signature(method).parameters == listed and "cursor" in listed


def test_page_methods_send_their_list_method_arguments_and_read_one_page() -> None:
    stub = _three_pages(Stub())
    page = sync_gateway(stub).list_orders_page(status="pending", limit=2, cursor="c2")
    assert [o.order_id for o in page] == ["o3", "o4"] and page.next_cursor == "c3"
    (request,) = stub.requests
    assert dict(request.url.params) == {"status": "pending", "limit": "2", "cursor": "c2"}
    with pytest.raises(TypeError):
        sync_gateway(stub).list_orders_page(nonsense=1)  # type: ignore[call-arg]


async def test_async_page_methods_read_one_page() -> None:
    stub = _three_pages(Stub())
    gw = async_gateway(stub)
    page = await gw.list_orders_page(cursor="c3")
    assert [o.order_id for o in page] == ["o5"] and not page.has_more
    assert len(stub.requests) == 1
    await gw.close()
