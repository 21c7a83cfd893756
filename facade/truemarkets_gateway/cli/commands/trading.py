"""Trading commands: quote, buy, sell, orders, order, cancel, modify."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.text import Text

from ...errors import TrueMarketsError
from ...models import Asset, Order, OrderSide, OrderStatus, QtyUnit, Venue
from .._runtime import (
    VENUES,
    AllPages,
    Limit,
    OrderId,
    VenueOption,
    amount,
    choice,
    command,
    more_note,
    page_size,
    take,
    wait_order_with_spinner,
    with_spinner,
)
from ..context import CliContext
from ..errors import CliError
from ..output import details, fmt_decimal, order_details, orders_table

__all__ = ["buy", "cancel", "modify", "order", "orders", "quote", "register", "sell"]

_PERP_CHAIN = "hypercore-perp"
_UNITS = ("base", "quote")
_SIDES = ("buy", "sell")

Timeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        min=0,
        help="Seconds to wait for the order to settle (exit 3 after).",
    ),
]


def _default_unit(side: str, order_type: str) -> str:
    """Market buys count quote units (spend $X); limits and sells count base units."""
    return "quote" if side == "buy" and order_type == "market" else "base"


def _statuses(value: str | None) -> list[str] | None:
    """`--status a,b`: each one a known order status (checked here, not by the server)."""
    if value is None:
        return None
    allowed = tuple(s.value for s in OrderStatus)
    wanted = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in allowed]
    if unknown or not wanted:
        raise CliError(
            f"--status must be one or more of {', '.join(allowed)} (comma-separated); got {value!r}"
        )
    return list(dict.fromkeys(wanted))


# --- quote ---------------------------------------------------------------------------------


def quote(
    ctx: typer.Context,
    base_asset: Annotated[
        str, typer.Argument(metavar="ASSET", help="Base asset symbol, e.g. BTC.")
    ],
    qty: Annotated[
        str, typer.Argument(metavar="QTY", help="Quantity (a decimal), in --unit units.")
    ],
    side: Annotated[str, typer.Option("--side", metavar="SIDE", help="buy or sell.")] = "buy",
    quote_asset: Annotated[
        str, typer.Option("--quote-asset", metavar="SYMBOL", help="Quote asset.")
    ] = "USD",
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            metavar="UNIT",
            help="base or quote (default: quote for buys, base for sells).",
        ),
    ] = None,
) -> None:
    """Price a CeFi market order without placing it (no API key needed)."""
    with command(ctx) as state:
        side_v = choice(side, _SIDES, "--side") or "buy"
        unit_v = choice(unit, _UNITS, "--unit") or _default_unit(side_v, "market")
        qty_v = amount(qty, "qty")
        result = state.gateway(auth=False).quote(
            base_asset=base_asset,
            quote_asset=quote_asset,
            qty=qty_v,
            qty_unit=QtyUnit(unit_v),
            side=OrderSide(side_v),
        )
        request = {
            "base_asset": base_asset,
            "quote_asset": quote_asset,
            "qty": qty_v,
            "qty_unit": unit_v,
            "side": side_v,
        }
        state.output.emit(
            {"request": request, "quote": result},
            _quote_table(base_asset, quote_asset, side_v, qty_v, unit_v, result.qty, result.price),
        )


def _quote_table(
    base: str,
    quote_asset: str,
    side: str,
    qty: Decimal,
    unit: str,
    out_qty: Decimal | None,
    price: Decimal | None,
) -> RenderableType:
    spend = base if unit == "base" else quote_asset
    if side == "buy":
        receive = base if unit == "quote" else quote_asset
    else:
        receive = quote_asset if unit == "base" else base
    return details(
        f"Quote: {side} {fmt_decimal(qty)} {spend} of {base}/{quote_asset}",
        [
            ("side", side),
            ("qty", f"{fmt_decimal(qty)} {spend} ({unit} units)"),
            ("price", f"{fmt_decimal(price)} {quote_asset} per {base}"),
            ("you get (est.)", f"{fmt_decimal(out_qty)} {receive}"),
        ],
    )


# --- buy / sell ------------------------------------------------------------------------------


def _looks_like_address(text: str) -> bool:
    return text.startswith("0x") or len(text) >= 32


def _resolve_defi_asset(state: CliContext, symbol: str, chain: str) -> Asset | None:
    """The DeFi token row for `symbol` on `chain` (the vendor CLI matches both)."""
    wanted_symbol = symbol.strip().upper()
    wanted_chain = chain.strip().lower()
    seen_chains: set[str] = set()
    for asset in state.gateway().list_assets(venue="defi"):
        if (asset.symbol or "").upper() != wanted_symbol:
            continue
        asset_chain = str(asset.chain.value) if asset.chain is not None else ""
        if asset_chain.lower() == wanted_chain:
            return asset
        seen_chains.add(asset_chain or "?")
    if _looks_like_address(symbol):
        return None
    hint = (
        f"{symbol} exists on: {', '.join(sorted(seen_chains))}"
        if seen_chains
        else "see `tmgw assets --venue defi` for the tokens and chains, or pass --address"
    )
    raise CliError(f"no DeFi asset {symbol!r} on chain {chain!r}", hint=hint)


def _trade(
    ctx: typer.Context,
    side: str,
    base_asset: str,
    qty: str,
    *,
    price: str | None,
    order_type: str | None,
    unit: str | None,
    quote_asset: str | None,
    chain: str | None,
    address: str | None,
    leverage: int | None,
    reduce_only: bool,
    accept_issues: bool,
    wait: bool,
    wait_for_fill: bool,
    timeout: float,
) -> None:
    with command(ctx) as state:
        type_v = choice(order_type, ("market", "limit"), "--type") or (
            "limit" if price is not None else "market"
        )
        unit_v = choice(unit, _UNITS, "--unit") or _default_unit(side, type_v)
        qty_v = amount(qty, "qty")
        price_v = amount(price, "price") if price is not None else None
        if address is not None and chain is None:
            raise CliError("--address needs --chain (it names a token on that chain)")
        symbol = base_asset
        quote_v = None if chain is not None else (quote_asset or "USD")
        if unit_v == "base":
            action = f"{side} {fmt_decimal(qty_v)} {symbol}"
        else:
            action = f"{side} {fmt_decimal(qty_v)} {quote_v or 'quote units'} worth of {symbol}"
        state.refuse_early(action)  # before the asset lookup, the quote or a token
        gateway = state.gateway()

        target = base_asset
        if chain is not None:
            if address is not None:
                target = address
            else:
                asset = _resolve_defi_asset(state, base_asset, chain)
                if asset is not None and asset.address:
                    target = asset.address
        if chain is not None and quote_asset is not None:
            state.output.note("note: --quote-asset is ignored for DeFi orders (chosen per chain)")

        request: dict[str, Any] = {
            "side": side,
            "type": type_v,
            "qty": qty_v,
            "qty_unit": unit_v,
            "base_asset": target,
            "quote_asset": quote_v,
            "price": price_v,
            "chain": chain,
            "leverage": leverage,
            "reduce_only": True if reduce_only else None,
        }
        if state.needs_confirmation:
            state.confirm(action, _trade_preview(state, request, symbol))
        created: list[str] = []
        order: Order | None = None
        try:
            placed = gateway.place_order(
                **{k: v for k, v in request.items() if v is not None},
                accept_issues=accept_issues,
                wait=False,
                on_created=created.append,
            )
            if wait:
                order = wait_order_with_spinner(
                    state,
                    placed.order_id,
                    timeout=timeout,
                    known_status=placed.status,
                    wait_for_fill=wait_for_fill,
                )
        except KeyboardInterrupt as exc:
            if created:  # Ctrl-C: say which order exists, whatever the SDK was doing
                exc.add_note(
                    f"order {created[-1]} exists: check it with `tmgw order {created[-1]}`"
                )
            raise
        status = order.status if order is not None else placed.status
        document = {
            "order_id": placed.order_id,
            "status": status,
            "executed": placed.executed,
            "replaced_order_ids": placed.replaced_order_ids,
            "issues": placed.issues,
            "quote": placed.created.quote,
            "order": order,
        }
        renderables: list[RenderableType] = []
        if placed.issues:
            renderables.append(Text("Quote issues: " + "; ".join(placed.issues), style="yellow"))
        if order is not None:
            renderables.append(
                order_details(order, title=f"Order {placed.order_id}", requested_chain=chain)
            )
        else:
            renderables.append(
                Text(f"Order {placed.order_id} submitted (status: {status or 'unknown'}).")
            )
            renderables.append(Text(f"Follow it with: tmgw order {placed.order_id}", style="dim"))
        state.output.emit(document, *renderables)


def _trade_preview(state: CliContext, request: dict[str, Any], symbol: str) -> RenderableType:
    """What will happen; for a CeFi market order, with a live quote."""
    rows: list[tuple[str, object]] = [
        ("side", request["side"]),
        ("type", request["type"]),
        (
            "asset",
            symbol if request["base_asset"] == symbol else f"{symbol} ({request['base_asset']})",
        ),
        ("qty", f"{fmt_decimal(request['qty'])} ({request['qty_unit']} units)"),
    ]
    if request["chain"]:
        rows.append(("venue", f"DeFi on {request['chain']} (signed with your key)"))
    else:
        rows.append(("venue", f"CeFi, quoted in {request['quote_asset']}"))
    if request["price"] is not None:
        rows.append(("limit price", fmt_decimal(request["price"])))
        if request["qty_unit"] == "base":
            rows.append(("notional", fmt_decimal(request["qty"] * request["price"])))
    if request["leverage"] is not None:
        rows.append(("leverage", request["leverage"]))
    parts: list[RenderableType] = [details("Order", rows)]
    if request["type"] == "market" and not request["chain"]:
        result = state.gateway().quote(
            base_asset=request["base_asset"],
            quote_asset=request["quote_asset"],
            qty=request["qty"],
            qty_unit=request["qty_unit"],
            side=request["side"],
        )
        parts.append(
            _quote_table(
                request["base_asset"],
                request["quote_asset"],
                request["side"],
                request["qty"],
                request["qty_unit"],
                result.qty,
                result.price,
            )
        )
    elif request["chain"]:
        parts.append(
            Text("The DeFi quote comes with the order; any issues it reports stop the signing.")
        )
    return Group(*parts)


def _trade_command(side: str) -> Any:
    def trade(
        ctx: typer.Context,
        base_asset: Annotated[
            str,
            typer.Argument(
                metavar="ASSET", help="Asset symbol (BTC; a token symbol with --chain)."
            ),
        ],
        qty: Annotated[
            str,
            typer.Argument(
                metavar="QTY",
                help="Quantity as a decimal; in quote units for market buys (spend), "
                "else base units (see --unit).",
            ),
        ],
        price: Annotated[
            str | None,
            typer.Option("--price", metavar="PRICE", help="Limit price: makes a limit order."),
        ] = None,
        order_type: Annotated[
            str | None,
            typer.Option("--type", metavar="TYPE", help="market or limit (default from --price)."),
        ] = None,
        unit: Annotated[
            str | None, typer.Option("--unit", metavar="UNIT", help="base or quote.")
        ] = None,
        quote_asset: Annotated[
            str | None,
            typer.Option("--quote-asset", metavar="SYMBOL", help="CeFi quote asset (default USD)."),
        ] = None,
        chain: Annotated[
            str | None,
            typer.Option(
                "--chain", metavar="CHAIN", help="DeFi chain (solana, base, hypercore-spot, ...)."
            ),
        ] = None,
        address: Annotated[
            str | None,
            typer.Option(
                "--address", metavar="ADDRESS", help="DeFi token address (skips the lookup)."
            ),
        ] = None,
        leverage: Annotated[
            int | None,
            typer.Option("--leverage", metavar="N", help=f"Leverage 1-50 ({_PERP_CHAIN} only)."),
        ] = None,
        reduce_only: Annotated[
            bool, typer.Option("--reduce-only", help=f"Only reduce a position ({_PERP_CHAIN}).")
        ] = False,
        accept_issues: Annotated[
            bool,
            typer.Option("--accept-issues", help="Sign a DeFi order even if its quote has issues."),
        ] = False,
        wait: Annotated[
            bool, typer.Option("--wait/--no-wait", help="Wait until the order settles.")
        ] = True,
        wait_for_fill: Annotated[
            bool,
            typer.Option("--wait-for-fill", help="For limit orders: wait past 'active' to a fill."),
        ] = False,
        timeout: Timeout = 60.0,
    ) -> None:
        _trade(
            ctx,
            side,
            base_asset,
            qty,
            price=price,
            order_type=order_type,
            unit=unit,
            quote_asset=quote_asset,
            chain=chain,
            address=address,
            leverage=leverage,
            reduce_only=reduce_only,
            accept_issues=accept_issues,
            wait=wait,
            wait_for_fill=wait_for_fill,
            timeout=timeout,
        )

    trade.__doc__ = (
        f"{side.capitalize()} an asset: market (default) or limit (--price); CeFi, or DeFi "
        "with --chain. Production asks for confirmation after a preview."
    )
    trade.__name__ = side
    return trade


buy = _trade_command("buy")
sell = _trade_command("sell")


# --- reading orders --------------------------------------------------------------------------


def orders(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Comma-separated: initialized, pending, active, cancel_pending, complete, "
            "canceled, failed.",
        ),
    ] = None,
    venue: VenueOption = None,
    limit: Limit = 50,
    all_pages: AllPages = False,
) -> None:
    """List orders, newest first, following the pages as needed."""
    with command(ctx) as state:
        venue_v = choice(venue, VENUES, "--venue")
        status_v = _statuses(status)
        pager = state.gateway().list_orders(
            status=None if status_v is None else [OrderStatus(s) for s in status_v],
            venue=None if venue_v is None else Venue(venue_v),
            limit=page_size(limit, all_pages),
        )
        items, more = take(pager, limit, all_pages)
        renderables: list[RenderableType] = [orders_table(items, _token_symbols(state, items))]
        if more:
            renderables.append(more_note(limit))
        elif not items:
            renderables = [Text("No orders.")]
        state.output.emit({"orders": items, "count": len(items), "has_more": more}, *renderables)


def _token_symbols(state: CliContext, items: list[Order]) -> dict[str, str]:
    """Symbols for the token addresses a table would show (DeFi quote assets carry none);
    read from the public asset list only when needed, and only for people (not --json)."""
    if state.output.json_mode or not any(
        _looks_like_address(o.quote_asset or "")
        or (o.asset_symbol is None and _looks_like_address(o.base_asset or ""))
        for o in items
    ):
        return {}
    try:
        assets = list(state.gateway(auth=False).list_assets(venue="defi"))
    except TrueMarketsError:
        return {}  # addresses it is
    return {a.address: a.symbol for a in assets if a.address and a.symbol}


def order(
    ctx: typer.Context,
    order_id: OrderId,
) -> None:
    """Show one order with its fills, fee and transaction."""
    with command(ctx) as state:
        result = state.gateway().get_order(order_id)
        state.output.emit(result, order_details(result))


def cancel(
    ctx: typer.Context,
    order_id: OrderId,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until the order is canceled.")
    ] = False,
    timeout: Timeout = 60.0,
) -> None:
    """Cancel a resting limit order (CeFi, or a signed DeFi cancel)."""
    with command(ctx) as state:
        action = f"cancel order {order_id}"
        state.refuse_early(action)
        gateway = state.gateway()
        if state.needs_confirmation:
            current = gateway.get_order(order_id)
            state.confirm(action, order_details(current, title="Order to cancel"))
        if wait:
            result = with_spinner(
                state,
                f"order {order_id}",
                "cancel sent",
                f"tmgw order {order_id}",
                lambda on_status: gateway.cancel_order(
                    order_id, wait=True, timeout=timeout, on_status=on_status
                ),
            )
        else:
            result = gateway.cancel_order(order_id, wait=False)
        final = result.order
        status = final.status if final is not None else result.status
        if status is None:
            # A CeFi cancel answers 202 without a status: read the one it now has.
            status = gateway.get_order_status(order_id)
        document = {
            "order_id": order_id,
            "status": status,
            "accepted": result.accepted,
            "signed": result.signed,
            "order": final,
        }
        renderables: list[RenderableType] = [
            Text(f"Cancel of order {order_id} sent; its status is now {status.value}.")
        ]
        if final is not None:
            renderables = [order_details(final)]
        state.output.emit(document, *renderables)


def modify(
    ctx: typer.Context,
    order_id: Annotated[
        str, typer.Argument(metavar="ORDER_ID", help="The order id (an active CeFi limit order).")
    ],
    price: Annotated[
        str | None, typer.Option("--price", metavar="PRICE", help="New limit price.")
    ] = None,
    qty: Annotated[
        str | None, typer.Option("--qty", metavar="QTY", help="New quantity (base units).")
    ] = None,
) -> None:
    """Change the price and/or quantity of an active limit order."""
    with command(ctx) as state:
        if price is None and qty is None:
            raise CliError("nothing to change", hint="pass --price and/or --qty")
        price_v = amount(price, "price") if price is not None else None
        qty_v = amount(qty, "qty") if qty is not None else None
        action = f"modify order {order_id}"
        state.refuse_early(action)
        gateway = state.gateway()
        if state.needs_confirmation:
            current = gateway.get_order(order_id)
            rows: list[tuple[str, object]] = [("order_id", order_id)]
            if price_v is not None:
                rows.append(("price", f"{fmt_decimal(current.price)} -> {fmt_decimal(price_v)}"))
            if qty_v is not None:
                rows.append(("qty", f"{fmt_decimal(current.qty)} -> {fmt_decimal(qty_v)}"))
            state.confirm(action, details("Change", rows))
        gateway.modify_order(order_id, price=price_v, qty=qty_v)
        document = {"order_id": order_id, "price": price_v, "qty": qty_v, "accepted": True}
        state.output.emit(
            document,
            Text(
                f"Modification of order {order_id} accepted; it applies when the exchange confirms."
            ),
        )


def register(app: typer.Typer) -> None:
    app.command("quote")(quote)
    app.command("buy")(buy)
    app.command("sell")(sell)
    app.command("orders")(orders)
    app.command("order")(order)
    app.command("cancel")(cancel)
    app.command("modify")(modify)
