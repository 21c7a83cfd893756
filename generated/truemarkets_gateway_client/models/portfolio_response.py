from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.portfolio_balance import PortfolioBalance
    from ..models.portfolio_position import PortfolioPosition


T = TypeVar("T", bound="PortfolioResponse")


@_attrs_define
class PortfolioResponse:
    """USD amounts are decimal strings; any of them may be null while pricing is down.

    Attributes:
        total_usd (None | str | Unset):
        balances_usd (None | str | Unset):
        cash_usd (None | str | Unset):
        change_24h_usd (None | str | Unset):
        change_24h_pct (None | str | Unset):
        unrealized_pnl_usd (None | str | Unset):
        realized_pnl_usd (None | str | Unset):
        balances (list[PortfolioBalance] | Unset):
        positions (list[PortfolioPosition] | Unset): Open derivative positions; empty for spot-only accounts.
    """

    total_usd: None | str | Unset = UNSET
    balances_usd: None | str | Unset = UNSET
    cash_usd: None | str | Unset = UNSET
    change_24h_usd: None | str | Unset = UNSET
    change_24h_pct: None | str | Unset = UNSET
    unrealized_pnl_usd: None | str | Unset = UNSET
    realized_pnl_usd: None | str | Unset = UNSET
    balances: list[PortfolioBalance] | Unset = UNSET
    positions: list[PortfolioPosition] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_usd: None | str | Unset
        if isinstance(self.total_usd, Unset):
            total_usd = UNSET
        else:
            total_usd = self.total_usd

        balances_usd: None | str | Unset
        if isinstance(self.balances_usd, Unset):
            balances_usd = UNSET
        else:
            balances_usd = self.balances_usd

        cash_usd: None | str | Unset
        if isinstance(self.cash_usd, Unset):
            cash_usd = UNSET
        else:
            cash_usd = self.cash_usd

        change_24h_usd: None | str | Unset
        if isinstance(self.change_24h_usd, Unset):
            change_24h_usd = UNSET
        else:
            change_24h_usd = self.change_24h_usd

        change_24h_pct: None | str | Unset
        if isinstance(self.change_24h_pct, Unset):
            change_24h_pct = UNSET
        else:
            change_24h_pct = self.change_24h_pct

        unrealized_pnl_usd: None | str | Unset
        if isinstance(self.unrealized_pnl_usd, Unset):
            unrealized_pnl_usd = UNSET
        else:
            unrealized_pnl_usd = self.unrealized_pnl_usd

        realized_pnl_usd: None | str | Unset
        if isinstance(self.realized_pnl_usd, Unset):
            realized_pnl_usd = UNSET
        else:
            realized_pnl_usd = self.realized_pnl_usd

        balances: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.balances, Unset):
            balances = []
            for balances_item_data in self.balances:
                balances_item = balances_item_data.to_dict()
                balances.append(balances_item)

        positions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.positions, Unset):
            positions = []
            for positions_item_data in self.positions:
                positions_item = positions_item_data.to_dict()
                positions.append(positions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if total_usd is not UNSET:
            field_dict["total_usd"] = total_usd
        if balances_usd is not UNSET:
            field_dict["balances_usd"] = balances_usd
        if cash_usd is not UNSET:
            field_dict["cash_usd"] = cash_usd
        if change_24h_usd is not UNSET:
            field_dict["change_24h_usd"] = change_24h_usd
        if change_24h_pct is not UNSET:
            field_dict["change_24h_pct"] = change_24h_pct
        if unrealized_pnl_usd is not UNSET:
            field_dict["unrealized_pnl_usd"] = unrealized_pnl_usd
        if realized_pnl_usd is not UNSET:
            field_dict["realized_pnl_usd"] = realized_pnl_usd
        if balances is not UNSET:
            field_dict["balances"] = balances
        if positions is not UNSET:
            field_dict["positions"] = positions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.portfolio_balance import PortfolioBalance  # noqa: PLC0415
        from ..models.portfolio_position import PortfolioPosition  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_total_usd(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        total_usd = _parse_total_usd(d.pop("total_usd", UNSET))

        def _parse_balances_usd(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        balances_usd = _parse_balances_usd(d.pop("balances_usd", UNSET))

        def _parse_cash_usd(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cash_usd = _parse_cash_usd(d.pop("cash_usd", UNSET))

        def _parse_change_24h_usd(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        change_24h_usd = _parse_change_24h_usd(d.pop("change_24h_usd", UNSET))

        def _parse_change_24h_pct(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        change_24h_pct = _parse_change_24h_pct(d.pop("change_24h_pct", UNSET))

        def _parse_unrealized_pnl_usd(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unrealized_pnl_usd = _parse_unrealized_pnl_usd(d.pop("unrealized_pnl_usd", UNSET))

        def _parse_realized_pnl_usd(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        realized_pnl_usd = _parse_realized_pnl_usd(d.pop("realized_pnl_usd", UNSET))

        _balances = d.pop("balances", UNSET)
        balances: list[PortfolioBalance] | Unset = UNSET
        if _balances is not UNSET:
            balances = []
            for balances_item_data in _balances:
                balances_item = PortfolioBalance.from_dict(balances_item_data)

                balances.append(balances_item)

        _positions = d.pop("positions", UNSET)
        positions: list[PortfolioPosition] | Unset = UNSET
        if _positions is not UNSET:
            positions = []
            for positions_item_data in _positions:
                positions_item = PortfolioPosition.from_dict(positions_item_data)

                positions.append(positions_item)

        portfolio_response = cls(
            total_usd=total_usd,
            balances_usd=balances_usd,
            cash_usd=cash_usd,
            change_24h_usd=change_24h_usd,
            change_24h_pct=change_24h_pct,
            unrealized_pnl_usd=unrealized_pnl_usd,
            realized_pnl_usd=realized_pnl_usd,
            balances=balances,
            positions=positions,
        )

        portfolio_response.additional_properties = d
        return portfolio_response

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
