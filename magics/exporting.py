"""`--export` / `--export-minimal`: the cell's module written to a file, or what is missing."""

from __future__ import annotations

from pathlib import Path

from transpiler.export.build import export_text as module_text

from .assumed import run_hint
from .program import CELL_FILENAME, CellProgram


def export_cell(
    program: CellProgram, examples: dict[str, tuple], path: Path, shown: str, minimal: bool
) -> str:
    """Write the module (folders created); the line that says where, or why nothing was."""
    if program.latest is None:
        return (
            f"export: nothing written to {shown}: a tile's rank comes from the arguments; "
            f"add {run_hint(program.source, CELL_FILENAME)} (with arguments of the ranks you "
            "will pass) to the magic line"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(export_text(program, examples, minimal))
    kernels = ", ".join(program.latest.kernels)
    what = "kernels and launchers only" if minimal else "standalone"
    return f"exported {kernels} → {shown} ({what}: needs torch and triton, not helion)"


def export_text(program: CellProgram, examples: dict[str, tuple], minimal: bool) -> str:
    """transpiler.export's module: the launchers and (unless `minimal`) a reference and a
    `__main__` self-check on random inputs shaped like the first call of each kernel in --run
    (if there was one)."""

    try:
        return module_text(
            program.source,
            example_args=examples or None,
            config=program.config,
            filename=CELL_FILENAME,
            minimal=minimal,
        )
    except TypeError:  # an argument the file cannot record: no self-check inputs for it
        return module_text(
            program.source, config=program.config, filename=CELL_FILENAME, minimal=minimal
        )
