"""place_order: create, execute (re-creating a stale order once), then wait."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import (
    InsufficientBalanceError,
    OrderNotCreatedError,
    QuoteIssuesError,
    QuoteStaleError,
    TrueMarketsError,
)
from .execute import execute_order_flow, sent_nothing
from .steps import Call, Flow, Now, StatusCallback, check_seconds, order_status
from .wait import ORDER_TIMEOUT, wait_order_flow

if TYPE_CHECKING:
    from ..models import CreatedOrder, Order, PlacedOrder
    from ..signing import PayloadSigner

__all__ = ["MAX_PAYLOAD_AGE", "PlaceOptions", "place_order_flow"]

logger = logging.getLogger("truemarkets_gateway")

MAX_PAYLOAD_AGE = 20.0


class PlaceOptions(NamedTuple):
    """The place_order knobs beyond the order itself (see `place_order`); checked by
    `place_order_flow`."""

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
        """No order exists when `order_id` is empty (documented for unfundable DeFi orders)."""
        if not created.order_id:
            if created.quote is not None and created.quote.issues:
                issues = "; ".join(created.quote.issues)
                raise InsufficientBalanceError(
                    f"no order was created: {issues}", quote=created.quote
                )
            raise OrderNotCreatedError(
                "no order was created (empty order_id, no quote issues given)", quote=created.quote
            )
        self.order_id, self.stage = created.order_id, "created"

    def named(self, exc: TrueMarketsError) -> TrueMarketsError:
        """`exc` made again naming the orders (an error naming its own order keeps it: the
        same order), with notes saying where things stand."""
        order_id = self.order_id
        if order_id is None:
            return exc
        notes = []
        if self.stage == "created" or (self.stage == "executing" and sent_nothing(exc)):
            if not isinstance(exc, QuoteIssuesError):
                notes.append(f"order {order_id} was created but not executed: nothing was traded")
        elif self.stage == "executing":
            notes.append(
                f"while executing order {order_id}: it may have been accepted; "
                f"check get_order({order_id!r}) before placing it again"
            )
        elif self.stage == "recreating":
            notes.append(f"while creating a fresh order to replace stale order {order_id}")
        if self.replaced:
            note = f"stale order(s) {', '.join(self.replaced)} were abandoned unexecuted"
            notes.append(
                note
                + ("" if order_id in self.replaced else f" and order {order_id} created instead")
            )
        replaced = tuple(self.replaced)
        if not notes and exc.order_id and exc.replaced_order_ids == replaced:
            return exc
        return exc._with_context(
            *notes, order_id=exc.order_id or order_id, replaced_order_ids=replaced
        )


def place_order_flow(
    order_request: Mapping[str, Any],
    options: PlaceOptions,
    signer: PayloadSigner | None = None,
    *,
    on_status: StatusCallback | None = None,
) -> Flow[PlacedOrder]:
    """Create, then execute (re-creating once if stale), then wait.

    The execute flow refuses quote issues (unless `options.accept_issues`) and stamps with
    `signer`, else the client's signer (read only when signing: CeFi needs no signer key).
    Re-creation happens only before an execute was sent (payload age, checked before
    signing) or when execute answered `quote_stale` (nothing traded). Any error once an
    order exists names it (`order_id`, `replaced_order_ids`) and says if it was executed.
    """
    timeout = check_seconds("timeout", options.timeout)
    max_age = check_seconds("max_payload_age", options.max_payload_age, positive=True)
    placement = _Placement()
    source = None if signer is None else (lambda: signer)

    def place() -> Flow[PlacedOrder]:
        replaced = placement.replaced
        created_at: float = yield Now()
        created: CreatedOrder = yield Call("create_order", kwargs=order_request)
        placement.created(created)
        status: object = created.status
        executed = False
        while created.payloads:
            # Quote issues are refused by the execute flow (nothing signed or sent) unless
            # accepted: such an order goes there as it is, never re-created for its age.
            refused = bool(created.quote and created.quote.issues) and not options.accept_issues
            may_recreate = options.recreate_stale and not replaced
            age = (yield Now()) - created_at
            if age > max_age and may_recreate and not refused:
                logger.warning(
                    "order %s: payloads are %.1f s old (limit %g s); creating a fresh order",
                    created.order_id,
                    age,
                    max_age,
                )
            else:
                placement.stage = "executing"
                try:
                    result = yield from execute_order_flow(
                        created, None, source, options.accept_issues
                    )
                except QuoteStaleError:
                    placement.stage = "created"  # refused as stale: nothing traded
                    if not may_recreate:
                        raise
                    logger.warning("order %s: execute answered quote_stale", created.order_id)
                else:
                    executed, status = True, result.status
                    break
            replaced.append(created.order_id)
            placement.stage = "recreating"
            created_at = yield Now()
            created = yield Call("create_order", kwargs=order_request)
            placement.created(created)
            status = created.status
            logger.warning("order %s replaces stale order %s", created.order_id, replaced[-1])
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
        except TrueMarketsError as exc:
            named = placement.named(exc)
            if named is exc:
                raise
            raise named from exc

    return flow()
