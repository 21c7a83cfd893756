"""An async portfolio monitor: balances valued in USD, refreshed at an interval.

    python portfolio_monitor.py --interval 30                      # uses TM_KEY_FILE, TM_ENV
    python portfolio_monitor.py --sandbox --interval 1 --iterations 3

Each refresh reads the balances, then prices every holding concurrently with quotes.
Ctrl-C stops it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

from truemarkets_gateway import AsyncGateway, Balances, errors

STABLE = {"USD", "USDC", "PYUSD", "USDT"}  # counted at 1 USD


@contextlib.asynccontextmanager
async def connect(use_sandbox: bool) -> AsyncIterator[AsyncGateway]:
    """A client from the environment, or one on a fresh in-process sandbox."""
    if not use_sandbox:
        async with AsyncGateway() as gw:
            yield gw
        return
    from truemarkets_gateway.sandbox import Sandbox

    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sb:
        _, key_file = sb.create_api_key(Path(tmp) / "key.json")
        async with AsyncGateway(base_url=sb.base_url, key_file=key_file) as gw:
            yield gw


async def usd_value(gw: AsyncGateway, symbol: str, qty: Decimal) -> Decimal | None:
    """What selling `qty` of `symbol` would fetch now, or None when it cannot be quoted."""
    if symbol in STABLE:
        return qty
    try:
        quote = await gw.quote(
            base_asset=symbol, quote_asset="USD", qty=qty, qty_unit="base", side="sell"
        )
    except errors.APIError as exc:  # e.g. an asset with no USD market
        print(f"  {symbol}: no quote ({exc.status_code})")
        return None
    return quote.qty  # for a sell counted in base units: the USD it fetches


async def snapshot(gw: AsyncGateway) -> Decimal:
    balances: Balances = await gw.get_balances()
    held = [s for s in balances.summaries if s.total > 0]
    values = await asyncio.gather(*(usd_value(gw, s.symbol, s.total) for s in held))
    total = Decimal(0)
    for summary, value in zip(held, values, strict=True):
        shown = "n/a" if value is None else f"{value:,.2f} USD"
        print(f"  {summary.symbol:>6} {summary.total:>16} {shown:>18}")
        total += value or 0
    print(f"  {'total':>6} {'':>16} {total:>14,.2f} USD", flush=True)
    return total


async def monitor(args: argparse.Namespace) -> None:
    async with connect(args.sandbox) as gw:
        refresh = 0
        while True:
            refresh += 1
            print(f"refresh {refresh}")
            try:
                await snapshot(gw)
            except errors.TrueMarketsError as exc:  # keep watching through outages
                print(f"  refresh failed: {exc}", flush=True)
            if args.iterations and refresh >= args.iterations:
                return
            await asyncio.sleep(args.interval)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between refreshes")
    parser.add_argument("--iterations", type=int, default=0, help="0: until stopped")
    parser.add_argument("--sandbox", action="store_true", help="watch a local sandbox")
    args = parser.parse_args(argv)
    try:
        asyncio.run(monitor(args))
    except KeyboardInterrupt:
        print("stopped")


if __name__ == "__main__":
    main()
