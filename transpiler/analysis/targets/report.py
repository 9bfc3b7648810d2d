"""Per-kernel tables of target results, and the CLI's `--targets` over a file of kernels."""

from __future__ import annotations

from pathlib import Path

from ...compile.pipeline import transpile_module
from ...run.call_arguments import as_meta
from ...run.runtime import load_module
from . import compile_launcher
from .errors import TargetError
from .result import TargetResult
from .table import target_named

# column title → how a result fills it
COLUMNS: dict[str, object] = {
    "kernel": lambda r: r.kernel,
    "target": lambda r: r.target.name,
    "warps": lambda r: r.num_warps,
    "stages": lambda r: r.num_stages,
    "regs": lambda r: r.registers,
    "spills": lambda r: r.spills,
    "shared B": lambda r: r.shared_bytes,
    "blocks/SM": lambda r: f"{r.occupancy.blocks_per_sm} ({r.occupancy.limited_by})",
    "tensor core": lambda r: _tensor_cores(r),
    "ld/st global": lambda r: f"{r.mix.get('global_loads', 0)}/{r.mix.get('global_stores', 0)}",
    "TMA": lambda r: r.mix.get("tma_copies", 0),
    "cp.async": lambda r: r.mix.get("async_copies", 0),
    "ld/st shared": lambda r: f"{r.mix.get('shared_loads', 0)}/{r.mix.get('shared_stores', 0)}",
    "barriers": lambda r: r.mix.get("barriers", 0),
    "compile s": lambda r: f"{r.compile_seconds:.2f}",
    "fits": lambda r: "yes" if r.fits else "NO: " + "; ".join(r.exceeded),
}


def _tensor_cores(result: TargetResult) -> str:
    kinds = [f"{result.mix[k]} {k}" for k in ("wgmma", "tcgen05", "mma", "mfma", "wmma")
             if result.mix.get(k)]  # fmt: skip
    return ", ".join(kinds) or "-"


def format_table(results: list[TargetResult]) -> str:
    """A plain-text table, one row per (kernel, target), columns as COLUMNS."""
    rows = [list(COLUMNS)] + [[str(fill(r)) for fill in COLUMNS.values()] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def targets_report(
    text: str, filename: str, examples: dict[str, tuple], targets: list[str]
) -> tuple[str, list[str]]:
    """The table for each kernel of `text` called with its example arguments, and the errors
    (a kernel the compiler rejects on one target still gets its other rows). Tensors go in as
    meta tensors, as BoundKernel.compile_for's do: a CPU example on a GPU machine is its shape,
    not a tensor the launcher refuses (nothing is launched)."""
    chosen = [target_named(name.strip()) for name in targets]  # a misspelt one before any work
    transpiled = transpile_module(text, filename=filename, example_args=examples)
    module = load_module(transpiled.code, stem=Path(filename).stem)
    results, errors = [], []
    for name, args in examples.items():
        meta = tuple(map(as_meta, args))
        for target in chosen:
            try:
                results += compile_launcher(getattr(module, name), meta, {}, target)
            except TargetError as error:
                errors.append(str(error))
    return format_table(results), errors
