"""Tile indices used as values, not addresses: int64 as torch's.

`tile.index` and `hl.arange` lanes are the kernel's INDEX_DTYPE (int32 while every tensor holds
fewer than 2**31 elements: fast address math) where torch's are int64 (`torch.arange`'s). Used
as values (`out[tile] = tile.index * 100003`, `ids = tile.index + offset` with an int argument,
`x_int32[tile] * tile.index`) int32 arithmetic wrapped past 2**31 where torch's does not. So a
product, power or shift of index lanes, or their sum with an int argument or an integer tensor,
takes the lanes as int64 first (`offsets.to(tl.int64) * 100003`); sums with sizes and small
literals stay as they are (they pass int32 only beside tensors of 2**31 elements, where
INDEX_DTYPE is int64 already). Inside a subscript's index the same arithmetic is address math
(`x[tile.index * 2]`) and keeps INDEX_DTYPE: indexing.py counts `builder.addressing`.
Lanes are marked where they are made (`Value.index_lanes`: tile.index, hl.arange without a
dtype) and stay marked through views and arithmetic with Python ints (`lanes_of`); a cast
(`tile.index.int()`) or a tensor (`x_int32[tile] + tile.index`) ends them, as torch's dtype."""

from __future__ import annotations

import ast
from dataclasses import replace

from ..emit.codegen import expr
from .negative_indices import is_argument
from .python_ints import is_python_int
from .values import BLOCK, CONST, Value

# operators whose result passes int32 from lanes below it
_GROWING = frozenset({"Multiply", "Power", "LeftShift"})
# ... and those that pass it only beside an operand the launcher does not bound
_SUMS = frozenset({"Add", "Subtract"})


def is_index_lanes(value: Value) -> bool:
    """Index lanes in INDEX_DTYPE still (no `.to(tl.int64)` of them yet)."""
    return value.index_lanes and value.kind == BLOCK and bool(value.dims) and not _int64(value)


def lanes_of(result: Value, operands: list[Value]) -> Value:
    """`result` marked index lanes where its integer operands are lanes and Python ints alone
    (`tile.index * 2 + 1`, `tile.begin + hl.arange(tile.block_size)`)."""
    lanes = [v for v in operands if v.index_lanes]
    if not lanes or result.dtype != "int" or _int64(result):
        return result
    if all(v.index_lanes or is_python_int(v) for v in operands):
        return replace(result, index_lanes=True)
    return result


def index_values_as_int64(builder, op_name: str | None, operands: list[Value]) -> list[Value]:
    """`operands` of one operator with the first index lanes among them as int64, where the
    result is a value torch computes in int64 and int32 could wrap (see the module's note)."""
    if builder.addressing or op_name not in _GROWING | _SUMS:
        return operands
    lanes = [i for i, v in enumerate(operands) if is_index_lanes(v)]
    others = [v for i, v in enumerate(operands) if i not in lanes]
    if not lanes or any(_is_float(v) for v in others):
        return operands
    if op_name in _SUMS and not any(_unbounded(builder, v) for v in others):
        return operands
    first = lanes[0]
    wide = replace(operands[first], code=expr("v.to(tl.int64)", v=operands[first].code))
    return [wide if i == first else v for i, v in enumerate(operands)]


def _int64(value: Value) -> bool:
    return value.code is not None and any(
        isinstance(node, ast.Attribute) and node.attr == "int64" for node in ast.walk(value.code)
    )


def _is_float(value: Value) -> bool:
    return value.dtype == "float" or value.kind == CONST and isinstance(value.const, float)


def _unbounded(builder, value: Value) -> bool:
    """An int argument (any Python int) or an integer tensor's values (`x_int32[tile]`)."""
    if value.loaded_from or value.fed_by:
        return value.dtype in ("int", None)
    name = getattr(value.code, "id", None)
    return is_python_int(value) and name is not None and is_argument(builder, name)
