"""The narrated demo (`make demo`, `tmgw demo`): one end-to-end session with the SDK.

It starts the local sandbox in this process on a loopback port, creates a throwaway API
key, and walks through what a user of the SDK does: the asset catalog, balances, a quote,
a CeFi market order, a DeFi order that is signed and executed, a limit order that is
cancelled, a transfer, and (on its own sandbox) a neobank acting for two customers with an
organisation key. No network beyond 127.0.0.1; nothing real is traded.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from .client import Gateway
from .errors import ValidationError
from .models import Asset, Balances, Order
from .signing import PayloadSigner

__all__ = ["run"]

_SOL_MINT = "So11111111111111111111111111111111111111112"
_SOLANA_DESTINATION = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def _rich(markup: str) -> Text:
    # Styled text that renders the same whatever the console's `markup` setting (the CLI
    # turns markup off so that data with brackets prints as is).
    return Text.from_markup(markup)


def _dec(value: Decimal | None) -> str:
    return "—" if value is None else format(value, "f")


class _Narrator:
    """Prints the story: numbered steps, the code each step runs, and result tables."""

    def __init__(self, console: Console, first_step: int = 1) -> None:
        self.console = console
        self.step = first_step - 1
        self.requests = 0

    def count(self, response: httpx.Response) -> None:
        del response
        self.requests += 1

    def chapter(self, title: str, story: str, code: str) -> None:
        self.step += 1
        self.console.print()
        self.console.rule(_rich(f"[bold cyan]{self.step}. {title}"), align="left")
        self.console.print(story)
        self.console.print(Syntax(code, "python", theme="ansi_dark", background_color="default"))

    def say(self, text: str) -> None:
        self.console.print(_rich(f"  [green]→[/green] {text}"))


def _assets_table(assets: Iterable[Asset]) -> Table:
    table = Table(box=box.SIMPLE_HEAVY, title="Asset catalog", title_justify="left")
    for column in ("symbol", "venue", "chain", "name", "withdrawal networks"):
        table.add_column(column)
    for asset in assets:
        networks = ", ".join(n.network for n in asset.networks) or "—"
        table.add_row(
            asset.symbol or "—",
            str(asset.venue or "—"),
            str(asset.chain or "exchange"),
            asset.name or "—",
            networks,
        )
    return table


def _balances_table(balances: Balances, title: str) -> Table:
    table = Table(box=box.SIMPLE_HEAVY, title=title, title_justify="left")
    table.add_column("symbol")
    for column in ("total", "available", "held"):
        table.add_column(column, justify="right")
    table.add_column("custody")
    for summary in balances:
        custody = ", ".join(str(b.chain or "exchange") for b in summary.buckets)
        table.add_row(
            summary.symbol,
            _dec(summary.total),
            _dec(summary.available),
            _dec(summary.held),
            custody,
        )
    return table


def _order_table(order: Order, title: str) -> Table:
    table = Table(box=box.SIMPLE, title=title, title_justify="left", show_header=False)
    table.add_column("field", style="dim")
    table.add_column("value")
    rows: list[tuple[str, str | Text]] = [
        ("order id", order.order_id),
        ("venue", str(order.venue or "—")),
        ("side / type", f"{order.side} {order.type}"),
        ("status", _rich(f"[bold]{order.status}[/bold]")),
        ("price", _dec(order.price)),
        ("qty", _dec(order.qty)),
        ("executed qty", _dec(order.executed_qty)),
        ("avg price (vwap)", _dec(order.executed_vwap)),
        ("fee", _dec(order.fee)),
    ]
    if order.tx_hash:
        rows.append(("tx hash", order.tx_hash))
    for field, value in rows:
        table.add_row(field, value)
    return table


def _check_loopback(base_url: str) -> None:
    host = (urlsplit(base_url).hostname or "").lower()
    if host not in _LOOPBACK:
        raise ValidationError(
            "base_url", "the demo places orders, so it only runs against a loopback sandbox"
        )


def run(console: Console | None = None, base_url: str | None = None) -> None:
    """Run the narrated session.

    With no `base_url` a sandbox is started in this process (and stopped at the end) and a
    throwaway API key is registered with it. With `base_url` (a sandbox you started with
    `tmgw sandbox`, on loopback only) the key comes from `TM_KEY_FILE`.
    """
    out = console if console is not None else Console()
    started = time.monotonic()
    out.print(
        Panel.fit(
            _rich(
                "[bold]True Markets Gateway SDK[/bold] — a narrated session\n"
                "Against a local sandbox on 127.0.0.1: same API, nothing real is traded."
            ),
            border_style="cyan",
        )
    )
    with tempfile.TemporaryDirectory(prefix="tm-demo-") as workdir:
        if base_url is not None:
            _check_loopback(base_url)
            _tour(out, base_url, None)
        else:
            from .sandbox import Sandbox, SandboxConfig

            with Sandbox(SandboxConfig(settle_delay=0.3)) as sandbox:
                _, key_file = sandbox.create_api_key(Path(workdir) / "demo-key.json", label="demo")
                assert isinstance(key_file, Path)
                out.print(
                    _rich(
                        f"\nStarted the sandbox at [bold]{escape(sandbox.base_url)}[/bold] and "
                        "registered a throwaway P-256 API key in a 0600 key file (the same JSON "
                        "format as the API Keys page downloads)."
                    )
                )
                usdc_id = _tour(out, sandbox.base_url, key_file)
                _, _, org_key = sandbox.create_org_key(Path(workdir) / "org-key.json")
                assert isinstance(org_key, Path)
                _neobank(_Narrator(out, first_step=9), sandbox.base_url, org_key, usdc_id)
    out.print()
    out.rule(_rich("[bold green]Done"), align="left")
    out.print(
        _rich(
            f"Finished in {time.monotonic() - started:.1f} s. Next: [bold]make test[/bold] runs "
            "the suite; [bold]tmgw --help[/bold] shows the same operations on the command line."
        )
    )


def _tour(out: Console, base_url: str, key_file: Path | None) -> str:
    """The story of one account; returns the Solana USDC asset id."""
    story = _Narrator(out)
    gw = Gateway(base_url=base_url, key_file=key_file) if key_file else Gateway(base_url=base_url)
    gw.http_client.event_hooks["response"].append(story.count)
    with gw:
        story.chapter(
            "Connect",
            "One client for every operation. Tokens are minted from the key on first use and "
            "refreshed before they expire; nothing secret is ever printed or logged.",
            'gw = Gateway(base_url="http://127.0.0.1:…", key_file="demo-key.json")',
        )
        story.say(escape(repr(gw)))

        story.chapter(
            "The asset catalog",
            "Public: no token needed. CeFi assets list the networks they withdraw to; DeFi "
            "tokens have one row per chain, with the token address used to trade them.",
            "assets = list(gw.list_assets())   # pages are fetched as you iterate",
        )
        assets = list(gw.list_assets())
        out.print(_assets_table(assets))

        story.chapter(
            "Balances",
            "One row per symbol, summed over custody buckets (exchange-held and each chain). "
            "Money is always Decimal, never float.",
            'balances = gw.get_balances()\nbalances["USDC"].available',
        )
        balances = gw.get_balances()
        out.print(_balances_table(balances, "Balances before"))
        story.say(f"minted an access token on first use ({story.requests} requests so far)")

        story.chapter(
            "A quote",
            "A non-binding CeFi market quote: what 100 USD buys now.",
            'q = gw.quote(base_asset="BTC", quote_asset="USD", qty="100",\n'
            '             qty_unit="quote", side="buy")',
        )
        quote = gw.quote(
            base_asset="BTC", quote_asset="USD", qty="100", qty_unit="quote", side="buy"
        )
        story.say(f"100 USD buys [bold]{_dec(quote.qty)} BTC[/bold] at {_dec(quote.price)} USD/BTC")

        story.chapter(
            "A CeFi market order",
            "place_order creates the order and waits for its outcome. A CeFi sell needs no "
            "signature: the exchange holds the funds.",
            'placed = gw.place_order(side="sell", type="market", base_asset="BTC",\n'
            '                        quote_asset="USD", qty="0.001", qty_unit="base")',
        )
        sold = gw.place_order(
            side="sell", type="market", base_asset="BTC", quote_asset="USD",
            qty="0.001", qty_unit="base",
        )  # fmt: skip
        if sold.order is not None:
            out.print(_order_table(sold.order, "CeFi market sell"))

        story.chapter(
            "A DeFi order, signed and executed",
            "DeFi orders come back with payloads: transactions for your custodied wallet. The "
            "SDK checks the quote for issues, stamps each payload with your key (Turnkey API "
            "key stamps), executes, and waits until the swap confirms.",
            f'placed = gw.place_order(side="buy", type="market", chain="solana",\n'
            f'                        base_asset="{_SOL_MINT[:10]}…",  # SOL\n'
            '                        qty="25", qty_unit="quote")   # 25 USDC',
        )
        bought = gw.place_order(
            side="buy", type="market", base_asset=_SOL_MINT, chain="solana",
            qty="25", qty_unit="quote",
        )  # fmt: skip
        story.say(
            f"{len(bought.created.payloads)} payload(s) stamped and executed "
            f"(executed={bought.executed}); quote issues: {list(bought.issues) or 'none'}"
        )
        if bought.order is not None:
            out.print(_order_table(bought.order, "DeFi market buy on Solana"))

        story.chapter(
            "A limit order, then cancelled",
            "A limit buy far below the market rests as `active`. cancel_order works on both "
            "venues: a CeFi cancel is accepted as is, a DeFi one is signed like an order.",
            'rest = gw.place_order(side="buy", type="limit", base_asset="BTC",\n'
            '                      quote_asset="USD", qty="0.002", qty_unit="base",\n'
            '                      price="30000")\n'
            "gw.cancel_order(rest.order_id, wait=True)",
        )
        resting = gw.place_order(
            side="buy", type="limit", base_asset="BTC", quote_asset="USD",
            qty="0.002", qty_unit="base", price="30000",
        )  # fmt: skip
        story.say(f"order {resting.order_id[:8]}… is [bold]{resting.status}[/bold] at 30000 USD")
        cancelled = gw.cancel_order(resting.order_id, wait=True)
        story.say(
            f"cancel accepted={cancelled.accepted}; "
            f"the order is now [bold]{cancelled.status}[/bold]"
        )

        story.chapter(
            "A transfer",
            "Send 5 USDC from the Solana wallet. Like a DeFi order it awaits a signature; the "
            "SDK stamps, executes and waits for `completed`. (CeFi withdrawals name a network "
            "instead and need no signature.)",
            'usdc = next(a for a in gw.list_assets(venue="defi")\n'
            '            if a.symbol == "USDC" and a.chain == "solana")\n'
            'sent = gw.transfer(asset_id=usdc.id, qty="5", to="9xQe…VFin")',
        )
        usdc = next(a for a in assets if a.symbol == "USDC" and str(a.chain) == "solana")
        sent = gw.transfer(asset_id=usdc.id, qty="5", to=_SOLANA_DESTINATION)
        story.say(
            f"transfer {sent.id[:8]}… signed={sent.signed} status=[bold]{sent.status}[/bold] "
            f"sent={_dec(sent.transfer.sent)} fee={_dec(sent.transfer.fee)}"
        )

        story.chapter(
            "Where the money went",
            "Balances again: BTC sold, SOL bought on chain, USDC spent and sent.",
            "gw.get_balances()",
        )
        out.print(_balances_table(gw.get_balances(), "Balances after"))
        story.say(f"{story.requests} HTTP requests in all, every one typed and checked")
    return usdc.id


def _neobank(story: _Narrator, base_url: str, org_key: Path, usdc_id: str) -> None:
    story.chapter(
        "A neobank: acting for your customers",
        "An organisation key only mints tokens. Each customer becomes a user whose wallets "
        "answer to a signer key you keep; a for_user view names the user (TM-On-Behalf-Of) "
        "and stamps with their key. Views share one connection pool and one token.",
        'user = org.create_user("cust_ana", signer=ana_key)   # idempotent on the ref\n'
        "ana = org.for_user(user.user_id, signer=ana_key)\n"
        'ana.place_order(side="buy", type="market", chain="solana", ...)\n'
        'ana.transfer(asset_id=usdc_id, qty="1", to="9xQe…VFin")',
    )
    with Gateway(base_url=base_url, key_file=org_key) as org:
        story.say(f"organisation {str(org.organization_id())[:8]}…")
        customers = []
        for ref, spend in (("cust_ana", "20"), ("cust_ben", "40")):
            key = PayloadSigner.from_key(ec.generate_private_key(ec.SECP256R1()))
            user = org.create_user(ref, signer=key)
            view = org.for_user(user.user_id, signer=key)
            placed = view.place_order(
                side="buy", type="market", base_asset=_SOL_MINT, chain="solana",
                qty=spend, qty_unit="quote",
            )  # fmt: skip
            sent = view.transfer(asset_id=usdc_id, qty="1", to=_SOLANA_DESTINATION)
            story.say(
                f"{ref} is user {user.user_id[:8]}…: bought SOL for {spend} USDC "
                f"([bold]{placed.status}[/bold]), sent 1 USDC ([bold]{sent.status}[/bold])"
            )
            customers.append((ref, view, placed.order_id))
        for ref, view, order_id in customers:
            orders = [o.order_id for o in view.list_orders()]
            sol = view.get_balances()["SOL"].buckets
            on_chain = next((b.total for b in sol if str(b.chain) == "solana"), Decimal(0))
            story.say(
                f"{ref} sees only their own: {len(orders)} order (theirs: {orders == [order_id]}), "
                f"{len(list(view.list_transfers()))} transfer, {_dec(on_chain)} SOL on Solana, "
                f"portfolio {_dec(view.get_portfolio().total_usd)} USD"
            )
