"""Exactly-once creates without an idempotency key: after an ambiguous outcome, find the
record that was sent before sending again."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import errors as _errors
from .steps import Call, Flow, Note, Now, Sleep

GRACE = 8.0  # how long a record that was sent may take to show in a listing
SKEW = 30.0  # on `created_at`: an offset not learned yet can be as large as the mint window
_ALSO = {"base_asset": ("asset_symbol", "asset_id")}  # a record may report it as these


def _id(record: Any) -> str:
    return str(record.order_id if hasattr(record, "order_id") else record.id)


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


def _matches(request: Mapping[str, Any], record: Any, since: float, handed: deque[str]) -> bool:
    """Created since `since`, not handed out already, and every field sent as reported."""
    if not record.created_at or record.created_at.timestamp() < since or _id(record) in handed:
        return False
    for field, sent in request.items():
        names = (field, *_ALSO.get(field, ()))
        seen = [getattr(record, n, None) for n in names] + [record.extra.get(field)]
        seen = [_norm(v) for v in seen if v is not None]
        if sent is not None and seen and _norm(sent) not in seen:
            return False
    return True


def create_flow(
    kind: str,
    request: Mapping[str, Any],
    reconcile: bool = True,
    on_created: Callable[[str], None] | None = None,
) -> Flow[Any]:
    """`Call("_send_create_<kind>")`; after an ambiguous outcome, continue with the one
    record sent that matches, or send once more if none shows within `GRACE` s."""
    key = repr(sorted((k, _norm(v)) for k, v in request.items() if v is not None))
    # Identical intents on one client go one at a time, so a match is this one; `handed`
    # holds the ids already returned (`in` and `append` on a deque are atomic).
    lock, handed = yield Call("_intent_lock", (kind, key))
    try:
        for attempt in (1, 2):
            since = (yield Call("_server_now")) - SKEW
            yield Note(f"a {kind} create was sent: check list_{kind}s before sending again")
            try:
                record = yield Call(f"_send_create_{kind}", kwargs=request)
                break
            except Exception as exc:
                if attempt == 2:  # e.g. the first one, applied, used up the balance
                    exc.add_note(f"the first {kind} create may have been applied too")
                if not reconcile or not ambiguous(exc):
                    raise
                record = yield from _look(kind, request, since, exc, handed)
                if record is not None:
                    break
                applied = isinstance(exc, _errors.UnexpectedResponseError) and (
                    200 <= (exc.status_code or 0) < 300  # answered success: never resend
                )
                if attempt == 2 or applied:
                    message = f"no matching {kind} showed within {GRACE:g} s"
                    raise _errors.AmbiguousCreateError(_check(kind, exc, message)) from exc
    finally:
        lock.release()
    handed.append(record_id := _id(record))
    if on_created is not None and record_id:
        yield Note(f"{kind} {record_id} was created: check get_{kind}({record_id!r})")
        try:
            on_created(record_id)
        except Exception as exc:  # the caller's hook failed: its error still names the id
            exc.add_note(f"raised by on_created after {kind} {record_id} was created")
            raise
    return record


def _check(kind: str, exc: Exception, what: str) -> str:
    return (
        f"the {kind} create may have reached the server ({type(exc).__name__}: {exc}) and "
        f"{what}: check list_{kind}s before sending again"
    )


def _look(
    kind: str, request: Mapping[str, Any], since: float, exc: Exception, handed: deque[str]
) -> Flow[Any]:
    """The one record matching `request` created since `since`, or None within `GRACE` s."""
    start, delay, slept = (yield Now()), 0.25, 0.0
    while True:
        found, cursor, complete = [], None, False
        try:
            for _ in range(5):  # pages, newest first, back to `since`
                page = yield Call(
                    f"list_{kind}s_page", kwargs={"limit": 100, "cursor": cursor, "max_retries": 5}
                )
                found += [r for r in page.items if _matches(request, r, since, handed)]
                cursor, times = page.next_cursor, [r.created_at for r in page.items]
                if not cursor or not all(times) or min(times).timestamp() < since:
                    complete = True
                    break
        except _errors.TrueMarketsError as failed:
            what = f"listing {kind}s to find it failed ({type(failed).__name__})"
            raise _errors.AmbiguousCreateError(_check(kind, exc, what)) from exc
        if not complete and not found:  # too many records to search: never resend blindly
            what = f"the {kind}s since it was sent span more than 5 pages"
            raise _errors.AmbiguousCreateError(_check(kind, exc, what)) from exc
        if len(found) > 1:
            ids = tuple(map(_id, found))
            what = f"{len(ids)} {kind}s match it ({', '.join(ids)}; nothing was resent)"
            raise _errors.DuplicateCandidatesError(_check(kind, exc, what), candidates=ids)
        if found and kind == "order":  # as create_order answers: a listing has no payloads
            from ..models import CreatedOrder

            return CreatedOrder(found[0].order_id, found[0].status, extra={"reconciled": True})
        if found:
            return found[0]
        elapsed = max((yield Now()) - start, slept)
        if elapsed >= GRACE:
            return None
        slept, delay = slept + min(delay, GRACE - elapsed), delay * 2
        yield Sleep(min(delay / 2, GRACE - elapsed))
