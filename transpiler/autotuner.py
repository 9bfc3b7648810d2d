"""Helion's tunable fragment types (`helion.autotuner`), for `hl.register_tunable`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IntegerFragment:
    """An integer in [low, high]; `default` or `low` when not tuned."""

    low: int
    high: int
    default_value: int | None = None

    @property
    def default(self) -> int:
        return self.default_value if self.default_value is not None else self.low


@dataclass(frozen=True)
class PowerOfTwoFragment(IntegerFragment):
    """A power of two in [low, high]; `default` or `low` when not tuned."""


@dataclass(frozen=True)
class EnumFragment:
    """One of `choices`; the first when not tuned."""

    choices: tuple[Any, ...]

    @property
    def default(self) -> Any:
        return self.choices[0]


@dataclass(frozen=True)
class BooleanFragment:
    """True or False; False when not tuned."""

    @property
    def default(self) -> bool:
        return False
