from enum import StrEnum
from typing import Any


class AssetFlow(StrEnum):
    """Open enum: a value the spec does not list becomes a member made on the fly, so a
    newer server never breaks parsing. `is_known` tells the two apart."""

    IN = "in"
    OUT = "out"

    @classmethod
    def _missing_(cls, value: Any) -> "AssetFlow | None":
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper().replace("-", "_")
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        return type(self).__members__.get(self._name_) is self

    def __str__(self) -> str:
        return str(self.value)
