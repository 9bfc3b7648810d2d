"""The names a cell reads that an earlier cell bound, and the literals among them written after
the cell's source, so its kernels (and an exported file) see them as module constants."""

from __future__ import annotations

from typing import Any

import torch

from transpiler.runtime import borrowed_names

# values an earlier cell may bind that the cell's module can spell as a literal (`repr` is code)
LITERALS = (bool, int, float, str, type(None), torch.dtype)
MARK = "  # bound by an earlier cell"


def names_from_outside(source: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """The names the cell reads but never binds, and that are no builtins: an earlier cell's
    (`FACTOR = 3.0` run before the `%%helion` cell), with their values in the notebook."""
    return {name: namespace[name] for name in sorted(borrowed_names(source)) if name in namespace}


def with_earlier_literals(source: str, namespace: dict[str, Any]) -> str:
    """The cell's source, then one line per literal an earlier cell bound that it reads
    (`SCALE = 2.5  # bound by an earlier cell`): a device loop reads them as the module's
    constants, with the values they have when the cell runs. The cell's lines keep their
    numbers."""
    try:
        outside = names_from_outside(source, namespace)
    except SyntaxError:  # the transpiler reports it at the cell's line
        return source
    literals = {
        name: value
        for name, value in outside.items()
        if isinstance(value, LITERALS) and not _is_float_special(value)
    }
    if not literals:
        return source
    lines = "".join(f"\n{name} = {value!r}{MARK}" for name, value in literals.items())
    return source.rstrip("\n") + "\n" + lines + "\n"


def _is_float_special(value: object) -> bool:
    """inf and nan: their repr is no Python literal."""
    return isinstance(value, float) and (value != value or value in (float("inf"), -float("inf")))
