"""Partial slices of host tensors (`A[tile_m, begin:begin + length]`) and block-size arithmetic.

A slice is an axis of its own: `offs_a = begin + tl.arange(0, LANES)`, masked by the tensor's
size (and by its end, where the lanes outnumber the length). Its length must be known while
transpiling: a constant, or arithmetic on block sizes (`block_size_k * 2`), whose text is the
number of lanes. A shape written with such arithmetic (`v.reshape(tile_k.block_size * 2, ...)`)
gives an axis of that many lanes, which meets the slice of the same length (a dot's K).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import expr
from ..frontend.errors import UnsupportedConstructError
from .slice_bounds import from_start
from .values import BLOCK, CONST, Axis

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_ARITHMETIC = (ast.Mult, ast.Add, ast.Sub, ast.FloorDiv)


class Slices:
    """`slice_axis(tensor, dim, part, node)`; `constexpr_code(code)`; `lanes_axis(text)`."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def constexpr_code(self, code: ast.expr | None) -> ast.expr | None:
        """`code` with names of constexpr values replaced by their definitions, if it is
        integer arithmetic on block sizes and constants (else None)."""
        if isinstance(code, ast.Constant) and type(code.value) is int:
            return code
        if isinstance(code, ast.Name):
            if code.id in self.k.constexpr_names:
                return self.k.constexpr_names[code.id]
            return code if code.id in self.k.constexprs and code.id != "INDEX_DTYPE" else None
        if isinstance(code, ast.BinOp) and isinstance(code.op, _ARITHMETIC):
            left, right = self.constexpr_code(code.left), self.constexpr_code(code.right)
            if left is not None and right is not None:
                return ast.BinOp(left=left, op=code.op, right=right)
        return None

    def remember_constexpr(self, name: str, code: ast.expr | None) -> None:
        """`a_tile_len = block_size_k * 2`: the name stands for that arithmetic from now on."""
        self.k.constexpr_names.pop(name, None)
        known = self.constexpr_code(code)
        if known is not None and not isinstance(known, ast.Constant):
            self.k.constexpr_names[name] = known

    def lanes_axis(self, text: str) -> Axis:
        """A dimension of `text` lanes (`BLOCK_K * 2`), all valid: it meets tiles and slices
        whose block is that same text."""
        if text not in self.k.lanes_axes:
            zero = ast.Constant(value=0)
            block = ast.parse(text, mode="eval").body
            self.k.lanes_axes[text] = Axis("", "", text, block, zero, zero, text, block_var=text)
        return self.k.lanes_axes[text]

    def host_slice(
        self, tensor: str, dim: int, part: cst.Slice, node: cst.CSTNode
    ) -> tuple[Axis, ast.expr | None] | None:
        """`out[tile, n1:]`, `out[tile, :n1]`: bounds the host code knows (sizes, host ints) and
        a length known only at run time. The slice is the whole-dimension axis of its length
        (`out.size(1) - n1`, a host expression: it unifies with other whole dimensions, the
        launcher checking sizes) and its start an offset of the pointer. None if a bound is
        not a host expression or the length is a constant (slice_axis)."""
        if part.step is not None:
            return None
        written, part = part, from_start(part, tensor, dim)  # `1:-1`: torch's from the end
        lower = "0" if part.lower is None else self.host_text(part.lower)
        upper = (
            self.k.host.size_key(tensor, dim) if part.upper is None else self.host_text(part.upper)
        )
        if lower is None or upper is None or (lower.isdigit() and upper.isdigit()):
            return None
        if part.upper is not None and written_length(self.k.source, part.lower, part.upper):
            length = written_length(self.k.source, part.lower, part.upper)
            if self.host_text(length) is None or self.host_text(length).isdigit():
                return None  # begin:begin + 4: slice_axis's lanes
        from_end = written.upper is not part.upper  # `:-2`: never past the end
        if part.upper is not None and upper != self.k.host.size_key(tensor, dim) and not from_end:
            self.k.slice_ends.add((tensor, dim, upper))
        length_key = difference(upper, lower)
        what = f"the slice {self.k.source.code(written).strip()} of {tensor}"
        if lower != "0" or part.upper is not None:  # `n1:`, `:n1` with n1 < 0 at the launch
            self.k.slice_starts.add((what, lower, upper))  # torch counts it from the end
        axis = self.k.whole_axes.full_axis_for(length_key, node, what)
        start = None if lower == "0" else self.k.expressions.lower_expr(part.lower).code
        return axis, start

    def host_text(self, node: cst.BaseExpression) -> str | None:
        """The host-code text of a size expression made of host names, sizes and integers
        (`n1`, `x.size(1)`, `n - 2`), as a size key; None for anything computed in the loop."""
        if isinstance(node, cst.BinaryOperation) and isinstance(
            node.operator, (cst.Add, cst.Subtract)
        ):
            left, right = self.host_text(node.left), self.host_text(node.right)
            if left is None or right is None:
                return None
            symbol = "+" if isinstance(node.operator, cst.Add) else "-"
            return ast.unparse(ast.parse(f"({left}) {symbol} ({right})", mode="eval"))
        if isinstance(node, cst.Name) and (
            node.value in self.k.scope or node.value not in self.k.host.names
        ):
            return None
        return self.k.host.key_of(node)

    def slice_axis(self, tensor: str, dim: int, part: cst.Slice, node: cst.CSTNode) -> Axis:
        """The axis of `tensor[..., lower:upper, ...]` along dimension `dim`."""
        written, part = part, from_start(part, tensor, dim)  # `-4:-4 + 2`: from the end
        if part.step is not None:
            raise self.k.source.error(
                UnsupportedConstructError,
                written,
                "a slice with a step inside a device loop",
                hint="load the range and select with torch.where, or index with tile.index * step",
            )
        lower_node, upper_node = part.lower, part.upper
        length_node = written_length(self.k.source, lower_node, upper_node)
        if length_node is None:
            hint = (
                "write x[tile, begin:begin + length] with a constant length or one made of "
                "block sizes (block_size * 2)"
            )
            tile = _tile_bounds(lower_node, upper_node)
            if tile is not None:  # `x[t.begin:t.end]`: the tile's own lanes
                hint = f"index with the tile itself: {tensor}[{tile}] covers {tile}.begin to {tile}.end"
            raise self.k.source.error(
                UnsupportedConstructError,
                written,
                "a partial slice whose length is known only at run time",
                hint=hint,
            )
        if lower_node is None:
            lower_code: ast.expr = ast.Constant(value=0)
        else:
            lower = self.k.expressions.arithmetic(
                self.k.expressions.lower_expr(lower_node), lower_node
            )
            if lower.kind not in (BLOCK, CONST) or lower.rank:
                raise self.k.source.error(
                    UnsupportedConstructError,
                    lower_node,
                    "a slice must start at one index",
                    hint="start it at a number, a host size or a tile's begin",
                )
            lower_code = lower.code
        length = self.k.expressions.arithmetic(
            self.k.expressions.lower_expr(length_node), length_node
        )
        if length.kind == CONST and isinstance(length.const, int) and length.const > 0:
            lanes = 1 << (length.const - 1).bit_length()
            block, exact = str(lanes), lanes == length.const
        elif length.rank == 0 and self.constexpr_code(length.code) is not None:
            block, exact = ast.unparse(self.constexpr_code(length.code)), True
        else:
            raise self.k.source.error(
                UnsupportedConstructError,
                length_node,
                "a slice length that is neither a constant nor made of block sizes",
                hint="slice begin:begin + length with length = a constant or block_size * 2",
            )
        start_text = None if lower_node is None else self.host_text(lower_node)
        if start_text is not None and not start_text.isdigit():  # `k:k + 2`, k < 0 at the launch
            what = f"the slice {self.k.source.code(written).strip()} of {tensor}"
            self.k.slice_starts.add((what, start_text, ""))
        size = ast.Name(id=self.k.size_param(self.k.host.size_key(tensor, dim)))
        key = (tensor, dim, ast.unparse(lower_code), block, exact)
        if key in self.k.slice_axes:
            return self.k.slice_axes[key]
        base = _base_name(lower_node)
        offsets, mask = self.k.names.fresh(f"offs_{base}"), self.k.names.fresh(f"mask_{base}")
        line = self.k.source.line_of(node)
        start = lower_code
        self.k.emit(
            f"{offsets} = {ast.unparse(start)} + tl.arange(0, {block}).to(INDEX_DTYPE)", line
        )
        inside = expr("o < s", o=ast.Name(id=offsets), s=size)
        if not exact:  # more lanes than the slice is long: its end masks too
            end = expr("b + n", b=start, n=length.code)
            inside = expr("(o < e) & i", o=ast.Name(id=offsets), e=end, i=inside)
        self.k.emit(f"{mask} = {ast.unparse(inside)}", line)
        label = f"the slice {self.k.source.code(written).strip()}"
        reach = None
        if start_text is not None and length.kind == CONST:
            end = f"{start_text} + {length.const}"
            end = str(int(start_text) + length.const) if start_text.isdigit() else end
            reach = (tensor, dim, end, length.const)
        axis = Axis(offsets, mask, block, size, start, ast.Constant(value=0), label,
                    length=None if exact else length.code, reach=reach)  # fmt: skip
        self.k.slice_axes[key] = axis
        self.k.all_axes.append(axis)
        return axis


def written_length(source, lower, upper) -> cst.BaseExpression | None:
    """The length of `lower:upper` as written: `upper` when there is no lower bound, `n` for
    `begin:begin + n`, the difference of two integers."""
    if upper is None:
        return None
    if lower is None:
        return upper
    if isinstance(upper, cst.BinaryOperation) and isinstance(upper.operator, cst.Add):
        written = source.code(lower).strip()
        if source.code(upper.left).strip() == written:
            return upper.right
        if source.code(upper.right).strip() == written:
            return upper.left
    if isinstance(lower, cst.Integer) and isinstance(upper, cst.Integer):
        length = int(upper.evaluated_value) - int(lower.evaluated_value)
        return cst.Integer(str(length)) if length > 0 else None
    return None


def _base_name(lower: cst.BaseExpression | None) -> str:
    """`offs_a_tile` for a slice starting at `a_tile_begin`; `offs_slice` otherwise."""
    if isinstance(lower, cst.Name):
        for suffix in ("_begin", "_start", "_offset"):
            if lower.value.endswith(suffix) and len(lower.value) > len(suffix):
                return lower.value.removesuffix(suffix)
    return "slice"


def difference(upper: str, lower: str) -> str:
    """`upper - lower` as host code, `a + b - a` written `b`."""
    if lower == "0":
        return upper
    tree = ast.parse(upper, mode="eval").body
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Add):
        left, right = ast.unparse(tree.left), ast.unparse(tree.right)
        if left == lower:
            return right
        if right == lower:
            return left
    return ast.unparse(ast.parse(f"({upper}) - ({lower})", mode="eval"))


def _tile_bounds(lower: cst.BaseExpression | None, upper: cst.BaseExpression | None) -> str | None:
    """The name `t` of a slice written `t.begin:t.end`, else None."""
    ends = [
        (bound.value.value, bound.attr.value)
        for bound in (lower, upper)
        if m.matches(bound, m.Attribute(value=m.Name()))
    ]
    if len(ends) == 2 and ends[0][0] == ends[1][0] and (ends[0][1], ends[1][1]) == ("begin", "end"):
        return ends[0][0]
    return None
