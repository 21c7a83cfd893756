"""Workflow decisions (place, cancel, transfer, wait, execute) as sans-I/O flows, with a sync
and an async runner that perform the steps they ask for.
"""

from .execute import execute_order_flow, execute_transfer_flow
from .flows import (
    MAX_PAYLOAD_AGE,
    ORDER_TIMEOUT,
    TRANSFER_TIMEOUT,
    Call,
    Flow,
    Now,
    PlaceOptions,
    SignerSource,
    Sleep,
    StatusCallback,
    cancel_order_flow,
    check_seconds,
    place_order_flow,
    run_async,
    run_sync,
    transfer_flow,
    wait_order_flow,
    wait_transfer_flow,
)

__all__ = [
    "MAX_PAYLOAD_AGE",
    "ORDER_TIMEOUT",
    "TRANSFER_TIMEOUT",
    "Call",
    "Flow",
    "Now",
    "PlaceOptions",
    "SignerSource",
    "Sleep",
    "StatusCallback",
    "cancel_order_flow",
    "check_seconds",
    "execute_order_flow",
    "execute_transfer_flow",
    "place_order_flow",
    "run_async",
    "run_sync",
    "transfer_flow",
    "wait_order_flow",
    "wait_transfer_flow",
]
