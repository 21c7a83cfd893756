"""The seeded asset catalogue: CeFi assets with their networks, DeFi tokens per chain.

CeFi ids for BTC, ETH and PYUSD are the ones observed on the live service; the rest are
fixed made-up UUIDs so that tests can name them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["CATALOG", "Asset", "Catalog", "Network"]


@attrs.frozen
class Network:
    network: str
    compatible_networks: tuple[str, ...]


@attrs.frozen
class Asset:
    """One catalogue row: a CeFi asset (chain None) or a DeFi token on one chain."""

    id: str
    symbol: str
    name: str
    venue: str
    decimals: int
    stable: bool
    chain: str | None = None
    address: str | None = None
    networks: tuple[Network, ...] = ()
    withdrawal_fee: Decimal = Decimal(0)
    created_at: float = 0.0  # list order and cursor; not part of the wire row

    @property
    def is_defi(self) -> bool:
        return self.chain is not None

    def matches_network(self, network: str) -> bool:
        wanted = network.strip().lower()
        for rail in self.networks:
            names = (rail.network, *rail.compatible_networks)
            if wanted in (name.lower() for name in names):
                return True
        return False

    def to_json(self) -> dict[str, Any]:
        slug = self.symbol.lower() if self.chain is None else f"{self.symbol.lower()}-{self.chain}"
        return {
            "id": self.id,
            "chain": self.chain,
            "address": self.address,
            "symbol": self.symbol,
            "name": self.name,
            "decimals": self.decimals,
            "slug": slug,
            "is_active": True,
            "description": f"{self.name} (sandbox)",
            "website": "https://example.invalid/",
            "icon": None,
            "tradeable": True,
            "stable": self.stable,
            "venue": self.venue,
            "image": {"thumb": "", "small": "", "large": ""},
            "market_data": {"circulating_supply": 0, "total_supply": 0, "max_supply": 0},
            "socials": {
                "x_username": "",
                "facebook_username": "",
                "subreddit_url": "",
                "official_forum_url": "",
            },
            "networks": [
                {"network": n.network, "compatible_networks": list(n.compatible_networks)}
                for n in self.networks
            ],
        }


def _net(network: str, *compatible: str) -> Network:
    return Network(network, (network, *compatible))


_CATALOG_EPOCH = 1_735_689_600.0  # 2025-01-01T00:00:00Z; rows are one second apart

_ROWS: tuple[Asset, ...] = (
    # CeFi (exchange-held)
    Asset(
        "b2538174-aae3-4b55-b79f-ac177c99f816", "BTC", "Bitcoin", "cefi", 8, False,
        networks=(_net("bitcoin"),), withdrawal_fee=Decimal("0.00002"),
    ),
    Asset(
        "742f90d4-b0db-45a4-9c21-813c152aad15", "ETH", "Ethereum", "cefi", 18, False,
        networks=(_net("ethereum"), _net("base")), withdrawal_fee=Decimal("0.0003"),
    ),
    Asset(
        "5f7a2c1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b", "SOL", "Solana", "cefi", 9, False,
        networks=(_net("solana"),), withdrawal_fee=Decimal("0.001"),
    ),
    Asset(
        "a1c3e5f7-9b2d-4f6a-8c0e-1a3c5e7f9b2d", "USDC", "USD Coin", "cefi", 6, True,
        networks=(
            _net("ethereum", "arbitrum", "optimism"),
            _net("solana"),
            _net("base"),
        ),
        withdrawal_fee=Decimal("1"),
    ),
    Asset(
        "810e932b-1638-4732-9127-240e64f95714", "PYUSD", "PayPal USD", "cefi", 6, True,
        networks=(_net("ethereum"), _net("solana")), withdrawal_fee=Decimal("1"),
    ),
    # DeFi tokens, one row per (symbol, chain)
    Asset(
        "c0a80101-0000-4000-8000-000000000001", "SOL", "Solana", "defi", 9, False,
        chain="solana", address="So11111111111111111111111111111111111111112",
    ),
    Asset(
        "c0a80101-0000-4000-8000-000000000002", "USDC", "USD Coin", "defi", 6, True,
        chain="solana", address="EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
    ),
    Asset(
        "c0a80101-0000-4000-8000-000000000003", "USDC", "USD Coin", "defi", 6, True,
        chain="base", address="0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    ),
    Asset(
        "c0a80101-0000-4000-8000-000000000004", "ETH", "Wrapped Ether", "defi", 18, False,
        chain="base", address="0x4200000000000000000000000000000000000006",
    ),
    Asset(
        "c0a80101-0000-4000-8000-000000000005", "BTC", "Bitcoin (Hyperliquid spot)", "defi", 8,
        False, chain="hypercore-spot", address="0x8f254b963e8468305d409b33aa137c67",
    ),
    Asset(
        "c0a80101-0000-4000-8000-000000000006", "USDC", "USD Coin (Hyperliquid spot)", "defi",
        6, True, chain="hypercore-spot", address="0x6d1e7cde53ba9467b783cb7c530ce054",
    ),
    Asset(
        "c0a80101-0000-4000-8000-000000000007", "BTC", "Bitcoin perpetual", "defi", 8, False,
        chain="hypercore-perp", address="BTC",
    ),
    Asset(
        "c0a80101-0000-4000-8000-000000000008", "USDC", "USD Coin (Hyperliquid perps margin)",
        "defi", 6, True, chain="hypercore-perp", address="USDC",
    ),
)  # fmt: skip


class Catalog:
    """Look-ups over the seeded rows."""

    def __init__(self, rows: Sequence[Asset]) -> None:
        self.rows = tuple(
            attrs.evolve(row, created_at=_CATALOG_EPOCH + i) for i, row in enumerate(rows)
        )
        self._by_id = {row.id: row for row in self.rows}

    def by_id(self, asset_id: str) -> Asset | None:
        return self._by_id.get(asset_id)

    def cefi(self, symbol: str) -> Asset | None:
        wanted = symbol.upper()
        for row in self.rows:
            if row.chain is None and row.symbol == wanted:
                return row
        return None

    def token(self, chain: str, address_or_symbol: str) -> Asset | None:
        """The DeFi row on `chain` by address (case-insensitive) or by symbol."""
        wanted = address_or_symbol.lower()
        for row in self.rows:
            if row.chain != chain:
                continue
            if (row.address or "").lower() == wanted or row.symbol.lower() == wanted:
                return row
        return None

    def stable_on(self, chain: str) -> Asset | None:
        """The USDC row of a chain: the quote side of every DeFi trade there."""
        return self.token(chain, "USDC")


CATALOG = Catalog(_ROWS)
