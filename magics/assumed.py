"""Code for a cell whose tile ranks come from its arguments, before any call binds them."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import transpiler
from transpiler import Transpiled, TranspileError
from transpiler.errors import KernelErrors, RankUnknownError

if TYPE_CHECKING:
    from .program import CellProgram  # annotations only: program is the caller

RANKS_TRIED = (1, 2, 3, 4)


@dataclass(frozen=True)
class Assumed:
    """The code generated for every tensor argument of one rank, and that rank."""

    transpiled: Transpiled
    rank: int
    kernels: tuple[str, ...] = ()  # the kernels assumed, when --run called the others

    def describe(self) -> str:
        if self.kernels:
            return (
                f"{', '.join(self.kernels)}: assuming {self.rank}-D tensor arguments (not called "
                "by --run); --run binds real ones"
            )
        return (
            f"assuming {self.rank}-D tensor arguments (the lowest rank this cell accepts); "
            "--run binds real ones"
        )


# (cell text, config) → its Assumed, shared by every run of the same cell (--force: anew)
_ASSUMED: dict[tuple[str, str], Assumed | None] = {}


def assume_ranks(program: CellProgram, *, force: bool = False) -> Assumed | None:
    """The code for the lowest rank (the same for every tensor argument) that transpiles; the
    kernels --run called keep the arguments they ran with."""
    if program.examples:
        return _lowest_rank(program, program.examples)
    key = (program.source, json.dumps(program.config, sort_keys=True))
    if force or key not in _ASSUMED:
        _ASSUMED[key] = _lowest_rank(program)
    return _ASSUMED[key]


def _lowest_rank(program: CellProgram, called: dict[str, tuple] | None = None) -> Assumed | None:
    called = called or {}
    waiting = waiting_for_ranks(program, [name for name in program.kernels if name not in called])
    for rank in RANKS_TRIED:
        examples = dict(called)
        examples.update({name: program.kernels[name].example_args(rank) for name in waiting})
        if not called:  # every kernel the same rank, as the description says
            examples = {name: k.example_args(rank) for name, k in program.kernels.items()}
        try:
            code = transpiler.transpile_module(
                program.source,
                filename=program.filename,
                example_args=examples,
                config=program.config,
            )
        except TranspileError:
            continue
        return Assumed(code, rank, waiting if called else ())
    return None


def waiting_for_ranks(program: CellProgram, names: list[str]) -> tuple[str, ...]:
    """Those of `names` whose code waits for the arguments' ranks (`hl.tile(x.size())`)."""
    if program.kernels.module is not None:
        return ()
    return tuple(name for name in names if _waits_for_ranks(program, name))


def _waits_for_ranks(program: CellProgram, name: str) -> bool:
    try:
        transpiler.transpile_module(
            program.source, filename=program.filename, only=(name,), config=program.config
        )
    except RankUnknownError:
        return True
    except KernelErrors as error:
        return any(isinstance(e, RankUnknownError) for e in error.errors)
    except TranspileError:
        return False
    return False


def run_hint(program: CellProgram, names: tuple[str, ...]) -> str:
    """The option that calls the kernels `names` with their own parameter names."""
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    calls = []
    for name in names:
        parameters = inspect.signature(program.kernels[name].fn).parameters.values()
        calls.append(f"{name}({', '.join(p.name for p in parameters if p.kind in positional)})")
    return f'--run "({", ".join(calls)})"' if len(calls) > 1 else f'--run "{calls[0]}"'
