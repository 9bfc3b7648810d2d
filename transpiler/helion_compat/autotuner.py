"""Helion's tunable fragment types (`helion.autotuner`), for `hl.register_tunable`, and the
names Helion's `autotuner_fn=` hooks import (accepted; the transpiler's own search runs)."""

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


# Helion's search classes by name. The transpiler has one search of its own (transpiler.run.autotune)
# and never calls a kernel's `autotuner_fn=`, so none are listed; the name exists for imports.
search_algorithms: dict[str, type] = {}


class LocalAutotuneCache:
    """Helion's on-disk cache around a search; here it only holds the search it was given."""

    def __init__(self, autotuner: Any) -> None:
        self.autotuner = autotuner
