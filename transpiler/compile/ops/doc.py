"""Renders docs/ops.md from the op table: `python -m transpiler.compile.ops.doc > docs/ops.md`."""

from __future__ import annotations

from .alternatives import ALTERNATIVES
from .candidates import CANDIDATES, LOWERED_AS, RECORDED_WITH, reason
from .composites import COMPOSITES
from .table import (
    BINARY_OPERATORS,
    CAST_METHODS,
    DTYPES,
    ELEMENTWISE,
    FUNCTIONAL,
    METHOD,
    REDUCTIONS,
    TORCH,
)
from .table_orderings import ORDERING_OPS

_SPELLING = {TORCH: "`torch.{}`", METHOD: "`x.{}()`", FUNCTIONAL: "`F.{}`"}
_DTYPE_RULE = {"same": "promoted", "float": "float", "bool": "bool"}


def spellings(name: str, kinds: tuple[str, ...]) -> str:
    import torch

    special = [f"`torch.special.{name}`"] if hasattr(torch.special, name) else []
    return ", ".join([_SPELLING[kind].format(name) for kind in kinds] + special)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")  # a table cell's | would end the cell


def table_names() -> set[str]:
    names = {op.name for op in ELEMENTWISE} | {op.name for op in REDUCTIONS}
    return names | {op.name for op in ORDERING_OPS}


def _inside() -> list[str]:
    names = table_names()
    return [c for c in CANDIDATES if c in names or c in LOWERED_AS]


def _inside_count() -> int:
    return len(_inside())


def candidates() -> list[str]:
    """The candidates section: Inductor's ops, each in (its table name) or out (and why)."""
    inside = _inside()
    lines = [
        "## Inductor's ops: in and out",
        "",
        f"Inductor's pointwise and reduction ops, scans and sorts ({RECORDED_WITH};",
        "`python -m transpiler.compile.ops.candidates` lists them from torch's lowering and decomposition",
        f"tables): **{len(inside)} of {len(CANDIDATES)} are in**. The others, and why:",
        "",
        "| aten op | why not / what to write |",
        "|---|---|",
    ]
    for name in CANDIDATES:
        if name not in inside:
            lines.append(f"| {name} | {_cell(reason(name))} |")
    lines += [
        "",
        "## Unsupported ops with an equivalent spelling",
        "",
        "The error for one of these names shows its hint (`transpiler/compile/ops/alternatives.py`).",
        "",
        "| torch op | hint |",
        "|---|---|",
    ]
    lines += [f"| {name} | {_cell(hint)} |" for name, hint in sorted(ALTERNATIVES.items())]
    return lines


def render() -> str:
    lines = [
        "# Supported ops",
        "",
        f"**{len(table_names())} torch ops** in the op table (element-wise ops, reductions, sorts",
        f"and scans; views, casts and dots besides); {_inside_count()} of Inductor's "
        f"{len(CANDIDATES)} candidates.",
        "",
        "Generated from `transpiler/compile/ops/table.py` by `python -m transpiler.compile.ops.doc > docs/ops.md`;",
        "a test keeps this page equal to the table. `F` is `torch.nn.functional`. In templates,",
        "`a`, `b`, `c` stand for the operands; helpers are `@triton.jit` functions the generated",
        "module defines when a kernel uses them.",
        "",
        "## Element-wise functions",
        "",
        "| op | spellings | Triton | helpers | FLOPs/element | dtype | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for op in ELEMENTWISE:
        helpers = ", ".join(f"`{h}`" for h in op.helpers) or "—"
        scalars = ", ".join(f"{p}={d}" if d else p for p, d in op.scalars)
        notes = (f"scalars: {scalars}; " if scalars else "") + op.note
        dtype = _DTYPE_RULE[op.result] + (", integers → float32" if op.float_args else "")
        lines.append(
            f"| {op.name} | {spellings(op.name, op.spellings)} | `{_cell(op.template)}` | {helpers} | "
            f"{op.flops} | {dtype} | {notes.strip('; ') or '—'} |"
        )
    lines += [
        "",
        "## Reductions (with `dim=`, `keepdim=`)",
        "",
        "Lanes outside the tensor hold the identity before reducing (`tl.where(mask, x, identity)`);",
        "for values that may be integers, `-inf` / `inf` are the dtype's extremes instead",
        "(`fill_lowest(x, mask)` / `fill_highest(x, mask)`), so the result keeps its integer dtype.",
        "",
        "`dim=` may name several dims (`x.sum(dim=(1, 2))`) where torch allows it (the column",
        "below): lowered one dim after another, or as one reduction of the block when they are",
        "all of its dims (var / std: over all of them only).",
        "",
        "| op | spellings | Triton | identity | FLOPs/element | several dims | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for op in REDUCTIONS:
        lines.append(
            f"| {op.name} | {spellings(op.name, op.spellings)} | `{op.triton}` | `{op.identity}` | "
            f"{op.flops} | {'yes' if op.several else '—'} | {op.note or '—'} |"
        )
    lines += [
        "",
        "Lowered beside the table: `torch.var_mean` and `torch.aminmax` (two reductions each:",
        "`ops/table.py`'s PAIRED_REDUCTIONS), `torch.linalg.vector_norm` (ord 2, 1, inf; `dim`,",
        "`keepdim`), `torch.norm` / `Tensor.norm` (p 2, `'fro'`, 1, inf) and `F.normalize` (p 2,",
        "1, inf; `dim`, `eps`) as a map, a row reduction and a finish (`lower/norms.py`).",
        "`torch.einsum`'s common forms as the expressions they equal (`lower/einsum.py`: `ik,kj->ij`,",
        "`bik,bkj->bij`, a factor transposed, `ij,ij->i`, `i,i->`, `ij->i`, `ij->ji`; floats).",
        "`torch.gather` / `Tensor.gather`",
        "(`dim`, `index` of the block's rank, equal to it on every other dimension) as `tl.gather`",
        "(`lower/gathers.py`).",
        "",
        "## torch.nn.functional's composites (`lower/composites.py`)",
        "",
        "Lowered as the table's rows composed. The normalisations need each normalised dimension",
        "whole in the block (`x[tile_m, :]`, `normalized_shape` naming its size: `[n]`); a row",
        "walked in chunks (`reduction_loops`) accumulates the mean and variance, then reads the row",
        "again. `weight` / `bias` are blocks (`w[:]`, `w[tile_n]`) or host tensors named whole",
        "(`w`, `w.float()`: read along the row). The result has the input's dtype.",
        "",
        "| op | spellings | lowered as | FLOPs/element | notes |",
        "|---|---|---|---|---|",
    ]
    for op in COMPOSITES:
        lines.append(
            f"| {op.name} | `F.{op.name}` | `{op.lowered_as}` | {op.flops} | {op.note or '—'} |"
        )
    lines += [
        "",
        "## Sorts, flips and running extremes (along a whole row: `x[tile, :]`, `dim=1`)",
        "",
        "A tile holds only part of a row, so along a tile sort, argsort, msort, topk and flip are",
        "refused with that hint; cummax, cummin and logcumsumexp along a tile restart at each tile, as",
        "torch.cumsum does (indices from the tile's first lane: torch's on the tile's slice;",
        "tests/test_carried16_scans.py); along a whole dimension (`:`) or one of known size they are generated",
        "(`transpiler/compile/ops/table_orderings.py`, `lower/orderings.py`). Lanes outside the row sort",
        "last and are never read back.",
        "",
        "| op | spellings | Triton | gives | FLOPs/element | notes |",
        "|---|---|---|---|---|---|",
    ]
    for op in ORDERING_OPS:
        lines.append(
            f"| {op.name} | {spellings(op.name, op.spellings)} | {_cell(op.triton)} | "
            f"{op.result} | {op.flops} | {_cell(op.note) or '—'} |"
        )
    lines += ["", "## Operators on device values", "", "| operator | Triton |", "|---|---|"]
    for symbol, template, _ in BINARY_OPERATORS.values():
        lines.append(f"| `{symbol}` | `{template}` |")
    lines += [
        "| comparisons `< <= > >= == !=` | the same (a chain of blocks `0 < v < 0.5` is refused, as torch refuses it: write `(0 < v) & (v < 0.5)`) |",
        "| unary `-` `+` `~` | the same |",
        "",
        "## Casts and dtypes",
        "",
        "`x.to(dtype)` and " + ", ".join(f"`x.{m}()`" for m in CAST_METHODS) + ". Half-precision",
        "values are computed in float32 (`upcast_half`), as torch does internally; stores cast to",
        "the output's dtype. Float8 (OCP e4m3fn / e5m2) is a storage format: products take it as",
        "stored (tensor cores, a float32 accumulator), every other operation reads it as float32",
        "(torch has no float8 arithmetic); `.to(float8)` rounds to nearest even and, on a GPU,",
        "saturates at the largest finite value (±448, ±57344; torch 2.13 saturates e4m3fn too, but",
        "turns e5m2's overflow into ±inf). A float64 value reaches float8 through float32, as",
        "torch's conversion does (`float8_of`: sm_90 converts no float64 to float8), also to a",
        "dtype known only at the launch (`v.to(y.dtype)` of a y the value does not come from).",
        "",
        "| torch | Triton |",
        "|---|---|",
    ]
    lines += [f"| `torch.{name}` | `{triton}` |" for name, triton in DTYPES.items()]
    lines += ["", *candidates()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
