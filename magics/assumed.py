"""Code for a cell whose tile ranks come from its arguments, before any call binds them."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import transpiler
from transpiler import Transpiled, TranspileError

if TYPE_CHECKING:
    from .program import CellProgram  # annotations only: program is the caller

RANKS_TRIED = (1, 2, 3, 4)


@dataclass(frozen=True)
class Assumed:
    """The code generated for every tensor argument of one rank, and that rank."""

    transpiled: Transpiled
    rank: int

    def describe(self) -> str:
        return (
            f"assuming {self.rank}-D tensor arguments (the lowest rank this cell accepts); "
            "--run binds real ones"
        )


# (cell text, config) → its Assumed, shared by every run of the same cell (--force: anew)
_ASSUMED: dict[tuple[str, str], Assumed | None] = {}


def assume_ranks(program: CellProgram, *, force: bool = False) -> Assumed | None:
    """The code for the lowest rank (the same for every tensor argument) that transpiles."""
    key = (program.source, json.dumps(program.config, sort_keys=True))
    if force or key not in _ASSUMED:
        _ASSUMED[key] = _lowest_rank(program)
    return _ASSUMED[key]


def _lowest_rank(program: CellProgram) -> Assumed | None:
    for rank in RANKS_TRIED:
        examples = {name: kernel.example_args(rank) for name, kernel in program.kernels.items()}
        try:
            code = transpiler.transpile_module(
                program.source,
                filename=program.filename,
                example_args=examples,
                config=program.config,
            )
        except TranspileError:
            continue
        return Assumed(code, rank)
    return None


def run_hint(program: CellProgram) -> str:
    """The option to add for real ranks, with the first kernel's own parameter names."""
    calls = []
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for name, kernel in program.kernels.items():
        parameters = inspect.signature(kernel.fn).parameters.values()
        calls.append(f"{name}({', '.join(p.name for p in parameters if p.kind in positional)})")
    return f'--run "{"; ".join(calls[:1])}"'
