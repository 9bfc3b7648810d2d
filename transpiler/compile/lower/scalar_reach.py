"""How far a scalar index built from tile attributes or grid indices reaches: a launcher check."""

from __future__ import annotations

import ast

import libcst as cst

from ..emit.codegen import expr
from .index_reach import Affine, Interval, ZeroTo, _host, _interval, _one_line, _shown, _term
from .values import BLOCK, Axis, Value

# `x[tile.begin + 5]`, `x[tile.end]`, `x[tile.id * 2 + 1]`, `x[i + 1]` (i an hl.grid index),
# `y[tile.begin]` with y shorter than the loop: one element per program, no mask, so an index
# past the dimension would read (or write) memory past the tensor where torch raises an
# IndexError. Each attribute's least and greatest value over the loop is known at the launch:
#   tile.begin   first .. first + (end - first - 1) // BLOCK * BLOCK
#   tile.end     first + 1 .. end (the last tile's end is the loop's end: Helion's tile_end)
#   tile.id      first // BLOCK .. (the last begin) // BLOCK
#   tile.block_size, tile.count: themselves
#   an hl.grid index, a block-size-1 tile's index: first .. end - 1
# An inner loop over an outer tile's range (`hl.tile(tile.begin, tile.end)`) is bounded by
# that range ("reaches up to": its own last begin depends on the tile). The launcher checks
# the index's bounds after it sets the block sizes (inside `grid(meta)`
# when @triton.autotune chooses them). Where the bounds with `end - 1` for the last begin are
# inside the dimension whatever the sizes (`x[tile.begin]` over hl.tile(x.size(0))), no check.
# A negative index counts from the end, as torch reads it (negative_indices.py wraps it).
# An index inside a runtime `if` whose test reads a name the index reads (`row = step * workers
# + worker; if row < m:`, Helion's persistent loops) is the user's bound: not checked
# (branches.py keeps the names each enclosing test reads, `builder.guards`).
# An index whose reach these rules cannot bound (`x[tile.begin * tile.id]`, `min(...)` of a
# begin, a divisor loaded in the kernel) is not checked either: refusing it refused Helion's
# own examples (mamba2, gdn_fwd_h, flex_attention: docs/testing.md); it reads what it names.


def scalar_reach_check(
    builder, tensor: str, dim: int, value: Value, node: cst.CSTNode
) -> str | None:
    """The launcher's check that scalar `value`, indexing `tensor`'s dimension `dim`, stays
    inside it (None: provably inside, or not built from tile attributes or grid indices)."""
    if value.kind != BLOCK or value.code is None or value.rank or value.loaded_from:
        return None
    read = variables_read(value.code)
    if any(read & tested for tested in builder.guards):
        return None  # an enclosing `if` tests what the index reads (`if row < m:`): the user's
    loose, exact, empties = _scalar_bounds(builder)
    used: list[str] = []
    found = _interval(builder, value.code, {}, _Watched(loose, empties, used))
    if found is None or not used:  # reach unknown here (`x[tile.begin * tile.id]`): unchecked
        return None
    if _provably_inside(builder, tensor, dim, found):
        return None
    bounds = _interval(builder, value.code, {}, exact)
    least, greatest = bounds
    size = f"{tensor}.size({dim})"
    inside = f"{greatest.text()} < {size}"
    reach = f"index {_shown(greatest)}"
    if not _nonnegative(builder, least):  # may count from the end, as torch does
        inside = f"-{size} <= {least.text()} and {inside}"
        reach = f"indices {_shown(least)} to {_shown(greatest)}"
    if isinstance(bounds, ZeroTo):  # 0 and `v // d`, either order
        inside = f"-{size} <= {bounds.quotient} < {size}"  # (0 is inside a dimension that has q)
        reach = f"indices 0 to {{{bounds.quotient}}}"
    if _LOOSE in used:
        reach = f"up to {reach}"
    broadcast = f"{size} == 1"  # a dimension of 1 broadcasts (Helion): its stride is 0
    empty = (e for e in used if e and e != _LOOSE)
    test = " or ".join([*dict.fromkeys(empty), broadcast, inside])
    line = builder.source.line_of(node)
    text = _one_line(builder.source.code(node))
    message = (
        f"line {line}: {text} reaches {reach}, outside {tensor}'s dim {dim} ({{{size}}}) "
        "with these sizes and block sizes: keep the index inside, or skip it with "
        "hl.load / hl.store(..., extra_mask=...)"
    )
    return f'require({test}, f"{message}", IndexError)'


_LOOSE = "~"  # a bound wider than the index's reach (an inner loop's of an outer tile's)


class _Watched(dict):
    """The loose bounds, noting which loops' attributes an index reads (their empty tests)."""

    def __init__(self, bounds: dict[str, Interval], empties: dict[str, str], used: list[str]):
        super().__init__(bounds)
        self.empties, self.used = empties, used

    def get(self, key, default=None):
        if key in self:
            self.used.append(self.empties.get(key, ""))
        return super().get(key, default)


def _scalar_bounds(builder) -> tuple[dict[str, Interval], dict[str, Interval], dict[str, str]]:
    """Per tile attribute's and grid index's code: its loose bounds (`end - 1` for the last
    begin, known without the block size), its exact ones, and the test that its loop runs
    no tile (then nothing is read)."""
    loose: dict[str, Interval] = {}
    exact: dict[str, Interval] = {}
    empties: dict[str, str] = {}
    for axis in builder.all_axes:
        bounds = _tile_bounds(builder, axis)
        if bounds is None:
            inner = _inner_bounds(builder, axis, loose)
            if inner is not None:  # `hl.tile(tile_m.begin, tile_m.end)`: bounds of bounds
                least, greatest = inner
                begin, end = ast.dump(axis.begin), ast.dump(_end_code(axis))
                loose[begin] = exact[begin] = (least, greatest - Affine((), 1))
                loose[end] = exact[end] = (least + Affine((), 1), greatest)
                empties[begin] = empties[end] = _LOOSE  # its last begin is not known here
            continue
        first, end = bounds
        empty = f"{end.text()} <= {first.text()}" if end.terms or first.terms else ""
        last = end - Affine((), 1)
        if axis.squeezed:  # one index per program: each index of the loop
            key = ast.dump(ast.Name(id=axis.offsets))
            loose[key] = exact[key] = (first, last)
            empties[key] = empty
        block = Affine.of(axis.block)
        extent = end - first
        tiles = Affine.of(f"triton.cdiv({extent.text()}, {axis.block})")
        steps = extent - Affine((), 1)  # the last begin: (extent - 1) // BLOCK * BLOCK past first
        steps = steps.text() if steps.single() or not steps.terms else f"({steps.text()})"
        last_begin = first + Affine.of(f"{steps} // {axis.block} * {axis.block}")
        entries = {
            axis.begin: ((first, last), (first, last_begin)),
            _end_code(axis): ((first + Affine((), 1), end), (first + Affine((), 1), end)),
            ast.Name(id=axis.block): ((block, block), (block, block)),
            axis.tile_id: (
                (_divided(first, axis.block, least=True), _divided(last, axis.block)),
                (_divided(first, axis.block, least=True), _divided(last_begin, axis.block))
                if axis.first is not None
                else (Affine(), tiles - Affine((), 1)),  # from 0: the tiles' count less 1
            ),
        }
        count = _count_code(axis)
        entries[count] = ((Affine(), extent), (tiles, tiles))
        for code, (loose_bounds, exact_bounds) in entries.items():
            key = ast.dump(code)
            loose.setdefault(key, loose_bounds)
            exact.setdefault(key, exact_bounds)
            empties.setdefault(key, empty)
    for name, (first_code, end_code) in builder.index_ranges.items():
        first, end = _host(builder, first_code), _host(builder, end_code)
        if first is None or end is None or name in builder.assigned:
            continue
        key = ast.dump(ast.Name(id=name))
        loose[key] = exact[key] = (first, end - Affine((), 1))
        empties[key] = f"{end.text()} <= {first.text()}" if end.terms or first.terms else ""
    return loose, exact, empties


def variables_read(code: ast.expr) -> set[str]:
    """The variables an expression reads: its names less the modules it calls into (`tl`)."""
    attributes = {id(n.value) for n in ast.walk(code) if isinstance(n, ast.Attribute)}
    return {n.id for n in ast.walk(code) if isinstance(n, ast.Name) and id(n) not in attributes}


def _tile_bounds(builder, axis: Axis) -> Interval | None:
    """A tile loop's first index and end, as the launcher computes them."""
    if axis.key is not None or axis.block_var or axis.size is not None or axis.parents:
        return None
    first = Affine() if axis.first is None else _host(builder, axis.first)
    end = _host(builder, axis.end)
    return None if first is None or end is None else (first, end)


def _inner_bounds(builder, axis: Axis, known: dict[str, Interval]) -> Interval | None:
    """A loop whose first index or end is an outer tile's attribute: its begins and ends lie
    between the least first index and the greatest end."""
    if axis.key is not None or axis.block_var or axis.size is not None or axis.parents:
        return None
    first = (
        (Affine(), Affine()) if axis.first is None else _interval(builder, axis.first, {}, known)
    )
    end = _interval(builder, axis.end, {}, known)
    return None if first is None or end is None else (first[0], end[1])


def _end_code(axis: Axis) -> ast.expr:
    """`tile.end`'s kernel code (expressions.tile_attribute)."""
    return expr("tl.minimum(b + s, e)", b=axis.begin, s=axis.block, e=axis.end)


def _count_code(axis: Axis) -> ast.expr:
    """`tile.count`'s kernel code (expressions.tile_attribute)."""
    extent = axis.end if axis.first is None else expr("e - f", e=axis.end, f=axis.first)
    return expr("tl.cdiv(e, b)", e=extent, b=ast.Name(id=axis.block))


def _divided(bound: Affine, block: str, least: bool = False) -> Affine:
    """A bound floor-divided by the block size (`least`: a literal at least 0 bounds as 0)."""
    if not bound.terms and least and bound.constant >= 0:
        return Affine()
    if not bound.terms:
        return Affine.of(f"{bound.constant} // {block}")
    text = bound.text()
    return Affine.of(f"{text if bound.single() else f'({text})'} // {block}")


def _nonnegative(builder, bound: Affine) -> bool:
    """Whether a bound is at least 0 whatever the sizes: sizes, block sizes and tile counts
    added to a constant at least 0."""
    sizes = {_term(p.launch) for p in builder.params.values() if p.kind == "size"}
    blocks = {axis.block for axis in builder.all_axes}
    for term, factor in bound.terms:
        if factor < 0 or not (term in sizes | blocks or term.startswith("triton.cdiv(")):
            return False
    return bound.constant >= 0


def _provably_inside(builder, tensor: str, dim: int, bounds: Interval) -> bool:
    """Whether the bounds lie inside the dimension whatever the sizes: a least of no sizes at
    least 0, a greatest the dimension's size (as the loop names it) less something."""
    least, greatest = bounds
    if not _nonnegative(builder, least):
        return False
    key = builder.host.size_key(tensor, dim)
    if key.isdigit():
        return not greatest.terms and greatest.constant < int(key)
    names = {key, builder.host.name_for_key(key)} - {None}
    for param in builder.params.values():
        if param.kind == "size" and builder.host.key_of(cst.parse_expression(param.launch)) == key:
            names.add(param.launch)
    for name in names:
        rest = greatest - Affine.of(_term(name))
        if not rest.terms and rest.constant < 0:
            return True
    return False
