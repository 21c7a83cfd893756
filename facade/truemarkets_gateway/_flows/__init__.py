"""Workflow decisions (create, place, cancel, transfer, wait, execute) as sans-I/O flows:
a flow yields steps and returns its result; `run_sync` and `run_async` perform them."""

from .cancel import cancel_order_flow as cancel_order_flow
from .create import create_flow as create_flow
from .execute import execute_order_flow as execute_order_flow
from .execute import execute_transfer_flow as execute_transfer_flow
from .place import MAX_PAYLOAD_AGE as MAX_PAYLOAD_AGE
from .place import PlaceOptions as PlaceOptions
from .place import place_order_flow as place_order_flow
from .runners import run_async as run_async
from .runners import run_sync as run_sync
from .steps import Call as Call
from .steps import Flow as Flow
from .steps import Note as Note
from .steps import Now as Now
from .steps import SignerSource as SignerSource
from .steps import Sleep as Sleep
from .steps import StatusCallback as StatusCallback
from .steps import check_seconds as check_seconds
from .transfer import transfer_flow as transfer_flow
from .wait import ORDER_TIMEOUT as ORDER_TIMEOUT
from .wait import TRANSFER_TIMEOUT as TRANSFER_TIMEOUT
from .wait import wait_order_flow as wait_order_flow
from .wait import wait_transfer_flow as wait_transfer_flow
