"""Exactly-once creates without an idempotency key: after an ambiguous outcome, find the
record that was sent before sending again."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from .. import errors as _errors
from .steps import Call, Flow, Note, Now, Sleep

GRACE = 8.0  # how long a record that was sent may take to show in a listing
SKEW = 30.0  # on `created_at`: an offset not learned yet can be as large as the mint window
PAGES = 5  # listing pages (of 100) searched per look
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


def _older_from_here(items: Any, since: float) -> bool:
    """Whether the pages after these hold only records older than `since`: this page runs
    newest first and already reaches past `since` (an oldest-first one is read to its end)."""
    times = [r.created_at.timestamp() for r in items if r.created_at]
    descending = all(a >= b for a, b in pairwise(times))
    return len(times) > 1 and times[0] > times[-1] and descending and times[-1] < since


def create_flow(
    kind: str,
    request: Mapping[str, Any],
    reconcile: bool = True,
    on_created: Callable[[str], None] | None = None,
) -> Flow[Any]:
    """`Call("_send_create_<kind>")`; after an ambiguous outcome, continue with the one
    record sent that matches, or send once more if none shows within `GRACE` s."""

    def unsettled(exc: Exception, what: str, ids: tuple[str, ...] = ()) -> Exception:
        message = (
            f"the {kind} create may have reached the server ({type(exc).__name__}: {exc}) and "
            f"{what}: check list_{kind}s before sending again"
        )
        cls = _errors.DuplicateCandidatesError if ids else _errors.AmbiguousCreateError
        return cls(message, candidates=ids)

    def look(since: float, exc: Exception, attempt: int) -> Flow[Any]:
        """The one record matching the request created since `since`, or None within `GRACE` s.
        A listing promises no order: pages are read until one shows, newest first, records
        older than `since`, or to the end."""
        start, delay, slept = (yield Now()), 0.25, 0.0
        while True:
            found: list[Any] = []
            cursor = None
            try:
                for _ in range(PAGES):
                    options = {"limit": 100, "cursor": cursor, "max_retries": 5}
                    page = yield Call(f"list_{kind}s_page", kwargs=options)
                    found += [r for r in page.items if _matches(request, r, since, handed)]
                    if not (cursor := page.next_cursor) or _older_from_here(page.items, since):
                        cursor = None  # searched all that can match
                        break
            except Exception as failed:  # whatever it was, the create stays unsettled
                what = f"listing {kind}s to find it failed ({type(failed).__name__})"
                raise unsettled(exc, what) from exc
            if cursor and not found:  # too many records to search: never resend blindly
                raise unsettled(exc, f"the {kind}s listed span more than {PAGES} pages") from exc
            found = list({_id(r): r for r in found}.values())  # a record on two pages
            if len(found) > 1:
                ids = tuple(map(_id, found))
                sent = "nothing was resent" if attempt == 1 else "it was sent twice"
                what = f"{len(ids)} {kind}s match it ({', '.join(ids)}; {sent})"
                raise unsettled(exc, what, ids) from exc
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

    key = repr(sorted((k, _norm(v)) for k, v in request.items() if v is not None))
    # Identical intents on one client go one at a time, so a match is this one; `handed`
    # holds the ids already returned (`in` and `append` on a deque are atomic). The runner
    # puts the locked lock in `held` before resuming: an interrupt then still releases it.
    held: list[Any] = []
    try:
        _, handed = yield Call("_intent_lock", (kind, key), into=held)
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
                record = yield from look(since, exc, attempt)
                if record is not None:
                    break
                if attempt == 2 or (  # answered success but unreadable: never resend
                    isinstance(exc, _errors.UnexpectedResponseError)
                    and 200 <= (exc.status_code or 0) < 300
                ):
                    raise unsettled(exc, f"no matching {kind} showed within {GRACE:g} s") from exc
        handed.append(record_id := _id(record))  # before the next identical intent may look
    finally:
        for lock, _ in held:
            lock.release()
    if on_created is not None and record_id:
        yield Note(f"{kind} {record_id} was created: check get_{kind}({record_id!r})")
        try:
            on_created(record_id)
        except Exception as exc:  # the caller's hook failed: its error still names the id
            exc.add_note(f"raised by on_created after {kind} {record_id} was created")
            raise
    return record
