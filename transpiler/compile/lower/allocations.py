"""Lowering of allocations: hl.zeros / full / arange, *_like and new_* blocks, shapes of tiles."""

from __future__ import annotations

import ast
import math
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import expr
from ..frontend.errors import ShapeError, UnsupportedConstructError
from ..ops.table import HALF_DTYPES, UPCAST_DTYPES
from .arguments import Arguments
from .block_sizes import block_lanes
from .carried import carried_dtype
from .values import BLOCK, CONST, DTYPE, TILE, TILES, Value, block, constant, sized_axis

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class Allocations:
    """New blocks: filled (hl.zeros / hl.full, torch's *_like and new_*) or counted (hl.arange),
    shaped by tiles, host sizes and block sizes."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def allocate(self, shape_node, fill: Value, dtype: Value | None, node: cst.Call) -> Value:
        """hl.zeros / hl.full: a block shaped by tiles."""
        if dtype is not None and dtype.kind == CONST and dtype.const is None:  # Helion fails too
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                "dtype=None: hl.zeros / hl.full take a dtype, not None",
                hint="leave dtype out for float32, or pass one: dtype=torch.float32, x.dtype",
            )
        if dtype is not None and dtype.code is None:  # `dtype=torch.flaot32`: no dtype at all
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                "dtype= is not a dtype the kernel knows",
                hint="pass a torch dtype, e.g. dtype=torch.float32",
            )
        dims, sizes = self.shape_of(shape_node)
        return self.filled(dims, sizes, fill, dtype)

    def shape_of(self, shape_node, element_nodes=None) -> tuple[list, list]:
        """Axes and Triton sizes of a shape written with tiles, host sizes and 1s."""
        if element_nodes is None:
            element_nodes = (
                [e.value for e in shape_node.elements]
                if isinstance(shape_node, (cst.List, cst.Tuple))
                else [shape_node]
            )
        dims, sizes = [], []
        for element_node in element_nodes:
            var = self.k.registered_blocks.block_size_var(element_node)
            if var is not None:  # hl.register_block_size's block: the lanes of its tiles
                axis = self.k.registered_blocks.block_size_axis(var)
                dims.append(axis)
                sizes.append(ast.Name(id=axis.block))
                continue
            key = self.host_size_key(element_node)
            if key is not None:  # a host size: the whole dimension, as x[tile, :] would load it
                axis = self.k.whole_axes.full_axis_for(
                    key, element_node, self.k.source.code(element_node)
                )
                dims.append(axis)
                sizes.append(ast.Name(id=axis.block))
                continue
            element = self.k.expressions.lower_expr(element_node)
            tiles = (
                [element]
                if element.kind == TILE
                else list(element.items)
                if element.kind == TILES
                else None
            )
            if tiles is not None:
                for tile in tiles:
                    dims.append(tile.axis)
                    if not tile.axis.squeezed:  # no Triton dimension for a squeezed tile
                        sizes.append(ast.Name(id=tile.axis.block))
            elif element.kind == CONST and element.const == 1:
                dims.append(None)
                sizes.append(ast.Constant(value=1))
            elif element.kind == CONST and _power_of_two(element.const):
                dims.append(sized_axis(element.const, str(element.const)))  # `2` of a pair
                sizes.append(ast.Constant(value=element.const))
            elif element.kind in (BLOCK, CONST) and element.axis is not None and not element.dims:
                # block.size(0): the block size of that tile (a slice's size: its lanes)
                dims.append(element.axis)
                if not element.axis.squeezed:
                    sizes.append(ast.Name(id=element.axis.block))
            elif (
                element.kind == BLOCK
                and not element.rank
                and self.k.slices.constexpr_code(element.code)
            ):
                # block-size arithmetic (`tile_k.block_size * 2`): that many lanes
                axis = self.k.slices.lanes_axis(
                    ast.unparse(self.k.slices.constexpr_code(element.code))
                )
                dims.append(axis)
                sizes.append(ast.parse(axis.block, mode="eval").body)
            elif element.kind == CONST and element.const == -1:
                raise self.k.source.error(
                    ShapeError,
                    element_node,
                    "a size of -1 for a new block: torch infers -1 only in view, reshape and "
                    "expand",
                    hint="write the size: a tile, tile.block_size, a host size, 1 or a power of "
                    "two (`v.view(tile.block_size, 4, 2)`)",
                )
            else:
                raise self.k.source.error(
                    ShapeError,
                    shape_node,
                    "sizes of a block must be tiles, host sizes, block sizes or powers of two",
                    hint="write each size as a tile, tile.block_size, a host size, 1 or a power "
                    "of two (`hl.zeros([tile_m, tile_n], dtype=torch.float32)`)",
                )
        return dims, sizes

    def filled(self, dims: list, sizes: list, fill: Value, dtype: Value | None) -> Value:
        """A block of `fill` with these axes."""
        dtype_code = dtype.code if dtype is not None else expr("tl.float32")
        fill = _fill_for(fill, dtype)
        is_half = dtype is not None and (dtype.const == "runtime" or dtype.const in UPCAST_DTYPES)
        if dtype is not None and dtype.const in HALF_DTYPES:
            dtype_code, is_half = expr("tl.float32"), False
        code = expr("tl.full(s, v, d)", s=ast.List(elts=sizes), v=fill.code, d=dtype_code)
        if dtype is not None and dtype.const == "runtime" and _float_constant(fill):
            # a float for a dtype Triton knows (an integer one takes no float: made float64
            # first, then converted, truncating as torch does)
            code = expr(
                "tl.full(s, v, tl.float64).to(d)", s=ast.List(elts=sizes), v=fill.code, d=dtype_code
            )
        if fill.kind == CONST and fill.const == 0:
            code = expr("tl.zeros(s, dtype=d)", s=ast.List(elts=sizes), d=dtype_code)
        if is_half:
            self.k.use_helper("upcast_half")
            code = expr("upcast_half(a)", a=code)
        kind = None if dtype is None else ("float" if "float" in str(dtype.const) else None)
        narrow_int = dtype is not None and dtype.const in _NARROW_INTS
        dtype_text = "tl.float32" if dtype is None else ast.unparse(dtype.code)
        zero = fill.kind == CONST and fill.const == 0
        return replace(
            block(code, tuple(dims), kind or ("float" if dtype is None else None)),
            carried_dtype=carried_dtype(dtype_text, None if dtype is None else dtype.const),
            dtype="int" if narrow_int else kind or ("float" if dtype is None else None),
            filled_lanes=frozenset() if zero else block_lanes(dims),
        )

    def allocate_like(
        self,
        value: Value,
        name: str,
        args: Arguments,
        node: cst.Call,
        default_dtype: Value | None = None,
    ) -> Value:
        """torch.zeros_like / full_like(v, c) and v.new_zeros / new_full(shape, c) on blocks."""
        fill = constant(1 if "ones" in name else 0)  # an integer: tl.full takes it for any dtype
        rest = list(args.positional)
        if name.startswith("new_"):
            dims, sizes = self.shape_of(rest.pop(0) if rest else args.keywords["size"])
        else:
            dims, sizes = list(value.dims), self.k.dots.block_shape(value.dims).elts
        if "full" in name:
            fill_node = rest[0] if rest else args.keywords.get("fill_value")
            fill = self.k.expressions.arithmetic(
                self.k.expressions.lower_expr(fill_node), fill_node
            )
        dtype_node = args.keywords.get("dtype")
        dtype = self.k.expressions.lower_expr(dtype_node) if dtype_node is not None else None
        if dtype is None and default_dtype is not None:
            dtype = default_dtype
        if dtype is None:
            source = value.storage if value.storage is not None else expr("v.dtype", v=value.code)
            dtype = Value(DTYPE, source, const="runtime")
        return self.filled(dims, sizes, fill, dtype)

    def host_size_key(self, node: cst.BaseExpression) -> str | None:
        """The size key of a host size expression (not a device value, not a literal)."""
        if isinstance(node, cst.Integer):
            return None
        if isinstance(node, cst.Name) and (
            node.value in self.k.scope or node.value not in self.k.host.names
        ):
            return None
        if _reads_a_block(node, self.k.scope):  # `v.size(0)` of a block: the device's size
            return None
        return self.k.host.key_of(node)

    def arange(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.arange(block)`: int32 lanes 0 .. block - 1 (Helion's index dtype), converted to
        `dtype=` where the call gives one."""
        lanes = replace(self.arange_lanes(args, node), index_lanes=True)
        dtype = args.keywords.get("dtype")
        if dtype is None or m.matches(dtype, m.Name("None")):
            return lanes
        return self.k.views.cast_to(lanes, dtype, node)

    def arange_lanes(self, args: Arguments, node: cst.Call) -> Value:
        var = self.k.registered_blocks.block_size_var(args.get(0, "end"))
        if var is not None:  # hl.arange(block_size_m): that block size's lanes
            axis = self.k.registered_blocks.block_size_axis(var)
            return block(expr("tl.arange(0, b)", b=ast.Name(id=axis.block)), (axis,), "int")
        end = args.get(0, "end")
        key = self.host_size_key(end)
        if key is not None:  # hl.arange(n): 0 .. n - 1 along the whole dimension of size n
            axis = self.k.whole_axes.full_axis_for(key, end, self.k.source.code(end))
            return block(expr("tl.arange(0, b)", b=ast.Name(id=axis.block)), (axis,), "int")
        size = self.k.expressions.lower_expr(end)
        if size.kind == TILE and size.axis is not None and not size.axis.squeezed:
            # hl.arange(tile): a tile stands for its block size (as in Helion), lanes along it
            axis = size.axis
            return block(expr("tl.arange(0, b)", b=ast.Name(id=axis.block)), (axis,), "int")
        if (
            size.kind == BLOCK
            and isinstance(size.code, ast.Name)
            and size.code.id in self.k.constexprs
        ):
            axis = next((a for a in self.k.all_axes if a.block == size.code.id), None)
            if axis is not None:
                return block(expr("tl.arange(0, b)", b=size.code), (axis,), "int")
        if size.kind == CONST and _power_of_two(size.const):  # hl.arange(4): a sized dimension
            axis = sized_axis(size.const, str(size.const))
            return block(expr("tl.arange(0, b)", b=size.code), (axis,), "int")
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            "hl.arange takes a tile's block size (its lanes), a power-of-two literal or a host "
            "size (a whole dimension), not a length computed on the device",
            hint="write hl.arange(tile) or hl.arange(tile.block_size), or use tile.index; for the "
            "indices 0 .. n-1 of a dimension write hl.arange(n) with n from the host code",
        )


# integer dtypes narrower than int64: values of other widths (int64 loads) would widen them
_NARROW_INTS = ("tl.int8", "tl.int16", "tl.int32", "tl.uint8", "tl.uint16", "tl.uint32")


def _power_of_two(value: object) -> bool:
    return type(value) is int and value > 1 and value & (value - 1) == 0


_INTEGER_DTYPES = (*_NARROW_INTS, "tl.int64", "tl.uint64")


def _float_constant(fill: Value) -> bool:
    return fill.kind == CONST and isinstance(fill.const, float) and fill.const != 0


def _fill_for(fill: Value, dtype: Value | None) -> Value:
    """A constant fill as the dtype holds it: Triton's tl.full takes no float for an integer
    or bool dtype (the GPU compile refuses `tl.full(s, 2.0, tl.int32)`); torch truncates."""
    if fill.kind != CONST or not isinstance(fill.const, float) or dtype is None:
        return fill
    if dtype.const == "tl.int1":
        return constant(bool(fill.const))
    if dtype.const in _INTEGER_DTYPES and math.isfinite(fill.const):
        return constant(int(fill.const))
    return fill


def _reads_a_block(node: cst.BaseExpression, scope: dict) -> bool:
    """Whether an expression (`v.size(0)`, `v.shape[1]`) starts from a block of the device
    loop, whose sizes are its tiles', not the host's."""
    while isinstance(node, (cst.Call, cst.Attribute, cst.Subscript)):
        node = node.func if isinstance(node, cst.Call) else node.value
    return isinstance(node, cst.Name) and getattr(scope.get(node.value), "kind", None) == BLOCK
