"""torch's reading of an index computed at run time: a negative one counts from the end."""

from __future__ import annotations

import ast

import libcst as cst

from ..emit.codegen import assign, expr
from .values import CONST, Value

# `x[tile, j]` with j = -1 passed at the call, `x[idx[tile]]` with idx holding -1, `x[i - 1,
# tile]` at i = 0: torch reads the last element, so the kernel wraps such an index by its
# dimension's size. Indices that cannot be negative (grid indices, tile begins, their sums and
# products) are left as they are. A scalar argument used as an index is also checked by the
# launcher to lie inside the dimension (torch's IndexError, never a read past the tensor).
WRAP = "tl.where(i < 0, i + n, i)"


def may_be_negative(builder, value: Value) -> bool:
    """Whether an index's value may be negative: it reads a tensor or an argument, subtracts,
    negates or inverts (`~i` is -i - 1), or holds a negative literal (`torch.where(c, 7, -7)`,
    `i * -2`)."""
    if value.kind == CONST or value.code is None:
        return False
    if value.loaded_from or value.zero_dim_tensor or value.storage is not None:
        return True
    for node in ast.walk(value.code):
        if isinstance(node, (ast.Sub, ast.USub, ast.Invert)):
            return True
        if isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value < 0:
            return True
        if isinstance(node, ast.Name) and is_argument(builder, node.id):
            return True
    return False


def wrapped_index(builder, tensor: str, dim: int, value: Value, node: cst.CSTNode) -> Value:
    """`value` as an index of `tensor`'s dimension `dim`, read as torch reads it."""
    if not may_be_negative(builder, value):
        return value
    key = builder.host.size_key(tensor, dim)
    size: ast.expr = (
        ast.Constant(int(key)) if key.isdigit() else ast.Name(id=builder.size_param(key))
    )
    code = value.code
    line = builder.source.line_of(node)
    if isinstance(code, ast.Name) and is_argument(builder, code.id):
        builder.argument_checks.append(_range_check(builder, tensor, dim, code.id, line))
    if not isinstance(code, ast.Name):  # named once: the test and both branches read it
        name = builder.names.fresh("index")
        builder.emit(assign(name, code), line)
        code = ast.Name(id=name)
    return value.with_code(expr(WRAP, i=code, n=size))


def is_argument(builder, name: str) -> bool:
    """A number the kernel's caller passes (not a tensor, not a constexpr)."""
    host = builder.host
    return name in host.params and name not in host.tensors and name not in host.constexpr_params


def _range_check(builder, tensor: str, dim: int, name: str, line: int) -> str:
    size = f"{tensor}.size({dim})"
    message = f"line {line}: index {{{name}}} is out of range for {tensor}'s dim {dim} ({{{size}}})"
    return f'require(-{size} <= {name} < {size}, f"{message}", IndexError)'
