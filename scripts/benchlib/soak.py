"""The fault-injection soak: mixed operations through the facade against the sandbox.

`run_soak(operations, seed)` drives one `Gateway` through quotes, CeFi and DeFi orders,
cancels, modifies, transfers and lists while the sandbox injects about 10 % faults (500,
503, 429 with Retry-After, dropped connections, latency, and "after processing" failures of
order and transfer creates, 401s and garbled bodies after a create was applied), Ctrl-C
strikes during waits, and access tokens expire every `token_lifetime` seconds (and, for a
stretch in the middle of the run, are rejected early, so both the proactive refresh and the
401 refresh-and-replay paths run).

Every order or transfer intent carries a unique quantity (its marker) and is sent once, as
a user would: the SDK itself reconciles ambiguous creates. The client learns ids only from
the SDK (results, `on_created`, errors). At the end the sandbox's records are compared:

- duplicates: sandbox records beyond one per intent (orders the SDK abandoned unexecuted,
  which it reports in `replaced_order_ids`, are not duplicates);
- lost: ids the client was given that the sandbox does not hold;
- unaccounted: sandbox records the SDK never named to the client;
- unhandled: exceptions that are not a `TrueMarketsError`, or an interrupt whose note does
  not name its order or transfer.

`blind_resend=True` is the negative control: no reconciling, one resend after a failure.
"""

from __future__ import annotations

import random
import re
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from truemarkets_gateway.errors import (
    TrueMarketsError,
    ValidationError,
)
from truemarkets_gateway.sandbox import Fault, Sandbox, SandboxConfig

try:
    from truemarkets_gateway import Gateway
except ImportError:  # the package root may not re-export it yet
    from truemarkets_gateway.client import Gateway

SOL_MINT = "So11111111111111111111111111111111111111112"
BTC_CEFI = "b2538174-aae3-4b55-b79f-ac177c99f816"
USDC_SOLANA = "c0a80101-0000-4000-8000-000000000002"
BTC_ADDRESS = "bc1qsoak0000000000000000000000000000000000"
SOLANA_ADDRESS = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"

# Operation mix (weights).
MIX: dict[str, int] = {
    "quote": 14,
    "cefi_market": 13,
    "cefi_limit": 14,
    "defi_order": 13,
    "cancel": 8,
    "modify": 8,
    "cefi_transfer": 6,
    "defi_transfer": 6,
    "read": 8,
    "list": 10,
}
# Faults: (method, path glob, fault, probability per matching request). About 10 % overall.
FAULTS: tuple[tuple[str, str, Fault, float], ...] = (
    ("POST", "/orders", Fault.error(500, after_processing=True), 0.03),
    ("POST", "/orders", Fault.drop(after_processing=True), 0.03),
    ("POST", "/transfers", Fault.error(500, after_processing=True), 0.03),
    ("POST", "/transfers", Fault.drop(after_processing=True), 0.03),
    ("POST", "/orders", Fault.error(401, after_processing=True), 0.02),
    ("POST", "/transfers", Fault.error(401, after_processing=True), 0.02),
    ("POST", "/orders", Fault.garbled(), 0.02),
    ("POST", "/transfers", Fault.garbled(), 0.02),
    ("POST", "/orders/*/execute", Fault.garbled(), 0.01),
    ("*", "*", Fault.error(500), 0.025),
    ("*", "*", Fault.unavailable(), 0.02),
    ("*", "*", Fault.rate_limited(retry_after=1), 0.02),
    ("*", "*", Fault.drop(), 0.015),
    ("*", "*", Fault.latency(0.03), 0.015),
)
INTERRUPT = 0.08  # chance that Ctrl-C strikes once an order or transfer exists


@attrs.define
class Intent:
    """One thing the client meant to do once."""

    n: int
    kind: str  # "order" or "transfer"
    marker: Decimal
    known_ids: set[str] = attrs.Factory(set)  # ids the SDK returned
    replaced_ids: set[str] = attrs.Factory(set)  # stale orders the SDK abandoned (reported)
    attempts: int = 0
    outcome: str = "ok"  # how the last attempt ended, for the duplicate report


@attrs.define
class SoakReport:
    operations: int
    seed: int
    seconds: float = 0.0
    requests: int = 0
    faults_injected: int = 0
    ops: Counter[str] = attrs.Factory(Counter)
    errors: Counter[str] = attrs.Factory(Counter)  # typed failures, by class
    unhandled: list[str] = attrs.Factory(list)
    duplicated: list[str] = attrs.Factory(list)  # one line per intent with extra records
    validation_errors: int = 0  # the soak's own inputs refused: a bug in the soak or SDK
    sandbox_orders: int = 0
    sandbox_transfers: int = 0
    duplicates: int = 0
    lost: int = 0
    unaccounted: int = 0
    interrupted: int = 0
    resent: int = 0
    replaced: int = 0
    mints: int = 0
    refreshes: int = 0

    @property
    def ok(self) -> bool:
        return (
            not self.duplicates
            and not self.lost
            and not self.unaccounted
            and not self.unhandled
            and not self.validation_errors
        )

    def render(self) -> str:
        lines = [
            f"soak: {self.operations} operations, seed {self.seed}, {self.seconds:.1f} s, "
            f"{self.requests} requests seen by the sandbox, {self.faults_injected} faults "
            f"injected ({self.faults_injected / max(self.requests, 1):.1%})",
            "operations: " + ", ".join(f"{k} {v}" for k, v in sorted(self.ops.items())),
            "typed failures: "
            + (", ".join(f"{k} {v}" for k, v in self.errors.most_common()) or "none"),
            f"tokens: {self.mints} mints, {self.refreshes} refreshes",
            f"sandbox holds {self.sandbox_orders} orders, {self.sandbox_transfers} transfers; "
            f"{self.interrupted} interrupts, {self.resent} blind resends, "
            f"{self.replaced} orders abandoned unexecuted and replaced by the SDK",
            "",
            f"duplicates:  {self.duplicates}",
            f"lost:        {self.lost}",
            f"unaccounted: {self.unaccounted}",
            f"unhandled:   {len(self.unhandled)}",
            f"refused own input (ValidationError): {self.validation_errors}",
        ]
        lines.extend(f"--- duplicated --- {text}" for text in self.duplicated[:5])
        for text in self.unhandled[:5]:
            lines.append("--- unhandled ---\n" + text)
        return "\n".join(lines)


class Soak:
    def __init__(
        self,
        sandbox: Sandbox,
        gateway: Any,
        rng: random.Random,
        report: SoakReport,
        blind_resend: bool = False,
    ):
        self.sb = sandbox
        self.gw = gateway
        self.rng = rng
        self.report = report
        self.blind = blind_resend
        self.armed = False  # the next sleep raises KeyboardInterrupt
        self.counter = 0
        self.intents: list[Intent] = []
        self.resting: list[str] = []  # CeFi limit orders believed to rest

    # --- running one operation ------------------------------------------------------------

    def guarded(self, what: str, action: Callable[[], Any]) -> tuple[bool, BaseException | None]:
        """Run one SDK call; classify its failure. Returns (succeeded, error)."""
        try:
            action()
        except ValidationError as exc:
            self.report.validation_errors += 1
            self.report.errors[f"ValidationError({exc.field})"] += 1
            return False, exc
        except TrueMarketsError as exc:
            self.report.errors[type(exc).__name__] += 1
            return False, exc
        except KeyboardInterrupt as exc:
            self.report.interrupted += 1
            return False, exc
        except Exception as exc:
            self.report.unhandled.append(f"{what}: {traceback.format_exc(limit=8)}")
            return False, exc
        return True, None

    def next_n(self) -> int:
        self.counter += 1
        return self.counter

    def step(self) -> None:
        kind = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind in ("cancel", "modify") and not self.resting:
            kind = "cefi_limit"
        self.report.ops[kind] += 1
        getattr(self, f"op_{kind}")()

    # --- reads ------------------------------------------------------------------------------

    def op_quote(self) -> None:
        qty = Decimal(self.rng.randint(10, 500))
        self.guarded(
            "quote",
            lambda: self.gw.quote(
                base_asset="BTC", quote_asset="USD", qty=qty, qty_unit="quote", side="buy"
            ),
        )

    def op_read(self) -> None:
        known = [i for intent in self.intents if intent.kind == "order" for i in intent.known_ids]
        if not known:
            self.op_list()
            return
        order_id = self.rng.choice(known)
        if self.rng.random() < 0.5:
            self.guarded("get_order", lambda: self.gw.get_order(order_id))
        else:
            self.guarded("get_order_status", lambda: self.gw.get_order_status(order_id))

    def op_list(self) -> None:
        choice = self.rng.randrange(4)
        if choice == 0:
            self.guarded("list_orders", lambda: self.gw.list_orders(limit=20).first_page())
        elif choice == 1:
            self.guarded("list_transfers", lambda: self.gw.list_transfers(limit=20).first_page())
        elif choice == 2:
            self.guarded("list_assets", lambda: self.gw.list_assets().first_page())
        else:
            self.guarded("get_balances", lambda: self.gw.get_balances())

    # --- orders -------------------------------------------------------------------------------

    def op_cefi_market(self) -> None:
        n = self.next_n()
        qty = Decimal(5) + Decimal(n) * Decimal("0.000001")  # USD, 6 places: the marker
        self.order_intent(
            n,
            qty,
            lambda **hooks: self.gw.place_order(
                **hooks,
                side="buy",
                type="market",
                qty=qty,
                qty_unit="quote",
                base_asset="BTC",
                quote_asset="USD",
                wait=self.rng.random() < 0.5,
                timeout=20,
            ),
        )

    def op_cefi_limit(self) -> None:
        n = self.next_n()
        qty = Decimal("0.001") + Decimal(n) * Decimal("0.00000001")
        intent = self.order_intent(
            n,
            qty,
            lambda **hooks: self.gw.create_order(
                **hooks,
                side="buy",
                type="limit",
                qty=qty,
                qty_unit="base",
                base_asset="BTC",
                quote_asset="USD",
                price="1000",  # far below the mid: it rests
            ),
        )
        self.resting.extend(intent.known_ids)

    def op_defi_order(self) -> None:
        n = self.next_n()
        qty = Decimal(1) + Decimal(n) * Decimal("0.000001")  # USDC on Solana
        self.order_intent(
            n,
            qty,
            lambda **hooks: self.gw.place_order(
                **hooks,
                side="buy",
                type="market",
                qty=qty,
                qty_unit="quote",
                base_asset=SOL_MINT,
                chain="solana",
                wait=self.rng.random() < 0.5,
                timeout=20,
            ),
        )

    def hooks(self, intent: Intent) -> dict[str, Any]:
        """What a user passes to learn each id the moment it exists."""

        def created(record_id: str) -> None:
            intent.known_ids.add(record_id)
            chance = self.rng.random()
            if chance < INTERRUPT / 2:  # between the create and what follows
                raise KeyboardInterrupt
            self.armed = chance < INTERRUPT  # at the next back-off or poll

        return {"reconcile": not self.blind, "on_created": created}

    def sleep(self, seconds: float) -> None:
        """The client's sleep: Ctrl-C may strike here once an order or transfer exists."""
        if self.armed:
            self.armed = False
            raise KeyboardInterrupt
        time.sleep(min(seconds, 0.01))  # honour every back-off, without spending the run

    def order_intent(self, n: int, marker: Decimal, create: Callable[..., Any]) -> Intent:
        intent = Intent(n, "order", marker)
        self.intents.append(intent)

        def attempt() -> None:
            result = create(**self.hooks(intent))
            intent.known_ids.add(result.order_id)
            intent.replaced_ids.update(getattr(result, "replaced_order_ids", ()))

        self.run_intent(intent, attempt)
        return intent

    def op_cancel(self) -> None:
        order_id = self.resting.pop(self.rng.randrange(len(self.resting)))
        self.guarded("cancel_order", lambda: self.gw.cancel_order(order_id))

    def op_modify(self) -> None:
        order_id = self.rng.choice(self.resting)
        price = Decimal(900 + self.rng.randint(0, 99))
        self.guarded("modify_order", lambda: self.gw.modify_order(order_id, price=price))

    # --- transfers ------------------------------------------------------------------------------

    def op_cefi_transfer(self) -> None:
        n = self.next_n()
        qty = Decimal("0.0001") + Decimal(n) * Decimal("0.00000001")
        self.transfer_intent(
            n,
            qty,
            lambda **hooks: self.gw.transfer(
                **hooks, asset_id=BTC_CEFI, qty=qty, to=BTC_ADDRESS, network="bitcoin", wait=False
            ),
        )

    def op_defi_transfer(self) -> None:
        n = self.next_n()
        qty = Decimal("0.5") + Decimal(n) * Decimal("0.000001")
        self.transfer_intent(
            n,
            qty,
            lambda **hooks: self.gw.transfer(
                **hooks,
                asset_id=USDC_SOLANA,
                qty=qty,
                to=SOLANA_ADDRESS,
                wait=self.rng.random() < 0.5,
                timeout=20,
            ),
        )

    def transfer_intent(self, n: int, marker: Decimal, create: Callable[..., Any]) -> None:
        intent = Intent(n, "transfer", marker)
        self.intents.append(intent)

        def attempt() -> None:
            result = create(**self.hooks(intent))
            intent.known_ids.add(result.transfer.id)

        self.run_intent(intent, attempt)

    # --- one intent, sent as a user would ---------------------------------------------------

    def run_intent(self, intent: Intent, attempt: Callable[[], None]) -> None:
        """Send once. Every id the SDK names (on_created, errors, notes) is the client's.
        The negative control sends once more after a failure, without looking."""
        for _ in range(2 if self.blind else 1):
            intent.attempts += 1
            ok, error = self.guarded(f"{intent.kind} #{intent.n}", attempt)
            self.armed = False
            if error is not None:
                notes = " | ".join(getattr(error, "__notes__", ()))
                intent.outcome = f"{type(error).__name__}: {error} {notes}".strip()
            if ok or isinstance(error, ValidationError):
                return
            if isinstance(error, TrueMarketsError):
                named = {error.order_id, error.transfer_id, *error.replaced_order_ids}
                named |= set(getattr(error, "candidates", ()))  # an unsettled create's ids
                intent.known_ids |= named - {None, ""}  # type: ignore[operator]
                intent.replaced_ids |= set(error.replaced_order_ids)
            if isinstance(error, KeyboardInterrupt):
                notes = " ".join(getattr(error, "__notes__", ()))
                if stale := re.search(r"stale order\(s\) (.+?) were abandoned", notes):
                    intent.replaced_ids |= set(stale[1].split(", "))
                if not any(i in notes for i in intent.known_ids):
                    text = f"{intent.kind} #{intent.n}: interrupt without a note naming it"
                    self.report.unhandled.append(f"{text}: {notes!r}")
                return
            if self.blind:
                self.report.resent += 1

    # --- the final comparison --------------------------------------------------------------

    def finish(self) -> None:
        self.report.faults_injected = sum(rule.fired for rule in self.sb.faults.rules)
        self.sb.faults.clear()
        report = self.report
        orders = {oid: o.qty for oid, o in self.sb.state.orders.items()}
        transfers = {tid: t.qty for tid, t in self.sb.state.transfers.items()}
        report.sandbox_orders = len(orders)
        report.sandbox_transfers = len(transfers)
        accounted: set[str] = set()
        for intent in self.intents:
            records = orders if intent.kind == "order" else transfers
            mine = {rid for rid, qty in records.items() if qty == intent.marker}
            report.lost += len(intent.known_ids - set(records))
            extra = max(0, len(mine - intent.replaced_ids) - 1)
            if extra:
                report.duplicates += extra
                report.duplicated.append(
                    f"{intent.kind} #{intent.n} ({intent.attempts} attempt(s)): sandbox holds "
                    f"{sorted(mine)}, the SDK named {sorted(intent.known_ids)}, "
                    f"replaced {sorted(intent.replaced_ids)}; ended {intent.outcome}"
                )
            report.replaced += len(intent.replaced_ids)
            accounted |= intent.known_ids | intent.replaced_ids
        report.unaccounted = len((set(orders) | set(transfers)) - accounted)


def run_soak(
    operations: int = 1000,
    seed: int = 8,
    *,
    token_lifetime: float = 30.0,
    refresh_margin: float = 5.0,
    faults: bool = True,
    progress: Callable[[int], None] | None = None,
    blind_resend: bool = False,
) -> SoakReport:
    """Run the soak against a fresh sandbox; return the counts."""
    report = SoakReport(operations=operations, seed=seed)
    rng = random.Random(seed)
    config = SandboxConfig(seed=seed, token_lifetime=token_lifetime, settle_delay=0.05)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, Sandbox(config) as sb:
        _key_id, key_file = sb.create_api_key(Path(tmp) / "soak-key.json")
        for symbol, amount, chain in (
            ("PYUSD", "100000000", None),
            ("USDC", "100000000", None),
            ("BTC", "100000", None),
            ("USDC", "100000000", "solana"),
        ):
            sb.fund(symbol, amount, chain)
        if faults:
            for method, path, fault, probability in FAULTS:
                sb.faults.add(method, path, fault, probability=probability)
        soak = Soak(sb, None, rng, report, blind_resend)
        gateway = soak.gw = Gateway(
            base_url=sb.base_url, key_file=key_file, refresh_margin=refresh_margin, sleep=soak.sleep
        )
        try:
            early_expiry = (operations // 3, 2 * operations // 3)
            for i in range(operations):
                if faults and i == early_expiry[0]:
                    sb.faults.expire_tokens_after(token_lifetime / 3)
                if faults and i == early_expiry[1]:
                    sb.faults.expire_tokens_after(None)
                soak.step()
                if progress is not None:
                    progress(i + 1)
            soak.finish()
        finally:
            tokens = gateway._cfg.tokens
            report.mints = int(getattr(tokens, "mint_count", 0) or 0)
            report.refreshes = int(getattr(tokens, "refresh_count", 0) or 0)
            gateway.close()
            report.requests = sum(getattr(sb.state, "request_counts", {}).values())
    report.seconds = time.monotonic() - started
    return report
