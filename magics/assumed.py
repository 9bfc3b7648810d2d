"""Code for a cell whose tile ranks come from its arguments, before any call binds them."""

from __future__ import annotations

import json
from dataclasses import dataclass

import transpiler
from transpiler.compile.frontend.assumed import assumed_args
from transpiler.compile.frontend.errors import TranspileError
from transpiler.compile.frontend.kernels import collect_aliases, find_kernels
from transpiler.compile.frontend.source import Source
from transpiler.compile.pipeline import Transpiled

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


def assume_ranks(
    source: str, filename: str, config: dict[str, object] | None = None, *, force: bool = False
) -> Assumed | None:
    """The code for the lowest rank (the same for every tensor argument) that transpiles."""
    key = (source, json.dumps(config, sort_keys=True))
    if force or key not in _ASSUMED:
        _ASSUMED[key] = _lowest_rank(source, filename, config)
    return _ASSUMED[key]


def _lowest_rank(source: str, filename: str, config: dict[str, object] | None) -> Assumed | None:
    for rank in RANKS_TRIED:
        examples = assumed_args(source, filename, rank)
        try:
            code = transpiler.transpile_module(
                source, filename=filename, example_args=examples, config=config
            )
        except TranspileError:
            continue
        return Assumed(code, rank)
    return None


def run_hint(source: str, filename: str) -> str:
    """The option to add for real ranks, with the kernels' own parameter names."""
    parsed = Source.parse(source, filename)
    calls = []
    for kernel in find_kernels(parsed, collect_aliases(parsed.module)):
        params = [*kernel.node.params.posonly_params, *kernel.node.params.params]
        calls.append(f"{kernel.name}({', '.join(p.name.value for p in params)})")
    return f'--run "{"; ".join(calls[:1])}"'
