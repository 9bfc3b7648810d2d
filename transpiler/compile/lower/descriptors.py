"""`indexing="tensor_descriptor"`: tiles of host tensors copied by Hopper's TMA.

The tensor memory accelerator copies a whole tile between global and shared memory in one
instruction: no per-lane addresses, no masks (reads past a tensor's end give zeros, writes
there are dropped). It needs what not every tensor offers (a contiguous last dimension, 16-byte
aligned rows), so the kernel keeps both paths under one constexpr flag the launcher computes
from the tensors (`tma_fits`): every shape and stride still runs, through pointers when it must.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..emit.codegen import assign, expr, render
from ..frontend.errors import UnsupportedConstructError
from .config_literals import INDEXING, config_value
from .values import Axis, Dims, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder


@dataclass
class Descriptor:
    """One `tl.make_tensor_descriptor` of the kernel: a tensor seen in tiles of one shape."""

    name: str  # x_desc
    tensor: str  # the host tensor
    pointer: str  # its kernel parameter
    shape: list[str]  # kernel code per dimension: where the tiles stop (the loop's end)
    strides: list[str]
    blocks: list[str]  # BLOCK_M, BLOCK_K
    # a batch index of one (a squeezed tile) before the tiles: its rows join the next
    # dimension's (q[b, i] is row b * q.size(1) + i), so TMA copies 2-D tiles (what Triton's
    # Hopper warp specialization can split). The launcher's test that the tiles along the rows
    # are whole (none crosses into the next batch: tma_rows_fit); the joined row size
    joined_test: str = ""
    joined_rows: str = ""
    # a view whose last two dimensions are swapped (`k.transpose(1, 2)`): the descriptor
    # copies tiles of its memory the other way round, and each load is turned back (`.T`)
    transposed: bool = False


class DescriptorCopies:
    """Loads and stores through tensor descriptors, when the config asks for them."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def wants_descriptors(self, node=None) -> bool:
        """Whether the config's `indexing` asks for tensor descriptors (Helion's field: one
        value, or a list of one per access, here read as descriptors for every access when
        any entry asks for them); an unknown value is an error."""
        indexing = config_value(self.k.settings, "indexing")
        if indexing is None or self.k.settings.get("autotune_configs"):
            return False  # a @triton.autotune list varies block sizes only: pointers
        values = indexing if isinstance(indexing, (list, tuple)) else [indexing]
        for value in values:
            if value not in INDEXING:
                raise self.k.source.error(
                    UnsupportedConstructError,
                    node if node is not None else self.k.source.current,
                    f"indexing={indexing!r} in the config",
                    hint=f"one of {', '.join(map(repr, INDEXING))}",
                )
        return any(INDEXING[value] for value in values)

    def descriptor_for(self, tensor: str, dims: Dims, store: bool = False) -> Descriptor | None:
        """The descriptor `tensor[dims]` goes through, or None: pointers (the config asks for
        none, or the access is not a tile per dimension whose end the program knows upfront).
        A load of a view with its last two dimensions swapped copies 2-D tiles of its memory
        (the tiles' dimensions in memory order), turned back after the copy."""
        if (
            not self.k.access_is_tiles
            or not self.k.descriptors_wanted
            or tensor in self.k.tuple_elements
        ):
            return None  # (a tuple's tensors: pointers, no descriptor per element)
        rank = self.k.checked_ranks.get(tensor) or self.k.host.rank(tensor)
        if rank is None or rank != len(dims):
            return None
        joined = rank >= 3 and dims[0] is not None and dims[0].squeezed
        tiles = dims[1:] if joined else dims
        transposed = not store and tensor in self.k.host.swapped and len(tiles) == 2
        order = list(range(int(joined), rank))  # the descriptor's dimensions, in memory order
        if transposed:
            tiles = tiles[::-1]  # the swapped view's last dimension first
            order[-2:] = order[-1], order[-2]
        if not all(self._copyable(d) for d in tiles) or tiles[-1].shifted:
            return None  # (a shifted last dimension: tiles would start off 16-byte alignment)
        shape = [ast.unparse(axis.end) for axis in tiles]
        blocks = [axis.block for axis in tiles]
        test = rows = ""
        if joined:
            if not self._copyable(dims[0], squeezed=True):
                return None
            end = self.k.params.get(shape[0])
            if end is None or end.kind not in ("size", "scalar"):
                return None  # whole tiles along the rows cannot be told apart at launch
            # (a scalar: a host integer the loop ends at, `m = q.size(-2)` unpacked in a tuple)
            size = self.k.size_param(self.k.host.size_key(tensor, order[0]))
            rows = f"{size}"
            shape[0] = f"{ast.unparse(dims[0].end)} * {size}"
            test = f"{end.launch} % {blocks[0]} == 0"
            if dims[0].scalar:  # pointers read a dimension of 1 at any index; TMA cannot
                test += f" and {tensor}.size({order[0] - 1}) != 1"
        key = (tensor, shape, blocks, transposed)
        for d in self.k.descriptors:
            if (d.tensor, d.shape, d.blocks, d.transposed) == key:
                return d
        strides = [self.k.stride(tensor, dim) for dim in order[:-1]] + ["1"]
        name = self.k.names.fresh(f"{tensor}_desc")
        pointer = self.k.tensor_pointer(tensor)
        return Descriptor(name, tensor, pointer, shape, strides, blocks, test, rows, transposed)

    @staticmethod
    def descriptor_starts(descriptor: Descriptor, dims: Dims) -> str:
        """The first element of a tile: `[pid_m * BLOCK_M, begin_k]`, a joined batch's rows
        counted in (`[offs_b * m + pid_m * BLOCK_M, 0]`); in memory order when transposed."""
        joined = bool(descriptor.joined_rows)
        tiles = list(dims[1:] if joined else dims)
        if descriptor.transposed:
            tiles.reverse()
        starts = [ast.unparse(axis.begin) for axis in tiles]
        if joined:
            starts[0] = f"{dims[0].offsets} * {descriptor.joined_rows} + {starts[0]}"
        return ", ".join(starts)

    def _copyable(self, axis: Axis | None, squeezed: bool = False) -> bool:
        """A tile (or `:`) TMA can copy: a block of lanes from a start, ending where the loop
        ends, that end known before the program's first tile (descriptors are made there).
        `squeezed`: a batch tile of block size 1 instead."""
        if axis is None or axis.squeezed != squeezed or not axis.masked or axis.parents:
            return False
        known = {*self.k.params, *self.k.constexprs, *self.k.even_flags}
        return all(
            not isinstance(node, ast.Name) or node.id in known for node in ast.walk(axis.end)
        )

    def descriptor_flag(self, descriptor: Descriptor) -> str:
        """The constexpr choosing TMA or pointers; registers the descriptor on first use."""
        if descriptor not in self.k.descriptors:
            self.k.descriptors.append(descriptor)
        if self.k.tma_flag is None:
            self.k.tma_flag = self.k.names.fresh("TENSOR_DESCRIPTORS")
            self.k.host_names.taken.add(self.k.tma_flag)
        return self.k.tma_flag

    def descriptor_load(
        self,
        tensor: str,
        descriptor: Descriptor,
        dims: Dims,
        pointers: ast.expr,
        mask: ast.expr | None,
        native: bool,
        line: int,
        name: str | None = None,
    ) -> ast.expr:
        """`x_tile = x_desc.load([...])` under the flag, the pointer load otherwise (`name`:
        the variable the source assigns the load to, when it is one)."""
        flag = self.descriptor_flag(descriptor)
        name = name or self.k.names.fresh(f"{tensor}_tile")
        starts = self.descriptor_starts(descriptor, dims)
        turned = ".T" if descriptor.transposed else ""
        copied = expr(f"{descriptor.name}.load([{starts}]){turned}")
        if not native:
            self.k.use_helper("upcast_half")
            copied = expr("upcast_half(a)", a=copied)
        self.k.emit(f"if {flag}:", line)
        self.k.depth += 1
        self.k.emit(assign(name, copied), line)
        self.k.depth -= 1
        self.k.emit("else:", line)
        self.k.depth += 1
        self.k.emit(
            assign(name, self.k.loads.pointer_load(tensor, pointers, mask, native, line)), line
        )
        self.k.depth -= 1
        return ast.Name(id=name)

    def descriptor_store(
        self,
        tensor: str,
        descriptor: Descriptor,
        dims: Dims,
        pointers: ast.expr,
        mask: ast.expr | None,
        value: Value,
        line: int,
    ) -> None:
        """`x_desc.store([...], v)` under the flag (v in the tensor's dtype: TMA does not
        convert), the pointer store otherwise."""
        flag = self.descriptor_flag(descriptor)
        code = _without_upcast(value.code)
        if not isinstance(code, ast.Name):  # one name for both paths
            stored = self.k.names.fresh(f"{tensor}_tile")
            self.k.emit(assign(stored, code), line)
            code = ast.Name(id=stored)
        starts = self.descriptor_starts(descriptor, dims)
        element = f"{descriptor.pointer}.dtype.element_ty"
        converted = (
            render(code) if _converts_to(value.code, element) else f"{render(code)}.to({element})"
        )
        self.k.emit(f"if {flag}:", line)
        self.k.depth += 1
        self.k.emit(f"{descriptor.name}.store([{starts}], {converted})", line)
        self.k.depth -= 1
        self.k.emit("else:", line)
        self.k.depth += 1
        named = self.k.loads.named_pointers(tensor, pointers, line)
        self.k.stores.emit_store(named, self.k.stores.stored(tensor, value, code), mask, line)
        self.k.depth -= 1

    def make_descriptors(self) -> None:
        """The descriptors, made once where the program starts (before a persistent loop)."""
        if not self.k.descriptors:  # pointer loads only: never warp-specialized (Triton 3.6's
            for loop in self.k.warp_specialized_lines:  # pass asserts on them, issue 17)
                loop.text = loop.text.replace(", warp_specialize=True", "")
            return
        for loop in self.k.warp_specialized_lines:  # pointer loads: Triton cannot split them
            loop.text = loop.text.replace(
                "warp_specialize=True", f"warp_specialize={self.k.tma_flag}"
            )
        line = self.k.lines[self.k.program_start].source_line
        made = [
            self.k.make_line(
                1,
                f"if {self.k.tma_flag}:  # Hopper's TMA copies whole tiles; past the end: 0s",
                line,
            )
        ]
        for d in self.k.descriptors:
            if d.transposed:
                made.append(
                    self.k.make_line(
                        2,
                        f"# {d.tensor} is a transposed view: TMA copies its memory's rows, "
                        "loads turn them (.T)",
                        line,
                    )
                )
            text = (
                f"{d.name} = tl.make_tensor_descriptor({d.pointer}, "
                f"shape=[{', '.join(d.shape)}], strides=[{', '.join(d.strides)}], "
                f"block_shape=[{', '.join(d.blocks)}])"
            )
            made.append(self.k.make_line(2, text, line))
        self.k.insert_lines(self.k.program_start, made)

    def descriptor_launch_lines(self) -> list[str]:
        """The launcher's `TENSOR_DESCRIPTORS = tma_fits(x, BLOCK_M, BLOCK_K) and ...`."""
        if not self.k.descriptors:
            return []
        self.k.host_helpers.add("tma_fits")
        tests = []
        for d in self.k.descriptors:
            # a swapped view's memory, as the descriptor copies it
            tensor = f"{d.tensor}.transpose(-2, -1)" if d.transposed else d.tensor
            if d.joined_test:
                tests.append(f"tma_rows_fit({tensor}, {d.joined_test}, {', '.join(d.blocks)})")
            else:
                tests.append(f"tma_fits({tensor}, {', '.join(d.blocks)})")
        if len(tests) == 1:
            lines = [f"{self.k.tma_flag} = {tests[0]}"]
        else:
            lines = [f"{self.k.tma_flag} = (", f"    {tests[0]}"]
            lines += [f"    and {test}" for test in tests[1:]] + [")"]
        return [
            *lines,
            f"if {self.k.tma_flag}:  # the kernel makes its descriptors in memory from here",
            "    triton.set_allocator(tma_scratch)",
        ]


def _without_upcast(code: ast.expr) -> ast.expr:
    """`upcast_half(acc.to(dtype))` → `acc.to(dtype)`: a store converts anyway."""
    if (
        isinstance(code, ast.Call)
        and isinstance(code.func, ast.Name)
        and code.func.id == "upcast_half"
        and len(code.args) == 1
    ):
        return code.args[0]
    return code


def _converts_to(code: ast.expr, element: str) -> bool:
    """Whether `code` is already `v.to(element)` (before `upcast_half` comes off)."""
    code = _without_upcast(code)
    return (
        isinstance(code, ast.Call)
        and isinstance(code.func, ast.Attribute)
        and code.func.attr == "to"
        and len(code.args) == 1
        and ast.unparse(code.args[0]) == element
    )
