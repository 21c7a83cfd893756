"""A limit-order manager: a ladder of CeFi limit buys below the market, a take-profit sell
for each one that fills, and every open order cancelled on the way out.

    python limit_order_manager.py --asset BTC --qty 0.001 --rungs 3 --step 1 --take-profit 2
    python limit_order_manager.py --sandbox --max-iterations 6     # a local sandbox, no money

With --sandbox the market is simulated: the price dips through the ladder, then recovers
through the take-profit prices. Ctrl-C stops it cleanly (open orders are cancelled).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from truemarkets_gateway import Gateway, Order, errors

CENT = Decimal("0.01")
Market = Callable[[int, Decimal], None]  # (iteration, starting mid) -> moves the price


@contextlib.contextmanager
def connect(use_sandbox: bool) -> Iterator[tuple[Gateway, Market | None]]:
    """A client from the environment, or one on a sandbox with a simulated market."""
    if not use_sandbox:
        with Gateway() as gw:
            yield gw, None
        return
    from truemarkets_gateway.sandbox import Sandbox, SandboxConfig

    with tempfile.TemporaryDirectory() as tmp, Sandbox(SandboxConfig(settle_delay=0.1)) as sb:
        _, key_file = sb.create_api_key(Path(tmp) / "key.json")

        def market(iteration: int, start: Decimal) -> None:
            # Down 4 % over the first iterations, then back up 5 % above the start.
            path = [Decimal("0.99"), Decimal("0.98"), Decimal("0.96"), Decimal("1.05")]
            factor = path[min(iteration - 1, len(path) - 1)]
            sb.set_mid("BTC", (start * factor).quantize(CENT))

        sb.set_mid("BTC", "60000")
        with Gateway(base_url=sb.base_url, key_file=key_file) as gw:
            yield gw, market


class Manager:
    def __init__(self, gw: Gateway, args: argparse.Namespace) -> None:
        self.gw, self.args = gw, args
        self.buys: dict[str, Decimal] = {}  # open ladder orders: id -> limit price
        self.sells: dict[str, Decimal] = {}  # open take-profit orders: id -> buy price
        self.profit = Decimal(0)

    def limit(self, side: str, price: Decimal) -> str:
        placed = self.gw.place_order(
            side=side,
            type="limit",
            base_asset=self.args.asset,
            quote_asset="USD",
            qty=self.args.qty,
            qty_unit="base",
            price=price,
        )
        print(f"{side} {self.args.qty} {self.args.asset} at {price}: {placed.status}", flush=True)
        return placed.order_id

    def place_ladder(self) -> Decimal:
        quote = self.gw.quote(
            base_asset=self.args.asset,
            quote_asset="USD",
            qty=self.args.qty,
            qty_unit="base",
            side="buy",
        )
        mid = quote.price or Decimal(0)
        for rung in range(1, self.args.rungs + 1):
            price = (mid * (1 - self.args.step * rung / 100)).quantize(CENT, ROUND_DOWN)
            self.buys[self.limit("buy", price)] = price
        return mid

    def check(self) -> None:
        for order_id, price in list(self.buys.items()):
            order = self.gw.get_order(order_id)
            if _done(order, self.buys, order_id):
                if order.status == "complete":
                    target = (price * (1 + self.args.take_profit / 100)).quantize(CENT)
                    self.sells[self.limit("sell", target)] = price
        for order_id, bought_at in list(self.sells.items()):
            order = self.gw.get_order(order_id)
            if _done(order, self.sells, order_id) and order.status == "complete":
                gain = ((order.executed_vwap or bought_at) - bought_at) * self.args.qty
                self.profit += gain
                print(f"take-profit {order_id[:8]} filled: +{gain:.2f} USD", flush=True)

    def cancel_open(self) -> None:
        for order_id in [*self.buys, *self.sells]:
            try:
                result = self.gw.cancel_order(order_id, wait=True)
                print(f"cancelled {order_id[:8]}: {result.status}", flush=True)
            except errors.TrueMarketsError as exc:  # e.g. it filled meanwhile
                print(f"could not cancel {order_id[:8]}: {exc}", flush=True)
        self.buys.clear()
        self.sells.clear()


def _done(order: Order, book: dict[str, Any], order_id: str) -> bool:
    """Forget an order once it is terminal; True if it was."""
    if order.is_terminal:
        del book[order_id]
        return True
    return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asset", default="BTC")
    parser.add_argument("--qty", type=Decimal, default=Decimal("0.001"), help="per order")
    parser.add_argument("--rungs", type=int, default=3)
    parser.add_argument("--step", type=Decimal, default=Decimal(1), help="percent per rung")
    parser.add_argument("--take-profit", type=Decimal, default=Decimal(2), help="percent")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks")
    parser.add_argument("--max-iterations", type=int, default=0, help="0: until stopped")
    parser.add_argument("--sandbox", action="store_true", help="trade on a local sandbox")
    args = parser.parse_args(argv)
    with connect(args.sandbox) as (gw, market):
        manager = Manager(gw, args)
        try:
            start = manager.place_ladder()
            iteration = 0
            while not args.max_iterations or iteration < args.max_iterations:
                iteration += 1
                time.sleep(args.interval)
                if market is not None:
                    market(iteration, start)
                manager.check()
        except KeyboardInterrupt:
            print("stopping", flush=True)
        finally:
            manager.cancel_open()
        print(f"done: realised profit {manager.profit:.2f} USD", flush=True)


if __name__ == "__main__":
    main()
