"""IPython extension: `%load_ext magics` registers the `%%helion` cell magic."""

from __future__ import annotations

import warnings
from typing import Any

from transpiler.analysis.targets import check
from transpiler.runtime import interpreting


def empty_cell_as_line(lines: list[str]) -> list[str]:
    """`%%helion OPTIONS` with nothing under it → the line magic `%helion OPTIONS`.

    IPython refuses a cell magic with an empty body with a UsageError, which stops Run All;
    as a line magic, `--help` prints the help and anything else says the cell is empty."""
    first = lines[0].lstrip() if lines else ""
    magic = first.split(None, 1)[0].rstrip("?") if first.strip() else ""
    if magic == "%%helion" and not "".join(lines[1:]).strip():
        return [first[1:].rstrip("\n") + "\n"]
    return lines


def register(ipython: Any) -> None:
    """The magic and its input transformer on `ipython` (once, however often called)."""
    from .cell import HelionMagics

    ipython.register_magics(HelionMagics(ipython))
    cleanup = ipython.input_transformers_cleanup
    if empty_cell_as_line not in cleanup:
        cleanup.append(empty_cell_as_line)


def quiet_interpreter_arithmetic() -> None:
    """numpy's RuntimeWarnings inside Triton's CPU interpreter (`log` of a masked lane's 0.0,
    `exp` overflowing to inf) are not shown: a GPU and eager PyTorch compute the same values
    without a word, and the warning cites the interpreter's file, not the cell. The values
    (inf, nan) still show in the result and its check."""
    warnings.filterwarnings(
        "ignore", category=RuntimeWarning, module=r"triton\.runtime\.interpreter"
    )


def load_ipython_extension(ipython: Any) -> None:
    """Called by `%load_ext magics` (IPython is imported only here). With
    $TRANSPILER_COMPILE_CHECK set (.ci/run sets it for the notebooks), every kernel the
    interpreter runs is also compiled for those targets, a failure failing the cell."""
    register(ipython)
    if interpreting():
        quiet_interpreter_arithmetic()
        check.install_from_environment(wait=True)
