from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.asset_flow import AssetFlow
from ..models.transaction_status import TransactionStatus
from ..models.transaction_type import TransactionType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.order_detail import OrderDetail
    from ..models.transfer_detail import TransferDetail


T = TypeVar("T", bound="TransactionDetail")


@_attrs_define
class TransactionDetail:
    """One entry of the activity feed. `order` or `transfer` carries the full record behind it.

    Attributes:
        id (str | Unset):
        type_ (TransactionType | Unset):
        asset_flow (AssetFlow | Unset): `in` when the account receives the asset, `out` when it gives it up.
        status (TransactionStatus | Unset):
        created_at (datetime.datetime | Unset):
        completed_at (datetime.datetime | None | Unset):
        qty (None | str | Unset):
        asset_id (None | str | Unset):
        asset_symbol (None | str | Unset):
        tx_hash (None | str | Unset):
        explorer_url (None | str | Unset):
        failure_reason (None | str | Unset):
        order (OrderDetail | Unset):
        transfer (TransferDetail | Unset):
    """

    id: str | Unset = UNSET
    type_: TransactionType | Unset = UNSET
    asset_flow: AssetFlow | Unset = UNSET
    status: TransactionStatus | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    completed_at: datetime.datetime | None | Unset = UNSET
    qty: None | str | Unset = UNSET
    asset_id: None | str | Unset = UNSET
    asset_symbol: None | str | Unset = UNSET
    tx_hash: None | str | Unset = UNSET
    explorer_url: None | str | Unset = UNSET
    failure_reason: None | str | Unset = UNSET
    order: OrderDetail | Unset = UNSET
    transfer: TransferDetail | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        asset_flow: str | Unset = UNSET
        if not isinstance(self.asset_flow, Unset):
            asset_flow = self.asset_flow.value

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        qty: None | str | Unset
        if isinstance(self.qty, Unset):
            qty = UNSET
        else:
            qty = self.qty

        asset_id: None | str | Unset
        if isinstance(self.asset_id, Unset):
            asset_id = UNSET
        else:
            asset_id = self.asset_id

        asset_symbol: None | str | Unset
        if isinstance(self.asset_symbol, Unset):
            asset_symbol = UNSET
        else:
            asset_symbol = self.asset_symbol

        tx_hash: None | str | Unset
        if isinstance(self.tx_hash, Unset):
            tx_hash = UNSET
        else:
            tx_hash = self.tx_hash

        explorer_url: None | str | Unset
        if isinstance(self.explorer_url, Unset):
            explorer_url = UNSET
        else:
            explorer_url = self.explorer_url

        failure_reason: None | str | Unset
        if isinstance(self.failure_reason, Unset):
            failure_reason = UNSET
        else:
            failure_reason = self.failure_reason

        order: dict[str, Any] | Unset = UNSET
        if not isinstance(self.order, Unset):
            order = self.order.to_dict()

        transfer: dict[str, Any] | Unset = UNSET
        if not isinstance(self.transfer, Unset):
            transfer = self.transfer.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if type_ is not UNSET:
            field_dict["type"] = type_
        if asset_flow is not UNSET:
            field_dict["asset_flow"] = asset_flow
        if status is not UNSET:
            field_dict["status"] = status
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if qty is not UNSET:
            field_dict["qty"] = qty
        if asset_id is not UNSET:
            field_dict["asset_id"] = asset_id
        if asset_symbol is not UNSET:
            field_dict["asset_symbol"] = asset_symbol
        if tx_hash is not UNSET:
            field_dict["tx_hash"] = tx_hash
        if explorer_url is not UNSET:
            field_dict["explorer_url"] = explorer_url
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if order is not UNSET:
            field_dict["order"] = order
        if transfer is not UNSET:
            field_dict["transfer"] = transfer

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_detail import OrderDetail  # noqa: PLC0415
        from ..models.transfer_detail import TransferDetail  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: TransactionType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = TransactionType(_type_)

        _asset_flow = d.pop("asset_flow", UNSET)
        asset_flow: AssetFlow | Unset
        if isinstance(_asset_flow, Unset):
            asset_flow = UNSET
        else:
            asset_flow = AssetFlow(_asset_flow)

        _status = d.pop("status", UNSET)
        status: TransactionStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = TransactionStatus(_status)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        def _parse_completed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_qty(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        qty = _parse_qty(d.pop("qty", UNSET))

        def _parse_asset_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        asset_id = _parse_asset_id(d.pop("asset_id", UNSET))

        def _parse_asset_symbol(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        asset_symbol = _parse_asset_symbol(d.pop("asset_symbol", UNSET))

        def _parse_tx_hash(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tx_hash = _parse_tx_hash(d.pop("tx_hash", UNSET))

        def _parse_explorer_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        explorer_url = _parse_explorer_url(d.pop("explorer_url", UNSET))

        def _parse_failure_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failure_reason = _parse_failure_reason(d.pop("failure_reason", UNSET))

        _order = d.pop("order", UNSET)
        order: OrderDetail | Unset
        if isinstance(_order, Unset):
            order = UNSET
        else:
            order = OrderDetail.from_dict(_order)

        _transfer = d.pop("transfer", UNSET)
        transfer: TransferDetail | Unset
        if isinstance(_transfer, Unset):
            transfer = UNSET
        else:
            transfer = TransferDetail.from_dict(_transfer)

        transaction_detail = cls(
            id=id,
            type_=type_,
            asset_flow=asset_flow,
            status=status,
            created_at=created_at,
            completed_at=completed_at,
            qty=qty,
            asset_id=asset_id,
            asset_symbol=asset_symbol,
            tx_hash=tx_hash,
            explorer_url=explorer_url,
            failure_reason=failure_reason,
            order=order,
            transfer=transfer,
        )

        transaction_detail.additional_properties = d
        return transaction_detail

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
