"""Orders: the documented create rules, CeFi and DeFi lifecycles, fills against the mid.

`OrderDesk` owns every order. Time-based moves (pending -> active/complete/failed,
cancel_pending -> canceled, limit fills) happen in `advance(now)`, which the app runs before
each request, so a fake clock drives them and real clients see progress after
`settle_delay` seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

import attrs

from truemarkets_gateway.sandbox.catalog import Asset, Catalog
from truemarkets_gateway.sandbox.ledger import Ledger, cash_symbol
from truemarkets_gateway.sandbox.market import PriceBook
from truemarkets_gateway.sandbox.payloads import Payload, make_payload
from truemarkets_gateway.sandbox.problems import Problem, Violation, invalid
from truemarkets_gateway.sandbox.values import (
    IdSource,
    amount_problem,
    explorer_url,
    format_decimal,
    format_time,
    parse_decimal,
    tx_hash,
)

__all__ = ["ORDER_STATUSES", "Order", "OrderDesk"]

ORDER_STATUSES = (
    "initialized",
    "pending",
    "cancel_pending",
    "complete",
    "canceled",
    "active",
    "failed",
)
TERMINAL = frozenset({"complete", "canceled", "failed"})
CHAINS = ("solana", "base", "hypercore-spot", "hypercore-perp")
RESTING_CHAINS = ("hypercore-spot", "hypercore-perp")
CEFI_QUOTES = ("USD", "USDC", "PYUSD")
CEFI_FEE_RATE = Decimal("0.001")
CEFI_SPREAD = Decimal("0.0005")
DEFI_FEE_RATE = Decimal("0.005")
INSUFFICIENT = "Insufficient balance"
_CENT = Decimal("0.01")
_ZERO = Decimal(0)


def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def _down(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(_quantum(decimals), rounding=ROUND_DOWN)


@attrs.define
class Hold:
    symbol: str
    chain: str | None
    amount: Decimal


@attrs.define
class Order:
    """One order as the sandbox keeps it. `to_json` renders the wire `OrderDetail`."""

    order_id: str
    uid: str
    venue: str
    chain: str | None
    type: str
    side: str
    base_asset: str
    quote_asset: str
    asset: Asset
    quote: Asset
    qty: Decimal
    qty_unit: str
    price: Decimal | None
    created_at: float
    status: str
    status_since: float
    leverage: int | None = None
    reduce_only: bool = False
    executed_qty: Decimal = _ZERO
    executed_vwap: Decimal = _ZERO
    fee: Decimal = _ZERO
    tx_hash: str = ""
    failure_reason: str | None = None
    payloads: list[Payload] = attrs.Factory(list)
    cancel_payloads: list[Payload] = attrs.Factory(list)
    quote_details: dict[str, Any] | None = None
    hold: Hold | None = None
    bridge: Decimal = _ZERO  # CeFi -> chain (DeFi) or chain -> CeFi (CeFi buy) on execute
    unfunded: bool = False  # submitted without funds: fails when it settles
    pending_modify: tuple[Decimal | None, Decimal | None, float] | None = None
    expected_out: Decimal = _ZERO  # DeFi: quoted output
    rested: bool = False  # a limit order that did not cross on arrival: fills at its limit

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def leaves_qty(self) -> Decimal:
        if self.terminal or self.qty_unit != "base":
            return _ZERO
        return max(self.qty - self.executed_qty, _ZERO)

    def to_json(self, *, listing: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "order_id": self.order_id,
            "base_asset": self.base_asset,
            "quote_asset": self.quote_asset,
            "type": self.type,
            "side": self.side,
            "price": None if self.price is None else format_decimal(self.price),
            "qty": format_decimal(self.qty),
            "executed_qty": format_decimal(self.executed_qty),
            "leaves_qty": format_decimal(self.leaves_qty),
            "executed_vwap": format_decimal(self.executed_vwap),
            "fee": format_decimal(self.fee),
            "venue": self.venue,
            "status": self.status,
            "created_at": format_time(self.created_at),
            "asset_id": self.asset.id,
            "asset_symbol": self.asset.symbol,
            "qty_unit": self.qty_unit,
            "failure_reason": self.failure_reason,
        }
        if self.venue == "defi":
            body["tx_hash"] = self.tx_hash
        if listing:
            # As the real API: list items carry these, the single-order read does not.
            body["chain"] = self.chain
            body["explorer_url"] = explorer_url(self.chain, self.tx_hash)
        return body


@attrs.frozen
class _Request:
    """A create body that passed the documented rules."""

    type: str
    side: str
    qty: Decimal
    qty_unit: str
    price: Decimal | None
    chain: str | None
    asset: Asset
    quote: Asset
    base_asset: str
    quote_asset: str
    leverage: int | None
    reduce_only: bool


def _positive(body: Mapping[str, Any], field: str, out: list[Violation]) -> Decimal | None:
    raw = body.get(field)
    if raw is None:
        return None
    value = parse_decimal(raw)
    if value is None or value <= 0:
        out.append((field, "must be a positive decimal string"))
        return None
    problem = amount_problem(value)
    if problem is not None:
        out.append((field, problem))
        return None
    return value


def _choice(
    body: Mapping[str, Any], field: str, allowed: Sequence[str], out: list[Violation]
) -> str | None:
    raw = body.get(field)
    if raw is None:
        out.append((field, f"required: one of {', '.join(allowed)}"))
        return None
    if raw not in allowed:
        out.append((field, f"must be one of {', '.join(allowed)}"))
        return None
    return str(raw)


class OrderDesk:
    def __init__(
        self,
        *,
        catalog: Catalog,
        ledger: Ledger,
        market: PriceBook,
        ids: IdSource,
        settle_delay: float,
        payload_max_age: float,
        creation_time: Callable[[], float],
    ) -> None:
        self.creation_time = creation_time
        self.catalog = catalog
        self.ledger = ledger
        self.market = market
        self.ids = ids
        self.settle_delay = settle_delay
        self.payload_max_age = payload_max_age
        self.orders: dict[str, Order] = {}

    # --- quotes ---------------------------------------------------------------------

    def quote(self, body: object, now: float) -> dict[str, str]:
        """A non-binding CeFi market quote."""
        if not isinstance(body, Mapping):
            raise Problem(400, "request body must be a JSON object")
        violations: list[Violation] = []
        for field in ("base_asset", "quote_asset"):
            if not isinstance(body.get(field), str) or not body.get(field):
                violations.append((field, "required string"))
        qty = _positive(body, "qty", violations)
        if body.get("qty") is None:
            violations.append(("qty", "required positive decimal string"))
        unit = _choice(body, "qty_unit", ("base", "quote"), violations)
        side = _choice(body, "side", ("buy", "sell"), violations)
        if violations:
            raise invalid(violations)
        assert qty is not None and unit is not None and side is not None
        asset = self.catalog.cefi(str(body["base_asset"]))
        if asset is None:
            raise invalid([("base_asset", "unknown CeFi asset")])
        if str(body["quote_asset"]).upper() not in CEFI_QUOTES:
            raise invalid([("quote_asset", f"must be one of {', '.join(CEFI_QUOTES)}")])
        price = self._fill_price(asset.symbol, side, now)
        if side == "buy":
            out = (
                qty if unit == "base" else _down(qty * (1 - CEFI_FEE_RATE) / price, asset.decimals)
            )
        else:
            out = _down(qty * price * (1 - CEFI_FEE_RATE), 6) if unit == "base" else qty
        return {"qty": format_decimal(out), "price": format_decimal(price)}

    def _fill_price(self, symbol: str, side: str, now: float) -> Decimal:
        mid = self.market.mid(symbol, now)
        spread = CEFI_SPREAD if side == "buy" else -CEFI_SPREAD
        return (mid * (1 + spread)).quantize(_CENT)

    # --- create -----------------------------------------------------------------------

    def _parse(self, body: object) -> _Request:
        if not isinstance(body, Mapping):
            raise Problem(400, "request body must be a JSON object")
        v: list[Violation] = []
        order_type = _choice(body, "type", ("market", "limit"), v)
        side = _choice(body, "side", ("buy", "sell"), v)
        unit = _choice(body, "qty_unit", ("base", "quote"), v)
        qty = _positive(body, "qty", v)
        if body.get("qty") is None:
            v.append(("qty", "required positive decimal string"))
        price = _positive(body, "price", v)
        chain = body.get("chain")
        if chain is not None and chain not in CHAINS:
            v.append(("chain", f"must be one of {', '.join(CHAINS)}"))
            chain = None
        base_asset = body.get("base_asset")
        asset_id = body.get("asset_id")
        if asset_id is None and not (isinstance(base_asset, str) and base_asset):
            v.append(("base_asset", "required (or asset_id)"))
        if order_type == "limit":
            if body.get("price") is None:
                v.append(("price", "required for limit orders"))
            if unit is not None and unit != "base":
                v.append(("qty_unit", "limit orders need qty_unit base"))
            if chain is not None and chain not in RESTING_CHAINS:
                v.append(("chain", "limit orders rest only on hypercore-spot or hypercore-perp"))
        if order_type == "market":
            if body.get("price") is not None:
                v.append(("price", "must not be sent for market orders"))
            if side == "buy" and unit is not None and unit != "quote":
                v.append(("qty_unit", "market buys need qty_unit quote"))
            if side == "sell" and chain is not None and unit is not None and unit != "base":
                v.append(("qty_unit", "DeFi sells need qty_unit base"))
        leverage = body.get("leverage")
        reduce_only = body.get("reduce_only")
        if leverage is not None:
            if chain != "hypercore-perp":
                v.append(("leverage", "only for chain hypercore-perp"))
            elif (
                not isinstance(leverage, int)
                or isinstance(leverage, bool)
                or not 1 <= leverage <= 50
            ):
                v.append(("leverage", "must be an integer from 1 to 50"))
        if reduce_only is not None:
            if chain != "hypercore-perp":
                v.append(("reduce_only", "only for chain hypercore-perp"))
            elif not isinstance(reduce_only, bool):
                v.append(("reduce_only", "must be a boolean"))
        if chain == "hypercore-perp" and leverage is None and reduce_only is not True:
            v.append(("leverage", "required to open a hypercore-perp position"))
        if v:
            raise invalid(v)
        assert order_type and side and unit and qty is not None
        asset, quote, base_text, quote_text = self._resolve(body, chain)
        return _Request(
            type=order_type,
            side=side,
            qty=qty,
            qty_unit=unit,
            price=price,
            chain=chain if isinstance(chain, str) else None,
            asset=asset,
            quote=quote,
            base_asset=base_text,
            quote_asset=quote_text,
            leverage=leverage if isinstance(leverage, int) else None,
            reduce_only=reduce_only is True,
        )

    def _resolve(self, body: Mapping[str, Any], chain: object) -> tuple[Asset, Asset, str, str]:
        asset_id = body.get("asset_id")
        base_asset = body.get("base_asset")
        if isinstance(chain, str):
            if asset_id is not None:
                asset = self.catalog.by_id(str(asset_id))
                if asset is None or asset.chain != chain:
                    raise invalid([("asset_id", f"no such asset on {chain}")])
            else:
                found = self.catalog.token(chain, str(base_asset))
                if found is None:
                    raise invalid([("base_asset", f"no such token on {chain}")])
                asset = found
            quote = self.catalog.stable_on(chain)
            if quote is None or asset.id == quote.id:
                raise invalid([("base_asset", f"cannot trade the quote asset of {chain}")])
            return asset, quote, asset.address or asset.symbol, quote.address or quote.symbol
        if asset_id is not None:
            asset_or_none = self.catalog.by_id(str(asset_id))
            if asset_or_none is None or asset_or_none.chain is not None:
                raise invalid([("asset_id", "no such CeFi asset")])
            asset = asset_or_none
        else:
            asset_or_none = self.catalog.cefi(str(base_asset))
            if asset_or_none is None:
                raise invalid([("base_asset", "unknown CeFi asset")])
            asset = asset_or_none
        quote_text = str(body.get("quote_asset") or "USD").upper()
        if quote_text not in CEFI_QUOTES:
            raise invalid([("quote_asset", f"must be one of {', '.join(CEFI_QUOTES)}")])
        if asset.stable:
            raise invalid([("base_asset", "stablecoins are the quote side, not the base")])
        quote = self.catalog.cefi(cash_symbol(quote_text))
        assert quote is not None
        return asset, quote, asset.symbol, quote_text

    def create(self, uid: str, body: object, now: float) -> dict[str, Any]:
        request = self._parse(body)
        if request.chain is None:
            return self._create_cefi(uid, request, now)
        return self._create_defi(uid, request, now)

    def _new_order(self, uid: str, request: _Request, now: float, status: str) -> Order:
        order = Order(
            order_id=self.ids.uuid(),
            uid=uid,
            venue="cefi" if request.chain is None else "defi",
            chain=request.chain,
            type=request.type,
            side=request.side,
            base_asset=request.base_asset,
            quote_asset=request.quote_asset,
            asset=request.asset,
            quote=request.quote,
            qty=request.qty,
            qty_unit=request.qty_unit,
            price=request.price,
            created_at=self.creation_time(),
            status=status,
            status_since=now,
            leverage=request.leverage,
            reduce_only=request.reduce_only,
        )
        if order.price is None:  # market orders carry the reference price at creation
            order.price = self.market.mid(request.asset.symbol, now)
        self.orders[order.order_id] = order
        return order

    def _cefi_need(self, request: _Request, now: float) -> Hold:
        """What a CeFi order locks: cash for buys, base for sells."""
        if request.side == "buy":
            if request.type == "limit":
                assert request.price is not None
                amount = request.qty * request.price * (1 + CEFI_FEE_RATE)
            else:
                amount = request.qty
            return Hold(request.quote.symbol, None, amount.quantize(_quantum(6)))
        if request.qty_unit == "base":
            amount = request.qty
        else:
            price = self._fill_price(request.asset.symbol, "sell", now)
            amount = _down(request.qty / price, request.asset.decimals)
        return Hold(request.asset.symbol, None, amount)

    def _create_cefi(self, uid: str, request: _Request, now: float) -> dict[str, Any]:
        need = self._cefi_need(request, now)
        short = need.amount - self.ledger.available(uid, need.symbol, None)
        if short > 0 and request.side == "buy":
            source = self._bridge_source(uid, need.symbol, short)
            if source is not None:
                # A CeFi buy short of cash: fund it from an on-chain balance first.
                order = self._new_order(uid, request, now, "initialized")
                order.bridge = short
                order.hold = need
                order.payloads = [self._payload(order, "bridge_to_exchange", now, chain=source)]
                return _created(order)
        order = self._new_order(uid, request, now, "pending")
        if self.ledger.hold(uid, need.symbol, None, need.amount):
            order.hold = need
        else:
            order.unfunded = True
        return {"order_id": order.order_id, "status": order.status}

    def _bridge_source(self, uid: str, symbol: str, amount: Decimal) -> str | None:
        for chain in CHAINS:
            if self.ledger.available(uid, symbol, chain) >= amount:
                return chain
        return None

    def _defi_plan(self, request: _Request, now: float) -> tuple[Hold, Decimal, Decimal, Decimal]:
        """(what to lock, amount in, expected out, fee) for a DeFi order at `now`."""
        asset, quote, chain = request.asset, request.quote, request.chain
        price = request.price if request.type == "limit" else self.market.mid(asset.symbol, now)
        assert price is not None
        if chain == "hypercore-perp":
            if request.reduce_only:
                margin = _ZERO
            elif request.qty_unit == "quote":
                margin = request.qty
            else:
                margin = request.qty * price / Decimal(request.leverage or 1)
            margin = margin.quantize(_quantum(quote.decimals))
            fee = (margin * DEFI_FEE_RATE).quantize(_quantum(quote.decimals))
            size = (
                request.qty
                if request.qty_unit == "base"
                else margin * (request.leverage or 1) / price
            )
            return Hold(quote.symbol, chain, margin + fee), margin, _down(size, asset.decimals), fee
        if request.side == "buy":
            spend = request.qty if request.qty_unit == "quote" else request.qty * price
            spend = spend.quantize(_quantum(quote.decimals))
            fee = (spend * DEFI_FEE_RATE).quantize(_quantum(quote.decimals))
            out = _down((spend - fee) / price, asset.decimals)
            return Hold(quote.symbol, chain, spend), spend, out, fee
        gross = request.qty * price
        fee = (gross * DEFI_FEE_RATE).quantize(_quantum(quote.decimals))
        out = _down(gross - fee, quote.decimals)
        return Hold(asset.symbol, chain, request.qty), request.qty, out, fee

    def _create_defi(self, uid: str, request: _Request, now: float) -> dict[str, Any]:
        need, amount_in, expected_out, fee = self._defi_plan(request, now)
        quote = {
            "base_asset": request.base_asset,
            "quote_asset": request.quote.address or request.quote.symbol,
            "qty": format_decimal(amount_in),
            "qty_out": format_decimal(expected_out),
            "fee": format_decimal(fee),
            "fee_asset": request.quote.symbol,
            "issues": [],
        }
        short = need.amount - self.ledger.available(uid, need.symbol, need.chain)
        if short > 0 and self.ledger.available(uid, need.symbol, None) < short:
            # Unfundable (docs): an informational quote, no order, no payloads.
            quote["issues"] = [INSUFFICIENT]
            return {"order_id": "", "quote": quote}
        order = self._new_order(uid, request, now, "initialized")
        order.quote_details = quote
        order.hold = need
        order.expected_out = expected_out
        order.fee = _ZERO
        if short > 0:
            order.bridge = short
            order.payloads.append(self._payload(order, "bridge_from_exchange", now))
        order.payloads.append(
            self._payload(order, "place" if order.type == "limit" else "swap", now)
        )
        return _created(order)

    def _payload(self, order: Order, action: str, now: float, chain: str | None = None) -> Payload:
        description = {
            "action": action,
            "order_id": order.order_id,
            "chain": chain or order.chain or "exchange",
            "side": order.side,
            "asset": order.base_asset,
            "qty": format_decimal(order.qty),
        }
        return make_payload(description, self.ids.hex(16), now)

    # --- reads ------------------------------------------------------------------------------

    def get(self, uid: str, order_id: str) -> Order:
        order = self.orders.get(order_id)
        if order is None or order.uid != uid:
            raise Problem(404, f"order {order_id} not found")
        return order

    def list(self, uid: str, statuses: Sequence[str], venues: Sequence[str]) -> list[Order]:
        """The account's orders, newest first, filtered."""
        found = [
            order
            for order in self.orders.values()
            if order.uid == uid
            and (not statuses or order.status in statuses)
            and (not venues or order.venue in venues)
        ]
        return sorted(found, key=lambda order: order.created_at, reverse=True)

    # --- execute, modify, cancel ---------------------------------------------------------------

    def check_fresh(self, payloads: Sequence[Payload], now: float) -> None:
        oldest = min(payload.created_at for payload in payloads)
        if now - oldest > self.payload_max_age:
            raise Problem(
                422,
                "quote is stale: the payloads expired; create the order again",
                type="failed_precondition",
                code="quote_stale",
            )

    def execute(self, order: Order, now: float) -> dict[str, Any]:
        """Submit an `initialized` order whose stamps were already verified."""
        uid, hold = order.uid, order.hold
        if order.bridge > 0 and hold is not None:
            # First the funding bridge the extra payload approved: on-chain cash to the
            # exchange for a CeFi buy, exchange balance to the chain for a DeFi order.
            if order.venue == "cefi":
                source = self._bridge_source(uid, hold.symbol, order.bridge)
                if source is not None:
                    self.ledger.move(uid, hold.symbol, source, None, order.bridge)
            else:
                self.ledger.move(uid, hold.symbol, None, hold.chain, order.bridge)
        if hold is not None and not self.ledger.hold(uid, hold.symbol, hold.chain, hold.amount):
            order.hold = None
            order.unfunded = True
        order.payloads = []
        if order.venue == "defi":
            order.tx_hash = tx_hash(order.chain, self.ids)
        self._set(order, "pending", now)
        return {"status": order.status}

    def modify(self, order: Order, body: object, now: float) -> None:
        if not isinstance(body, Mapping):
            raise Problem(400, "request body must be a JSON object")
        v: list[Violation] = []
        price = _positive(body, "price", v)
        qty = _positive(body, "qty", v)
        if v:
            raise invalid(v)
        if price is None and qty is None:
            raise invalid([("price", "give price, qty or both")])
        if order.type != "limit" or order.status != "active" or order.venue != "cefi":
            raise Problem(
                400, f"only active CeFi limit orders can be modified (order is {order.status})"
            )
        order.pending_modify = (price, qty, now)

    def prepare_cancel(self, order: Order, now: float) -> dict[str, Any] | None:
        """None for a CeFi cancel (202 {}); the payloads for a resting DeFi order."""
        if order.type != "limit":
            raise Problem(400, "only limit orders can be canceled")
        if order.venue == "cefi":
            if order.status not in ("pending", "active"):
                raise Problem(400, f"order is {order.status}; only pending or active orders cancel")
            self._set(order, "cancel_pending", now)
            return None
        if order.status != "active":
            raise Problem(400, f"order is {order.status}; only active DeFi orders cancel")
        order.cancel_payloads = [self._payload(order, "cancel", now)]
        return {"payloads": [p.to_json() for p in order.cancel_payloads]}

    def execute_cancel(self, order: Order, now: float) -> dict[str, Any]:
        order.cancel_payloads = []
        self._set(order, "cancel_pending", now)
        return {"status": order.status}

    # --- time ------------------------------------------------------------------------------

    def _set(self, order: Order, status: str, at: float) -> None:
        order.status = status
        order.status_since = at

    def advance(self, now: float) -> None:
        for order in self.orders.values():
            if order.terminal:
                continue
            self._advance_one(order, now)

    def _advance_one(self, order: Order, now: float) -> None:
        for _ in range(4):  # a few hops per read at most (pending -> active -> complete)
            due = order.status_since + self.settle_delay
            if order.status == "pending" and now >= due:
                if order.unfunded:
                    order.failure_reason = INSUFFICIENT.lower()
                    self._set(order, "failed", due)
                elif order.type == "limit":
                    self._set(order, "active", due)
                    self._cross(order, due)  # marketable on arrival: fills at once
                else:
                    self._fill(order, due)
            elif order.status == "active":
                self._apply_modify(order, now)
                if not self._cross(order, now):
                    return
            elif order.status == "cancel_pending" and now >= due:
                self._release(order)
                self._set(order, "canceled", due)
            else:
                return

    def _apply_modify(self, order: Order, now: float) -> None:
        if order.pending_modify is None or now < order.pending_modify[2] + self.settle_delay:
            return
        price, qty, _ = order.pending_modify
        order.pending_modify = None
        new_price = price or order.price
        new_qty = qty or order.qty
        assert new_price is not None
        self._release(order)
        if order.side == "buy":
            need = Hold(
                order.quote.symbol,
                None,
                (new_qty * new_price * (1 + CEFI_FEE_RATE)).quantize(_quantum(6)),
            )
        else:
            need = Hold(order.asset.symbol, None, new_qty)
        if self.ledger.hold(order.uid, need.symbol, None, need.amount):
            order.hold, order.price, order.qty = need, new_price, new_qty
            order.rested = False  # back in the book at the new price: may be marketable
        elif order.hold is not None:  # not enough for the change: keep the order as it was
            self.ledger.hold(order.uid, order.hold.symbol, order.hold.chain, order.hold.amount)

    def _cross(self, order: Order, now: float) -> bool:
        """Fill an active limit order when the mid reaches its price.

        As on a book: an order that is marketable when it arrives (a buy above the mid, a
        sell below) takes the better of its limit and the mid; one that rested fills at
        its own limit when the mid comes to it.
        """
        assert order.price is not None
        mid = self.market.mid(order.asset.symbol, now)
        crossed = mid <= order.price if order.side == "buy" else mid >= order.price
        if not crossed:
            order.rested = True
            return False
        if order.rested:
            at_price = order.price
        elif order.side == "buy":
            at_price = min(order.price, mid)
        else:
            at_price = max(order.price, mid)
        self._fill(order, now, at_price=at_price)
        return True

    def _release(self, order: Order) -> None:
        if order.hold is not None:
            self.ledger.release(order.uid, order.hold.symbol, order.hold.chain, order.hold.amount)
            order.hold = None

    def _fill(self, order: Order, now: float, at_price: Decimal | None = None) -> None:
        if order.venue == "defi":
            self._fill_defi(order, now)
        else:
            self._fill_cefi(order, now, at_price)
        self._set(order, "complete", now)

    def _fill_cefi(self, order: Order, now: float, at_price: Decimal | None) -> None:
        uid, asset, cash = order.uid, order.asset, order.quote.symbol
        price = at_price or self._fill_price(asset.symbol, order.side, now)
        held = order.hold.amount if order.hold else _ZERO
        if order.side == "buy":
            if order.qty_unit == "quote":
                notional = order.qty
                fee = (notional * CEFI_FEE_RATE).quantize(_quantum(6))
                base = _down((notional - fee) / price, asset.decimals)
            else:
                base = order.qty
                notional = (base * price).quantize(_quantum(6))
                fee = (notional * CEFI_FEE_RATE).quantize(_quantum(6))
            # A quote-sized buy pays its fee out of the notional; a base-sized one on top.
            cost = notional + fee if order.qty_unit == "base" else notional
            self._release(order)
            self.ledger.credit(uid, cash, None, -cost)
            self.ledger.credit(uid, asset.symbol, None, base)
        else:
            base = (
                order.qty if order.qty_unit == "base" else _down(order.qty / price, asset.decimals)
            )
            base = min(base, held) if held else base
            gross = (base * price).quantize(_quantum(6))
            fee = (gross * CEFI_FEE_RATE).quantize(_quantum(6))
            self._release(order)
            self.ledger.credit(uid, asset.symbol, None, -base)
            self.ledger.credit(uid, cash, None, gross - fee)
        order.executed_qty, order.executed_vwap, order.fee = base, price, fee
        if order.type == "market":
            order.price = price

    def _fill_defi(self, order: Order, now: float) -> None:
        uid, asset, quote, chain = order.uid, order.asset, order.quote, order.chain
        details = order.quote_details or {}
        fee = Decimal(str(details.get("fee", "0")))
        hold = order.hold
        self._release(order)
        if hold is not None:
            self.ledger.credit(uid, hold.symbol, hold.chain, -hold.amount)
        spent = hold.amount if hold else _ZERO
        if chain == "hypercore-perp":
            base = order.expected_out  # position size; positions themselves are not modelled
            price = order.price or self.market.mid(asset.symbol, now)
        elif order.side == "buy":
            base = order.expected_out
            self.ledger.credit(uid, asset.symbol, chain, base)
            price = order.price or _ratio(spent - fee, base)
        else:
            base = order.qty
            self.ledger.credit(uid, quote.symbol, chain, order.expected_out)
            price = order.price or _ratio(order.expected_out + fee, base)
        order.executed_qty, order.executed_vwap, order.fee = base, price, fee
        if not order.tx_hash:
            order.tx_hash = tx_hash(chain, self.ids)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator / denominator).quantize(_CENT) if denominator else _ZERO


def _created(order: Order) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": order.order_id,
        "status": order.status,
        "payloads": [p.to_json() for p in order.payloads],
    }
    if order.quote_details is not None:
        body["quote"] = order.quote_details
    return body
