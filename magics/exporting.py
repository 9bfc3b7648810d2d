"""`--export` / `--export-minimal`: the cell's module written to a file, or what is missing."""

from __future__ import annotations

import builtins
import symtable
from pathlib import Path
from typing import Any

import torch

import transpiler

from .assumed import run_hint
from .program import CELL_FILENAME, CellProgram

# values an earlier cell may bind that the file can spell as a literal (`repr` is valid code)
LITERALS = (bool, int, float, str, type(None), torch.dtype)


def export_cell(
    program: CellProgram,
    examples: dict[str, tuple],
    path: Path,
    shown: str,
    minimal: bool,
    namespace: dict[str, Any],
) -> str:
    """Write the module (folders created); the line that says where, or why nothing was."""
    if program.kernels.module is None and not examples:
        return (
            f"export: nothing written to {shown}: a tile's rank comes from the arguments; "
            f"add {run_hint(program)} (with arguments of the ranks you will pass) to the magic "
            "line"
        )
    outside = names_from_outside(program.source, namespace)
    others = [name for name, value in outside.items() if not isinstance(value, LITERALS)]
    if others:
        return (
            f"export: nothing written to {shown}: the cell uses {', '.join(others)}, bound by an "
            "earlier cell, which the file would not define; define or import "
            f"{'it' if len(others) == 1 else 'them'} in this cell"
        )
    export(program, examples, path, minimal, outside)
    kernels = ", ".join(program.kernels)
    what = "kernels and launchers only" if minimal else "standalone"
    return f"exported {kernels} → {shown} ({what}: needs torch and triton, not helion)"


def names_from_outside(source: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """The names the cell reads but never binds, and that are no builtins: an earlier cell's
    (`FACTOR = 3.0` run before the `%%helion` cell), with their values in the notebook."""
    table = symtable.symtable(source, "<cell>", "exec")
    bound = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_assigned()}
    bound |= {symbol.get_name() for symbol in table.get_symbols() if symbol.is_imported()}
    read: set[str] = set()
    tables = [table]
    while tables:
        scope = tables.pop()
        tables.extend(scope.get_children())
        read |= {
            symbol.get_name()
            for symbol in scope.get_symbols()
            if symbol.is_referenced() and (symbol.is_global() or scope is table)
        }
    return {
        name: namespace[name]
        for name in sorted(read - bound)
        if name in namespace and not hasattr(builtins, name)
    }


def export(
    program: CellProgram,
    examples: dict[str, tuple],
    path: Path,
    minimal: bool,
    outside: dict[str, Any],
) -> None:
    """transpiler.export of the cell: the launchers and (unless `minimal`) a reference and a
    `__main__` self-check on random inputs shaped like the first call of each kernel in --run
    (if there was one). The earlier cells' literals the cell reads (`outside`) follow its source,
    so the file defines them."""
    source = (
        program.source.rstrip("\n")
        + "\n"
        + "".join(
            f"\n{name} = {value!r}  # bound by an earlier cell" for name, value in outside.items()
        )
    )
    try:
        transpiler.export(
            source,
            path,
            example_args=examples or None,
            config=program.config,
            filename=CELL_FILENAME,
            minimal=minimal,
        )
    except TypeError:  # an argument the file cannot record: no self-check inputs for it
        transpiler.export(
            source, path, config=program.config, filename=CELL_FILENAME, minimal=minimal
        )
