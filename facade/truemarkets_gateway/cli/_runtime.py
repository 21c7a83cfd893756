"""Shared command plumbing: the per-command error guard, amount parsing, waiting spinners."""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, TextIO, TypeVar

import typer
from rich.text import Text

from .._api.money import to_decimal
from ..models import Order, Transfer
from .context import CliContext, get_context
from .errors import CliError, ExitCode, handle_errors
from .output import Output

__all__ = [
    "amount",
    "command",
    "wait_order_with_spinner",
    "wait_transfer_with_spinner",
    "with_spinner",
]

T = TypeVar("T")


@contextmanager
def command(ctx: typer.Context) -> Iterator[CliContext]:
    """Run a command body: failures become one line and an exit code; the Gateway closes."""
    state = get_context(ctx)
    try:
        with handle_errors(state.output), _warnings_as_lines(state.output):
            yield state
    finally:
        state.close()


@contextmanager
def _warnings_as_lines(out: Output) -> Iterator[None]:
    """Show each Python warning (e.g. a key file readable by others) as one line on stderr,
    `Warning: ...`, instead of the interpreter's two lines with the source text. The
    filters in force still decide which warnings appear (an "error" filter still raises)."""

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        text = Text()
        text.append("Warning: ", style="bold yellow")
        text.append(str(message))
        out.err.print(text, soft_wrap=True)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def choice(value: str | None, allowed: tuple[str, ...], option: str) -> str | None:
    """An option that takes one of a few words, checked here rather than by the server."""
    if value is None:
        return None
    text = value.strip().lower()
    if text not in allowed:
        raise CliError(f"{option} must be one of {', '.join(allowed)}; got {value!r}")
    return text


# Options several commands take, declared once.
Limit = Annotated[int, typer.Option("--limit", metavar="N", min=1, help="Show at most this many.")]
AllPages = Annotated[bool, typer.Option("--all", help="Walk every page (ignores --limit).")]
VenueOption = Annotated[str | None, typer.Option("--venue", metavar="VENUE", help="cefi or defi.")]
OrderId = Annotated[str, typer.Argument(metavar="ORDER_ID", help="The order id.")]


def page_size(limit: int, all_pages: bool) -> int:
    """The page size to ask for: the API serves at most 100 a page."""
    return 100 if all_pages else min(limit, 100)


def take(pager: Iterable[T], limit: int, all_pages: bool) -> tuple[list[T], bool]:
    """The first `limit` items of a pager (every item with `--all`), and whether more exist.

    Reads one item past the limit to know, never a page more than that needs.
    """
    if all_pages:
        return list(pager), False
    items = list(itertools.islice(pager, limit + 1))
    return items[:limit], len(items) > limit


def more_note(limit: int) -> Text:
    return Text(f"Showing the first {limit}; more exist (use --limit N or --all).", style="dim")


VENUES = ("cefi", "defi")


def amount(text: str, field: str) -> Decimal:
    """A positive decimal amount from the command line (never through float)."""
    return to_decimal(text, field)


def wait_order_with_spinner(
    state: CliContext,
    order_id: str,
    *,
    timeout: float,
    known_status: object = None,
    wait_for_fill: bool = False,
) -> Order:
    """Wait for an order to settle (`Gateway.wait_for_order`), its live status on stderr."""
    gateway = state.gateway()
    return with_spinner(
        state,
        f"order {order_id}",
        known_status,
        f"tmgw order {order_id}",
        lambda on_status: gateway.wait_for_order(
            order_id, timeout=timeout, wait_for_fill=wait_for_fill, on_status=on_status
        ),
    )


def wait_transfer_with_spinner(
    state: CliContext, transfer: Transfer, *, timeout: float
) -> Transfer:
    """Wait for a transfer to complete or fail (`Gateway.wait_for_transfer`), its live
    status on stderr."""
    gateway = state.gateway()
    return with_spinner(
        state,
        f"transfer {transfer.id}",
        transfer.status,
        f"tmgw transfers {transfer.id}",
        lambda on_status: gateway.wait_for_transfer(
            transfer.id, timeout=timeout, on_status=on_status
        ),
    )


def with_spinner(
    state: CliContext,
    what: str,
    known_status: object,
    follow_up: str,
    run: Callable[[Callable[[str], None]], T],
) -> T:
    """`run(on_status)` under a spinner on stderr that shows each status `on_status` hears.
    Ctrl-C ends the wait (exit 130) with a hint to look the object up again."""
    err = state.output.err
    started = time.monotonic()

    def label(status: str) -> Text:
        text = Text(f"Waiting for {what}: ")
        text.append(status, style="bold")
        text.append(f" ({time.monotonic() - started:.0f} s)")
        return text

    first = str(getattr(known_status, "value", known_status or "submitted"))
    try:
        with err.status(label(first), spinner="dots") as spinner:
            return run(lambda status: spinner.update(label(status)))
    except KeyboardInterrupt:
        raise CliError(
            f"interrupted while waiting for {what}",
            hint=f"it may still complete; check with `{follow_up}`",
            code=ExitCode.INTERRUPTED,
        ) from None
