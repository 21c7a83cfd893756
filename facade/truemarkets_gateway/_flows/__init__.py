"""Workflow decisions (create, place, cancel, transfer, wait, execute) as sans-I/O flows:
a flow yields steps and returns its result; `run_sync` and `run_async` perform them."""

from .cancel import cancel_order_flow
from .create import create_flow
from .execute import execute_order_flow, execute_transfer_flow
from .place import MAX_PAYLOAD_AGE, PlaceOptions, place_order_flow
from .runners import run_async, run_sync
from .steps import Call, Flow, Note, Now, SignerSource, Sleep, StatusCallback, check_seconds
from .transfer import transfer_flow
from .wait import ORDER_TIMEOUT, TRANSFER_TIMEOUT, wait_order_flow, wait_transfer_flow

__all__ = [
    "MAX_PAYLOAD_AGE",
    "ORDER_TIMEOUT",
    "TRANSFER_TIMEOUT",
    "Call",
    "Flow",
    "Note",
    "Now",
    "PlaceOptions",
    "SignerSource",
    "Sleep",
    "StatusCallback",
    "cancel_order_flow",
    "check_seconds",
    "create_flow",
    "execute_order_flow",
    "execute_transfer_flow",
    "place_order_flow",
    "run_async",
    "run_sync",
    "transfer_flow",
    "wait_order_flow",
    "wait_transfer_flow",
]
