"""Workflow decisions (create, place, cancel, transfer, wait, execute) as sans-I/O flows:
a flow yields steps and returns its result; `run_sync` and `run_async` perform them."""

from .create import create_flow
from .execute import cancel_order_flow, execute_order_flow, execute_transfer_flow, transfer_flow
from .place import MAX_PAYLOAD_AGE, PlaceOptions, place_order_flow
from .runners import run_async, run_sync
from .steps import Call, Flow, Note, Now, SignerSource, Sleep, StatusCallback, check_seconds
from .wait import ORDER_TIMEOUT, TRANSFER_TIMEOUT, wait_order_flow, wait_transfer_flow

__all__ = [  # noqa: RUF022
    "Call", "Flow", "MAX_PAYLOAD_AGE", "Note", "Now", "ORDER_TIMEOUT", "PlaceOptions",
    "SignerSource", "Sleep", "StatusCallback", "TRANSFER_TIMEOUT", "cancel_order_flow",
    "check_seconds", "create_flow", "execute_order_flow", "execute_transfer_flow",
    "place_order_flow", "run_async", "run_sync", "transfer_flow", "wait_order_flow",
    "wait_transfer_flow",
]  # fmt: skip
