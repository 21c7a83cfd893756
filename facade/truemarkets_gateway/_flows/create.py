"""Exactly-once creates without an idempotency key: after an ambiguous outcome, look for
the record that was sent before ever sending again."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import errors as _errors
from .steps import Call, Flow, Note, Now, Sleep

GRACE = 8.0  # how long a record that was sent may take to show in a listing
SKEW = 5.0  # allowance on `created_at` beyond the known clock offset
_PAGES = 5
# Ids this process was already handed by a create: never another create's record. Ids are
# unique, so one registry serves every client; a deque's `in` and `append` are atomic.
_HANDED: deque[str] = deque(maxlen=4096)
_FIELDS: dict[
    str, dict[str, tuple[str, ...]]
] = {  # request field -> the record attributes that may report it
    "order": {
        "side": ("side",),
        "type": ("type",),
        "qty": ("qty",),
        "qty_unit": ("qty_unit",),
        "base_asset": ("base_asset", "asset_symbol", "asset_id"),
        "quote_asset": ("quote_asset",),
        "price": ("price",),
        "chain": ("chain",),
        "leverage": ("leverage",),
        "reduce_only": ("reduce_only",),
        "asset_id": ("asset_id",),
    },
    "transfer": {f: (f,) for f in ("asset_id", "qty", "qty_unit", "to", "network")},
}


def _norm(value: object) -> object:
    """Comparable form: decimals as Decimal ("1.50" == "1.5"), enums and text casefolded."""
    value = getattr(value, "id", getattr(value, "value", value))  # an Asset, an enum
    if isinstance(value, bool) or value is None:
        return value
    try:
        return Decimal(str(value)).normalize()
    except InvalidOperation:
        return str(value).casefold()


def ambiguous(exc: Exception) -> bool:
    """Whether a create that failed with `exc` may have been applied by the server."""
    if not isinstance(exc, _errors.TrueMarketsError) or exc.gateway_request_sent is False:
        return False
    if isinstance(exc, _errors.APIConnectionError):
        return exc.may_have_reached_server
    if isinstance(exc, _errors.APIError):
        return exc.status_code in (401, 408, 429) or exc.status_code >= 500
    return isinstance(exc, _errors.UnexpectedResponseError)


def _matches(
    kind: str, request: Mapping[str, Any], record: Any, since: float, handed: deque[str]
) -> bool:
    created = getattr(record, "created_at", None)
    record_id = record.id if kind == "transfer" else record.order_id
    if created is None or created.timestamp() < since or record_id in handed:
        return False
    extra: Mapping[str, Any] = getattr(record, "extra", {})
    for field, names in _FIELDS[kind].items():
        if request.get(field) is None:
            continue
        seen = [getattr(record, n, None) for n in names] + [extra.get(field)]
        seen = [_norm(v) for v in seen if v is not None]
        if seen and _norm(request[field]) not in seen:
            return False
    return True


def create_flow(
    kind: str,
    request: Mapping[str, Any],
    reconcile: bool = True,
    on_created: Callable[[str], None] | None = None,
) -> Flow[Any]:
    """`Call("_send_create_<kind>", kwargs=request)` once; after an ambiguous outcome, list
    what was created since just before the send (`Call("_server_now")`) and continue with the one
    record matching every field sent, or send once more if none shows within `GRACE` s.
    Identical intents on one client are serialised (`Call("_intent_lock")`), so a match
    is that send's. Several matches: `DuplicateCandidatesError`, nothing sent again."""
    key = repr(sorted((k, _norm(v)) for k, v in request.items() if v is not None))
    lock = yield Call("_intent_lock", (kind, key))
    try:
        for attempt in (1, 2):
            since = (yield Call("_server_now")) - SKEW
            yield Note(f"a {kind} create was sent: check list_{kind}s before sending again")
            try:
                record = yield Call(f"_send_create_{kind}", kwargs=request)
                break
            except Exception as exc:
                if not reconcile or not ambiguous(exc):
                    raise
                found = yield from _look(kind, request, since, exc)
                if found is not None:
                    record = found
                    break
                if attempt == 2:
                    message = (
                        f"the {kind} create may have reached the server ({type(exc).__name__}) "
                        f"but no matching {kind} showed within {GRACE:g} s, twice: check "
                        f"list_{kind}s before sending again"
                    )
                    raise _errors.AmbiguousCreateError(message) from exc
    finally:
        lock.release()
    record_id = record.id if kind == "transfer" else record.order_id
    _HANDED.append(record_id)
    if on_created is not None and record_id:
        yield Note(f"{kind} {record_id} was created: check get_{kind}({record_id!r})")
        on_created(record_id)
    return record


def _look(kind: str, request: Mapping[str, Any], since: float, exc: Exception) -> Flow[Any]:
    """The one record matching `request` created since `since`, polled for `GRACE` s; None
    when none shows."""
    start, delay, slept = (yield Now()), 0.25, 0.0
    while True:
        found, cursor = [], None
        try:
            for _ in range(_PAGES):
                page = yield Call(f"list_{kind}s_page", kwargs={"limit": 100, "cursor": cursor})
                found += [r for r in page.items if _matches(kind, request, r, since, _HANDED)]
                cursor = page.next_cursor
                times = [r.created_at.timestamp() for r in page.items if r.created_at]
                if not cursor or not times or min(times) < since:
                    break
        except _errors.TrueMarketsError as failed:
            message = (
                f"the {kind} create may have reached the server ({type(exc).__name__}: {exc}) "
                f"and listing {kind}s to find it failed ({type(failed).__name__}): check "
                f"list_{kind}s before sending again"
            )
            raise _errors.AmbiguousCreateError(message) from exc
        ids = tuple(r.id if kind == "transfer" else r.order_id for r in found)
        if len(ids) > 1:
            message = (
                f"the {kind} create may have reached the server ({type(exc).__name__}) and "
                f"{len(ids)} {kind}s match it: {', '.join(ids)}. Another process may have "
                f"sent the same {kind}; check them before sending again (nothing was resent)"
            )
            raise _errors.DuplicateCandidatesError(message, candidates=ids) from exc
        if found:
            return _as_created(found[0]) if kind == "order" else found[0]
        elapsed = max((yield Now()) - start, slept)  # a clock that stands still ends too
        if elapsed >= GRACE:
            return None
        yield Sleep(min(delay, GRACE - elapsed))
        slept, delay = slept + min(delay, GRACE - elapsed), delay * 2


def _as_created(order: Any) -> Any:
    """A listed order as `create_order` answers (no payloads: a listing has none)."""
    from ..models import CreatedOrder

    return CreatedOrder(order.order_id, order.status, extra={"reconciled": True})
