"""Fuzzing the order, modify and transfer inputs of the facade (issue 8, part 3).

For every generated input, through a real `Gateway` whose HTTP client counts requests
(httpx.MockTransport):

- an invalid input is refused before sending: a `ValueError` subclass (`ValidationError`)
  and zero requests; arguments of the wrong type (float money, bool, None for a required
  amount) raise `TypeError` or `ValueError`, also with zero requests;
- an accepted input sends exactly one request whose JSON body validates against the
  request schema in openapi/gateway.yaml (JSON Schema 2020-12, formats checked), and
  carries the amounts unchanged as decimal strings.

"Invalid" is decided by an oracle written here from the documented rules (API facts
§5.4, §5.9, §5.14 and the request schemas), independently of `_validate.py`, so the test
also catches valid input that the facade wrongly refuses.

Profiles: HYPOTHESIS_PROFILE=ci (default, quick) or long (>= 500 examples per test).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from truemarkets_gateway.errors import TrueMarketsError, ValidationError

try:
    from truemarkets_gateway import Gateway
except ImportError:  # the package root may not re-export it yet
    from truemarkets_gateway.client import Gateway

# --- hypothesis profiles ---------------------------------------------------------------------

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Used per test (not loaded globally) so that other test modules keep their own settings.
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# --- the schemas -----------------------------------------------------------------------------

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi" / "gateway.yaml"
SPEC_URI = "urn:truemarkets:gateway.yaml"


def _validator(schema_name: str) -> jsonschema.protocols.Validator:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(
        SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    schema = {"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"}
    return jsonschema.Draft202012Validator(
        schema,
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


ORDER_SCHEMA = _validator("CreateOrderRequest")
MODIFY_SCHEMA = _validator("ModifyOrderRequest")
TRANSFER_SCHEMA = _validator("CreateTransferRequest")
CHAINS = ("solana", "base", "hypercore-spot", "hypercore-perp")
PERP = "hypercore-perp"


def test_schemas_are_the_real_ones() -> None:
    """Guard the oracle's premise: the schemas resolve and refuse what they should."""
    ORDER_SCHEMA.validate({"qty": "1", "qty_unit": "base", "type": "limit", "side": "buy"})
    assert not ORDER_SCHEMA.is_valid({"qty": "1", "qty_unit": "x", "type": "limit", "side": "b"})
    assert not ORDER_SCHEMA.is_valid(
        {"qty": "1", "qty_unit": "base", "type": "limit", "side": "buy", "leverage": 51}
    )
    assert not TRANSFER_SCHEMA.is_valid(
        {"asset_id": "not-a-uuid", "qty": "1", "qty_unit": "base", "to": "x"}
    )
    MODIFY_SCHEMA.validate({"price": "1"})


# --- a gateway whose HTTP client counts requests ----------------------------------------------

HOST = "http://fuzz.test"
ORDER_ID = "2b8d7058-22a2-4b18-bdb9-071f9db9495f"
TRANSFER = {
    "id": "9770b836-0d6c-4a4c-9a7e-3a3d1f1e2b10",
    "status": "pending",
    "venue": "cefi",
    "asset_id": "b2538174-aae3-4b55-b79f-ac177c99f816",
    "asset_symbol": "BTC",
    "chain": None,
    "network": "bitcoin",
    "to": "3PRz",
    "qty": "1",
    "qty_unit": "base",
    "sent": "0",
    "fee": "0",
    "received": "0",
    "tx_hash": "",
    "payloads": [],
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST" and path.endswith("/orders"):
            return httpx.Response(201, json={"order_id": ORDER_ID, "status": "pending"})
        if request.method == "PATCH":
            return httpx.Response(202, json={})
        if request.method == "POST" and path.endswith("/transfers"):
            return httpx.Response(201, json=TRANSFER)
        return httpx.Response(404, json={"message": "not served in this test"})


@pytest.fixture(scope="module")
def rig() -> Iterator[tuple[Gateway, Recorder]]:
    recorder = Recorder()
    http = httpx.Client(transport=httpx.MockTransport(recorder.handler))
    gateway = Gateway(base_url=HOST, access_token="fuzz-token", http_client=http, max_retries=0)
    yield gateway, recorder
    http.close()


def run(recorder: Recorder, call: Callable[[], Any]) -> tuple[BaseException | None, list[Any]]:
    """Call, and return (the exception raised or None, the JSON bodies sent)."""
    recorder.requests.clear()
    error: BaseException | None = None
    try:
        call()
    except Exception as exc:
        error = exc
    bodies = [json.loads(r.content) if r.content else None for r in recorder.requests]
    return error, bodies


# --- strategies --------------------------------------------------------------------------------

GOOD_AMOUNTS = st.one_of(
    st.decimals(min_value=Decimal("1e-12"), max_value=Decimal("1e12"), allow_nan=False),
    st.integers(min_value=1, max_value=10**15),
    st.decimals(min_value=Decimal("1e-8"), max_value=Decimal("1e9"), places=8)
    .filter(lambda d: d > 0)
    .map(str),
    st.sampled_from(["0.5", "100", "1.25", "+3", "7.", ".5", "0.00000001", "67500.00"]),
)
BAD_AMOUNTS = st.one_of(
    st.sampled_from(
        [*"0 -1 0.0 -0 abc NaN -Infinity Infinity 1,5 0x10 1E+3 1e-8 1_000".split(), "", " 1.2 "]
    ),
    st.decimals(max_value=Decimal(0)),
    st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("sNaN")]),
    st.integers(max_value=0),
    st.text(max_size=6),
)
AMOUNTS = st.one_of(GOOD_AMOUNTS, BAD_AMOUNTS)
WRONG_TYPE_AMOUNTS = st.one_of(
    st.floats(allow_nan=True), st.booleans(), st.lists(st.integers(), max_size=1)
)

JUNK_TEXT = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["", "  ", "BUY", "Limit", "base ", ".", "..", "\ud800", "x" * 1025]),
)


def choice(values: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(values), JUNK_TEXT, st.integers(0, 3))


NAMES = st.one_of(st.sampled_from(["BTC", "ETH", "SOL", "USDC", "USD"]), JUNK_TEXT)
UUIDS = st.one_of(st.uuids().map(str), st.sampled_from(["", " ", "not-a-uuid", "b2538174"]))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


# --- the oracle: the documented rules, written independently of _validate.py ------------------


def amount(value: object) -> Decimal | None:
    """The positive finite amount `value` denotes, or None if it denotes none."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        # Plain ASCII decimal text only: no exponent, spaces, underscores or other digits.
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", value, re.ASCII) is None:
            return None
        number = Decimal(value)
    else:
        return None
    if not number.is_finite() or number <= 0:
        return None
    # Bounded: at most 40 significant digits, magnitude within 1e-40 .. 1e40.
    if len(number.as_tuple().digits) > 40:
        return None
    if int(number.as_tuple().exponent) < -40 or number.adjusted() > 40:
        return None
    return number


def text(value: object) -> bool:
    """An id or name: non-blank, not "." or "..", at most 1,024 characters, encodable."""
    if not isinstance(value, str) or not value.strip() or value in (".", ".."):
        return False
    return len(value) <= 1024 and not any(0xD800 <= ord(c) <= 0xDFFF for c in value)


def is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def order_valid(a: dict[str, Any]) -> bool:
    side, typ, unit, chain = a["side"], a["type"], a["qty_unit"], a["chain"]
    if side not in ("buy", "sell") or typ not in ("market", "limit"):
        return False
    if unit not in ("base", "quote") or amount(a["qty"]) is None:
        return False
    if a["base_asset"] is not None and not text(a["base_asset"]):
        return False
    if a["asset_id"] is not None and not is_uuid(a["asset_id"]):
        return False
    if a["base_asset"] is None and a["asset_id"] is None:
        return False
    if a["quote_asset"] is not None and not text(a["quote_asset"]):
        return False
    if chain is not None and chain not in CHAINS:
        return False
    perp = chain == PERP
    if typ == "limit":
        if a["price"] is None or amount(a["price"]) is None or unit != "base":
            return False
    else:
        if a["price"] is not None:
            return False
        if side == "buy" and unit != "quote" and not perp:
            return False
    if chain is not None and side == "sell" and unit != "base" and not perp:
        return False
    lev = a["leverage"]
    if lev is not None and (
        not perp or isinstance(lev, bool) or not isinstance(lev, int) or not 1 <= lev <= 50
    ):
        return False
    return a["reduce_only"] is None or (perp and isinstance(a["reduce_only"], bool))


ORDER_ARGS = st.fixed_dictionaries(
    {
        "side": choice(("buy", "sell")),
        "type": choice(("market", "limit")),
        "qty": AMOUNTS,
        "qty_unit": choice(("base", "quote")),
        "base_asset": optional(NAMES),
        "quote_asset": optional(NAMES),
        "asset_id": st.one_of(st.none(), st.none(), UUIDS),
        "price": optional(AMOUNTS),
        "chain": optional(choice(CHAINS)),
        "leverage": optional(st.one_of(st.integers(-2, 60), st.booleans(), st.just("10"))),
        "reduce_only": optional(st.one_of(st.booleans(), st.just("true"), st.just(0))),
    }
)


@st.composite
def valid_orders(draw: st.DrawFn) -> dict[str, Any]:
    """Orders that follow every rule, across CeFi, DeFi and perp shapes."""
    side = draw(st.sampled_from(["buy", "sell"]))
    typ = draw(st.sampled_from(["market", "limit"]))
    chain = draw(st.sampled_from([None, None, *CHAINS]))
    perp = chain == PERP
    if typ == "limit":
        unit = "base"
    elif perp:
        unit = draw(st.sampled_from(["base", "quote"]))
    elif side == "buy":
        unit = "quote"
    else:
        unit = "base" if chain is not None else draw(st.sampled_from(["base", "quote"]))
    named_by_id = draw(st.booleans())
    return {
        "side": side,
        "type": typ,
        "qty": draw(GOOD_AMOUNTS),
        "qty_unit": unit,
        "base_asset": None if named_by_id else draw(st.sampled_from(["BTC", "ETH", "So11"])),
        "quote_asset": draw(st.sampled_from([None, "USD", "USDC"])),
        "asset_id": draw(st.uuids().map(str)) if named_by_id else None,
        "price": draw(GOOD_AMOUNTS) if typ == "limit" else None,
        "chain": chain,
        "leverage": draw(optional(st.integers(1, 50))) if perp else None,
        "reduce_only": draw(optional(st.booleans())) if perp else None,
    }


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A valid input with one field replaced by anything that field's fuzzer makes."""
    args = dict(draw(base))
    field = draw(st.sampled_from(sorted(args)))
    args[field] = draw(ORDER_ARGS)[field]
    return args


ORDERS = st.one_of(valid_orders(), mutated(valid_orders()), ORDER_ARGS)


def call_kwargs(a: dict[str, Any]) -> dict[str, Any]:
    """Only the arguments that were given (None means: leave the argument out)."""
    return {k: v for k, v in a.items() if v is not None}


# --- the properties ----------------------------------------------------------------------------


def check_refused(error: BaseException | None, bodies: list[Any], what: str) -> None:
    assert bodies == [], f"{what}: invalid input sent {len(bodies)} request(s): {bodies}"
    assert isinstance(error, ValueError), f"{what}: expected a ValueError, got {error!r}"
    assert isinstance(error, TrueMarketsError), f"{what}: not an SDK error: {error!r}"
    assert isinstance(error, ValidationError)


def check_sent(
    error: BaseException | None,
    bodies: list[Any],
    validator: jsonschema.protocols.Validator,
    what: str,
) -> dict[str, Any]:
    assert error is None, f"{what}: valid input refused or failed: {error!r}"
    assert len(bodies) == 1, f"{what}: expected one request, got {len(bodies)}"
    body = bodies[0]
    errors = [e.message for e in validator.iter_errors(body)]
    assert not errors, f"{what}: body {body} breaks the schema: {errors}"
    return dict(body)


def same_amount(sent: object, given: object) -> None:
    assert isinstance(sent, str), f"amount sent as {type(sent).__name__}, not a string"
    assert "e" not in sent.lower(), f"amount sent in exponent form: {sent!r}"
    assert Decimal(sent) == amount(given), f"amount changed: {given!r} -> {sent!r}"


@PROFILE
@given(args=ORDERS)
def test_create_order_inputs(rig: tuple[Gateway, Recorder], args: dict[str, Any]) -> None:
    gateway, recorder = rig
    error, bodies = run(recorder, lambda: gateway.create_order(**call_kwargs(args)))
    if not order_valid(args):
        check_refused(error, bodies, f"create_order({args})")
        return
    body = check_sent(error, bodies, ORDER_SCHEMA, f"create_order({args})")
    same_amount(body["qty"], args["qty"])
    if args["price"] is not None:
        same_amount(body["price"], args["price"])
    for field in ("side", "type", "qty_unit", "chain", "leverage", "reduce_only"):
        if args[field] is not None:
            assert body[field] == args[field]
    assert recorder.requests[0].headers["authorization"] == "Bearer fuzz-token"


@PROFILE
@given(
    order_id=st.one_of(st.just(ORDER_ID), st.uuids().map(str), JUNK_TEXT),
    price=optional(AMOUNTS),
    qty=optional(AMOUNTS),
)
def test_modify_order_inputs(
    rig: tuple[Gateway, Recorder], order_id: str, price: object, qty: object
) -> None:
    gateway, recorder = rig
    kwargs = call_kwargs({"price": price, "qty": qty})
    error, bodies = run(recorder, lambda: gateway.modify_order(order_id, **kwargs))
    valid = (
        text(order_id)
        and (price is not None or qty is not None)
        and (price is None or amount(price) is not None)
        and (qty is None or amount(qty) is not None)
    )
    what = f"modify_order({order_id!r}, {kwargs})"
    if not valid:
        check_refused(error, bodies, what)
        return
    body = check_sent(error, bodies, MODIFY_SCHEMA, what)
    assert set(body) == set(kwargs), f"{what}: sent fields {sorted(body)}"
    for field, value in kwargs.items():
        same_amount(body[field], value)
    request = recorder.requests[0]
    assert request.method == "PATCH"
    # The id is one path segment, whatever characters it holds (no "../" escapes).
    segments = request.url.raw_path.decode("ascii").split("?")[0].split("/")
    assert segments[:4] == ["", "v1", "gateway", "orders"] and len(segments) == 5, what
    assert unquote(segments[4]) == order_id, what


TRANSFER_ARGS = st.fixed_dictionaries(
    {
        "asset_id": UUIDS,
        "qty": AMOUNTS,
        "to": st.one_of(
            st.sampled_from(["0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045", "3PRzexample"]),
            JUNK_TEXT,
        ),
        "qty_unit": optional(choice(("base", "quote"))),
        "network": optional(st.one_of(st.sampled_from(["bitcoin", "ethereum"]), JUNK_TEXT)),
    }
)

VALID_TRANSFERS = st.fixed_dictionaries(
    {
        "asset_id": st.uuids().map(str),
        "qty": GOOD_AMOUNTS,
        "to": st.sampled_from(["0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045", "3PRzexample"]),
        "qty_unit": st.sampled_from([None, "base", "quote"]),
        "network": st.sampled_from([None, "bitcoin", "Bitcoin"]),
    }
)


@PROFILE
@given(args=st.one_of(VALID_TRANSFERS, TRANSFER_ARGS))
def test_create_transfer_inputs(rig: tuple[Gateway, Recorder], args: dict[str, Any]) -> None:
    gateway, recorder = rig
    error, bodies = run(recorder, lambda: gateway.create_transfer(**call_kwargs(args)))
    unit = args["qty_unit"] if args["qty_unit"] is not None else "base"
    valid = (
        is_uuid(args["asset_id"])
        and amount(args["qty"]) is not None
        and text(args["to"])
        and unit in ("base", "quote")
        and (args["network"] is None or text(args["network"]))
    )
    what = f"create_transfer({args})"
    if not valid:
        check_refused(error, bodies, what)
        return
    body = check_sent(error, bodies, TRANSFER_SCHEMA, what)
    same_amount(body["qty"], args["qty"])
    assert body["qty_unit"] == unit
    assert ("network" in body) == (args["network"] is not None)


# --- wrong argument types: a TypeError or ValueError, and nothing sent -------------------------


@PROFILE
@given(bad=WRONG_TYPE_AMOUNTS, where=st.sampled_from(["order", "modify", "transfer"]))
def test_wrong_type_amounts_send_nothing(
    rig: tuple[Gateway, Recorder], bad: object, where: str
) -> None:
    gateway, recorder = rig
    calls: dict[str, Callable[[], Any]] = {
        "order": lambda: gateway.create_order(
            side="buy", type="market", qty=bad, qty_unit="quote", base_asset="BTC"
        ),
        "modify": lambda: gateway.modify_order(ORDER_ID, qty=bad),
        "transfer": lambda: gateway.create_transfer(
            asset_id=TRANSFER["asset_id"], qty=bad, to="3PRz", network="bitcoin"
        ),
    }
    error, bodies = run(recorder, calls[where])
    assert bodies == [], f"{where} with qty={bad!r} sent a request"
    assert isinstance(error, TypeError | ValueError), f"{where}: {error!r}"


def test_float_money_is_a_type_error(rig: tuple[Gateway, Recorder]) -> None:
    gateway, recorder = rig
    error, bodies = run(
        recorder,
        lambda: gateway.create_order(
            side="buy", type="limit", qty="1", qty_unit="base", base_asset="BTC", price=0.1
        ),
    )
    assert bodies == []
    assert isinstance(error, TypeError)
    assert "float" in str(error)
