"""Organisation commands: users create, portfolio, transactions. Act for a user with the
global `--on-behalf-of USER` (or TM_ON_BEHALF_OF) and `--signer-key FILE`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import RenderableType
from rich.text import Text

from ...errors import ServiceUnavailableError
from .._runtime import AllPages, Limit, command, more_note, page_size, take
from .._shared import TmgwGroup
from ..context import load_signer
from ..output import _table, _text, balances_table, details

__all__ = ["portfolio", "register", "transactions", "users_create"]

users_app = typer.Typer(
    cls=TmgwGroup, no_args_is_help=True, help="Users of your organisation (organisation key)."
)


@users_app.command("create")
def users_create(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="Your id for the customer.")],
    signer_key: Annotated[
        str,
        typer.Option(
            "--signer-key",
            metavar="FILE",
            help="The user's P-256 signer key (PEM, JWK or hex); keep it: it alone can stamp "
            "for this user.",
        ),
    ],
) -> None:
    """Create the user for customer REF (or show it: safe to repeat)."""
    with command(ctx) as state:
        user = state.gateway().create_user(ref, signer=load_signer(signer_key))
        rows: list[tuple[str, object]] = [
            ("user_id", user.user_id),
            ("external_ref_id", user.external_ref_id),
            ("created_at", user.created_at),
        ]
        rows += [(f"wallet ({w.chain_family})", w.address) for w in user.wallets]
        state.output.emit(user, details("User", rows))


def portfolio(ctx: typer.Context) -> None:
    """Holdings valued in USD; balances alone while pricing is unavailable."""
    with command(ctx) as state:
        gateway = state.gateway()
        try:
            result = gateway.get_portfolio()
        except ServiceUnavailableError:
            state.output.note("portfolio pricing is unavailable (503): showing balances")
            balances = gateway.get_balances()
            state.output.emit({"balances": list(balances.summaries)}, balances_table(balances))
            return
        summary = details(
            "Portfolio (USD)",
            [(k, getattr(result, k)) for k in ("total_usd", "cash_usd", "change_24h_usd")],
        )
        table = _table("asset", "chain", "total", "price", "value")
        for row in result.balances:
            b = row.balance
            table.add_row(
                b.symbol, _text(b.chain or "exchange"), *map(_text, (b.total, row.price, row.value))
            )
        state.output.emit(result, summary, table)


def transactions(
    ctx: typer.Context,
    limit: Limit = 50,
    all_pages: AllPages = False,
) -> None:
    """The activity feed: orders, transfers and ramps, newest first."""
    with command(ctx) as state:
        pager = state.gateway().list_transactions(limit=page_size(limit, all_pages))
        items, more = take(pager, limit, all_pages)
        table = _table("id", "created_at", "type", "flow", "status", "qty", "asset", "explorer")
        for t in items:
            table.add_row(
                t.id,
                *map(_text, (t.created_at, t.type, t.asset_flow, t.status, t.qty)),
                *map(_text, (t.asset_symbol, t.explorer_url)),
            )
        shown: list[RenderableType] = [table] if items else [Text("No transactions.")]
        if more:
            shown.append(more_note(limit))
        state.output.emit({"transactions": items, "count": len(items), "has_more": more}, *shown)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.command("portfolio")(portfolio)
    app.command("transactions")(transactions)
