"""torch's dtype for a value computed from Python ints and bools alone: int64, or Python's
own unbounded ints.

`torch.where(c, 7, -7)`, `(x > 0) * 70000`, `torch.where(x > 0, k, 0)` with an int argument k:
torch holds these in int64 (a Python int is int64 when no integer tensor sets the dtype), and
`k * k`, `n * 100000000` of sizes and arguments are Python's exact ints. Triton holds a
literal and an int argument in int32 (a literal past it in uint32) and a bool in int1, so such
values wrapped past 2**31 (`torch.where(c, 70000, -3) * 70000` gave 605032704 for 4.9e9, `x *
(k * k)` a wrapped product) and `torch.where(c, 2**31, 0) - 1` was unsigned. One operand is
made int64 first; Triton's promotion carries it to the others."""

from __future__ import annotations

import ast
from dataclasses import replace

from ..emit.codegen import expr
from .negative_indices import is_argument
from .promotion import is_zero_dim_tensor
from .values import BLOCK, CONST, Value

# products of two numbers that are no tensors: the ones that pass int32 (sums and differences
# of sizes and indices stay as they are: they would need operands near 2**31 themselves)
_GROWING = {"Multiply", "Power", "LeftShift"}


def is_python_int(value: Value) -> bool:
    """A literal int, or a number that is no tensor (an int argument, a size, `tile.begin`)."""
    if value.kind == CONST:
        return type(value.const) is int
    return (
        value.kind == BLOCK
        and not value.dims
        and value.dtype in ("int", None)
        and not is_zero_dim_tensor(value)
    )


def _is_tensor(value: Value) -> bool:
    return value.kind == BLOCK and (bool(value.dims) or is_zero_dim_tensor(value))


def _int64_already(value: Value) -> bool:
    return value.code is not None and any(
        isinstance(node, ast.Attribute)
        and node.attr == "int64"
        or isinstance(node, ast.Name)
        and node.id == "int64_if_integer"
        for node in ast.walk(value.code)
    )


def as_int64(
    builder, operands: list[Value], op_name: str | None = None, shaped: bool = False
) -> list[Value]:
    """The operands of one op with one made int64 where torch's result is int64 (or Python's
    exact int) and Triton's would be narrower: no operand is a tensor but a bool one, and a
    Python int is among them; with no tensor at all, only for a product (`op_name`) or where
    the op's result is a tensor anyway (`shaped`: torch.where's condition is one)."""
    if any(map(_past_int32, operands)):  # `tile.index * 10**10`
        operands = [_lanes_as_int64(v) for v in operands]
    tensors = [v for v in operands if _is_tensor(v)]
    if any(v.dtype != "bool" for v in tensors) or not any(map(is_python_int, operands)):
        return operands
    if any(map(_int64_already, operands)) or not (tensors or shaped) and op_name not in _GROWING:
        return operands
    blocks = [_block_size_arithmetic(builder, v) for v in operands]
    if any(blocks) and all(b or v.kind == CONST for b, v in zip(blocks, operands, strict=True)):
        return operands  # `block_size_k * 2`: a tl.constexpr for shapes and slices, and small
    for index, chosen in enumerate(operands):
        widened = _widened(builder, chosen)
        if widened is not None:
            return [widened if i == index else v for i, v in enumerate(operands)]
    return operands


def _past_int32(value: Value) -> bool:
    """A literal int that int32 cannot hold."""
    return value.kind == CONST and type(value.const) is int and not -(2**31) <= value.const < 2**31


def _lanes_as_int64(value: Value) -> Value:
    """Integer lanes no tensor holds (`tile.index`, `hl.arange`: Triton's int32; int64 in torch)
    as int64, so a literal past int32 computes beside them (Triton refused the literal); a
    tensor's values keep their dtype (the launcher checks the literal fits it: integer_promotion)."""
    if (
        _is_tensor(value)
        and value.dtype == "int"
        and not (value.loaded_from or value.fed_by)
        and not _int64_already(value)
    ):
        return replace(value, code=expr("v.to(tl.int64)", v=value.code))
    return value


def _block_size_arithmetic(builder, value: Value) -> bool:
    """Whether a value reads block sizes alone (or names bound to them: `a_tile_len =
    block_size_k * 2`), which shapes and slice lengths need as a tl.constexpr."""
    if value.code is None:
        return False
    names = {n.id for n in ast.walk(value.code) if isinstance(n, ast.Name)}
    return bool(names) and names <= set(builder.constexprs) | set(builder.constexpr_names)


def _widened(builder, value: Value) -> Value | None:
    """`value` as int64, or None where its dtype is unknown here and it is no argument."""
    if _is_tensor(value) and value.dtype == "bool":
        return replace(value, code=expr("v.to(tl.int64)", v=value.code), dtype="int")
    if value.kind == CONST and type(value.const) is int or value.dtype == "int":
        # (tl.cast takes a literal and a tl.constexpr block size too)
        code = expr("tl.cast(v, tl.int64)", v=value.code)
        return replace(value, kind=BLOCK, code=code, dtype="int", const=None)
    if (
        value.dtype is None
        and isinstance(value.code, ast.Name)
        and is_argument(builder, value.code.id)
    ):  # an int or a float argument: only Triton knows which
        builder.use_helper("int64_if_integer")
        return replace(value, code=expr("int64_if_integer(v)", v=value.code))
    return None
