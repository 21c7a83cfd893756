"""Checked by mypy in tests/test_client.py: the fixed-choice arguments take their literals."""

from __future__ import annotations

from truemarkets_gateway import AsyncGateway, Gateway, OrderSide


def sync_calls(gw: Gateway) -> None:
    gw.create_order(side="buy", type="limit", qty="1", qty_unit="base", price="2", base_asset="B")
    gw.create_order(side=OrderSide.SELL, type="market", qty="1", qty_unit="quote", chain="solana")
    gw.quote(base_asset="BTC", quote_asset="USD", qty="1", qty_unit="quote", side="sell")
    gw.list_orders(status=["active", "complete"], venue="cefi")
    gw.list_transfers(status="awaiting_signature")
    gw.list_assets(venue="defi")
    gw.place_order(side="buy", type="market", qty="1", qty_unit="quote", chain="hypercore-perp")


async def async_calls(gw: AsyncGateway) -> None:
    await gw.create_order(side="sell", type="market", qty="1", qty_unit="base", base_asset="B")
    await gw.place_order(side="buy", type="market", qty="1", qty_unit="quote", chain="base")
