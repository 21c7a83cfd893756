"""Exit codes, and how every failure becomes one line with the reason and a hint.

0 ok, 1 the API (or the order/transfer) failed, 2 usage or validation, 3 timed out while
waiting, 130 interrupted. A traceback is shown only with `-v`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from typer.exceptions import TyperException

from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    CredentialsError,
    InsufficientBalanceError,
    NotFoundError,
    OrderFailedError,
    OrderNotCreatedError,
    OrderTimeoutError,
    PermissionDeniedError,
    QuoteIssuesError,
    QuoteStaleError,
    RateLimitError,
    TransferFailedError,
    TransferTimeoutError,
    TrueMarketsError,
    ValidationError,
    WaitTimeoutError,
)

if TYPE_CHECKING:
    from .output import Output

__all__ = ["CliError", "ExitCode", "describe", "handle_errors"]


class ExitCode(enum.IntEnum):
    OK = 0
    API_ERROR = 1
    USAGE = 2
    TIMEOUT = 3
    INTERRUPTED = 130


class CliError(Exception):
    """A failure the CLI itself detects (bad option combination, refusal, unknown asset)."""

    def __init__(
        self, message: str, *, hint: str | None = None, code: ExitCode = ExitCode.USAGE
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code


def _api_hint(exc: APIError) -> str | None:
    if exc.hint:
        return None  # already part of the message
    if isinstance(exc, AuthenticationError):
        return "check --key-file (or TM_KEY_FILE) and that the key is active for this --env"
    if isinstance(exc, PermissionDeniedError):
        return "this key may lack the permission, or the account is not enabled for it"
    if isinstance(exc, NotFoundError):
        return "check the id; `tmgw orders` or `tmgw transfers` list what exists"
    if isinstance(exc, QuoteStaleError):
        return "nothing was traded; run the command again for a fresh quote"
    if isinstance(exc, RateLimitError):
        wait = f" about {exc.retry_after:g} s" if exc.retry_after else " a minute"
        return f"rate limited: wait{wait} and try again"
    if exc.status_code >= 500:
        return "the service had a problem; try again shortly"
    return None


def describe(exc: BaseException) -> tuple[str, str | None, ExitCode]:
    """The one-line reason, a hint (or None) and the exit code for an exception."""
    if isinstance(exc, CliError):
        return exc.message, exc.hint, exc.code
    if isinstance(exc, ValidationError):
        return str(exc), "see `tmgw COMMAND --help` for the accepted values", ExitCode.USAGE
    if isinstance(exc, CredentialsError):
        return (
            str(exc),
            "pass --key-file PATH (or set TM_KEY_FILE, or TM_KEY_ID with TM_PRIVATE_KEY)",
            ExitCode.USAGE,
        )
    if isinstance(exc, OrderTimeoutError | TransferTimeoutError):
        is_order = isinstance(exc, OrderTimeoutError)
        what = f"order {exc.order_id}" if is_order else f"transfer {exc.transfer_id}"
        check = f"tmgw order {exc.order_id}" if is_order else f"tmgw transfers {exc.transfer_id}"
        return (
            f"{what} did not finish in time (last status: {exc.last_status or 'unknown'})",
            f"it may still complete; check with `{check}`",
            ExitCode.TIMEOUT,
        )
    if isinstance(exc, WaitTimeoutError):
        return str(exc), "it may still complete; check its status later", ExitCode.TIMEOUT
    if isinstance(exc, APITimeoutError):
        return (
            f"the request timed out: {exc.message}",
            "the server may have acted on it; for orders and transfers check "
            "`tmgw orders` / `tmgw transfers` before trying again",
            ExitCode.API_ERROR,
        )
    if isinstance(exc, APIConnectionError):
        hint = "check the network, --env and --base-url"
        if exc.may_have_reached_server:
            hint += "; for orders and transfers check `tmgw orders` / `tmgw transfers` first"
        return f"could not reach the service: {exc.message}", hint, ExitCode.API_ERROR
    if isinstance(exc, APIError):
        return str(exc), _api_hint(exc), ExitCode.API_ERROR
    if isinstance(exc, InsufficientBalanceError):
        return (
            str(exc),
            "fund the account (see `tmgw balances`); no order was created",
            (ExitCode.API_ERROR),
        )
    if isinstance(exc, OrderNotCreatedError):
        return str(exc), "no order was created", ExitCode.API_ERROR
    if isinstance(exc, QuoteIssuesError):
        return (
            f"{exc}: {'; '.join(exc.issues)}",
            f"order {exc.order_id} was created but not signed; nothing was traded",
            ExitCode.API_ERROR,
        )
    if isinstance(exc, OrderFailedError):
        return str(exc), f"see `tmgw order {exc.order_id}` for details", ExitCode.API_ERROR
    if isinstance(exc, TransferFailedError):
        return (
            str(exc),
            f"see `tmgw transfers {exc.transfer_id}` for details",
            ExitCode.API_ERROR,
        )
    if isinstance(exc, TrueMarketsError):
        return str(exc), None, ExitCode.API_ERROR
    if isinstance(exc, TypeError | ValueError):
        return str(exc), "see `tmgw COMMAND --help`", ExitCode.USAGE
    return (
        f"unexpected error: {type(exc).__name__}: {exc}",
        "run again with -v for details",
        (ExitCode.API_ERROR),
    )


@contextmanager
def handle_errors(out: Output) -> Iterator[None]:
    """Turn any failure inside a command into one error line and its exit code."""
    try:
        yield
    except (typer.Exit, TyperException):
        raise
    except (KeyboardInterrupt, typer.Abort) as exc:
        notes = getattr(exc, "__notes__", None)  # the order or transfer that exists, if any
        out.error("interrupted", notes[-1] if notes else None, ExitCode.INTERRUPTED)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except Exception as exc:
        message, hint, code = describe(exc)
        if out.verbose:
            out.traceback()
        out.error(message, hint, code)
        raise typer.Exit(int(code)) from None
