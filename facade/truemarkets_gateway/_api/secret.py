"""`Secret`: a token, refresh token, challenge signature or stamp held until the moment it
is written into a header or body, so tracebacks with locals, rich and Sentry show a mask."""

from __future__ import annotations

from typing import Generic, NoReturn, TypeVar

__all__ = ["Secret", "reveal"]

T = TypeVar("T")


class Secret(Generic[T]):
    """A secret (or a body holding some): `reveal()` gives it; repr, str, pickle never do."""

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value = value

    def reveal(self) -> T:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


def reveal(value: Secret[str] | str) -> str:
    """The text of a `Secret`, or the string itself."""
    return value.reveal() if isinstance(value, Secret) else value
