"""Dollar-cost averaging: buy a fixed amount of an asset at a fixed interval.

    python dca_bot.py --asset BTC --amount 25 --interval 3600       # uses TM_KEY_FILE, TM_ENV
    python dca_bot.py --sandbox --interval 1 --max-iterations 5     # a local sandbox, no money

Ctrl-C (or SIGTERM) stops it cleanly: an order in progress is seen through, then it prints
what it bought and exits 0. A second Ctrl-C stops at once.

Every failure is a typed error. An order that may exist despite the error is never placed
again: the bot reconciles it with `get_order` and moves on to the next interval.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import tempfile
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import FrameType

from truemarkets_gateway import Gateway, errors


@contextlib.contextmanager
def connect(use_sandbox: bool) -> Iterator[Gateway]:
    """A client from the environment, or one on a fresh in-process sandbox."""
    if not use_sandbox:
        with Gateway() as gw:
            yield gw
        return
    from truemarkets_gateway.sandbox import Sandbox, SandboxConfig

    with tempfile.TemporaryDirectory() as tmp, Sandbox(SandboxConfig(settle_delay=0.2)) as sb:
        _, key_file = sb.create_api_key(Path(tmp) / "key.json")
        with Gateway(base_url=sb.base_url, key_file=key_file) as gw:
            yield gw


class StopFlag:
    """Set by the first SIGINT/SIGTERM; the second one interrupts at once."""

    def __init__(self) -> None:
        self.event = threading.Event()
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt
        print("stopping after the current step (Ctrl-C again to stop now)", flush=True)
        self.event.set()


def buy_once(gw: Gateway, asset: str, amount: Decimal) -> tuple[Decimal, Decimal]:
    """Buy `amount` USD of `asset`; return (spent, bought). Errors are reported, not raised."""
    try:
        placed = gw.place_order(
            side="buy",
            type="market",
            base_asset=asset,
            quote_asset="USD",
            qty=amount,
            qty_unit="quote",
        )
    except errors.ValidationError:
        raise  # bad arguments: no point in trying again
    except errors.TrueMarketsError as exc:
        if exc.order_id:  # the order exists: read it instead of buying again
            order = gw.get_order(exc.order_id)
            print(f"order {order.order_id} ended {order.status}: {exc}", flush=True)
            if order.status == "complete" and order.executed_qty and order.executed_vwap:
                return order.executed_qty * order.executed_vwap, order.executed_qty
        elif exc.gateway_request_sent:
            print(f"the buy may have reached the server; check list_orders: {exc}", flush=True)
        else:
            print(f"buy failed, nothing was sent: {exc}", flush=True)
        return Decimal(0), Decimal(0)
    order = placed.order
    bought = order.executed_qty if order and order.executed_qty else Decimal(0)
    price = order.executed_vwap if order and order.executed_vwap else Decimal(0)
    print(f"bought {bought} {asset} at {price} (order {placed.order_id})", flush=True)
    return bought * price, bought


def run(gw: Gateway, args: argparse.Namespace, stop: threading.Event) -> None:
    spent = bought = Decimal(0)
    iteration = 0
    while not stop.is_set():
        iteration += 1
        cost, qty = buy_once(gw, args.asset, args.amount)
        spent, bought = spent + cost, bought + qty
        if args.max_iterations and iteration >= args.max_iterations:
            break
        stop.wait(args.interval)
    average = (spent / bought).quantize(Decimal("0.01")) if bought else "-"
    print(
        f"stopped after {iteration} buys: {bought} {args.asset} for {spent:.2f} USD "
        f"(average {average})",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asset", default="BTC")
    parser.add_argument("--amount", type=Decimal, default=Decimal(25), help="USD per buy")
    parser.add_argument("--interval", type=float, default=3600.0, help="seconds between buys")
    parser.add_argument("--max-iterations", type=int, default=0, help="0: until stopped")
    parser.add_argument("--sandbox", action="store_true", help="trade on a local sandbox")
    args = parser.parse_args(argv)
    stop = StopFlag()
    with connect(args.sandbox) as gw:
        run(gw, args, stop.event)


if __name__ == "__main__":
    main()
