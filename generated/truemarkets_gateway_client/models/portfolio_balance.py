from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PortfolioBalance")


@_attrs_define
class PortfolioBalance:
    """A balance row with its USD valuation.

    Attributes:
        symbol (str | Unset):
        name (str | Unset):
        chain (None | str | Unset): Chain of an on-chain bucket; null when held on the exchange.
        address (None | str | Unset): Token address on that chain; null when held on the exchange.
        decimals (int | Unset):
        total (str | Unset): Everything, holds included.
        available (str | Unset): Usable now.
        held (str | Unset): Locked by open orders and transfers.
        stable (bool | Unset):
        tradeable (bool | Unset):
        asset_id (str | Unset): Seen on newer servers.
        venue (str | Unset): Seen on newer servers.
        icon (None | str | Unset):
        price (None | str | Unset): USD price of one unit.
        value (None | str | Unset): USD value of `total`.
        change_24h_pct (None | str | Unset):
    """

    symbol: str | Unset = UNSET
    name: str | Unset = UNSET
    chain: None | str | Unset = UNSET
    address: None | str | Unset = UNSET
    decimals: int | Unset = UNSET
    total: str | Unset = UNSET
    available: str | Unset = UNSET
    held: str | Unset = UNSET
    stable: bool | Unset = UNSET
    tradeable: bool | Unset = UNSET
    asset_id: str | Unset = UNSET
    venue: str | Unset = UNSET
    icon: None | str | Unset = UNSET
    price: None | str | Unset = UNSET
    value: None | str | Unset = UNSET
    change_24h_pct: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        name = self.name

        chain: None | str | Unset
        if isinstance(self.chain, Unset):
            chain = UNSET
        else:
            chain = self.chain

        address: None | str | Unset
        if isinstance(self.address, Unset):
            address = UNSET
        else:
            address = self.address

        decimals = self.decimals

        total = self.total

        available = self.available

        held = self.held

        stable = self.stable

        tradeable = self.tradeable

        asset_id = self.asset_id

        venue = self.venue

        icon: None | str | Unset
        if isinstance(self.icon, Unset):
            icon = UNSET
        else:
            icon = self.icon

        price: None | str | Unset
        if isinstance(self.price, Unset):
            price = UNSET
        else:
            price = self.price

        value: None | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        else:
            value = self.value

        change_24h_pct: None | str | Unset
        if isinstance(self.change_24h_pct, Unset):
            change_24h_pct = UNSET
        else:
            change_24h_pct = self.change_24h_pct

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if name is not UNSET:
            field_dict["name"] = name
        if chain is not UNSET:
            field_dict["chain"] = chain
        if address is not UNSET:
            field_dict["address"] = address
        if decimals is not UNSET:
            field_dict["decimals"] = decimals
        if total is not UNSET:
            field_dict["total"] = total
        if available is not UNSET:
            field_dict["available"] = available
        if held is not UNSET:
            field_dict["held"] = held
        if stable is not UNSET:
            field_dict["stable"] = stable
        if tradeable is not UNSET:
            field_dict["tradeable"] = tradeable
        if asset_id is not UNSET:
            field_dict["asset_id"] = asset_id
        if venue is not UNSET:
            field_dict["venue"] = venue
        if icon is not UNSET:
            field_dict["icon"] = icon
        if price is not UNSET:
            field_dict["price"] = price
        if value is not UNSET:
            field_dict["value"] = value
        if change_24h_pct is not UNSET:
            field_dict["change_24h_pct"] = change_24h_pct

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol", UNSET)

        name = d.pop("name", UNSET)

        def _parse_chain(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        chain = _parse_chain(d.pop("chain", UNSET))

        def _parse_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        address = _parse_address(d.pop("address", UNSET))

        decimals = d.pop("decimals", UNSET)

        total = d.pop("total", UNSET)

        available = d.pop("available", UNSET)

        held = d.pop("held", UNSET)

        stable = d.pop("stable", UNSET)

        tradeable = d.pop("tradeable", UNSET)

        asset_id = d.pop("asset_id", UNSET)

        venue = d.pop("venue", UNSET)

        def _parse_icon(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        icon = _parse_icon(d.pop("icon", UNSET))

        def _parse_price(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        price = _parse_price(d.pop("price", UNSET))

        def _parse_value(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        value = _parse_value(d.pop("value", UNSET))

        def _parse_change_24h_pct(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        change_24h_pct = _parse_change_24h_pct(d.pop("change_24h_pct", UNSET))

        portfolio_balance = cls(
            symbol=symbol,
            name=name,
            chain=chain,
            address=address,
            decimals=decimals,
            total=total,
            available=available,
            held=held,
            stable=stable,
            tradeable=tradeable,
            asset_id=asset_id,
            venue=venue,
            icon=icon,
            price=price,
            value=value,
            change_24h_pct=change_24h_pct,
        )

        portfolio_balance.additional_properties = d
        return portfolio_balance

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
