"""`--export` / `--export-minimal`: the cell's module written to a file, or what is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import transpiler
from transpiler import TranspileError

from .assumed import run_hint, waiting_for_ranks
from .outside import names_from_outside
from .program import CELL_FILENAME, CellProgram


def export_cell(
    program: CellProgram,
    examples: dict[str, tuple],
    path: Path,
    shown: str,
    minimal: bool,
    namespace: dict[str, Any],
) -> str:
    """Write the module (folders created); the line that says where, or why nothing was."""
    if not program.kernels:
        return f"export: nothing written to {shown}: the cell defines no kernel"
    waiting = waiting_for_ranks(program, [name for name in program.kernels if name not in examples])
    if waiting and not examples:
        return (
            f"export: nothing written to {shown}: a tile's rank comes from the arguments; "
            f"add {run_hint(program, waiting)} (with arguments of the ranks you will pass) to "
            "the magic line"
        )
    if waiting:
        return (
            f"export: nothing written to {shown}: the ranks of {', '.join(waiting)} come from "
            f"the arguments and --run did not call {'it' if len(waiting) == 1 else 'them'}; "
            f"call every kernel in --run, e.g. {run_hint(program, (*examples, *waiting))}"
        )
    # the literals among them follow the source already (outside.with_earlier_literals)
    others = list(names_from_outside(program.source, namespace))
    if others:
        return (
            f"export: nothing written to {shown}: the cell uses {', '.join(others)}, bound by an "
            "earlier cell, which the file would not define; define or import "
            f"{'it' if len(others) == 1 else 'them'} in this cell"
        )
    replaced = path.exists()
    try:
        checked = export(program, examples, path, minimal)
    except OSError as error:  # a folder that cannot be made, a file that cannot be written
        where = f" ({error.filename})" if error.filename and error.filename != str(path) else ""
        return f"export: nothing written to {shown}: {error.strerror or error}{where}"
    except TranspileError as error:  # the file's own generation (its ranks, its config)
        return f"export: nothing written to {shown}: {error.message}"
    kernels = ", ".join(program.kernels)
    what = "kernels and launchers only" if minimal else "standalone"
    again = "; it replaces the file that was there" if replaced else ""
    line = f"exported {kernels} → {shown} ({what}: needs torch and triton, not helion{again})"
    unchecked = [name for name in program.kernels if name not in checked]
    if minimal or not unchecked:
        return line
    why = "--run did not call it" if examples else "there was no --run"
    if set(examples) - set(checked):
        why = "the file cannot write --run's arguments (only tensors and numbers)"
    return (
        f"{line}\nnote: `python {shown}` checks nothing of {', '.join(unchecked)} ({why}); "
        "add a call of each kernel to --run to give its self-check inputs"
    )


def export(
    program: CellProgram, examples: dict[str, tuple], path: Path, minimal: bool
) -> tuple[str, ...]:
    """transpiler.export of the cell: the launchers and (unless `minimal`) a reference and a
    `__main__` self-check on random inputs shaped like the first call of each kernel in --run
    (if there was one); the kernels the self-check has inputs for. The program's source ends
    with the earlier cells' literals it reads (outside.with_earlier_literals), so the file
    defines them."""
    source = program.source
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
        return ()
    return tuple(examples)
