"""Everything `tmgw` prints: Rich tables for people, one JSON document for machines.

Results go to stdout; errors, previews, prompts and spinners go to stderr, so that
`tmgw --json ...` always leaves exactly one JSON document on stdout. JSON money is a
decimal string (never a float) and times are RFC 3339.
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

import attrs
from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from ..models import Asset, Balances, Order, Transfer
from .errors import ExitCode

__all__ = ["Output", "fmt_decimal", "fmt_time", "to_jsonable"]

# Attributes that are bookkeeping, not data.
_SKIP_FIELDS = frozenset({"received_monotonic"})
_WIDE = 200  # width when stdout is not a terminal: never cut an id in a pipe


_MAX_PLAIN = 64  # characters: a longer amount prints in scientific notation


def _long(value: Decimal) -> bool:
    """Whether the plain form of `value` would exceed `_MAX_PLAIN` (without building it)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN, Infinity: short already
        return False
    fraction = max(-exponent, 0)
    return max(value.adjusted() + 1, 1) + fraction + (fraction > 0) > _MAX_PLAIN


def fmt_decimal(value: Decimal | None) -> str:
    """Exact decimal text, no exponent (`1E+2` -> `100`); an em dash for none. An absurdly
    long amount (`9E+9999999`) prints shortened in scientific notation, never megabytes."""
    if value is None:
        return "—"
    return format(value, ".12G") if _long(value) else format(value, "f")


def fmt_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return _rfc3339(value)


def _rfc3339(value: datetime) -> str:
    if value.tzinfo is None:
        return value.isoformat()
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return fmt_decimal(value)
    if isinstance(value, datetime):
        return fmt_time(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def to_jsonable(value: Any) -> Any:
    """Plain JSON values: Decimal -> str, datetime -> RFC 3339, enums -> value, attrs ->
    object (unknown server fields kept under `extra`), floats -> str."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):  # exact; scientific when the plain form would be long
        return str(value) if _long(value) else format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, datetime):
        return _rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for field in attrs.fields(type(value)):
            if field.name in _SKIP_FIELDS:
                continue
            item = getattr(value, field.name)
            if field.name == "extra" and not item:
                continue
            out[field.name] = to_jsonable(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset):
        return [to_jsonable(v) for v in value]
    return str(value)


def _make_console(*, stderr: bool) -> Console:
    # markup=False: server and user text (failure reasons, symbols) is never read as markup;
    # styling is done with `Text` objects.
    console = Console(stderr=stderr, highlight=False, soft_wrap=False, markup=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console = Console(
            stderr=stderr, highlight=False, soft_wrap=False, markup=False, width=_WIDE
        )
    return console


class Output:
    """The two consoles of one invocation and the JSON switch."""

    def __init__(self, *, json_mode: bool = False, verbose: int = 0) -> None:
        self.json_mode = json_mode
        self.verbose = verbose
        self.console = _make_console(stderr=False)
        self.err = _make_console(stderr=True)

    # --- results ----------------------------------------------------------------------------

    def emit(self, document: Any, *renderables: RenderableType) -> None:
        """The result of a command: `document` as JSON, or the renderables for people."""
        if self.json_mode:
            text = json.dumps(to_jsonable(document), indent=2, ensure_ascii=False)
            self.console.file.write(text + "\n")
            self.console.file.flush()
            return
        for renderable in renderables:
            self.console.print(renderable)

    def note(self, message: str) -> None:
        """A remark for people, on stderr (so it never mixes with a JSON result)."""
        self.err.print(message, markup=False, highlight=False)

    def error(self, message: str, hint: str | None, code: ExitCode) -> None:
        line = Text()
        line.append("Error: ", style="bold red")
        line.append(message)
        if hint:
            line.append(" (hint: " + hint + ")", style="dim")
        self.err.print(line, soft_wrap=True)
        if self.json_mode:
            document = {"error": {"message": message, "hint": hint, "exit_code": int(code)}}
            self.console.file.write(json.dumps(document, indent=2) + "\n")
            self.console.file.flush()

    def traceback(self) -> None:
        self.err.print_exception(show_locals=False)


# --- tables --------------------------------------------------------------------------------


def _table(*columns: str, title: str | None = None) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for column in columns:
        numeric = column in _NUMERIC_COLUMNS
        justify: Literal["left", "right"] = "right" if numeric else "left"
        if column in _ID_COLUMNS:
            # An id is copied from here: one line, never folded or cut short.
            table.add_column(
                column, justify=justify, no_wrap=True, overflow="ignore", min_width=_ID_WIDTH
            )
        else:
            table.add_column(column, justify=justify, overflow="fold")
    return table


_ID_COLUMNS = frozenset({"order_id", "id"})
_ID_WIDTH = 36  # a UUID


_NUMERIC_COLUMNS = frozenset(
    {
        "qty",
        "price",
        "executed",
        "leaves",
        "vwap",
        "fee",
        "total",
        "available",
        "held",
        "sent",
        "received",
        "decimals",
    }
)


def details(title: str, rows: Iterable[tuple[str, object]]) -> Table:
    """A two-column key/value table (one resource)."""
    table = Table(title=title, box=box.SIMPLE, show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in rows:
        table.add_row(key, _text(value))
    return table


def order_details(
    order: Order, title: str | None = None, *, requested_chain: str | None = None
) -> Table:
    """One order. `requested_chain`: the --chain the order was placed with, shown when the
    server's answer leaves `chain` empty."""
    chain: object = order.chain
    if chain is None and requested_chain:
        chain = requested_chain
    base: object = order.base_asset
    if order.asset_symbol and order.base_asset and order.asset_symbol != order.base_asset:
        base = f"{order.asset_symbol} ({order.base_asset})"
    return details(
        title or f"Order {order.order_id}",
        [
            ("order_id", order.order_id),
            ("status", order.status),
            ("side", order.side),
            ("type", order.type),
            ("venue", order.venue),
            ("chain", chain),
            ("base_asset", base),
            ("quote_asset", order.quote_asset),
            ("qty", order.qty),
            ("qty_unit", order.qty_unit),
            ("price", order.price),
            ("executed_qty", order.executed_qty),
            ("leaves_qty", order.leaves_qty),
            ("executed_vwap", order.executed_vwap),
            ("fee", order.fee),
            ("tx_hash", order.tx_hash),
            ("explorer_url", order.explorer_url),
            ("failure_reason", order.failure_reason),
            ("created_at", order.created_at),
        ],
    )


def orders_table(orders: Sequence[Order], symbols: Mapping[str, str] | None = None) -> Table:
    """One row per order; `symbols` maps token addresses to symbols for the asset columns."""
    names = symbols or {}

    def asset(symbol: str | None, address: str | None) -> str:
        return _text(symbol or names.get(address or "") or address)

    table = _table(
        "order_id",
        "created_at",
        "status",
        "side",
        "type",
        "venue",
        "base",
        "quote",
        "qty",
        "price",
        "executed",
        "vwap",
        "fee",
    )
    for o in orders:
        table.add_row(
            o.order_id,
            _text(o.created_at),
            _text(o.status),
            _text(o.side),
            _text(o.type),
            _text(o.venue),
            asset(o.asset_symbol, o.base_asset),
            asset(None, o.quote_asset),
            _text(o.qty),
            _text(o.price),
            _text(o.executed_qty),
            _text(o.executed_vwap),
            _text(o.fee),
        )
    return table


def transfer_details(transfer: Transfer, title: str | None = None) -> Table:
    return details(
        title or f"Transfer {transfer.id}",
        [
            ("id", transfer.id),
            ("status", transfer.status),
            ("asset", transfer.asset_symbol),
            ("asset_id", transfer.asset_id),
            ("venue", transfer.venue),
            ("chain", transfer.chain),
            ("network", transfer.network),
            ("to", transfer.to),
            ("qty", transfer.qty),
            ("qty_unit", transfer.qty_unit),
            ("sent", transfer.sent),
            ("fee", transfer.fee),
            ("received", transfer.received),
            ("tx_hash", transfer.tx_hash),
            ("explorer_url", transfer.explorer_url),
            ("created_at", transfer.created_at),
            ("updated_at", transfer.updated_at),
        ],
    )


def transfers_table(transfers: Sequence[Transfer]) -> Table:
    table = _table(
        "id",
        "created_at",
        "status",
        "asset",
        "chain/network",
        "to",
        "qty",
        "sent",
        "fee",
        "received",
    )
    for t in transfers:
        table.add_row(
            t.id,
            _text(t.created_at),
            _text(t.status),
            _text(t.asset_symbol),
            _text(t.chain or t.network),
            _text(t.to),
            _text(t.qty),
            _text(t.sent),
            _text(t.fee),
            _text(t.received),
        )
    return table


def assets_table(assets: Sequence[Asset]) -> Table:
    table = _table("symbol", "name", "venue", "chain", "id", "address", "decimals", "networks")
    for a in assets:
        networks = ", ".join(n.network for n in a.networks)
        table.add_row(
            _text(a.symbol),
            _text(a.name),
            _text(a.venue),
            _text(a.chain),
            a.id,
            _text(a.address),
            _text(a.decimals),
            _text(networks),
        )
    return table


def balances_table(balances: Balances) -> Table:
    """One bold row per symbol (the sums), then one row per custody bucket."""
    table = _table("symbol", "bucket", "total", "available", "held", "venue", "address")
    for summary in balances:
        table.add_row(
            Text(summary.symbol, style="bold"),
            Text("all", style="bold"),
            Text(fmt_decimal(summary.total), style="bold"),
            Text(fmt_decimal(summary.available), style="bold"),
            Text(fmt_decimal(summary.held), style="bold"),
            "",
            "",
        )
        for bucket in summary.buckets:
            where = str(bucket.chain.value) if bucket.chain is not None else "exchange"
            table.add_row(
                "",
                "  " + where,
                fmt_decimal(bucket.total),
                fmt_decimal(bucket.available),
                fmt_decimal(bucket.held),
                _text(bucket.venue),
                _text(bucket.address),
            )
    return table
