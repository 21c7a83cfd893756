"""What a flow may ask its runner for: `Call` a client primitive, `Sleep`, read the clock
with `Now`, or leave a `Note` for an interrupt."""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ..errors import ValidationError

if TYPE_CHECKING:
    from ..signing import PayloadSigner

T = TypeVar("T")


class Call(NamedTuple):
    """Run `client.<name>(*args, **kwargs)`; the repr omits arguments (they may hold stamps).
    The runner appends the result to `into` before the flow resumes, so a flow interrupted
    as it resumes still holds what it got (a lock to release)."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = MappingProxyType({})
    into: list[Any] | None = None

    def __repr__(self) -> str:
        return f"Call(name={self.name!r})"


class Sleep(NamedTuple):
    seconds: float


class Now(NamedTuple):
    """Read the monotonic clock (seconds)."""


class Note(NamedTuple):
    """What exists so far, noted on a KeyboardInterrupt or CancelledError. A note replaces
    the last one with the same `key`: nested flows share the default key, so a fact that
    must outlive them (orders already abandoned) takes its own."""

    text: str
    key: str = ""


Step = Call | Sleep | Now | Note
Flow = Generator[Step, Any, T]
SignerSource = Callable[[], "PayloadSigner"]  # called only to sign: CeFi needs no signer key
StatusCallback = Callable[[str], None]  # told each new status while a workflow waits


def check_seconds(name: str, value: object, *, positive: bool = False) -> float:
    """`value` as finite seconds >= 0 (> 0 if `positive`), else `ValidationError`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(name, f"must be a number of seconds, not {type(value).__name__}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0 or (positive and seconds == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValidationError(name, f"must be a finite number of seconds {bound} (got {value!r})")
    return seconds
