"""The top-level device loop: the grid, its program ids, persistent programs and the launch."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import assign, expr
from ..ops.hl import INDEX, LANES
from .config_literals import config_value
from .programs import PersistentLoop, PersistentPrograms, persistent_programs
from .values import TILE, Axis, Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class TopLoop:
    """`lower_top_loop`: one program per tile (or index) of the top-level loop."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def lower_top_loop(self, loop: cst.For) -> None:
        kind = self.k.loop_calls.loop_each(loop)
        ranges, explicit_blocks = self.k.loop_calls.loop_ranges(loop.iter)
        targets = self.k.loop_calls.loop_targets(loop, len(ranges))
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
        chosen_sizes = []  # the config's block sizes this loop takes
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
            offsets, mask, block_wanted, pid = self.k.loop_calls.axis_names(
                tile_names[index], index, count
            )
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
                    chosen_sizes.append(chosen)
            # a block of 1, written in the source or chosen by the config: one index per
            # program, no Triton dimension (2-D dots and descriptors for a batch of one)
            one = isinstance(explicit, cst.Integer) and explicit.evaluated_value == 1
            squeezed.append(one and self.k.squeeze_units)
            if one:
                self.k.unit_blocks.add(block_name)  # a batch of one: products lower to 2-D dots
            blocks.append((block_name, explicit))
            grid.append(f"triton.cdiv({extent_host}, {block_name})")
            values.append((extent, begin, offsets, mask, block_name, pid, end))
        if chosen_sizes:  # a config's block sizes (with the loop's own) past Triton's limit
            sizes = [b.evaluated_value if isinstance(b, cst.Integer) else None for _, b in blocks]
            given = f"block_sizes={chosen_sizes} of the config, with this loop's own,"
            if len(chosen_sizes) == len(sizes):
                given = f"block_sizes={chosen_sizes} of the config"
            self.k.loop_calls.refuse_block_product(loop.iter, sizes, given, chosen_sizes)
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
        self.k.loop_calls.bind_loop_targets(targets, bound, count)
        self.k.preamble_end = len(self.k.lines)
        self.k.statements.lower_body(loop.body.body)
        if self.k.persistent is not None:
            grid = self.make_persistent(self.k.persistent, self.tile_counts(kind, values), grid)
        self.k.descriptor_copies.make_descriptors()
        self.k.loop_blocks.finish_blocks(blocks, count)
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


def _tile_key(targets: list[str] | str, index: int, count: int) -> str:
    """The tile a loop dimension steps, as the cost model names it: the target's name, or
    `tile#1` for dimension 1 of `for tile in hl.tile([m, n])`."""
    if isinstance(targets, str):
        return targets if count == 1 else f"{targets}#{index}"
    return targets[index]


def host_size(text: str) -> str:
    """A host size expression as the left operand of `%`: parenthesised unless atomic."""
    node = ast.parse(text, mode="eval").body
    atomic = isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant))
    return text if atomic else f"({text})"


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
