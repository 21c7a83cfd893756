"""place_order: create, execute (re-creating a stale order once), then wait."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import errors as _errors
from .create import create_flow
from .execute import execute_order_flow, require_order, sent_nothing
from .steps import Flow, Note, Now, SignerSource, StatusCallback, check_seconds
from .wait import ORDER_TIMEOUT, wait_order_flow

if TYPE_CHECKING:
    from ..models import CreatedOrder, Order, OrderStatus, PlacedOrder
    from ..signing import PayloadSigner

logger = logging.getLogger("truemarkets_gateway")

MAX_PAYLOAD_AGE = 20.0
_NOTES = {  # where place_order stands, for the error or interrupt that ends it
    "created": "order {id} was created but not executed: nothing was traded",
    "executing": "while executing order {id}: it may have been accepted; "
    "check get_order({id!r}) before placing it again",
    "recreating": "while creating a fresh order to replace stale order {id}",
    "waiting": "order {id} was submitted: check get_order({id!r}) before placing it again",
}


class PlaceOptions(NamedTuple):
    """The place_order knobs beyond the order itself (see `place_order`)."""

    wait: bool = True
    wait_for_fill: bool = False
    timeout: float = ORDER_TIMEOUT
    accept_issues: bool = False
    max_payload_age: float = MAX_PAYLOAD_AGE
    recreate_stale: bool = True
    raise_on_failure: bool = True
    reconcile: bool = True
    on_created: Callable[[str], None] | None = None


def _named(
    exc: _errors.TrueMarketsError, order_id: str | None, stage: str, replaced: tuple[str, ...]
) -> _errors.TrueMarketsError:
    """`exc` naming the orders and noting where things stand (its own order id is kept)."""
    if order_id is None:
        return exc
    if stage == "executing" and sent_nothing(exc):
        stage = "created"
    skip = stage == "waiting" or (stage == "created" and isinstance(exc, _errors.QuoteIssuesError))
    notes = [] if skip else [_NOTES[stage].format(id=order_id)]
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
    """Create (reconciling an ambiguous outcome), execute, then wait. A stale order is
    re-created once: before an execute was sent, or when execute answered `quote_stale`."""
    timeout = check_seconds("timeout", options.timeout)
    max_age = check_seconds("max_payload_age", options.max_payload_age, positive=True)
    replaced: list[str] = []
    where: list[Any] = [None, "created"]  # order id, stage
    # None: the client's signer (Call "sign_payloads"); a PayloadSigner becomes a source.
    source = signer if signer is None or callable(signer) else (lambda: signer)

    def stage(name: str) -> Flow[None]:
        where[1] = name
        yield Note(_NOTES[name].format(id=where[0]))
        if replaced:  # its own key: the create flow's notes must not replace it
            stale = f"stale order(s) {', '.join(replaced)} were abandoned unexecuted"
            yield Note(stale, key="replaced")

    try:
        executed = False
        while True:
            created_at: float = yield Now()
            created: CreatedOrder = yield from create_flow(
                "order", order_request, options.reconcile, options.on_created
            )
            where[0] = require_order(created)
            yield from stage("created")
            status: OrderStatus | None = created.status
            if replaced:
                logger.warning("order %s replaces stale order %s", created.order_id, replaced[-1])
            # Reconciled from a listing, an `initialized` order has no payloads to sign.
            lost = created.extra.get("reconciled") and status == "initialized"
            if not created.payloads and not lost:
                break
            # Unaccepted quote issues are refused by the execute flow: never re-created for age.
            refused = bool(created.quote and created.quote.issues) and not options.accept_issues
            may_recreate = options.recreate_stale and not replaced
            age = (yield Now()) - created_at
            if lost or (age > max_age and may_recreate and not refused):
                logger.warning("order %s: payloads are %.1f s old or gone", where[0], age)
                if lost and not may_recreate:
                    message = f"order {where[0]} was found by listing: it has no payloads to sign"
                    raise _errors.AmbiguousCreateError(message, candidates=(where[0],))
            else:
                yield from stage("executing")
                try:
                    accept = options.accept_issues
                    result = yield from execute_order_flow(created, None, source, accept)
                    executed, status = True, result.status
                    break
                except _errors.QuoteStaleError:
                    yield from stage("created")  # refused as stale: nothing traded
                    if not may_recreate:
                        raise
                    logger.warning("order %s: execute answered quote_stale", created.order_id)
            replaced.append(created.order_id)
            yield from stage("recreating")
        order: Order | None = None
        if options.wait:
            yield from stage("waiting")
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
            status=status,
            created=created,
            executed=executed,
            order=order,
            replaced_order_ids=tuple(replaced),
            issues=() if created.quote is None else tuple(created.quote.issues),
        )
    except _errors.TrueMarketsError as exc:
        if (named := _named(exc, where[0], where[1], tuple(replaced))) is exc:
            raise
        raise named from exc
