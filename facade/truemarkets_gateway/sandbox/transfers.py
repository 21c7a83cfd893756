"""Transfers (withdrawals and on-chain sends): the network rules and both lifecycles.

DeFi assets start `awaiting_signature` with one payload; CeFi assets start `pending` with
no payloads and an empty `tx_hash`. Both reach `completed` one `settle_delay` after
submission, when `advance(now)` runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from truemarkets_gateway.sandbox.catalog import Asset, Catalog
from truemarkets_gateway.sandbox.ledger import Ledger
from truemarkets_gateway.sandbox.payloads import Payload, make_payload
from truemarkets_gateway.sandbox.problems import Problem, Violation, invalid
from truemarkets_gateway.sandbox.values import (
    IdSource,
    amount_problem,
    explorer_url,
    format_decimal,
    format_time,
    parse_decimal,
    tx_hash,
)

__all__ = ["TRANSFER_STATUSES", "Transfer", "TransferDesk"]

TRANSFER_STATUSES = ("awaiting_signature", "pending", "completed", "failed")
_ZERO = Decimal(0)


@attrs.define
class Transfer:
    id: str
    uid: str
    asset: Asset
    network: str | None
    to: str
    qty: Decimal
    qty_unit: str
    status: str
    created_at: float
    updated_at: float
    fee: Decimal = _ZERO
    sent: Decimal = _ZERO
    received: Decimal = _ZERO
    tx_hash: str = ""
    payloads: list[Payload] = attrs.Factory(list)

    @property
    def venue(self) -> str:
        return self.asset.venue

    @property
    def rail(self) -> str | None:
        """Where the transaction lands: the DeFi chain, or the CeFi withdrawal network."""
        return self.asset.chain or self.network

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "venue": self.venue,
            "asset_id": self.asset.id,
            "asset_symbol": self.asset.symbol,
            "chain": self.asset.chain,
            "network": self.network,
            "to": self.to,
            "qty": format_decimal(self.qty),
            "qty_unit": self.qty_unit,
            "sent": format_decimal(self.sent),
            "fee": format_decimal(self.fee),
            "received": format_decimal(self.received),
            "tx_hash": self.tx_hash,
            "payloads": [p.to_json() for p in self.payloads],
            "created_at": format_time(self.created_at),
            "updated_at": format_time(self.updated_at),
            "explorer_url": explorer_url(self.rail, self.tx_hash),
        }


class TransferDesk:
    def __init__(
        self,
        *,
        catalog: Catalog,
        ledger: Ledger,
        ids: IdSource,
        settle_delay: float,
        creation_time: Callable[[], float],
    ) -> None:
        self.creation_time = creation_time
        self.catalog = catalog
        self.ledger = ledger
        self.ids = ids
        self.settle_delay = settle_delay
        self.transfers: dict[str, Transfer] = {}

    def create(self, uid: str, body: object, now: float) -> Transfer:
        if not isinstance(body, Mapping):
            raise Problem(400, "request body must be a JSON object")
        v: list[Violation] = []
        asset_id = body.get("asset_id")
        if not isinstance(asset_id, str) or not asset_id:
            v.append(("asset_id", "required string"))
        qty = parse_decimal(body.get("qty"))
        if qty is None or qty <= 0:
            v.append(("qty", "required positive decimal string"))
        elif (problem := amount_problem(qty)) is not None:
            v.append(("qty", problem))
        qty_unit = body.get("qty_unit")
        if qty_unit not in ("base", "quote"):
            v.append(("qty_unit", "required: base or quote"))
        to = body.get("to")
        if not isinstance(to, str) or not to.strip():
            v.append(("to", "required destination address"))
        network = body.get("network")
        if network is not None and not isinstance(network, str):
            v.append(("network", "must be a string"))
        if v:
            raise invalid(v)
        assert isinstance(asset_id, str) and qty is not None and isinstance(to, str)
        asset = self.catalog.by_id(asset_id)
        if asset is None:
            raise invalid([("asset_id", "unknown asset")])
        if asset.is_defi:
            if network is not None:
                raise invalid([("network", "must be omitted for DeFi assets")])
        else:
            if not network:
                raise invalid([("network", "required for CeFi assets")])
            assert isinstance(network, str)
            if not asset.matches_network(network):
                names = ", ".join(n.network for n in asset.networks)
                raise invalid([("network", f"not a network of {asset.symbol} (one of: {names})")])
            if qty <= asset.withdrawal_fee:
                raise invalid([("qty", f"must exceed the network fee {asset.withdrawal_fee}")])
        if not self.ledger.hold(uid, asset.symbol, asset.chain, qty):
            raise Problem(400, "Insufficient balance", type="failed_precondition")
        transfer = Transfer(
            id=self.ids.uuid(),
            uid=uid,
            asset=asset,
            network=network.lower() if isinstance(network, str) else None,
            to=to.strip(),
            qty=qty,
            qty_unit=str(qty_unit),
            status="pending" if not asset.is_defi else "awaiting_signature",
            created_at=self.creation_time(),
            updated_at=now,
        )
        if asset.is_defi:
            description = {
                "action": "transfer",
                "transfer_id": transfer.id,
                "to": transfer.to,
                "asset": asset.address,
                "chain": asset.chain,
                "qty": format_decimal(qty),
            }
            transfer.payloads = [make_payload(description, self.ids.hex(16), now)]
        self.transfers[transfer.id] = transfer
        return transfer

    def get(self, uid: str, transfer_id: str) -> Transfer:
        transfer = self.transfers.get(transfer_id)
        if transfer is None or transfer.uid != uid:
            raise Problem(404, f"transfer {transfer_id} not found")
        return transfer

    def list(self, uid: str, status: str | None) -> list[Transfer]:
        found = [
            t
            for t in self.transfers.values()
            if t.uid == uid and (status is None or t.status == status)
        ]
        return sorted(found, key=lambda t: t.created_at, reverse=True)

    def execute(self, transfer: Transfer, now: float) -> Transfer:
        """Submit a transfer whose stamps were already verified."""
        transfer.payloads = []
        transfer.tx_hash = tx_hash(transfer.rail, self.ids)
        transfer.status = "pending"
        transfer.updated_at = now
        return transfer

    def advance(self, now: float) -> None:
        for transfer in self.transfers.values():
            due = transfer.updated_at + self.settle_delay
            if transfer.status != "pending" or now < due:
                continue
            asset = transfer.asset
            self.ledger.release(transfer.uid, asset.symbol, asset.chain, transfer.qty)
            self.ledger.credit(transfer.uid, asset.symbol, asset.chain, -transfer.qty)
            transfer.sent = transfer.qty
            transfer.fee = asset.withdrawal_fee
            transfer.received = transfer.qty - asset.withdrawal_fee
            if not transfer.tx_hash:
                transfer.tx_hash = tx_hash(transfer.rail, self.ids)
            transfer.status = "completed"
            transfer.updated_at = due
