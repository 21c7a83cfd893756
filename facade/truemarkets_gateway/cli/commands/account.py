"""Account commands: balances, assets, transfer, transfers."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.console import RenderableType
from rich.text import Text

from ...models import Asset, Balances, TransferStatus, Venue
from .._runtime import (
    VENUES,
    AllPages,
    Limit,
    VenueOption,
    amount,
    choice,
    command,
    more_note,
    page_size,
    take,
    wait_transfer_with_spinner,
)
from ..context import CliContext
from ..errors import CliError
from ..output import (
    assets_table,
    balances_table,
    details,
    fmt_decimal,
    transfer_details,
    transfers_table,
)

__all__ = ["assets", "balances", "register", "transfer", "transfers"]


def balances(
    ctx: typer.Context,
    symbol: Annotated[
        str | None, typer.Option("--symbol", metavar="SYMBOL", help="Only this asset (e.g. USDC).")
    ] = None,
) -> None:
    """Balances grouped by symbol, with each custody bucket (exchange, chain) below."""
    with command(ctx) as state:
        result = state.gateway().get_balances()
        summaries = [
            s for s in result if symbol is None or s.symbol.upper() == symbol.strip().upper()
        ]
        if symbol is not None and not summaries:
            raise CliError(f"no balance in {symbol!r}", hint=f"held: {', '.join(result.symbols)}")
        if symbol is not None:
            result = Balances(
                summaries=tuple(summaries),
                rows=tuple(b for s in summaries for b in s.buckets),
            )
        document = {"balances": list(result.summaries)}
        renderable: RenderableType = balances_table(result) if len(result) else Text("No balances.")
        state.output.emit(document, renderable)


def _matches(asset: Asset, *, chain: str | None, symbol: str | None) -> bool:
    if symbol is not None and (asset.symbol or "").upper() != symbol.strip().upper():
        return False
    if chain is not None:
        asset_chain = str(asset.chain.value) if asset.chain is not None else ""
        if asset_chain.lower() != chain.strip().lower():
            return False
    return True


def assets(
    ctx: typer.Context,
    venue: VenueOption = None,
    chain: Annotated[
        str | None, typer.Option("--chain", metavar="CHAIN", help="Only tokens on this chain.")
    ] = None,
    symbol: Annotated[
        str | None, typer.Option("--symbol", metavar="SYMBOL", help="Only this symbol.")
    ] = None,
) -> None:
    """The tradeable assets (public: no API key needed)."""
    with command(ctx) as state:
        venue_v = choice(venue, VENUES, "--venue")
        rows = [
            a
            for a in state.gateway(auth=False).list_assets(
                venue=None if venue_v is None else Venue(venue_v)
            )
            if _matches(a, chain=chain, symbol=symbol)
        ]
        renderable: RenderableType = assets_table(rows) if rows else Text("No matching assets.")
        state.output.emit({"assets": rows, "count": len(rows)}, renderable)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _resolve_transfer_asset(
    state: CliContext, asset: str, *, chain: str | None, network: str | None
) -> Asset | None:
    """The asset row a transfer names by symbol: DeFi with --chain, CeFi with --network."""
    rows = list(state.gateway().list_assets(venue="defi" if chain else "cefi" if network else None))
    if _is_uuid(asset):
        return next((a for a in rows if a.id == asset), None)
    matches = [a for a in rows if _matches(a, chain=chain, symbol=asset)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CliError(
            f"no asset {asset!r}" + (f" on chain {chain!r}" if chain else ""),
            hint="see `tmgw assets` for symbols, chains and ids",
        )
    places = ", ".join(
        f"{a.venue.value if a.venue else '?'}:{a.chain.value if a.chain else 'exchange'}"
        for a in matches
    )
    raise CliError(
        f"{asset!r} is ambiguous ({places})",
        hint="add --chain CHAIN for an on-chain token, or --network NETWORK for the exchange",
    )


def transfer(
    ctx: typer.Context,
    asset: Annotated[
        str,
        typer.Argument(
            metavar="ASSET", help="Asset id, or a symbol (with --chain for DeFi tokens)."
        ),
    ],
    qty: Annotated[
        str, typer.Argument(metavar="QTY", help="Quantity to send (base units, a decimal).")
    ],
    to: Annotated[str, typer.Argument(metavar="TO", help="Destination address.")],
    network: Annotated[
        str | None,
        typer.Option(
            "--network", metavar="NETWORK", help="CeFi withdrawal network (e.g. bitcoin)."
        ),
    ] = None,
    chain: Annotated[
        str | None,
        typer.Option("--chain", metavar="CHAIN", help="For a symbol: the chain of the DeFi token."),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until it completes or fails.")
    ] = True,
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="SECONDS", min=0, help="Seconds to wait (exit 3 after)."),
    ] = 120.0,
) -> None:
    """Send an asset on chain (a withdrawal). Production asks for confirmation."""
    with command(ctx) as state:
        qty_v = amount(qty, "qty")
        state.refuse_early(f"send {fmt_decimal(qty_v)} {asset} to {to}")
        resolved = _resolve_transfer_asset(state, asset, chain=chain, network=network)
        asset_id = resolved.id if resolved is not None else asset
        if state.needs_confirmation:
            label = resolved.symbol if resolved is not None and resolved.symbol else asset_id
            where: str
            if network:
                where = f"network {network}"
            elif resolved is not None and resolved.chain is not None:
                where = f"chain {resolved.chain.value}"
            else:
                where = "—"
            state.confirm(
                f"send {fmt_decimal(qty_v)} {label} to {to}",
                details(
                    "Transfer",
                    [
                        ("asset", label),
                        ("asset_id", asset_id),
                        ("qty", qty_v),
                        ("to", to),
                        ("via", where),
                        ("note", "on-chain transfers cannot be undone; fees apply"),
                    ],
                ),
            )
        result = state.gateway().transfer(
            asset_id=asset_id, qty=qty_v, to=to, network=network, wait=False
        )
        final = result.transfer
        if wait and not final.is_terminal:
            final = wait_transfer_with_spinner(state, final, timeout=timeout)
        state.output.emit(
            {"transfer": final, "signed": result.signed},
            transfer_details(final),
        )


def transfers(
    ctx: typer.Context,
    transfer_id: Annotated[
        str | None,
        typer.Argument(metavar="TRANSFER_ID", help="Show this transfer only.", show_default=False),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", metavar="STATUS", help="awaiting_signature, pending, completed, failed."
        ),
    ] = None,
    limit: Limit = 50,
    all_pages: AllPages = False,
) -> None:
    """List transfers, or show one by id."""
    with command(ctx) as state:
        status = choice(status, tuple(s.value for s in TransferStatus), "--status")
        gateway = state.gateway()
        if transfer_id is not None:
            one = gateway.get_transfer(transfer_id)
            state.output.emit(one, transfer_details(one))
            return
        pager = gateway.list_transfers(
            status=None if status is None else TransferStatus(status),
            limit=page_size(limit, all_pages),
        )
        items, more = take(pager, limit, all_pages)
        renderables: list[RenderableType] = (
            [transfers_table(items)] if items else [Text("No transfers.")]
        )
        if more:
            renderables.append(more_note(limit))
        state.output.emit({"transfers": items, "count": len(items), "has_more": more}, *renderables)


def register(app: typer.Typer) -> None:
    app.command("balances")(balances)
    app.command("assets")(assets)
    app.command("transfer")(transfer)
    app.command("transfers")(transfers)
