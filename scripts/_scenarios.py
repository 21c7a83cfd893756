"""The recorded sessions: one scenario per cassette, run by the recorder and by the replay test.

Each scenario drives the public facade through a `ScenarioContext` and returns an
`Outcome`: the requests it made (method, path, query, status) and the typed results it
saw. Recording stores the outcome in the cassette's metadata; replay runs the same code
against the cassette and must produce the same outcome. Assertions inside a scenario hold
in both modes.

Scenarios that need the server to misbehave (`needs_faults`) ask the context to inject a
fault. Against the sandbox that installs a sandbox fault rule; in replay the cassette
already holds the faulty answer, so it does nothing; against UAT such scenarios are not
recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import httpx

from truemarkets_gateway import (
    BadRequestError,
    Gateway,
    InsufficientBalanceError,
    NotFoundError,
    OrderStatus,
    PayloadSigner,
    RateLimitError,
    ServiceUnavailableError,
    TransferStatus,
    ValidationError,
)
from truemarkets_gateway.models import Asset

__all__ = [
    "SCENARIOS",
    "Outcome",
    "Scenario",
    "ScenarioContext",
    "by_name",
]

# Public, made-up destination addresses (never a key).
SOLANA_DESTINATION = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"
BITCOIN_DESTINATION = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
SOL_MINT = "So11111111111111111111111111111111111111112"
MISSING_ORDER_ID = "00000000-0000-4000-8000-0000000000f4"
ORG_ID = "00000000-0000-4000-8000-0000000000c0"  # the recorded organisation (not a secret)


class ScenarioContext(Protocol):
    """What a scenario may ask of whoever runs it (recorder or replay test)."""

    @property
    def mode(self) -> str:
        """Either "sandbox" or "uat" (recording), or "replay"."""

    def gateway(self, **options: Any) -> Gateway:
        """A `Gateway` for the target; `options` go to its constructor."""

    def inject(
        self, method: str, path: str, status: int, *, times: int = 1, retry_after: int = 1
    ) -> None:
        """Make the next `times` matching requests fail with `status` (sandbox only)."""

    def after_response(
        self, gw: Gateway, method: str, path: str, action: Callable[[], None]
    ) -> None:
        """Run `action` once, after the first response to a matching request (sandbox only)."""

    def make_payloads_stale(self) -> None:
        """Move the server clock past the payload lifetime (sandbox only)."""

    def organisation(self, **options: Any) -> Gateway:
        """A `Gateway` with an organisation key of `ORG_ID` (sandbox only)."""


@dataclass
class Outcome:
    """What a scenario observed, in a form that compares equal across record and replay."""

    requests: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    def note(self, label: str, *values: object) -> None:
        self.facts.append(" ".join([label, *(_show(v) for v in values)]))

    def trace(self, gw: Gateway) -> Gateway:
        """Record every request `gw` sends (auth included) as `METHOD path?query -> status`."""

        def hook(response: httpx.Response) -> None:
            url = response.request.url
            target = url.path + (f"?{url.query.decode()}" if url.query else "")
            self.requests.append(f"{response.request.method} {target} -> {response.status_code}")

        gw.http_client.event_hooks["response"].append(hook)
        return gw

    def as_json(self) -> dict[str, list[str]]:
        return {"requests": list(self.requests), "facts": list(self.facts)}


def _show(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if value is None:
        return "None"
    return str(value)


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    run: Callable[[ScenarioContext, Outcome], None]
    needs_faults: bool = False
    sandbox: dict[str, Any] = field(default_factory=dict)  # SandboxConfig overrides
    organisation: bool = False  # the sandbox also gets an organisation key (ORG_ID)


def _new(ctx: ScenarioContext, out: Outcome, **options: Any) -> Gateway:
    return out.trace(ctx.gateway(**options))


def _asset(assets: Iterable[Asset], symbol: str, chain: str | None) -> Asset:
    for asset in assets:
        chain_name = None if asset.chain is None else str(asset.chain)
        if asset.symbol == symbol and chain_name == chain:
            return asset
    raise AssertionError(f"no {symbol} asset on {chain or 'cefi'} in the catalog")


class _FakeClock:
    """A wall clock the scenario moves forward, for token expiry without waiting."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


# --- auth ---------------------------------------------------------------------------------------


def auth_mint(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        balances = gw.get_balances()
        assert len(balances) > 0
        out.note("balances symbols", ",".join(balances.symbols))
        gw.get_balances()  # the token is reused: no second mint
    assert sum("/api-key/token" in r for r in out.requests) == 1


def auth_refresh(ctx: ScenarioContext, out: Outcome) -> None:
    clock = _FakeClock()
    with _new(ctx, out, clock=clock) as gw:
        tokens = getattr(gw, "_tokens", None)
        if tokens is not None and getattr(tokens, "_clock", clock) is not clock:
            # Until Gateway(clock=...) reaches its TokenManager, hand the clock over here.
            tokens._clock = clock
        gw.get_balances()
        clock.now += 3600 - 30  # 30 s of token life left: inside the refresh margin
        gw.get_balances()
    assert [r for r in out.requests if "/v1/auth/" in r] == [
        "POST /v1/auth/api-key/token -> 200",
        "POST /v1/auth/token/refresh -> 200",
    ]


def auth_401_refresh_replay(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        gw.get_balances()
        ctx.inject("GET", "/balances", 401)
        balances = gw.get_balances()  # 401, refresh once, replay once
        out.note("balances after replay", len(balances))
    assert out.requests[-3:] == [
        "GET /v1/gateway/balances -> 401",
        "POST /v1/auth/token/refresh -> 200",
        "GET /v1/gateway/balances -> 200",
    ]


# --- quotes and orders ----------------------------------------------------------------------------


def quote_buy_sell(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        buy = gw.quote(base_asset="BTC", quote_asset="USD", qty="100", qty_unit="quote", side="buy")
        sell = gw.quote(
            base_asset="BTC", quote_asset="USD", qty="0.001", qty_unit="base", side="sell"
        )
    for quote in (buy, sell):
        assert isinstance(quote.qty, Decimal) and quote.qty > 0
        assert isinstance(quote.price, Decimal) and quote.price > 0
    out.note("buy 100 USD of BTC ->", buy.qty, "BTC at", buy.price)
    out.note("sell 0.001 BTC ->", sell.qty, "USD at", sell.price)
    assert not any("/v1/auth/" in r for r in out.requests), "quotes are public"


def cefi_market_sell(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        placed = gw.place_order(
            side="sell", type="market", base_asset="BTC", quote_asset="USD",
            qty="0.001", qty_unit="base",
        )  # fmt: skip
    assert not placed.executed, "a CeFi sell needs no signature"
    assert placed.status == OrderStatus.COMPLETE
    assert placed.order is not None and placed.order.executed_qty == Decimal("0.001")
    out.note("market sell", placed.status, "filled", placed.order.executed_qty)
    out.note("vwap", placed.order.executed_vwap, "fee", placed.order.fee)


def cefi_limit_lifecycle(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        placed = gw.place_order(
            side="buy", type="limit", base_asset="BTC", quote_asset="USD",
            qty="0.002", qty_unit="base", price="30000",
        )  # fmt: skip
        assert placed.status == OrderStatus.ACTIVE, placed.status
        out.note("limit buy rests", placed.status, "at", placed.order and placed.order.price)
        gw.modify_order(placed.order_id, price="31000")
        modified = gw.wait_for_order(placed.order_id)
        out.note("after modify", modified.status)
        cancelled = gw.cancel_order(placed.order_id, wait=True)
    assert cancelled.accepted and not cancelled.signed
    assert cancelled.status == OrderStatus.CANCELED
    out.note("cancel", cancelled.status, "leaves", cancelled.order and cancelled.order.leaves_qty)


def defi_market_buy(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        placed = gw.place_order(
            side="buy", type="market", base_asset=SOL_MINT, chain="solana",
            qty="25", qty_unit="quote",
        )  # fmt: skip
    assert placed.executed and not placed.recreated
    assert placed.status == OrderStatus.COMPLETE
    assert placed.order is not None and placed.order.tx_hash
    assert any(r.startswith("POST /v1/gateway/orders/") and "/execute" in r for r in out.requests)
    out.note("defi buy", placed.status, "payloads", len(placed.created.payloads))
    out.note("filled", placed.order.executed_qty, "fee", placed.order.fee)


def defi_insufficient_balance(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        try:
            gw.place_order(
                side="buy", type="market", base_asset=SOL_MINT, chain="solana",
                qty="50000000", qty_unit="quote",
            )  # fmt: skip
        except InsufficientBalanceError as exc:
            issues = list(exc.quote.issues) if exc.quote is not None else []
            out.note("refused", type(exc).__name__, "issues", issues)
        else:
            raise AssertionError("an unfundable DeFi order must raise InsufficientBalanceError")
    assert not any("/execute" in r for r in out.requests), "nothing is signed or executed"


def defi_quote_stale_recreate(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        ctx.after_response(gw, "POST", "/v1/gateway/orders", ctx.make_payloads_stale)
        placed = gw.place_order(
            side="buy", type="market", base_asset=SOL_MINT, chain="solana",
            qty="10", qty_unit="quote",
        )  # fmt: skip
    assert placed.recreated and len(placed.replaced_order_ids) == 1
    assert placed.status == OrderStatus.COMPLETE
    executes = [r for r in out.requests if "/execute" in r]
    assert len(executes) == 2 and executes[0].endswith("-> 422"), executes
    out.note("re-created once", placed.status, "executes", [e.rsplit(" ", 1)[-1] for e in executes])


def list_orders_pages(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        created = [
            gw.create_order(
                side="sell", type="market", base_asset="BTC", quote_asset="USD",
                qty="0.0001", qty_unit="base",
            ).order_id
            for _ in range(5)
        ]  # fmt: skip
        pager = gw.list_orders(limit=2)
        seen = [order.order_id for order in pager]
    assert set(created) <= set(seen)
    pages = [r for r in out.requests if r.startswith("GET /v1/gateway/orders?")]
    assert len(pages) == 3, pages
    out.note("orders listed", len(seen), "pages", len(pages))


def assets_and_balances(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        every = list(gw.list_assets())
        defi = list(gw.list_assets(venue="defi"))
        balances = gw.get_balances()
    assert defi and all(str(a.venue) == "defi" for a in defi)
    btc = _asset(every, "BTC", None)
    assert "bitcoin" in btc.network_names
    out.note("assets", len(every), "defi", len(defi))
    for summary in balances:
        assert isinstance(summary.available, Decimal)
        out.note("balance", summary.symbol, summary.total, "buckets", len(summary.buckets))


def defi_transfer(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        usdc = _asset(gw.list_assets(venue="defi"), "USDC", "solana")
        result = gw.transfer(asset_id=usdc.id, qty="5", to=SOLANA_DESTINATION)
    assert result.signed
    assert result.status == TransferStatus.COMPLETED
    out.note("defi transfer", result.status, "sent", result.transfer.sent)


def cefi_transfer_network(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        btc = _asset(gw.list_assets(venue="cefi"), "BTC", None)
        result = gw.transfer(
            asset_id=btc.id, qty="0.001", to=BITCOIN_DESTINATION, network="bitcoin"
        )
    assert not result.signed, "CeFi withdrawals need no signature"
    assert result.status == TransferStatus.COMPLETED
    assert result.transfer.network == "bitcoin"
    out.note("cefi transfer", result.status, "fee", result.transfer.fee)


# --- organisation mode ------------------------------------------------------------------------


def _signer(seed: int) -> PayloadSigner:
    """A fixed signer key per customer, so a replay sends the recorded public key."""
    from cryptography.hazmat.primitives.asymmetric import ec

    return PayloadSigner(ec.derive_private_key(seed, ec.SECP256R1()))


def org_create_user(ctx: ScenarioContext, out: Outcome) -> None:
    with out.trace(ctx.organisation()) as org:
        user = org.create_user("cust_1", signer=_signer(1), organization_id=ORG_ID)
        again = org.create_user("cust_1", signer=_signer(1), organization_id=ORG_ID)
    assert again.user_id == user.user_id
    statuses = [r.rsplit(" ", 1)[-1] for r in out.requests if r.startswith("POST /v1/account")]
    assert statuses == ["503", "201", "200"], statuses  # provisioning, created, existing
    out.note("user", user.external_ref_id, "wallets", *(w.chain_family for w in user.wallets))


def org_customers_isolated(ctx: ScenarioContext, out: Outcome) -> None:
    with out.trace(ctx.organisation()) as org:
        views = []
        for n in (1, 2):
            user = org.create_user(f"cust_{n}", signer=_signer(n), organization_id=ORG_ID)
            views.append(org.for_user(user.user_id, signer=_signer(n)))
        ana, ben = views
        usdc = _asset(ana.list_assets(venue="defi"), "USDC", "solana")
        placed = ana.place_order(
            side="buy", type="market", base_asset=SOL_MINT, chain="solana",
            qty="20", qty_unit="quote",
        )  # fmt: skip
        sent = ana.transfer(asset_id=usdc.id, qty="1", to=SOLANA_DESTINATION)
        assert [o.order_id for o in ana.list_orders()] == [placed.order_id]
        assert list(ben.list_orders()) == [] and list(ben.list_transfers()) == []
        try:
            ben.get_order(placed.order_id)
        except NotFoundError:
            out.note("ben cannot see ana's order")
        ctx.inject("GET", "/v1/gateway/portfolio", 503, times=3)
        try:
            ana.get_portfolio()
        except ServiceUnavailableError:
            out.note("portfolio 503: balances", ana.get_balances()["SOL"].total)
        entries = list(ana.list_transactions())
    out.note("ana", placed.status, sent.status, "feed", *(f"{t.type}:{t.status}" for t in entries))
    assert entries[0].explorer_url and entries[-1].order is not None


# --- errors ---------------------------------------------------------------------------------


def error_400(ctx: ScenarioContext, out: Outcome) -> None:
    transfer = {"qty": "0.001", "to": BITCOIN_DESTINATION, "network": "dogecoin"}
    with _new(ctx, out) as gw:
        btc = _asset(gw.list_assets(venue="cefi"), "BTC", None)
        try:  # a gateway that has seen the catalog refuses before sending
            gw.create_transfer(asset_id=btc.id, **transfer)
        except ValidationError as exc:
            out.note("refused locally", type(exc).__name__, exc.field)
        else:
            raise AssertionError("a listed asset's networks are checked before sending")
    with _new(ctx, out) as fresh:  # one that has not: the server answers 400
        try:
            fresh.create_transfer(asset_id=btc.id, **transfer)
        except BadRequestError as exc:
            assert exc.status_code == 400
            out.note("400", type(exc).__name__, exc.reason, [v.field for v in exc.field_violations])
        else:
            raise AssertionError("an unknown network must be refused")


def error_404(ctx: ScenarioContext, out: Outcome) -> None:
    with _new(ctx, out) as gw:
        try:
            gw.get_order(MISSING_ORDER_ID)
        except NotFoundError as exc:
            out.note("404", type(exc).__name__, exc.reason)
        else:
            raise AssertionError("an unknown order must be 404")


def error_429(ctx: ScenarioContext, out: Outcome) -> None:
    quote = {"base_asset": "BTC", "quote_asset": "USD", "qty": "50", "qty_unit": "quote"}
    with _new(ctx, out, max_retries=2) as gw:
        ctx.inject("POST", "/quotes", 429, times=1)
        recovered = gw.quote(side="buy", **quote)  # retried after Retry-After
        out.note("retried after 429", recovered.price is not None)
        ctx.inject("POST", "/quotes", 429, times=1, retry_after=7)
        try:
            gw.quote(side="buy", max_retries=0, **quote)
        except RateLimitError as exc:
            out.note("429", type(exc).__name__, "retry_after", exc.retry_after)
        else:
            raise AssertionError("a 429 with retries off must raise RateLimitError")


def error_503(ctx: ScenarioContext, out: Outcome) -> None:
    quote = {"base_asset": "BTC", "quote_asset": "USD", "qty": "50", "qty_unit": "quote"}
    with _new(ctx, out, max_retries=2) as gw:
        ctx.inject("POST", "/quotes", 503, times=1)
        gw.quote(side="buy", **quote)
        ctx.inject("POST", "/quotes", 503, times=3)
        try:
            gw.quote(side="buy", **quote)
        except ServiceUnavailableError as exc:
            out.note("503 after retries", type(exc).__name__, exc.status_code)
        else:
            raise AssertionError("three 503s must exhaust two retries")
    statuses = [r.rsplit(" ", 1)[-1] for r in out.requests]
    assert statuses == ["503", "200", "503", "503", "503"], statuses


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("auth_mint", "first authenticated call mints; the token is reused", auth_mint),
    Scenario("auth_refresh", "a token near expiry is refreshed ahead of time", auth_refresh),
    Scenario(
        "auth_401_refresh_replay",
        "a 401 refreshes the token once and replays the request once",
        auth_401_refresh_replay,
        needs_faults=True,
    ),
    Scenario(
        "quote_buy_sell", "public CeFi quotes, buy by quote qty and sell by base", quote_buy_sell
    ),
    Scenario("cefi_market_sell", "CeFi market sell, submitted and filled", cefi_market_sell),
    Scenario(
        "cefi_limit_lifecycle",
        "CeFi limit buy rests active, is modified, then cancelled",
        cefi_limit_lifecycle,
    ),
    Scenario("defi_market_buy", "DeFi market buy signed, executed, complete", defi_market_buy),
    Scenario(
        "defi_insufficient_balance",
        "unfundable DeFi order: no order, nothing signed",
        defi_insufficient_balance,
    ),
    Scenario(
        "defi_quote_stale_recreate",
        "execute answers quote_stale; one fresh order is created and executed",
        defi_quote_stale_recreate,
        needs_faults=True,
    ),
    Scenario(
        "list_orders_pages", "five orders listed two per page: three pages", list_orders_pages
    ),
    Scenario("assets_and_balances", "asset catalog (all, DeFi) and balances", assets_and_balances),
    Scenario("defi_transfer", "DeFi transfer signed, executed, completed", defi_transfer),
    Scenario("cefi_transfer_network", "CeFi withdrawal on a named network", cefi_transfer_network),
    Scenario(
        "org_create_user",
        "an organisation creates a user (503 while provisioning, retried), then again",
        org_create_user,
        sandbox={"provision_delay": 1.0},
        organisation=True,
    ),
    Scenario(
        "org_customers_isolated",
        "two customers: one buys and transfers, the other sees none of it; portfolio 503",
        org_customers_isolated,
        needs_faults=True,
        organisation=True,
    ),
    Scenario("error_400", "unknown withdrawal network: BadRequestError", error_400),
    Scenario("error_404", "unknown order: NotFoundError", error_404),
    Scenario(
        "error_429",
        "429 retried after Retry-After; then RateLimitError",
        error_429,
        needs_faults=True,
    ),
    Scenario(
        "error_503",
        "503 retried; three in a row: ServiceUnavailableError",
        error_503,
        needs_faults=True,
    ),
)


def by_name(name: str) -> Scenario:
    for scenario in SCENARIOS:
        if scenario.name == name:
            return scenario
    raise KeyError(name)
