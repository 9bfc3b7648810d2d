"""What a row kernel's search space is derived from: its row width, element size, rows, and the
reductions and row-long loads its generated Triton holds, read back from the generated code."""

from __future__ import annotations

import ast
from dataclasses import dataclass

import torch

# reductions in generated kernels: tl's own, and the prelude's helpers (emit/prelude.py) with
# how many passes over the row each makes (a softmax: its max, then its sum)
TL_REDUCTIONS = ("sum", "max", "min", "reduce", "argmax", "argmin", "xor_sum")
HELPER_REDUCTIONS = {
    "masked_softmax": 2, "masked_logsumexp": 2, "masked_log_softmax": 2, "masked_var": 2,
    "product": 1, "welford_combine": 1,
}  # fmt: skip


@dataclass(frozen=True)
class RowFacts:
    """One row kernel on some arguments, as its space needs it: `width` lanes of a row (the
    widest whole dimension, or the extent of the user's inner loop over the row), its loads'
    `element_bytes` (the narrowest), `rows` the launch covers (None: unknown), `reductions`
    over the row and `row_loads` (row-long loads, [rows, width] tiles) in its kernel."""

    width: int
    element_bytes: int = 2
    rows: int | None = None
    reductions: int = 1
    row_loads: int = 1

    @property
    def live_values(self) -> int:
        """Row-long values a thread holds at once: each row load, and one row derived from
        them held across a reduction (`exp(x - m)`, `x - mean`)."""
        return self.row_loads + (1 if self.reductions else 0)

    @property
    def block(self) -> int:
        """Lanes of one whole row's block: the width's next power of two."""
        return 1 << max(self.width - 1, 0).bit_length()


# a row kernel exported without example arguments: a 4,096-lane bf16 row of a softmax
GENERIC_ROWS = RowFacts(width=4096, element_bytes=2, rows=None, reductions=2, row_loads=1)


def row_facts(
    code: str, kernel: str, widths: list[int] | None, named: dict[str, object],
    whole_sizes: tuple[str, ...] = (),
) -> RowFacts:  # fmt: skip
    """The facts of kernel `kernel` (its @triton.jit functions in the generated module `code`)
    on these arguments (`named`: parameter → value; `whole_sizes`: its whole dimensions'
    host sizes, `x.size(1)`, and `widths` their lengths). Without whole dimensions (the user's
    own loop walks the row), the row is the widest last dimension of a floating argument."""
    tensors = [v for v in named.values() if isinstance(v, torch.Tensor)]
    floating = [t for t in tensors if t.is_floating_point()] or tensors
    row_tensor = _sized_tensor(whole_sizes, named)
    if widths:
        width = max(widths)
    else:
        width = max((t.size(-1) for t in floating if t.dim()), default=GENERIC_ROWS.width)
        row_tensor = max(floating, key=lambda t: t.size(-1) if t.dim() else 0, default=None)
    bytes_from = [row_tensor] if row_tensor is not None else floating
    element_bytes = min((t.element_size() for t in bytes_from), default=2)
    rows = None
    if row_tensor is not None and row_tensor.dim() and row_tensor.size(-1):
        rows = max(1, row_tensor.numel() // max(1, width if widths else row_tensor.size(-1)))
    reductions, row_loads = _read_kernels(code, kernel)
    return RowFacts(int(width), int(element_bytes), rows, reductions, max(1, row_loads))


def _sized_tensor(whole_sizes: tuple[str, ...], named: dict[str, object]) -> torch.Tensor | None:
    """The tensor the first whole dimension's size is read from (`x` of `x.size(1)`)."""
    for size in whole_sizes:
        value = named.get(size.partition(".size(")[0])
        if isinstance(value, torch.Tensor):
            return value
    return None


def _read_kernels(code: str, kernel: str) -> tuple[int, int]:
    """(reductions, row-long loads) over the module's @triton.jit functions of `kernel`."""
    reductions = row_loads = 0
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith(f"{kernel}_kernel"):
            counted = _KernelReader()
            counted.visit(node)
            reductions += counted.reductions
            row_loads += counted.row_loads
    return reductions, row_loads


class _KernelReader(ast.NodeVisitor):
    """Counts one kernel's reductions and its loads whose pointers move along both a program's
    offsets (`tl.program_id`) and a row's lanes (`tl.arange` without a program id)."""

    def __init__(self) -> None:
        self.kinds: dict[str, frozenset[str]] = {}  # name → {"program", "lanes"}
        self.reductions = self.row_loads = 0

    def _kinds(self, node: ast.AST) -> frozenset[str]:
        found: set[str] = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name):
                found |= self.kinds.get(inner.id, frozenset())
            elif isinstance(inner, ast.Call) and _tl_name(inner) == "program_id":
                found.add("program")
        if "program" not in found and any(
            isinstance(inner, ast.Call) and _tl_name(inner) == "arange" for inner in ast.walk(node)
        ):
            found.add("lanes")
        return frozenset(found)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        kinds = self._kinds(node.value)
        for target in node.targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    self.kinds[name.id] = kinds

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        name = _tl_name(node)
        if name in TL_REDUCTIONS:
            self.reductions += 1
        elif isinstance(node.func, ast.Name) and node.func.id in HELPER_REDUCTIONS:
            self.reductions += HELPER_REDUCTIONS[node.func.id]
        elif name == "load" and node.args and self._kinds(node.args[0]) >= {"program", "lanes"}:
            self.row_loads += 1


def _tl_name(call: ast.Call) -> str | None:
    """`sum` of a call `tl.sum(...)`, else None."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr if func.value.id == "tl" else None
    return None
