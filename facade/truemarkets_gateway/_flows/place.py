"""place_order: create, execute (re-creating a stale order once), then wait."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import errors as _errors
from .execute import execute_order_flow, require_order, sent_nothing
from .steps import Call, Flow, Now, SignerSource, StatusCallback, check_seconds, order_status
from .wait import ORDER_TIMEOUT, wait_order_flow

if TYPE_CHECKING:
    from ..models import CreatedOrder, Order, PlacedOrder
    from ..signing import PayloadSigner

logger = logging.getLogger("truemarkets_gateway")

MAX_PAYLOAD_AGE = 20.0


class PlaceOptions(NamedTuple):
    """The place_order knobs beyond the order itself (see `place_order`)."""

    wait: bool = True
    wait_for_fill: bool = False
    timeout: float = ORDER_TIMEOUT
    accept_issues: bool = False
    max_payload_age: float = MAX_PAYLOAD_AGE
    recreate_stale: bool = True
    raise_on_failure: bool = True


class _Placement:
    """What place_order has done so far, to name on the error that ends it. `stage`:
    "created" (not executed), "executing" (outcome unknown), "recreating", "waiting"."""

    def __init__(self) -> None:
        self.order_id: str | None = None  # the last order created
        self.replaced: list[str] = []  # stale orders abandoned unexecuted
        self.stage = "created"

    def created(self, created: CreatedOrder) -> None:
        self.order_id, self.stage = require_order(created), "created"

    def named(self, exc: _errors.TrueMarketsError) -> _errors.TrueMarketsError:
        """`exc` made again naming the orders, with notes saying where things stand (an
        error that names its order already keeps it: the same order)."""
        order_id, stage, replaced = self.order_id, self.stage, tuple(self.replaced)
        if order_id is None:
            return exc
        notes = []
        if stage == "created" or (stage == "executing" and sent_nothing(exc)):
            if not isinstance(exc, _errors.QuoteIssuesError):
                notes.append(f"order {order_id} was created but not executed: nothing was traded")
        elif stage == "executing":
            notes.append(
                f"while executing order {order_id}: it may have been accepted; "
                f"check get_order({order_id!r}) before placing it again"
            )
        elif stage == "recreating":
            notes.append(f"while creating a fresh order to replace stale order {order_id}")
        if replaced:
            instead = "" if order_id in replaced else f" and order {order_id} created instead"
            notes.append(f"stale order(s) {', '.join(replaced)} were abandoned unexecuted{instead}")
        if not notes and exc.order_id and exc.replaced_order_ids == replaced:
            return exc
        order_id = exc.order_id or order_id
        return exc._with_context(*notes, order_id=order_id, replaced_order_ids=replaced)


def place_order_flow(
    order_request: Mapping[str, Any],
    options: PlaceOptions,
    signer: PayloadSigner | SignerSource | None = None,
    *,
    on_status: StatusCallback | None = None,
) -> Flow[PlacedOrder]:
    """Create, execute (stamped with `signer`, else the client's), then wait; `options`
    are checked here. A stale order is re-created once, only before an execute was sent
    (payload age) or when execute answered `quote_stale` (nothing traded). Any error once
    an order exists names it (`order_id`, `replaced_order_ids`) and says if it executed."""
    timeout = check_seconds("timeout", options.timeout)
    max_age = check_seconds("max_payload_age", options.max_payload_age, positive=True)
    placement = _Placement()
    replaced = placement.replaced
    # None: the client's signer (Call "sign_payloads"); a PayloadSigner becomes a source.
    source = signer if signer is None or callable(signer) else (lambda: signer)

    def place() -> Flow[PlacedOrder]:
        executed = False
        while True:
            created_at: float = yield Now()
            created: CreatedOrder = yield Call("create_order", kwargs=order_request)
            placement.created(created)
            status: object = created.status
            if replaced:
                logger.warning("order %s replaces stale order %s", created.order_id, replaced[-1])
            if not created.payloads:
                break
            # Quote issues are refused by the execute flow (nothing signed or sent) unless
            # accepted: such an order goes there as it is, never re-created for its age.
            refused = bool(created.quote and created.quote.issues) and not options.accept_issues
            may_recreate = options.recreate_stale and not replaced
            age = (yield Now()) - created_at
            if age > max_age and may_recreate and not refused:
                logger.warning("order %s: payloads are %.1f s old", created.order_id, age)
            else:
                placement.stage = "executing"
                try:
                    accept = options.accept_issues
                    result = yield from execute_order_flow(created, None, source, accept)
                    executed, status = True, result.status
                    break
                except _errors.QuoteStaleError:
                    placement.stage = "created"  # refused as stale: nothing traded
                    if not may_recreate:
                        raise
                    logger.warning("order %s: execute answered quote_stale", created.order_id)
            replaced.append(created.order_id)
            placement.stage = "recreating"
        order: Order | None = None
        if options.wait:
            placement.stage = "waiting"
            order = yield from wait_order_flow(
                created.order_id,
                timeout=timeout,
                wait_for_fill=options.wait_for_fill,
                raise_on_failure=options.raise_on_failure,
                known_status=status,
                on_status=on_status,
                purpose="place",
            )
            status = order.status
        from ..models import PlacedOrder

        return PlacedOrder(
            order_id=created.order_id,
            status=order_status(status),
            created=created,
            executed=executed,
            order=order,
            replaced_order_ids=tuple(replaced),
            issues=() if created.quote is None else tuple(created.quote.issues),
        )

    def flow() -> Flow[PlacedOrder]:
        try:
            return (yield from place())
        except _errors.TrueMarketsError as exc:
            if (named := placement.named(exc)) is exc:
                raise
            raise named from exc

    return flow()
