"""Loops inside the program: hl.tile / hl.grid steps, and the scope a loop leaves."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import expr
from ..frontend.aliases import LANGUAGE
from ..frontend.errors import ShapeError
from ..ops.hl import INDEX, JAGGED_LOOPS
from .config_literals import config_value
from .top_loop import host_size
from .values import TILE, Axis, Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# the rows of a jagged loop (hl.jagged_tile, hl.vtile)
_JAGGED = tuple(f"{LANGUAGE}.{name}" for name in JAGGED_LOOPS)


class InnerLoops:
    """`lower_inner_loop`: an inner tile / grid loop (jagged, tuple and range loops by their
    components), its carried values kept and its scope closed."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def lower_inner_loop(self, loop: cst.For) -> None:
        kind = self.k.loop_calls.loop_each(loop)
        start, depth = len(self.k.lines), self.k.depth
        self.k.emit_comment(loop)
        anchor = self.k.lines[start]
        line = self.k.source.line_of(loop)
        before = dict(self.k.scope)
        self.k.open_loop(not self.unrolled(loop, kind))
        loops = 1  # Triton loops opened: one per dimension of a tile / grid loop
        if self.is_jagged_loop(loop):
            self.k.jagged.jagged_loop(loop, line)
        elif kind is None and self.k.tensor_tuples.is_tensor_tuple_loop(loop):
            # for a in a_shared_tuple: (tensor_tuples.py)
            self.k.tensor_tuples.tensor_tuple_loop(loop, line)
        elif kind is None:
            self.k.range_loops.plain_range_loop(loop, line)
        else:
            ranges, explicit_blocks = self.k.loop_calls.loop_ranges(loop.iter)
            count = len(ranges)
            targets = self.k.loop_calls.loop_targets(loop, count)
            shared = isinstance(targets, str) and count > 1  # `for tiles in hl.tile([m, n])`
            names = [targets] * count if isinstance(targets, str) else targets
            bound = []
            for index, (begin_node, end_node) in enumerate(ranges):
                explicit = explicit_blocks[index] if index < len(explicit_blocks) else None
                # several dimensions: one loop inside the other, the last one innermost
                bound.append(
                    self.inner_dimension(
                        kind,
                        names[index],
                        index,
                        count,
                        shared,
                        begin_node,
                        end_node,
                        explicit,
                        line,
                    )
                )
            self.k.loop_calls.bind_loop_targets(targets, bound, count)
            loops = count
        self.k.statements.lower_body(loop.body.body)
        self.k.carried.close(before, loop, anchor, depth)
        self.k.depth -= loops
        self.k.close_loop()
        self.close_loop_scope(before, loop)

    def inner_dimension(
        self,
        kind: str,
        target: str,
        index: int,
        count: int,
        shared: bool,
        begin_node: cst.BaseExpression | None,
        end_node: cst.BaseExpression,
        explicit: cst.BaseExpression | None,
        line: int,
    ) -> Value:
        """One dimension of an inner hl.tile / hl.grid loop: its `for` line, offsets and mask."""
        end = self.k.expressions.arithmetic(self.k.expressions.lower_expr(end_node), end_node)
        begin = (
            self.k.expressions.arithmetic(
                self.k.expressions.lower_expr(begin_node), begin_node
            ).code
            if begin_node is not None
            else ast.Constant(value=0)
        )
        if kind == INDEX:  # hl.grid: `explicit` is its step
            variable = self.k.names.fresh(f"{target}_{index}") if shared else target
            step = ""
            if explicit is not None:
                step = f", {ast.unparse(self.k.expressions.lower_expr(explicit).code)}"
            self.k.emit(
                f"for {variable} in range({ast.unparse(begin)}, {ast.unparse(end.code)}{step}):",
                line,
            )
            self.k.depth += 1
            self.k.index_ranges[variable] = (begin, end.code)  # its bounds (scalar_reach.py)
            return block(ast.Name(id=variable), (), "int")
        offsets, mask, block_wanted, _ = self.k.loop_calls.axis_names(target, index, count)
        # a step over several dimensions inside a tile: 16 lanes each, so the value it loads
        # (tile x step) stays near 4,096 elements (16 x 64 x 64 took ptxas 20 s and spilled)
        inside_a_tile = count > 1 and len(self.k.all_axes) > index
        block_name = self.k.loop_blocks.inner_block(
            block_wanted,
            [explicit] if explicit is not None else [],
            "16" if inside_a_tile else "64",
        )
        self.k.block_tiles.setdefault(block_name, target if not shared else f"{target}#{index}")
        self.k.has_inner_tiles = True
        start = self.k.names.fresh(
            f"begin_{offsets.removeprefix('offs_')}" if offsets.startswith("offs_") else "begin"
        )
        loop_range = "range"
        options = ""
        if self.warp_specialized():
            loop_range, options = "tl.range", ", warp_specialize=True"
        self.k.emit(
            f"for {start} in {loop_range}({ast.unparse(begin)}, {ast.unparse(end.code)}, "
            f"{block_name}{options}):",
            line,
        )
        if options:
            self.k.warp_specialized_lines.append(self.k.lines[-1])
        self.k.depth += 1
        self.k.emit(f"{offsets} = {start} + tl.arange(0, {block_name}).to(INDEX_DTYPE)", line)
        end_text = ast.unparse(end.code)
        whole = None
        size = self.k.params.get(end_text)
        if begin_node is None and size is not None and size.kind == "size":
            whole = f"{host_size(size.launch)} % {block_name} == 0"
        self.k.emit(self.k.mask_line(mask, offsets, end_text, block_name, whole), line)
        axis = Axis(
            offsets,
            mask,
            block_name,
            end.code,
            ast.Name(id=start),
            expr("s // b", s=start, b=block_name),
            target,
        )
        axis.shifted = begin_node is not None
        axis.first = begin if begin_node is not None else None
        self.k.all_axes.append(axis)
        return Value(TILE, axis=axis)

    def warp_specialized(self) -> bool:
        """Helion's `range_warp_specializes`: one entry per inner tile loop, in order; True
        asks Triton to split the loop's warps into producers (loads) and consumers (math),
        which on Hopper needs the loop's loads to go through descriptors (indexing=
        "tensor_descriptor": the loop then specializes only when the launcher chose them,
        `warp_specialize=TENSOR_DESCRIPTORS`; Triton 3.6 cannot split pointer loads). Counts
        this loop."""
        index = self.k.inner_loops_seen
        self.k.inner_loops_seen += 1
        chosen = config_value(self.k.settings, "range_warp_specializes")
        if not isinstance(chosen, (list, tuple)) or self.k.settings.get("autotune_configs"):
            return False
        return index < len(chosen) and chosen[index] is True

    def is_jagged_loop(self, loop: cst.For) -> bool:
        call = loop.iter
        return isinstance(call, cst.Call) and self.k.aliases.qualified(call.func) in _JAGGED

    def unrolled(self, loop: cst.For, kind: str | None) -> bool:
        """Whether Triton unrolls the loop (hl.static_range, a tuple of tensors): not a loop
        of the compiled kernel, so not one its pipeliner sees."""
        call = loop.iter
        is_range = isinstance(call, cst.Call) and m.matches(call.func, m.Name("range"))
        return kind is None and not is_range and not self.is_jagged_loop(loop)

    def dims_match(self, first, second) -> bool:
        """Same axes position by position (whole dimensions may be unified)."""
        if len(first) != len(second):
            return False
        return all(
            (a is None and b is None)
            or (a is not None and b is not None and self.k.broadcasting.same_axis(a, b))
            for a, b in zip(first, second)
        )

    def close_loop_scope(self, before: dict[str, Value], loop: cst.For) -> None:
        for name, value in list(self.k.scope.items()):
            if name not in before:
                del self.k.scope[name]
            elif before[name].kind == value.kind and not self.dims_match(
                before[name].dims, value.dims
            ):
                raise self.k.source.error(
                    ShapeError,
                    loop,
                    f"{name!r} changes shape inside this loop "
                    f"({_dims_text(before[name].dims)} before, {_dims_text(value.dims)} after)",
                    hint=_carried_shape_hint(name, before[name].dims, value.dims),
                )
            else:
                self.k.carried.refuse_kind_change(name, before[name], value, loop)


def _carried_shape_hint(name: str, before, after) -> str:
    """What to write where a carried value changes shape: a number that becomes a block
    (`total = 0.0`, then `total = total + x[tm, tn].sum(1)`) starts as a block of its tiles."""
    if before or not after:
        return "a value carried across loop iterations must keep its tiles"
    return (
        f"a value carried across loop iterations must keep its tiles: start it as one "
        f"({name} = hl.zeros({_dims_text(after)}, dtype=torch.float32))"
    )


def _dims_text(dims) -> str:  # noqa: D103
    return "[" + ", ".join(d.label if d is not None else "1" for d in dims) + "]"
