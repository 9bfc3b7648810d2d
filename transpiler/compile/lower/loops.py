"""Lowering of tile loops: the top-level loop becomes the grid, inner loops run in the program."""

from __future__ import annotations

import ast
import builtins
import re
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import assign, expr
from ..frontend.aliases import LANGUAGE
from ..frontend.errors import (
    BlockDependentError,
    RankUnknownError,
    ShapeError,
    TileArgumentError,
    UnsupportedConstructError,
)
from ..frontend.host_sizes import literal_int, whole_size_tensor
from ..frontend.kernels import device_loop_kind
from ..frontend.signatures import HL_SIGNATURES, bind
from ..ops.hl import DEVICE_LOOPS, HL_BY_NAME, INDEX, JAGGED_LOOPS, LANES, UNROLLED_LOOPS
from .argument_checks import integers_check, power_of_two_check
from .config_literals import config_value
from .explicit_blocks import launcher_block, names_in, outer_tile_block
from .programs import PersistentLoop, PersistentPrograms, persistent_programs
from .repeated_tiles import cap_repeated_blocks, other_axes_share
from .values import DTYPE, MODULE, TILE, TILES, Axis, Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# the rows of a jagged loop (hl.jagged_tile, hl.vtile) and of an unrolled one (hl.static_range)
_JAGGED = tuple(f"{LANGUAGE}.{name}" for name in JAGGED_LOOPS)
_UNROLLED = tuple(f"{LANGUAGE}.{name}" for name in UNROLLED_LOOPS)
_DEFAULT_BLOCKS = {1: [1024], 2: [32, 32], 3: [8, 8, 16]}


class Loops:
    """`lower_top_loop` (grid, program ids, launch) and `lower_inner_loop`."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    # -- ranges ---------------------------------------------------------------------------

    def loop_ranges(
        self, call: cst.Call
    ) -> tuple[list[tuple[cst.BaseExpression | None, cst.BaseExpression]], list]:
        """[(begin, end)] per dimension of hl.tile / hl.grid, and block_size= entries."""
        self.bind_loop_call(call)
        ranges, block_sizes = self._loop_ranges(call)
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        positional = [a.value for a in call.args if a.keyword is None]
        if len(positional) == 3:  # hl.tile(begin, end, block_size), hl.grid(begin, end, step)
            keywords[self.third_parameter(call)] = positional[2]
        if "step" in keywords:
            self.check_steps(keywords["step"], block_sizes, len(ranges))
        for begin, end in ranges:
            for size in (end, begin):
                if isinstance(
                    size, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
                ):
                    raise self.k.source.error(
                        TileArgumentError, size, "a loop size must be an integer"
                    )
                if size is not None and self.k.host.is_float(size):
                    text = self.k.source.code(size)
                    raise self.k.source.error(
                        TileArgumentError,
                        size,
                        f"a loop size must be an integer: {text} is a float",
                        hint="divide with // (n // 2), write integers as 1000, not 1e3, or "
                        "convert with int(...)",
                    )
                if isinstance(size, cst.Name) and size.value in self.k.host.tensors:
                    raise self.k.source.error(
                        TileArgumentError,
                        size,
                        f"a loop size must be an integer, not the tensor {size.value}",
                        hint=f"tile its sizes: hl.tile({size.value}.size()) for every dimension, "
                        f"hl.tile({size.value}.size(0)) for the first",
                    )
                kind = (
                    self.k.expressions.lower_expr(size).kind
                    if isinstance(size, (cst.Name, cst.Attribute))
                    else None
                )
                if kind in (MODULE, DTYPE):
                    what = "a module" if kind == MODULE else "a dtype"
                    raise self.k.source.error(
                        TileArgumentError, size, f"a loop size must be an integer, not {what}"
                    )
        if "block_size" in keywords:
            node = keywords["block_size"]
            if (self.k.aliases.qualified(call.func) or "").endswith(".grid"):
                raise self.k.source.error(
                    TileArgumentError,
                    node,
                    "hl.grid takes no block_size: each program is one index",
                    hint="use hl.tile(n, block_size=...) for blocks",
                )
            if len(block_sizes) != len(ranges):
                raise self.k.source.error(
                    TileArgumentError,
                    node,
                    f"{len(block_sizes)} block sizes for {len(ranges)} dimensions",
                    hint="one block size per dimension, as Helion asks (None: the config's): "
                    "hl.tile([m, n], block_size=[32, None])",
                )
            for size in block_sizes:
                self.refuse_language_calls(size, "a block size")
                literal = literal_int(size)  # -8 too: a minus and an integer
                flag = isinstance(size, cst.Name) and size.value in ("True", "False")
                if (
                    flag
                    or isinstance(size, (cst.Float, cst.SimpleString))
                    or (literal is not None and (literal < 1 or literal & (literal - 1)))
                ):
                    raise self.k.source.error(
                        TileArgumentError,
                        size,
                        "a block size must be a power of two (1, 2, 4, ...)",
                        hint="Triton blocks are powers of two; masks take care of ragged edges",
                    )
        return ranges, block_sizes

    def refuse_language_calls(self, node: cst.BaseExpression | None, what: str) -> None:
        """A loop's block size or step goes to the launcher as written: an hl call there
        (`block_size=hl.register_block_size(m)`) has no meaning on the host."""
        if node is None:
            return
        for call in m.findall(node, m.Call()):
            qualified = self.k.aliases.qualified(call.func) or ""  # type: ignore[attr-defined]
            if qualified.startswith(f"{LANGUAGE}."):
                name = qualified.rpartition(".")[2]
                raise self.k.source.error(
                    TileArgumentError,
                    call,
                    f"hl.{name}() inside a loop's call, as {what}",
                    hint=f"call it in host code before the loop: block = hl.{name}(...), then "
                    "pass block",
                )

    def third_parameter(self, call: cst.Call) -> str:
        """What a loop call's third positional argument is: hl.tile's block_size, hl.grid's
        step (the parameter its row's signature names there)."""
        name = (self.k.aliases.qualified(call.func) or "").rpartition(".")[2]
        signature = HL_SIGNATURES.get(name)
        if signature is None or len(signature.positional) < 3:
            return "block_size"
        return signature.positional[2]

    def check_steps(self, node: cst.BaseExpression, steps: list, count: int) -> None:
        """hl.grid's step: one per dimension (a list for a list of sizes), each a positive
        integer literal or an integer argument (checked at launch)."""
        if len(steps) != count:
            raise self.k.source.error(
                TileArgumentError,
                node,
                f"{len(steps)} steps for {count} dimensions",
                hint="one step per dimension: hl.grid([m, n], step=[2, 1])",
            )
        for step in steps:
            if step is None:
                continue
            self.refuse_language_calls(step, "a step")
            literal = step.evaluated_value if isinstance(step, cst.Integer) else None
            argument = isinstance(step, cst.Name) and step.value in self.k.host.names
            if (literal is None and not argument) or (literal is not None and literal < 1):
                raise self.k.source.error(
                    TileArgumentError,
                    step,
                    "a grid step must be a positive integer: a literal or an int argument",
                    hint="for a descending order, loop upwards and compute the index: "
                    "i = end - 1 - index",
                )
            if argument:
                text = f"the step of hl.grid must be positive, got {{{step.value}}}"
                self.k.argument_checks.append(
                    f'require({step.value} >= 1, lambda: f"{text}", ValueError)'
                )

    def bind_loop_call(self, call: cst.Call) -> None:
        """hl.tile / hl.grid arguments against Helion's signatures: a misspelt keyword
        (`blocksize=`) is an error at its column, `step=` (not lowered) is refused."""
        name = (self.k.aliases.qualified(call.func) or "").rpartition(".")[2]
        signature = HL_SIGNATURES.get(name)
        if signature is None or name not in DEVICE_LOOPS:
            return
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = [a for a in call.args if a.keyword is not None]
        if "block_size" not in signature.parameters:  # hl.grid's gets its own error below
            keywords = [a for a in keywords if a.keyword.value != "block_size"]
        refused = dict(HL_BY_NAME[name].refused)
        bind(
            signature,
            positional,
            keywords,
            call,
            self.k.source.error,
            refused=tuple(refused),
            hints=refused,
            owner=f"hl.{name}",
            arity_error=TileArgumentError,
        )

    def _loop_ranges(
        self, call: cst.Call
    ) -> tuple[list[tuple[cst.BaseExpression | None, cst.BaseExpression]], list]:
        positional = [a.value for a in call.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        if not positional:
            raise self.k.source.error(
                TileArgumentError, call, "hl.tile / hl.grid needs the sizes to cover"
            )
        block_sizes: list = []  # hl.tile's block sizes or hl.grid's steps, per dimension
        third = self.third_parameter(call)
        if len(positional) == 3:  # hl.tile(begin, end, block_size): the third by position
            keywords[third] = positional.pop()
        if third in keywords:
            node = keywords[third]
            items = (
                [e.value for e in node.elements]
                if isinstance(node, (cst.List, cst.Tuple))
                else [node]
            )
            block_sizes = [
                None if isinstance(i, cst.Name) and i.value == "None" else i for i in items
            ]
        if len(positional) == 2:
            begins, ends = (_elements(p) for p in positional)
            if len(begins) != len(ends):
                raise self.k.source.error(
                    TileArgumentError, call, "begin and end have different lengths"
                )
            return list(zip(begins, ends)), block_sizes
        whole = whole_size_tensor(positional[0])
        if whole is not None:
            rank = self.k.host.rank(whole)
            if rank is None and self.k.host.given_ranks:  # host code made it, ranks given
                raise self.k.source.error(
                    RankUnknownError,
                    positional[0],
                    f"the host code makes {whole!r} by a call whose rank this transpiler does "
                    "not follow",
                    hint=f"name its sizes first, `a, b = {whole}.size()`, and tile them: "
                    "hl.tile([a, b])",
                )
            if rank is None:
                raise self.k.source.error(
                    RankUnknownError,
                    positional[0],
                    f"the rank of {whole!r} is known only when the kernel is called",
                )
            ends = [_size_node(whole, d) for d in range(rank)]
            return [(None, e) for e in ends], block_sizes
        return [(None, e) for e in _elements(positional[0])], block_sizes

    def loop_targets(self, loop: cst.For, count: int) -> list[str] | str:
        target = loop.target
        if isinstance(target, cst.Name):
            return target.value
        if isinstance(target, (cst.Tuple, cst.List)) and all(
            isinstance(e.value, cst.Name) for e in target.elements
        ):
            names = [e.value.value for e in target.elements]
            if len(names) == 1 and count == 1:
                if not _sizes_are_a_sequence(loop.iter):
                    raise self.k.source.error(
                        TileArgumentError,
                        target,
                        "a single tile does not unpack",
                        hint=f"write `for {names[0]} in ...` (or give the sizes as a list)",
                    )
                return names[0]
            if len(names) != count:
                whole = whole_size_tensor(loop.iter.args[0].value) if loop.iter.args else None
                if whole is not None:  # hl.tile(x.size()): the argument's rank decides
                    raise self.k.source.error(
                        TileArgumentError,
                        loop.iter.args[0].value,
                        f"{whole} is {count}-D in this call, and the loop names {len(names)} "
                        f"tiles of {whole}.size()",
                        hint=f"pass a {len(names)}-D {whole}, or name {count} "
                        f"tile{'s' * (count != 1)} in the loop",
                    )
                raise self.k.source.error(
                    TileArgumentError, target, f"{len(names)} names for {count} loop dimensions"
                )
            return names
        raise self.k.source.error(TileArgumentError, target, "loop targets must be names")

    def axis_names(self, tile_name: str, index: int, count: int) -> tuple[str, str, str, str]:
        """offs_n, mask_n, BLOCK_N, pid_n for tile `tile_n` (offsets, mask, BLOCK_SIZE, pid for `tile`)."""
        suffix = tile_name.removeprefix("tile").lstrip("_")
        if count > 1 and not suffix:
            suffix = str(index)
        elif count > 1 and not tile_name.startswith("tile_") and tile_name.startswith("tile"):
            suffix = f"{suffix}{index}"
        key = (tile_name, str(index))
        if key not in self.k.axis_names_cache:
            if suffix:
                wanted = (
                    f"offs_{suffix}",
                    f"mask_{suffix}",
                    f"BLOCK_SIZE_{suffix}" if suffix.isdigit() else f"BLOCK_{suffix.upper()}",
                    f"pid_{suffix}",
                )
            else:
                wanted = ("offsets", "mask", "BLOCK_SIZE", "pid")
            names = tuple(self.k.names.fresh(w) for w in wanted[:2]) + (
                wanted[2],
                self.k.names.fresh(wanted[3]),
            )
            self.k.axis_names_cache[key] = names
        return self.k.axis_names_cache[key]

    def next_block_size(self, explicit, default: str, name: str = "") -> str:
        var = self.k.registered_blocks.block_size_var(explicit)
        if var is not None and var in self.k.registered_sizes:  # the config's size for it
            self.k.explicit_blocks.add(name)
            self.k.config_blocks.add(name)
            return str(self.k.registered_sizes[var])
        if explicit is not None:
            self.k.explicit_blocks.add(name)
            host_name = isinstance(explicit, cst.Name) and explicit.value in self.k.host.names
            if host_name:  # an argument, a host size (`n = hl.specialize(n)`)
                self.k.argument_checks.append(power_of_two_check(explicit.value))
            elif self.host_expression(explicit):  # `block_size=x.size(0)`
                line = self.k.source.line_of(explicit)
                text = self.k.source.code(explicit)
                self.k.argument_checks.append(power_of_two_check(text, line))
            return self.k.source.code(explicit)
        if self.k.block_sizes:
            chosen = self.k.block_sizes.pop(0)
            if chosen is not None:
                self.k.explicit_blocks.add(name)
                self.k.config_blocks.add(name)
                return str(chosen)
        return default

    def host_expression(self, node: cst.BaseExpression) -> bool:
        """A computed value the launcher can evaluate before the launch: no literal, names of
        host values and modules only (`x.size(0)`, `helion.next_power_of_2(n)`; not a tile's
        `.block_size`)."""
        if literal_int(node) is not None:
            return False
        names = names_in(node)
        return bool(names) and all(
            n.value in self.k.host.names
            or n.value in vars(builtins)  # min(64, n), int(n)
            or self.k.aliases.qualified(n) is not None  # helion.next_power_of_2(n)
            for n in names
        )

    # -- the top-level loop ---------------------------------------------------------------

    def loop_each(self, loop: cst.For) -> str | None:
        """What one iteration of a device loop binds (its row's `each`: LANES for hl.tile, INDEX
        for hl.grid); None for any other loop."""
        name = device_loop_kind(loop, self.k.aliases)
        return HL_BY_NAME[name].each if name is not None else None

    def lower_top_loop(self, loop: cst.For) -> None:
        kind = self.loop_each(loop)
        ranges, explicit_blocks = self.loop_ranges(loop.iter)
        targets = self.loop_targets(loop, len(ranges))
        self.k.emit_comment(loop)
        line = self.k.source.line_of(loop)
        host_text = [
            (self.k.source.code(b) if b is not None else None, self.k.source.code(e))
            for b, e in ranges
        ]
        count = len(ranges)
        self.k.persistent = persistent_programs(self.k.source, loop, self.k.settings)
        # (refuses unknown values)
        self.k.descriptors_wanted = self.k.descriptor_copies.wants_descriptors(loop)
        self.k.program_start = len(self.k.lines)  # where the program's per-tile code begins
        if count > 1:
            self.k.emit("pid = tl.program_id(0).to(INDEX_DTYPE)", line)
        ends = [self.k.expressions.lower_expr(e) for _, e in ranges]
        begins = [self.k.expressions.lower_expr(b) if b is not None else None for b, _ in ranges]
        grid, values, blocks, squeezed = [], [], [], []
        tile_names = [targets] * count if isinstance(targets, str) else targets
        for index in range(count):
            end, begin = ends[index], begins[index]
            extent_host = (
                host_text[index][1]
                if begins[index] is None
                else f"{host_text[index][1]} - {host_text[index][0]}"
            )
            extent = end.code if begin is None else expr("e - b", e=end.code, b=begin.code)
            if kind == INDEX:  # hl.grid: one program per index, `step` apart
                step = explicit_blocks[index] if index < len(explicit_blocks) else None
                if step is None:
                    grid.append(f"({extent_host})" if begin is not None else extent_host)
                    values.append((extent, begin, None))
                    continue
                step_code = self.k.expressions.lower_expr(step).code
                grid.append(f"triton.cdiv({extent_host}, {self.k.source.code(step)})")
                values.append((expr("tl.cdiv(e, s)", e=extent, s=step_code), begin, step_code))
                continue
            offsets, mask, block_wanted, pid = self.axis_names(tile_names[index], index, count)
            explicit = explicit_blocks[index] if index < len(explicit_blocks) else None
            var = self.k.registered_blocks.block_size_var(explicit)
            if var:
                self.k.registered_roles.setdefault(var, "outer")
            block_name = (
                self.k.registered_blocks.block_size_constexpr(var)
                if var
                else self.k.constexpr(block_wanted, "")
            )
            self.k.block_tiles.setdefault(block_name, _tile_key(targets, index, count))
            if explicit is None:
                self.k.tile_blocks.append(block_name)
            if explicit is None and self.k.block_sizes:  # config block sizes go in loop order
                chosen = self.k.block_sizes.pop(0)
                if chosen is not None:
                    explicit = cst.Integer(str(chosen))
            # a block of 1, written in the source or chosen by the config: one index per
            # program, no Triton dimension (2-D dots and descriptors for a batch of one)
            one = isinstance(explicit, cst.Integer) and explicit.evaluated_value == 1
            squeezed.append(one and self.k.squeeze_units)
            if one:
                self.k.unit_blocks.add(block_name)  # a batch of one: products lower to 2-D dots
            blocks.append((block_name, explicit))
            grid.append(f"triton.cdiv({extent_host}, {block_name})")
            values.append((extent, begin, offsets, mask, block_name, pid, end))
        # program ids: the last dimension varies fastest
        pid_codes = self.program_ids(kind, values, count, line)
        bound: list[Value] = []
        for index in range(count):
            if kind == INDEX:
                extent, begin, step = values[index]
                code = pid_codes[index]
                if step is not None:
                    code = expr("p * s", p=code, s=step)
                if begin is not None:
                    code = expr("b + p", b=begin.code, p=code)
                name = tile_names[index] if not isinstance(targets, str) or count == 1 else None
                if name:
                    self.k.emit(assign(name, code), line)
                    code = ast.Name(id=name)
                    first = ast.Constant(0) if begin is None else begin.code
                    self.k.index_ranges[name] = (first, ends[index].code)  # scalar_reach.py
                bound.append(block(code, (), "int"))
                continue
            extent, begin, offsets, mask, block_name, pid, end = values[index]
            start = (
                expr("p * b", p=pid, b=block_name)
                if begin is None
                else expr("s + p * b", s=begin.code, p=pid, b=block_name)
            )
            if squeezed[index]:  # one index per program, inside the range by the grid
                self.k.emit(f"{offsets} = {ast.unparse(start)}", line)
            else:
                self.k.emit(f"{offsets} = {ast.unparse(start)} + tl.arange(0, {block_name})", line)
                whole = None
                if begin is None:
                    whole = f"{host_size(host_text[index][1])} % {block_name} == 0"
                end_text = ast.unparse(end.code)
                self.k.emit(self.k.mask_line(mask, offsets, end_text, block_name, whole), line)
            # Helion's tile.id is begin // block_size: the program id unless the loop is shifted
            tile_id = ast.Name(id=pid) if begin is None else expr("s // b", s=start, b=block_name)
            axis = Axis(offsets, mask, block_name, end.code, start, tile_id, tile_names[index])
            axis.squeezed = squeezed[index]
            axis.shifted = begin is not None
            axis.first = None if begin is None else begin.code
            self.k.all_axes.append(axis)
            bound.append(Value(TILE, axis=axis))
        self.bind_loop_targets(targets, bound, count)
        self.k.preamble_end = len(self.k.lines)
        self.k.statements.lower_body(loop.body.body)
        if self.k.persistent is not None:
            grid = self.make_persistent(self.k.persistent, self.tile_counts(kind, values), grid)
        self.k.descriptor_copies.make_descriptors()
        self.finish_blocks(blocks, count)
        self.k.launcher(loop, grid, 1)

    @staticmethod
    def tile_counts(kind: str, values: list) -> list[ast.expr]:
        """Kernel code for how many programs each dimension of the top-level loop takes."""
        if kind == INDEX:
            return [value[0] for value in values]
        return [expr("tl.cdiv(e, b)", e=value[0], b=value[4]) for value in values]

    def make_persistent(
        self, persistent: PersistentPrograms, counts: list[ast.expr], grid: list[str]
    ) -> list[str]:
        """Wraps the program's code in the strategy's loop over tiles; returns the launcher's
        grid (programs.py)."""
        tensors = [p.launch for p in self.k.params.values() if p.kind == "tensor"]
        if not tensors:  # nothing to read or write: one program per tile is as good
            return grid
        start = self.k.program_start
        header = self.k.lines[start]
        programs = self.k.constexpr("NUM_PROGRAMS", f"persistent_programs({tensors[0]})")
        self.k.host_helpers.add("persistent_programs")
        # flatten: Triton pipelines the inner loop's loads across tiles (the next tile's first
        # loads start during this tile's last steps), so only where an inner loop loads. Not
        # around a warp-specialized inner loop (Triton 3.6 fails to compile that pair, its TMA
        # lowering, on an H100), nor around inner loops that load nothing (its loop fusion pass
        # fails on those for sm_90: tests/test_persistent_tma.py)
        # (also not where a tile copied by TMA before an inner loop is held across it, as
        # attention's queries: Triton 3.6's TMA lowering fails there on sm_90, H200 2026-12-04)
        body = self.k.lines[start + 1 :]
        pipelined = inner_loops_load(body) and not copied_before_inner_loop(body)
        loop = PersistentLoop(
            pid=header.text.split(" = ")[0],
            programs=programs,
            tiles=self.k.names.fresh("num_tiles"),
            total=" * ".join(ast.unparse(count) for count in counts),
            flatten=pipelined and not self.k.warp_specialized_lines,
        )
        texts = persistent.loop_lines(loop, self.k.names.fresh)
        for later in self.k.lines[start + 1 :]:
            later.depth += 1
        made = [self.k.make_line(header.depth, text, header.source_line) for text in texts]
        self.k.insert_lines(start, made, replacing=1)
        return persistent.grid(programs, grid)

    def program_ids(self, kind: str, values: list, count: int, line: int) -> list[ast.expr]:
        if count == 1:
            self.k.program_start = len(self.k.lines)
            if kind == INDEX and self.k.persistent is not None:  # the loop needs a pid line
                self.k.emit("pid = tl.program_id(0).to(INDEX_DTYPE)", line)
                return [ast.Name(id="pid")]
            if kind == INDEX:
                return [expr("tl.program_id(0).to(INDEX_DTYPE)")]
            pid = values[0][5]
            self.k.emit(f"{pid} = tl.program_id(0).to(INDEX_DTYPE)", line)
            return [ast.Name(id=pid)]
        counts = self.tile_counts(kind, values)
        groups = config_value(self.k.settings, "l2_groupings")
        group = groups[0] if isinstance(groups, (list, tuple)) and groups else None
        if kind == LANES and count == 2 and isinstance(group, int) and group > 1:
            return self.grouped_program_ids(values, counts, group, line)
        codes = []
        for index in range(count):
            later = counts[index + 1 :]
            divisor = None
            for c in later:
                divisor = c if divisor is None else expr("a * b", a=divisor, b=c)
            code = ast.Name(id="pid") if divisor is None else expr("pid // d", d=divisor)
            if index > 0:
                code = expr("a % c", a=code, c=counts[index])
            if kind == LANES:
                pid = values[index][5]
                self.k.emit(assign(pid, code), line)
                code = ast.Name(id=pid)
            codes.append(code)
        return codes

    def grouped_program_ids(
        self, values: list, counts: list, group: int, line: int
    ) -> list[ast.expr]:
        """Programs in groups of GROUP_M rows of tiles, so neighbours share inputs in L2."""
        pid_m, pid_n = values[0][5], values[1][5]
        group_name = self.k.constexpr("GROUP_M", str(group))
        self.k.group_constexpr = group_name
        rows, in_group, first, size = (
            self.k.names.fresh(n)
            for n in ("num_pid_m", "num_pid_in_group", "first_pid_m", "group_size_m")
        )
        for text in (
            f"{rows} = {ast.unparse(counts[0])}",
            f"{in_group} = {group_name} * {ast.unparse(counts[1])}",
            f"{first} = pid // {in_group} * {group_name}",
            f"{size} = tl.minimum({rows} - {first}, {group_name})",
            f"{pid_m} = {first} + pid % {in_group} % {size}",
            f"{pid_n} = pid % {in_group} // {size}",
        ):
            self.k.emit(text, line)
        return [ast.Name(id=pid_m), ast.Name(id=pid_n)]

    def bind_loop_targets(self, targets, bound: list[Value], count: int) -> None:
        if isinstance(targets, str):
            if count == 1:
                self.k.scope[targets] = bound[0]
            elif bound and bound[0].kind == TILE:
                self.k.scope[targets] = Value(TILES, items=tuple(bound))
            else:
                self.k.scope[targets] = Value("tuple", items=tuple(bound))
        else:
            for name, value in zip(targets, bound):
                self.k.scope[name] = value

    def finish_blocks(self, blocks: list, count: int) -> None:
        defaults = _DEFAULT_BLOCKS.get(count, [16] * count)
        for (name, explicit), default in zip(blocks, defaults):
            if self.k.has_inner_tiles:
                fallback = "16" if count == 1 else "8"
            elif self.k.full_axes and (count == 1 or name == blocks[-1][0]):
                fallback = self.rows_beside_whole_axes(name)
            elif self.k.full_axes:
                fallback = "1"
            else:
                fallback = str(default)
            self.k.constexprs[name] = self.next_block_size(explicit, fallback, name)
        if self.k.full_axes:  # inner steps defaulted before a whole dimension was met
            for name in self.k.inner_blocks - self.k.explicit_blocks:
                if self.k.constexprs.get(name) == "64":
                    beside = self.k.inner_beside.get(name, ())
                    self.k.constexprs[name] = self.rows_beside_whole_axes(name, beside)
        for axis, role in self.k.dot_axes.items():  # tl.dot wants 16 or more along M, N and K
            if role == "k" and axis.block in self.k.config_blocks:  # Triton's GPU compiler wants
                # K >= 16 (the interpreter takes less): a config's K block rises to 16, as
                # Helion's config normalisation raises it to the dot's minimum
                chosen = self.k.constexprs[axis.block]
                self.k.constexprs[axis.block] = str(max(16, int(chosen)))
            elif role == "k" and axis.block in self.k.explicit_blocks:
                self.check_dot_k_block(axis)
            if axis.block not in self.k.constexprs or axis.block in self.k.explicit_blocks:
                continue
            whole = self.k.indexing.is_full_axis(axis)  # a whole dimension keeps all its lanes
            if role == "batch" and not whole:  # a 3-D product's batch tile: small (shared memory)
                self.k.constexprs[axis.block] = "2"
                continue
            if whole and role == "k":  # K: 16 lanes or more
                self.k.constexprs[axis.block] = f"max(16, {self.k.constexprs[axis.block]})"
            elif whole:  # M, N or a batch: the dimension's own lanes (tl.dot
                continue  # takes M, N >= 1; an accumulator hl.zeros([2, tile_n]) has 2 rows)
            else:
                three_d = "batch" in self.k.dot_axes.values()
                narrow = self.k.narrow_blocks.get(axis.block)  # its product's other side whole
                self.k.constexprs[axis.block] = narrow or ("32" if three_d or role == "k" else "64")
        cap_repeated_blocks(self.k)  # a tile on several axes of one value: a smaller block
        # blocks before the launch: full-axis blocks first, then tiles that may depend on them
        ordered = {k: v for k, v in self.k.constexprs.items() if k not in dict(blocks)}
        ordered.update({k: self.k.constexprs[k] for k, _ in blocks})
        ordered = after_what_they_read(ordered)
        # INDEX_DTYPE comes from check_tensors, among the launcher's checks (rank_checks)
        self.k.constexprs = {"INDEX_DTYPE": "INDEX_DTYPE", **ordered}
        self.k.host_helpers.add("check_tensors")

    def rows_beside_whole_axes(self, name: str = "", beside: tuple[str, ...] = ()) -> str:
        """A tile's default block beside whole dimensions: about 4096 elements a program (or
        an inner loop's step), so a wide row is not held 32 rows at a time (32 × 8192 lanes
        compile for minutes in ptxas and spill). A tile on several axes of one value shares
        them with its other axes (repeated_tiles.py: `128 // BLOCK_N` on two, capped at 32);
        an inner step whose every value also spans the enclosing tiles (`beside`, their
        blocks: hl.jagged_tile's) shares them with those."""
        blocks = [a.block for a in self.k.full_axes.values()] + list(beside)
        budget = 4096 // other_axes_share(self.k, name)
        full = " * ".join(blocks)
        return f"max(1, {budget} // ({full}))" if len(blocks) > 1 else f"max(1, {budget} // {full})"

    def check_dot_k_block(self, axis: Axis) -> None:
        """A block the user fixed along a product's K: Triton's GPU compiler wants 16 lanes or
        more there (its interpreter takes fewer). A literal below 16 is refused here; a host
        value is checked at launch."""
        chosen = self.k.constexprs.get(axis.block, "")
        message = f"the product's K dimension ({axis.label}) has blocks of {chosen}"
        hint = "Triton's GPU compiler needs 16 or more lanes along K: use block_size=16 (or more)"
        if chosen.isdigit():
            if int(chosen) < 16:
                raise self.k.source.error(
                    TileArgumentError, self.k.dot_k_nodes[axis], message, hint=hint
                )
            return
        text = f"{chosen} must be at least 16: the block of a product's K (16 lanes on a GPU)"
        self.k.argument_checks.append(f'require(({chosen}) >= 16, lambda: "{text}")')
        self.k.host_helpers.add("require")

    # -- loops inside the program ---------------------------------------------------------

    def lower_inner_loop(self, loop: cst.For) -> None:
        kind = self.loop_each(loop)
        start, depth = len(self.k.lines), self.k.depth
        self.k.emit_comment(loop)
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
            self.plain_range_loop(loop, line)
        else:
            ranges, explicit_blocks = self.loop_ranges(loop.iter)
            count = len(ranges)
            targets = self.loop_targets(loop, count)
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
            self.bind_loop_targets(targets, bound, count)
            loops = count
        self.k.statements.lower_body(loop.body.body)
        self.k.carried.keep(before, loop, line)
        self.k.carried.number_typed_by_loop(before, start, depth)
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
        offsets, mask, block_wanted, _ = self.axis_names(target, index, count)
        # a step over several dimensions inside a tile: 16 lanes each, so the value it loads
        # (tile x step) stays near 4,096 elements (16 x 64 x 64 took ptxas 20 s and spilled)
        inside_a_tile = count > 1 and len(self.k.all_axes) > index
        block_name = self.inner_block(
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

    def inner_block(
        self, wanted: str, explicit_blocks: list, step: str = "64", beside: tuple[str, ...] = ()
    ) -> str:
        explicit = explicit_blocks[0] if explicit_blocks else None
        var = self.k.registered_blocks.block_size_var(explicit)
        if var is not None:  # the BLOCK hl.zeros([..., block_size_n]) shapes use too
            self.k.registered_roles.setdefault(var, "inner")
            return self.k.registered_blocks.block_size_constexpr(var)
        same = outer_tile_block(self.k, explicit)  # block_size=tile_m.block_size
        if same is not None:
            return same
        if explicit is not None:
            explicit = launcher_block(self.k, explicit)
        if wanted in self.k.inner_loop_blocks:  # a later loop of the same tile name: same block
            return wanted
        default = self.rows_beside_whole_axes(beside=beside) if self.k.full_axes else step
        # fresh: BLOCK_N may already be a whole dimension's block (`x[tile_m, :]` over n)
        name = self.k.constexpr(wanted, "")
        self.k.inner_loop_blocks.add(name)
        if explicit is None:
            self.k.tile_blocks.append(name)
            self.k.inner_blocks.add(name)
            self.k.inner_beside[name] = beside
        self.k.constexprs[name] = self.next_block_size(explicit, default, name)
        return name

    def unrolled(self, loop: cst.For, kind: str | None) -> bool:
        """Whether Triton unrolls the loop (hl.static_range, a tuple of tensors): not a loop
        of the compiled kernel, so not one its pipeliner sees."""
        call = loop.iter
        is_range = isinstance(call, cst.Call) and m.matches(call.func, m.Name("range"))
        return kind is None and not is_range and not self.is_jagged_loop(loop)

    def plain_range_loop(self, loop: cst.For, line: int) -> None:
        call = loop.iter
        qualified = self.k.aliases.qualified(call.func) if isinstance(call, cst.Call) else None
        is_range = (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "range"
        )
        if not (is_range or qualified in _UNROLLED) or not isinstance(loop.target, cst.Name):
            raise self.k.source.error(
                UnsupportedConstructError,
                loop.iter,
                "this for loop inside a device loop",
                hint="inside a device loop, loop with hl.tile, hl.grid, range or hl.static_range"
                " (backwards: range(n - 1, -1, -1))",
            )
        bounds = [
            self.range_bound(self.k.expressions.lower_expr(node), node).code
            for node in self.range_bounds(call, is_range)
        ]
        function = "range" if is_range else "tl.static_range"
        target = loop.target.value
        self.k.emit(
            f"for {target} in {function}({', '.join(ast.unparse(b) for b in bounds)}):", line
        )
        self.k.depth += 1
        self.k.scope[target] = block(ast.Name(id=target), (), "int")

    def range_bound(self, value: Value, node: cst.BaseExpression) -> Value:
        """One bound of an inner range: a single integer, never a block or a float (Python's
        range refuses floats; a block's lanes would each want their own count)."""
        value = self.k.expressions.arithmetic(value, node)
        if value.dims or value.dtype == "float":
            what = "a block of values" if value.dims else "a float"
            raise self.k.source.error(
                TileArgumentError,
                node,
                f"a range() bound must be one integer, not {what}",
                hint="count with an integer known to every lane: a host size (range(n)), a "
                "constant, or int(...) of a reduced value; per-lane choices take "
                "torch.where(condition, a, b)",
            )
        if self.k.per_block.holds(value.code):
            raise self.k.source.error(
                BlockDependentError,
                node,
                "this range() bound reduces over the lanes of a grid tile: each block would "
                "count its own partial total, not one over the whole range",
                hint="reduce in a device loop of its own first and store the total, then read "
                "it in a second loop; or count with a host size (range(n))",
            )
        line = self.k.source.line_of(node)
        for tensor in sorted(value.loaded_from):  # its dtype is the call's: checked there
            self.k.argument_checks.append(
                integers_check(tensor, f"line {line} counts a range() with its values")
            )
        return value

    def range_bounds(self, call: cst.Call, is_range: bool) -> list[cst.BaseExpression]:
        """range's arguments, or hl.static_range's bound against its signature (a misspelt
        keyword is an error at its column, never a bound): begin, end and step, in order."""
        if is_range:
            for argument in call.args:
                if argument.keyword is not None or argument.star:
                    raise self.k.source.error(
                        UnsupportedConstructError,
                        argument,
                        "range() takes its bounds by position",
                        hint="write range(begin, end, step)",
                    )
            return [a.value for a in call.args]
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = [a for a in call.args if a.keyword is not None]
        bound = bind(
            HL_SIGNATURES["static_range"],
            positional,
            keywords,
            call,
            self.k.source.error,
            owner="hl.static_range",
            arity_error=TileArgumentError,
        )
        begin, end = bound["begin_or_end"], bound.get("end_or_none")
        if end is None and "step" not in bound:
            return [begin]
        bounds = [cst.Integer("0"), begin] if end is None else [begin, end]
        return bounds + ([bound["step"]] if "step" in bound else [])

    def dims_match(self, first, second) -> bool:
        """Same axes position by position (whole dimensions may be unified)."""
        if len(first) != len(second):
            return False
        return all(
            (a is None and b is None)
            or (a is not None and b is not None and self.k.expressions.same_axis(a, b))
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


def _tile_key(targets: list[str] | str, index: int, count: int) -> str:
    """The tile a loop dimension steps, as the cost model names it: the target's name, or
    `tile#1` for dimension 1 of `for tile in hl.tile([m, n])`."""
    if isinstance(targets, str):
        return targets if count == 1 else f"{targets}#{index}"
    return targets[index]


def _elements(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, (cst.List, cst.Tuple)):
        return [e.value for e in node.elements]
    return [node]


def _size_node(tensor: str, dim: int) -> cst.BaseExpression:
    return cst.parse_expression(f"{tensor}.size({dim})")


def host_size(text: str) -> str:
    """A host size expression as the left operand of `%`: parenthesised unless atomic."""
    node = ast.parse(text, mode="eval").body
    atomic = isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant))
    return text if atomic else f"({text})"


def _sizes_are_a_sequence(iterable: cst.BaseExpression) -> bool:
    """hl.tile([m]) / hl.tile(x.size()) yield lists of tiles; hl.tile(m) yields tiles."""
    if not isinstance(iterable, cst.Call):
        return False
    positional = [a.value for a in iterable.args if a.keyword is None]
    return bool(positional) and (
        isinstance(positional[-1], (cst.List, cst.Tuple))
        or whole_size_tensor(positional[-1]) is not None
    )


def inner_loops_load(lines: list) -> bool:
    """Whether a `for` among these lines has a load (tl.load or a descriptor's .load) in its body."""
    for index, line in enumerate(lines):
        if not line.text.startswith("for "):
            continue
        for inner in lines[index + 1 :]:
            if inner.depth <= line.depth:
                break
            if "load(" in inner.text:
                return True
    return False


def copied_before_inner_loop(lines: list) -> bool:
    """Whether a descriptor's load (`x_desc.load(`) comes before the first inner `for`."""
    for line in lines:
        if line.text.startswith("for "):
            return False
        if "_desc.load(" in line.text:
            return True
    return False


def after_what_they_read(constexprs: dict[str, str]) -> dict[str, str]:
    """The launcher's block assignments in order, each after the blocks its value reads
    (`BLOCK_MB = max(1, 4096 // BLOCK_N)` after `BLOCK_N = ...`); otherwise as given."""
    placed: dict[str, str] = {}
    waiting = dict(constexprs)
    while waiting:
        for name, value in waiting.items():
            reads = {n for n in waiting if n != name and re.search(rf"\b{n}\b", value)}
            if not reads:
                break
        else:  # a cycle cannot happen; keep the given order if it somehow does
            name, value = next(iter(waiting.items()))
        placed[name] = waiting.pop(name)
    return placed
