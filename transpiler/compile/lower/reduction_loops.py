"""Looped reductions: a whole dimension (`x[tile, :]`) walked in chunks (config reduction_loops).

With `reduction_loops=[R]` the whole dimension's block is R lanes, not the row. Lowering then
hoists each reduction along it into an accumulation (accumulation.py): running accumulators
before a `for start in tl.range(0, n, R)` loop, their update inside it. `restructure` turns the
kernel's lines into those loops: code along the row is recomputed inside each loop that needs
it, stores along the row get a loop of their own, everything else stays where it was.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from ..emit.codegen import render
from ..emit.lines import Line
from ..frontend.errors import ReductionLoopError
from ..ops.table import ELEMENTWISE
from .config_literals import config_value
from .online_rows import join_online
from .row_evictions import TAIL_COMMENT
from .values import Axis
from .welford_rows import join_variance

MARK = "# reduction loop: "  # a line lowering emits where an accumulation's loop belongs

# calls a row statement may make: element-wise, so a chunk of the row computes its own lanes
_ROW_CALLS = {
    "tl.load", "tl.where", "tl.full", "tl.zeros", "tl.cast", "tl.maximum", "tl.minimum",
    "tl.abs", "tl.exp", "tl.exp2", "tl.log", "tl.log2", "tl.sqrt", "tl.rsqrt", "tl.sigmoid",
    "tl.fma", "tl.sin", "tl.cos", "tl.floor", "tl.ceil", "tl.erf", "tl.clamp", "tl.fdiv",
    "tl.div_rn", "tl.math.exp", "tl.math.log", "tl.math.sqrt", "tl.math.rsqrt", "tl.math.tanh",
    "upcast_half", "fill_lowest", "fill_highest", "to", "float8_of",
}  # fmt: skip


def elementwise_calls() -> set[str]:
    """Calls a row statement may make and still compute each lane from that lane alone."""
    return _ROW_CALLS | _elementwise_helpers()


def _elementwise_helpers() -> set[str]:
    """The call names in the op table's element-wise templates and their prelude helpers."""
    names: set[str] = set()
    for op in ELEMENTWISE:
        names.update(op.helpers)
        try:
            tree = ast.parse(op.template, mode="eval")
        except SyntaxError:
            continue
        names.update(_call_name(node) for node in ast.walk(tree) if isinstance(node, ast.Call))
    return names


@dataclass
class Accumulation:
    """One reduction along the looped axis: lines before its loop and inside it."""

    name: str  # the accumulator the marker line names
    init: list[str]
    step: list[str]
    uses: set[str]  # names the step reads (the row code it needs)
    defines: set[str]  # names the step assigns (accumulators and their temporaries)
    after: list[str] = field(default_factory=list)  # lines after the loop: lanes reduced
    # what online_rows.py needs to join a sum to the max it reads: kind "sum" or "max", names
    online: dict = field(default_factory=dict)


@dataclass
class LoopedAxis:
    """The looped whole dimension: its names and the chunk size the config chose."""

    axis: Axis
    chunk: int
    size: str  # the kernel parameter holding its length
    even: str  # the EVEN_* flag (or "")
    start: str  # the loop variable: the chunk's first index


@dataclass
class ReductionLoops:
    """Per kernel: the config's chunk sizes, the looped axis, the hoisted accumulations."""

    chunks: list[int | None]
    looped: LoopedAxis | None = None
    accumulations: dict[str, Accumulation] = field(default_factory=dict)
    axis_lines: set[str] = field(default_factory=set)  # `offs_n = ...`, `mask_n = ...` texts
    whole_keys: list[str] = field(default_factory=list)  # their host sizes, in that order
    # source lines reducing values of a dtype lowering does not know: float32 accumulators,
    # so the launcher requires the tensors loaded along the row to hold floats
    unsure_lines: set[int] = field(default_factory=set)

    @classmethod
    def from_settings(cls, settings: dict[str, object]) -> ReductionLoops:
        chunks = config_value(settings, "reduction_loops")
        if chunks is None:
            return cls([])
        if not isinstance(chunks, (list, tuple)) or not all(
            c is None or (isinstance(c, int) and c > 0 and c & (c - 1) == 0) for c in chunks
        ):
            return cls([], looped=None)  # config_check reports malformed values
        return cls(list(chunks))

    def chunk_for_next_axis(self, key: str) -> int | None:
        """The chunk size for the next whole dimension lowering creates (None: one block)."""
        index = len(self.whole_keys)
        self.whole_keys.append(key)
        return self.chunks[index] if index < len(self.chunks) else None

    def is_looped(self, axis: Axis | None) -> bool:
        return axis is not None and self.looped is not None and self.looped.axis is axis


def start_looped_axis(builder, axis: Axis, chunk: int, size: str, definitions: list[str], node):
    """Notes the whole dimension `axis` as walked in chunks of `chunk` lanes."""
    state: ReductionLoops = builder.reduction_loops
    if state.looped is not None:
        raise builder.source.error(
            ReductionLoopError, node, "a second dimension walked in chunks in one device loop",
            hint="loop one whole dimension per device loop: reduction_loops=[R, None]",
        )  # fmt: skip
    if builder.persistent or builder.descriptors_wanted:
        raise builder.source.error(
            ReductionLoopError, node, "reduction_loops with a persistent or TMA config",
            hint="use pid_type='flat' and indexing='pointer' with reduction_loops",
        )  # fmt: skip
    even = definitions[1].rpartition(" | ")[2] if " | " in definitions[1] else ""
    start = builder.names.fresh(axis.offsets.replace("offs_", "start_", 1))
    state.looped = LoopedAxis(axis, chunk, size, even, start)
    state.axis_lines.update(definitions)


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute) and not isinstance(func.value, (ast.Name, ast.Attribute)):
        return func.attr  # a method: `x.to(tl.float32)`
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id in ("tl", "triton"):
            return f"{func.value.id}.{func.attr}"
        return func.attr  # a method on a name
    if isinstance(func, ast.Attribute):
        return render(func)
    return func.id if isinstance(func, ast.Name) else ""


def read_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


@dataclass
class _Statement:
    lines: list  # the kernel's Line objects of one statement (or one comment)
    tree: ast.stmt | None  # None: a comment
    comment: int  # index of the `# line N:` comment above it (-1: none)
    kind: str = "plain"  # plain | comment | axis | marker | row | effect
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)


def _statements(lines: list) -> list[_Statement]:
    """The kernel's lines as top-level statements (depth 1) with the lines nested in them."""
    grouped: list[list] = []
    for line in lines:
        if line.depth <= 1 or not grouped:
            grouped.append([line])
        else:
            grouped[-1].append(line)
    out: list[_Statement] = []
    comment = -1
    for group in grouped:
        head = group[0].text.strip()
        if head.startswith("#") and len(group) == 1:
            statement = _Statement(group, None, comment, kind="comment")
            if head.startswith("# line "):
                comment = len(out)
            out.append(statement)
            continue
        text = "\n".join("    " * (line.depth - group[0].depth) + line.text for line in group)
        tree = ast.parse(text).body[0]
        written, read = set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (written if isinstance(node.ctx, ast.Store) else read).add(node.id)
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                read.add(node.target.id)  # `acc += v` reads acc too
        out.append(_Statement(group, tree, comment, reads=read, writes=written))
    return out


def restructure(builder, lines: list) -> list:
    """The kernel's lines with each accumulation's loop in place of its marker."""
    state: ReductionLoops = builder.reduction_loops
    looped = state.looped
    axis = looped.axis
    along = {axis.offsets, axis.mask, axis.block}
    statements = _statements(lines)
    allowed = elementwise_calls()
    for statement in statements:
        if statement.kind == "comment":
            head = statement.lines[0].text.strip()
            if head.startswith(MARK):
                statement.kind = "marker"
            continue
        text = statement.lines[0].text.strip()
        if text in state.axis_lines:
            statement.kind = "axis"
            continue
        if not (statement.reads | statement.writes) & along:  # (a row name rebound: row)
            continue
        tree = statement.tree
        if isinstance(tree, ast.Expr):
            statement.kind = "effect"
        elif isinstance(tree, ast.Assign) and all(isinstance(t, ast.Name) for t in tree.targets):
            statement.kind = "row"
            along |= statement.writes
        else:
            _refuse(
                builder,
                statement,
                "a statement along the looped dimension inside a branch or a loop",
            )
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if name in ("tl.store", "tl.atomic_add") and statement.kind == "effect":
                    continue
                if name not in allowed:
                    _refuse(builder, statement, f"{name} along the looped dimension")
    if state.unsure_lines:
        _require_floats(builder, statements)
    out = _Output(statements)
    index = 0
    while index < len(statements):
        statement = statements[index]
        if statement.kind in ("marker", "effect"):
            index = _group(builder, statements, index, out)
            continue
        if statement.kind == "plain":
            out.statement(statement)
        index += 1
    return out.lines


class _Output:
    """The restructured lines; each statement under its source line's comment."""

    def __init__(self, statements: list[_Statement]) -> None:
        self.statements = statements
        self.lines: list = []
        self.last_comment = -2

    def comment(self, comment: int, depth: int = 1) -> None:
        if comment >= 0 and comment != self.last_comment:
            for line in self.statements[comment].lines:
                self.lines.append(type(line)(depth, line.text, line.source_line))
        self.last_comment = comment

    def statement(self, statement: _Statement, depth: int = 1) -> None:
        self.comment(statement.comment, depth)
        shift = depth - 1
        for line in statement.lines:
            self.lines.append(type(line)(line.depth + shift, line.text, line.source_line))


def _group(builder, statements: list[_Statement], index: int, out: _Output) -> int:
    """One loop from statements[index] on: the accumulations and stores that do not read each
    other's results; plain statements between them move before the loop when they read none
    of its results, after it otherwise. Returns the index of the first statement left."""
    state: ReductionLoops = builder.reduction_loops
    first = statements[index]
    group, before, after = [first], [], []
    defined = _defines(first, state)
    reads = _needs(statements, index, state)
    renames: dict[str, str] = {}  # the max a joined sum reads → this chunk's running max
    index += 1
    while index < len(statements):
        following = statements[index]
        if following.kind in ("marker", "effect"):
            overlap = _needs(statements, index, state) & defined
            if overlap and not _join(builder, statements, (group, after), index, overlap, renames):
                break
            while after and after[-1].kind == "comment":  # its own comment: _loop writes it
                after.pop()
            group.append(following)
            defined |= _defines(following, state)
            reads |= _needs(statements, index, state)
        elif following.kind == "plain" and isinstance(following.tree, (ast.Assign, ast.Expr)):
            movable = (
                isinstance(following.tree, ast.Assign)
                and not following.reads & defined
                and not following.writes & (reads | defined)
                and all(s.kind == "marker" for s in group)
                and "tl.store" not in render(following.tree)
            )
            if movable:
                before.append(following)  # before the loop: later accumulations may read it
            else:
                after.append(following)  # after the loop: it reads the accumulators
                defined |= following.writes
        elif following.kind == "comment" and not following.lines[0].text.startswith(MARK):
            after.append(following)
        elif following.kind != "row":
            break
        index += 1
    while after and after[-1].kind == "comment":  # the next statement's comment
        index = statements.index(after.pop())
    for statement in before:
        out.statement(statement)
    _loop(builder, statements, group, out, renames)
    for statement in after:
        if statement.kind != "comment":
            out.statement(statement)
    return index


def _needs(statements: list[_Statement], position: int, state: ReductionLoops) -> set[str]:
    """What an accumulation or store reads, through the row statements it recomputes."""
    needed = set(_reads(statements[position], state))
    reads = set(needed)
    for earlier in range(position - 1, -1, -1):
        candidate = statements[earlier]
        if candidate.kind == "row" and candidate.writes & needed:
            needed = (needed - candidate.writes) | candidate.reads
            reads |= candidate.reads
    return reads


def _defines(statement: _Statement, state: ReductionLoops) -> set[str]:
    if statement.kind == "marker":
        return state.accumulations[_marker_name(statement)].defines
    return statement.writes


def _block_is_loop_only(statements: list[_Statement], comment: int) -> bool:
    """Whether the source line's statements all move into loops (its comment goes with them)."""
    for statement in statements[comment + 1 :]:
        if statement.kind == "comment" and statement.lines[0].text.strip().startswith("# line "):
            return True
        if statement.kind == "plain":
            return False
    return True


def _marker_name(statement: _Statement) -> str:
    return statement.lines[0].text.strip().removeprefix(MARK)


def _reads(statement: _Statement, state: ReductionLoops) -> set[str]:
    if statement.kind == "marker":
        return state.accumulations[_marker_name(statement)].uses
    return statement.reads


def _join(
    builder, statements: list[_Statement], grouped: tuple[list, list], index: int, overlap: set,
    renames: dict[str, str],
) -> bool:  # fmt: skip
    """Whether the accumulation at statements[index], reading `overlap` of the group's results,
    joins the group's loop anyway: squared deviations from a sum's mean (welford_rows.py) or
    a sum of exp(x - max) beside its max (online_rows.py)."""
    state: ReductionLoops = builder.reduction_loops
    if statements[index].kind != "marker":
        return False

    def accumulation_of(statement) -> Accumulation | None:
        if statement.kind != "marker":
            return None
        return state.accumulations[_marker_name(statement)]

    joining = (statements, grouped, index, overlap, accumulation_of)
    return join_variance(builder, *joining) or join_online(builder, *joining, renames)


def _loop(
    builder, statements: list[_Statement], group: list[_Statement], out: _Output,
    renames: dict[str, str] | None = None,
) -> None:  # fmt: skip
    """Accumulators, then `for start in tl.range(...)`: the row code the group needs, the
    accumulation steps and stores (row code reading a joined max reads this chunk's)."""
    state: ReductionLoops = builder.reduction_loops
    looped = state.looped
    axis = looped.axis
    work = [s for s in group if s.kind in ("marker", "effect")]
    line = work[0].lines[0].source_line
    out.comment(work[0].comment)
    for statement in work:
        if statement.kind == "marker":
            accumulation = state.accumulations[_marker_name(statement)]
            out.lines.extend(Line(1, text, line) for text in accumulation.init)
    inside: set[int] = set()
    for statement in work:
        position = statements.index(statement)
        inside.add(position)
        needed = set(_reads(statement, state))
        for earlier in range(position - 1, -1, -1):
            candidate = statements[earlier]
            if candidate.kind == "row" and candidate.writes & needed:
                inside.add(earlier)
                needed = (needed - candidate.writes) | candidate.reads
    _refuse_carried(builder, [statements[at] for at in sorted(inside)], state)
    stages = config_value(builder.settings, "num_stages")
    # Triton pipelines loads that feed no dot only in a loop that asks for stages itself
    pipelined = f", num_stages={stages}" if isinstance(stages, int) and stages > 1 else ""
    size, block = looped.size, axis.block
    # the row's full chunks (no lane outside it); written as a multiple of the block so that
    # Triton knows the tail's first lane is aligned (its loads stay 16 bytes wide)
    full = f"{size} // {block} * {block}"
    for header, mask in (
        (f"0, {full}, {block}{pipelined}):  # full chunks, unmasked",
         f"tl.full([{block}], True, tl.int1)"),
        (f"{full}, {size}, {block}):  {TAIL_COMMENT}",
         f"{axis.offsets} < {size}"),
    ):  # fmt: skip
        out.lines.append(Line(1, f"for {looped.start} in tl.range({header}", line))
        offsets = f"{axis.offsets} = {looped.start} + tl.arange(0, {block}).to(INDEX_DTYPE)"
        out.lines.append(Line(2, offsets, line))
        out.lines.append(Line(2, f"{axis.mask} = {mask}", line))
        out.last_comment = -2
        _loop_body(state, [statements[at] for at in sorted(inside)], out, renames)
    for statement in work:
        if statement.kind == "marker":
            accumulation = state.accumulations[_marker_name(statement)]
            out.lines.extend(Line(1, text, line) for text in accumulation.after)
    out.last_comment = -2


def _loop_body(
    state: ReductionLoops, inside: list[_Statement], out: _Output, renames: dict[str, str] | None
) -> None:
    """One chunk's lines: the row code the loop needs, accumulation steps, stores."""
    for statement in inside:
        if statement.kind == "marker":
            accumulation = state.accumulations[_marker_name(statement)]
            out.comment(statement.comment, 2)
            source = statement.lines[0].source_line
            out.lines.extend(Line(2, text, source) for text in accumulation.step)
        elif renames and statement.reads & renames.keys():
            out.statement(_renamed(statement, renames), 2)
        else:
            out.statement(statement, 2)


def _renamed(statement: _Statement, renames: dict[str, str]) -> _Statement:
    """The statement with its lines reading other names (whole identifiers only)."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, renames)) + r")\b")
    lines = [
        type(line)(line.depth, pattern.sub(lambda m: renames[m.group(1)], line.text),
                   line.source_line)
        for line in statement.lines
    ]  # fmt: skip
    return _Statement(lines, statement.tree, statement.comment, statement.kind)


def _refuse_carried(builder, inside: list[_Statement], state: ReductionLoops) -> None:
    """A name read in the loop before the loop assigns it (`y = b[tile]` before the loop, then
    `y = y + x[tile, :]` inside): the second chunk would read the first chunk's value."""
    written_inside = set().union(*(s.writes for s in inside if s.kind != "marker"))
    seen: set[str] = set()
    for statement in inside:
        if statement.kind == "marker":
            continue
        carried = (statement.reads & written_inside) - seen
        if carried:
            name = sorted(carried)[0]
            _refuse(builder, statement, f"{name!r} updated along the looped dimension")
        seen |= statement.writes


def _require_floats(builder, statements: list[_Statement]) -> None:
    """A launcher line: the tensors loaded along the looped row hold floats (accumulators of
    values whose dtype lowering does not know are float32, exact for floats only)."""
    pointers = set().union(*(s.reads for s in statements if s.kind == "row"))
    tensors = sorted(
        builder.params[name].launch
        for name in pointers
        if name in builder.params and builder.params[name].kind == "tensor"
    )
    if not tensors:
        return
    line = min(builder.reduction_loops.unsure_lines)
    message = (
        f"{', '.join(tensors)} must hold floats: line {line} reduces them in chunks with "
        "float32 accumulators (reduction_loops); convert with .float() or use "
        "reduction_loops=[None]"
    )
    listed = ", ".join(tensors) + ("," if len(tensors) == 1 else "")
    check = (
        f'require(all(t.is_floating_point() for t in ({listed})), lambda: "{message}", TypeError)'
    )
    builder.host_helpers.add("require")
    at = 1 if builder.launch_lines else 0
    depth = builder.launch_lines[0].depth if builder.launch_lines else 1
    builder.launch_lines.insert(at, Line(depth, check, line))


def _refuse(builder, statement: _Statement, what: str):
    line = statement.lines[0].source_line
    text = builder.source.line_text(line)
    raise ReductionLoopError(
        f"{what} cannot run in a loop over chunks of the row (config reduction_loops)",
        filename=builder.source.filename,
        lineno=line,
        col_offset=len(text) - len(text.lstrip()),
        source_line=text,
        hint="give this dimension reduction_loops=[None] (one block per row)",
    )
