"""Only typed failures (issue 12, item 3): every public method, sync and async, answered with
mutated statuses, bodies (garbage, truncated or deep JSON, huge numbers, lone surrogates,
huge ids), headers and encodings, raises nothing but a `TrueMarketsError`.

The Auth Service is answered from the same stream, so mint and refresh are fuzzed too.
Profiles: HYPOTHESIS_PROFILE=ci (default, seconds) or long (`make fuzz`, thousands).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
from collections.abc import Callable
from typing import Any

import httpx
from _facade_stub import ASSET_CEFI, DEFI_TRANSFER, ORDER, TRANSFER
from conftest import make_jwt
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from truemarkets_gateway import AsyncGateway, Gateway
from truemarkets_gateway.credentials import Credentials
from truemarkets_gateway.errors import TrueMarketsError
from truemarkets_gateway.signing import PayloadSigner

settings.register_profile(
    "response-ci", max_examples=120, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    "response-long", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck)
)
PROFILE = settings.get_profile(f"response-{os.environ.get('HYPOTHESIS_PROFILE', 'ci')}")

KEY = ec.generate_private_key(ec.SECP256R1())
CREDENTIALS = Credentials(key_id="8f0c3d2e-5b7a-4c1e-9d3f-2a6b8c4e1f70", private_key=KEY)
SIGNER = PayloadSigner(KEY)
HUGE_ID = "o" * 70_000
OID, TID = ORDER["order_id"], DEFI_TRANSFER["id"]
TOKENS = {
    "access_token": make_jwt({"exp": 4_000_000_000}),
    "refresh_token": "r" * 20,
    "expires_in": 3600,
}
CREATED_DEFI = {
    "order_id": OID,
    "status": "initialized",
    "payloads": [{"digest": "d", "payload": "cA=="}],
}
PAGE = {"data": [ORDER], "pagination": {"next_cursor": "c2", "has_more": True}}

# What a method's documents look like, to mutate: valid ones make the flows go further.
GOOD = [
    ORDER,
    TRANSFER,
    DEFI_TRANSFER,
    CREATED_DEFI,
    PAGE,
    TOKENS,
    {"data": [ASSET_CEFI]},
    {"status": "failed"},
    {"status": "complete"},
    {"payloads": []},
]
ODD = st.sampled_from(
    [
        "1e1000000",
        "-9e9999999",
        "NaN",
        "\ud800",
        "a\udfffb",
        "",
        HUGE_ID,
        "0E-1000000",
        "<HUGE>",
        -1,
        1.5,
        None,
        True,
        [],
        {},
        "/../x?y#z",
        "\x00\x0b",
    ]
)
FIELDS = st.sampled_from(
    [
        "order_id",
        "id",
        "status",
        "qty",
        "price",
        "fee",
        "total",
        "available",
        "payloads",
        "issues",
        "quote",
        "data",
        "pagination",
        "next_cursor",
        "has_more",
        "access_token",
        "refresh_token",
        "expires_in",
        "payload",
        "message",
        "code",
        "error",
        "failure_reason",
    ]
)


def _mutate(doc: Any, field: str, value: Any) -> Any:
    """The document with `field` set to `value` at its top level and in its first items."""
    if isinstance(doc, dict):
        return {**{k: _mutate(v, field, value) for k, v in doc.items()}, field: value}
    if isinstance(doc, list) and doc:
        return [_mutate(doc[0], field, value), *doc[1:]]
    return doc


def _dump(doc: Any) -> bytes:
    """JSON of `doc`, a "<HUGE>" string as a 5,000-digit number."""
    return (
        json.dumps(doc, default=str, ensure_ascii=True).encode().replace(b'"<HUGE>"', b"9" * 5000)
    )


BODIES = st.one_of(
    st.builds(lambda d, f, v: _dump(_mutate(d, f, v)), st.sampled_from(GOOD), FIELDS, ODD),
    st.sampled_from(GOOD).map(_dump),
    st.sampled_from(GOOD).map(lambda d: _dump(d)[: len(_dump(d)) // 2]),  # truncated
    st.sampled_from(
        [
            b"",
            b"null",
            b"[]",
            b"{}",
            b"\xff\xfe\x00garbage",
            b"<html>oops</html>",
            b"[" * 100_000 + b"]" * 100_000,
            b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
            b'{"order_id": "\\ud800", "id": "\\udfff"}',
            b"1" * 5000,
            b'"' + b"x" * 100_000,
        ]
    ),
    st.binary(max_size=64),
)
STATUSES = st.one_of(
    st.sampled_from(
        [200, 201, 202, 204, 301, 307, 308, 400, 401, 403, 404, 409, 422, 429, 500, 503, 520]
    ),
    st.integers(100, 599),
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "content-encoding": st.sampled_from(["gzip", "br", "deflate", "zstd", "bogus", "gzip"]),
        "content-type": st.sampled_from(["application/json", "text/html", "x/\x7f"]),
        "retry-after": st.sampled_from(["1", "-5", "1e309", "NaN", "Wed, 21 Oct 2015", "9" * 40]),
        "location": st.sampled_from(["https://evil.test/", "\udcff"[:0] + "//x", ""]),
        "date": st.sampled_from(["garbage", "Sun, 06 Nov 1994 08:49:37 GMT"]),
    },
)
REPLY = st.tuples(STATUSES, BODIES, HEADERS, st.booleans())


def _response(reply: tuple[int, bytes, dict[str, str], bool]) -> httpx.Response:
    status, body, headers, compress = reply
    if compress and headers.get("content-encoding") == "gzip":
        body = gzip.compress(body)  # sometimes honest, sometimes not
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))  # decoded late


ORDER_ARGS = {
    "side": "sell",
    "type": "market",
    "qty": "1",
    "qty_unit": "base",
    "base_asset": "BTC",
    "quote_asset": "USD",
}
DEFI_ARGS = {**ORDER_ARGS, "base_asset": "SOL", "quote_asset": "USDC", "chain": "solana"}
STAMP = ["c3RhbXA"]

# Each public method with valid arguments; a pager is read three pages deep.
METHODS: dict[str, Callable[[Any], Any]] = {
    "access_token": lambda gw: gw.access_token(),
    "quote": lambda gw: gw.quote(
        base_asset="BTC", quote_asset="USD", qty="1", side="buy", qty_unit="base"
    ),
    "create_order": lambda gw: gw.create_order(**DEFI_ARGS),
    "execute_order": lambda gw: gw.execute_order(OID, signatures=STAMP),
    "get_order": lambda gw: gw.get_order(OID),
    "get_order_status": lambda gw: gw.get_order_status(OID),
    "list_orders": lambda gw: gw.list_orders(limit=2),
    "list_orders_page": lambda gw: gw.list_orders_page(cursor="c1"),
    "modify_order": lambda gw: gw.modify_order(OID, price="10"),
    "prepare_cancel_order": lambda gw: gw.prepare_cancel_order(OID),
    "execute_cancel_order": lambda gw: gw.execute_cancel_order(OID, signatures=STAMP),
    "cancel_order_deprecated": lambda gw: gw.cancel_order_deprecated(OID),
    "create_transfer": lambda gw: gw.create_transfer(
        asset_id=ASSET_CEFI["id"], qty="1", to="addr", network="bitcoin"
    ),
    "execute_transfer": lambda gw: gw.execute_transfer(TID, signatures=STAMP),
    "get_transfer": lambda gw: gw.get_transfer(TID),
    "list_transfers": lambda gw: gw.list_transfers(),
    "list_transfers_page": lambda gw: gw.list_transfers_page(),
    "list_assets": lambda gw: gw.list_assets(),
    "list_assets_page": lambda gw: gw.list_assets_page(),
    "get_balances": lambda gw: gw.get_balances(),
    "list_balances": lambda gw: gw.list_balances(),
    "place_order": lambda gw: gw.place_order(**DEFI_ARGS, timeout=30),
    "place_order_cefi": lambda gw: gw.place_order(**ORDER_ARGS, timeout=30),
    "cancel_order": lambda gw: gw.cancel_order(OID, timeout=30),
    "transfer": lambda gw: gw.transfer(
        asset_id=ASSET_CEFI["id"], qty="1", to="addr", network="bitcoin", timeout=30
    ),
    "wait_for_order": lambda gw: gw.wait_for_order(OID, timeout=30),
    "wait_for_transfer": lambda gw: gw.wait_for_transfer(TID, timeout=30),
    "organization_id": lambda gw: gw.organization_id(),
    "create_user": lambda gw: gw.create_user("customer-1", signer=SIGNER, organization_id="org-1"),
    "for_user": lambda gw: gw.for_user("user-1", signer=SIGNER).place_order(
        **DEFI_ARGS, timeout=30
    ),
    "get_portfolio": lambda gw: gw.get_portfolio(),
    "list_transactions": lambda gw: gw.list_transactions(limit=2),
    "list_transactions_page": lambda gw: gw.list_transactions_page(cursor="c1"),
}


class Clock:
    """Time that passes only when the client sleeps, so every wait ends at once."""

    def __init__(self) -> None:
        self.now = 1_767_225_600.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, min(seconds, 1e6))

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


def _options(replies: list[Any], clock: Clock, api_key: bool) -> dict[str, Any]:
    auth = {"credentials": CREDENTIALS} if api_key else {"access_token": "t0k"}
    return {
        **auth,
        "signer": SIGNER,
        "base_url": "https://tm.test",
        "environ": {},
        "clock": clock,
        "monotonic": clock,
        "rand": lambda: 0.5,
        "max_retries": 2,
    }


def _handler(replies: list[Any]) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(replies)

    def handle(request: httpx.Request) -> httpx.Response:
        return _response(queue.pop(0) if len(queue) > 1 else queue[0])

    return handle


def _read(result: Any) -> Any:
    """A pager's first pages (each fetch may fail), or the result itself."""
    if hasattr(result, "__iter__") and not isinstance(result, str | bytes | dict):
        return [item for _, item in zip(range(5), result, strict=False)]
    return result


async def _aread(result: Any) -> Any:
    if hasattr(result, "__aiter__"):
        found = []
        async for item in result:
            found.append(item)
            if len(found) >= 5:
                break
        return found
    return await result


def _run(method: str, replies: list[Any], is_async: bool, api_key: bool) -> None:
    clock = Clock()
    options = _options(replies, clock, api_key)
    handle = _handler(replies)
    try:
        if is_async:

            async def main() -> None:
                async def ahandle(request: httpx.Request) -> httpx.Response:
                    return handle(request)

                http = httpx.AsyncClient(transport=httpx.MockTransport(ahandle))
                async with AsyncGateway(http_client=http, sleep=clock.async_sleep, **options) as gw:
                    await _aread(METHODS[method](gw))

            asyncio.run(main())
        else:
            http = httpx.Client(transport=httpx.MockTransport(handle), follow_redirects=True)
            with Gateway(http_client=http, sleep=clock.sleep, **options) as gw:
                _read(METHODS[method](gw))
    except TrueMarketsError:
        pass


REPLIES = st.lists(REPLY, min_size=1, max_size=6)


@PROFILE
@given(
    method=st.sampled_from(sorted(METHODS)),
    replies=REPLIES,
    is_async=st.booleans(),
    api_key=st.booleans(),
)
@example(
    method="get_balances",
    replies=[(200, b'{"data": [{"total": "1e1000000"}]}', {}, False)],
    is_async=False,
    api_key=False,
)
@example(
    method="get_order", replies=[(200, b"[" * 100_000, {}, False)], is_async=True, api_key=False
)
@example(
    method="get_order",
    replies=[(200, b"{}", {"content-encoding": "gzip"}, False)],
    is_async=False,
    api_key=True,
)
@example(
    method="list_orders",
    replies=[(200, _dump(_mutate(PAGE, "next_cursor", HUGE_ID)), {}, False)],
    is_async=False,
    api_key=False,
)
@example(
    method="place_order",
    replies=[(201, _dump(_mutate(CREATED_DEFI, "order_id", HUGE_ID)), {}, False)],
    is_async=True,
    api_key=False,
)
@example(
    method="list_transfers",
    replies=[
        (
            200,
            b'{"data": [], "pagination": {"next_cursor": "\\ud800", "has_more": true}}',
            {},
            False,
        )
    ],
    is_async=False,
    api_key=False,
)
@example(
    method="get_balances",
    replies=[(200, b'{"a":' * 50_000, {}, False)],
    is_async=False,
    api_key=True,
)
def test_every_method_fails_only_typed(
    method: str, replies: list[Any], is_async: bool, api_key: bool
) -> None:
    _run(method, replies, is_async, api_key)


def test_every_public_method_is_fuzzed() -> None:
    public = {n for n in dir(Gateway) if not n.startswith("_") and callable(getattr(Gateway, n))}
    left_out = public - set(METHODS) - {"close", "with_options", "sign_payloads"}
    assert not left_out, f"add these to METHODS: {sorted(left_out)}"
