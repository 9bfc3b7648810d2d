"""How far an index computed from tile indices reaches: a launcher check that it stays inside."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import libcst as cst

from ..ops.table import BINARY_OPERATORS
from .values import Axis, Value

# `x[tile.index + 1]`, `x[tile.index * 2]`, `x[tile.index // 2]`, `x[n - 1 - tile.index]`: the
# tile's mask keeps its own lanes inside the loop, not the computed index inside x. torch raises
# an IndexError for an index past the dimension (and counts a negative one from the end, which
# negative_indices.py does); the launcher checks the index's least and greatest value, computed
# from the loop's bounds, against x's size. Only indices made of tile indices,
# integer literals and the kernel's size parameters, with + -, * by positive literals or sizes and // by positive literals, are
# bounded here; others (loaded indices, arguments) are the other modules' to check.


@dataclass(frozen=True)
class Affine:
    """A host expression as a sum of opaque terms times integers, plus a constant: bounds fold
    as a person writes them (`x.size(0) - 1 + 1` is `x.size(0)`)."""

    terms: tuple[tuple[str, int], ...] = ()
    constant: int = 0

    @staticmethod
    def of(text: str) -> Affine:
        return Affine(((text, 1),))

    def __add__(self, other: Affine) -> Affine:
        merged = dict(self.terms)
        for term, factor in other.terms:
            merged[term] = merged.get(term, 0) + factor
        kept = tuple((term, factor) for term, factor in merged.items() if factor)
        return Affine(kept, self.constant + other.constant)

    def times(self, factor: int) -> Affine:
        return Affine(tuple((t, f * factor) for t, f in self.terms), self.constant * factor)

    def times_term(self, term: str) -> Affine:
        """This times a host expression that is never negative."""
        if not self.terms:
            return Affine(((term, self.constant),) if self.constant else ())
        inner = self.text()
        return Affine.of(f"{inner if self.single() else f'({inner})'} * {term}")

    def __neg__(self) -> Affine:
        return self.times(-1)

    def __sub__(self, other: Affine) -> Affine:
        return self + -other

    def floor_divided(self, divisor: int) -> Affine:
        if not self.terms:
            return Affine((), self.constant // divisor)
        inner = self.text()
        return Affine.of(f"{inner if self.single() else f'({inner})'} // {divisor}")

    def single(self) -> bool:
        return not self.constant and len(self.terms) == 1 and self.terms[0][1] == 1

    def text(self) -> str:
        parts = []
        for term, factor in self.terms:
            if abs(factor) != 1 or (factor < 0 and not parts):  # `2 * (a // b)`, `-(a // b)`
                term = term if _atomic(term) else f"({term})"
            magnitude = term if abs(factor) == 1 else f"{abs(factor)} * {term}"
            parts.append(("- " if factor < 0 else "+ ") + magnitude)
        if self.constant or not parts:
            parts.append(("- " if self.constant < 0 else "+ ") + str(abs(self.constant)))
        text = " ".join(parts)
        return text[2:] if text.startswith("+ ") else "-" + text[2:]


Interval = tuple[Affine, Affine]  # the least and greatest value


class ZeroTo(tuple[Affine, Affine]):
    """The bounds 0 and `quotient`, in an order the launcher finds (`min(0, q)`, `max(0, q)`):
    `v // d` from v = 0, d of unknown sign (`_divided_by_host`); kept as such, scalar_reach.py
    checks the one quotient (0 is inside any dimension that has it)."""

    quotient: str

    def __new__(cls, quotient: str) -> ZeroTo:
        ends = Affine.of(f"min(0, {quotient})"), Affine.of(f"max(0, {quotient})")
        bounds = super().__new__(cls, ends)
        bounds.quotient = quotient
        return bounds


def reach_check(builder, tensor: str, dim: int, value: Value, node: cst.CSTNode) -> str | None:
    """The launcher's check that `value`, indexing `tensor`'s dimension `dim`, stays inside it
    (None where the index's bounds are unknown at the launch or it is a plain tile)."""
    axes = {axis.offsets: axis for axis in value.dims if isinstance(axis, Axis)}
    if value.code is None or isinstance(value.code, ast.Name) or not axes:
        return None
    loops = {offsets: _loop_bounds(builder, axis) for offsets, axis in axes.items()}
    if None in loops.values():
        return None
    bounds = _interval(builder, value.code, loops)
    if bounds is None:
        return None
    least, greatest = (_shown(bound) for bound in bounds)
    size = f"{tensor}.size({dim})"
    inside = f"{bounds[1].text()} < {size}"
    reach = f"index {greatest}"
    if bounds[0].terms or bounds[0].constant < 0:  # may count from the end, as torch does
        inside = f"-{size} <= {bounds[0].text()} and {inside}"
        reach = f"indices {least} to {greatest}"
    empty = [f"{end.text()} <= {first.text()}" for first, end in loops.values() if end.terms]
    broadcast = f"{size} == 1"  # a dimension of 1 broadcasts (Helion): its stride is 0
    test = " or ".join([*empty, broadcast, inside])  # (a loop of no tiles reads nothing)
    line = builder.source.line_of(node)
    text = _one_line(builder.source.code(node))
    message = (
        f"line {line}: {text} reaches {reach}, outside {tensor}'s dim {dim} ({{{size}}}): "
        "mask it, hl.load(..., extra_mask=...), or tile fewer indices"
    )
    return f'require({test}, f"{message}", IndexError)'


def _one_line(code: str) -> str:
    """The user's index as it reads inside the refusal's one-line f-string: a subscript written
    over several lines joined (`B[\\n rows,\\n]` is `B[rows]`), its quotes and braces escaped."""
    joined = " ".join(code.replace("\\\n", " ").split())
    joined = re.sub(r"([\[(]) ", r"\1", re.sub(r",? ([\])])", r"\1", joined))
    return joined.replace('"', "'").replace("{", "{{").replace("}", "}}")


def _shown(bound: Affine) -> str:
    """A bound in the refusal's f-string: its value at the launch."""
    return bound.text() if not bound.terms else f"{{{bound.text()}}}"


def _loop_bounds(builder, axis: Axis) -> Interval | None:
    """The loop's first index and its end."""
    first = Affine() if axis.first is None else _host(builder, axis.first)
    end = _host(builder, axis.end)
    return None if first is None or end is None or axis.key is not None else (first, end)


def _host(builder, code: ast.expr) -> Affine | None:
    """A kernel expression of one size parameter or an int literal, written for the launcher."""
    if isinstance(code, ast.Constant) and type(code.value) is int:
        return Affine((), code.value)
    if isinstance(code, ast.Name) and code.id in builder.params:
        param = builder.params[code.id]
        if param.kind == "tensor":
            return None
        return Affine.of(_term(param.launch))
    code = _as_operator(code)  # floor_divide(n, g): n // g
    if isinstance(code, ast.BinOp) and type(code.op) in _HOST_OPERATORS:
        left, right = _host(builder, code.left), _host(builder, code.right)
        if left is None or right is None:
            return None
        if isinstance(code.op, ast.Add):
            return left + right
        if isinstance(code.op, ast.Sub):
            return left - right
        symbol = _HOST_OPERATORS[type(code.op)]  # `nheads // ngroups`: one term
        return Affine.of(f"{_term(left.text())} {symbol} {_term(right.text())}")
    return None


_HOST_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//"}


def _interval(
    builder, code: ast.expr, loops: dict[str, Interval], scalars: dict[str, Interval] | None = None
) -> Interval | None:
    """`code`'s least and greatest value over the loops' indices (None: not bounded here);
    `scalars`: the bounds of tile attributes and grid indices by their code (scalar_reach.py)."""
    if scalars is not None:
        if (known := scalars.get(ast.dump(code))) is not None:
            return known
        if isinstance(code, ast.Name) and code.id in builder.scalar_codes:  # `start = t.begin`
            return _interval(builder, builder.scalar_codes[code.id], loops, scalars)
    if isinstance(code, ast.Name) and code.id in loops:
        first, end = loops[code.id]
        return first, end - Affine((), 1)
    if isinstance(code, ast.Subscript):  # offs[:, None]: the same values, broadcast
        return _interval(builder, code.value, loops, scalars)
    if isinstance(code, ast.Call) and _is_cast(code):  # offs.to(tl.int64)
        return _interval(builder, code.func.value, loops, scalars)
    if isinstance(code, ast.Call) and (widened := _widened_operand(code)) is not None:
        return _interval(builder, widened, loops, scalars)  # python_ints.py's int64 casts
    code = _as_operator(code)  # floor_divide(a, b): Python's a // b
    if (host := _host(builder, code)) is not None:
        return host, host
    if isinstance(code, ast.UnaryOp) and isinstance(code.op, ast.USub):
        inner = _interval(builder, code.operand, loops, scalars)
        return None if inner is None else (-inner[1], -inner[0])
    if not isinstance(code, ast.BinOp):
        return None
    left = _interval(builder, code.left, loops, scalars)
    right = _interval(builder, code.right, loops, scalars)
    if left is None or right is None:
        return None
    if isinstance(code.op, ast.Add):
        return left[0] + right[0], left[1] + right[1]
    if isinstance(code.op, ast.Sub):
        return left[0] - right[1], left[1] - right[0]
    if isinstance(code.op, ast.Mult):  # by a positive literal or a size, either side
        for factor_code, other in ((code.right, left), (code.left, right)):
            if (factor := _positive_literal(factor_code)) is not None:
                return other[0].times(factor), other[1].times(factor)
            if (size := _size(builder, factor_code)) is not None:
                return other[0].times_term(size), other[1].times_term(size)
        return None
    if isinstance(code.op, ast.FloorDiv) and (divisor := _positive_literal(code.right)):
        return left[0].floor_divided(divisor), left[1].floor_divided(divisor)
    if isinstance(code.op, ast.FloorDiv) and (host := _host(builder, code.right)) is not None:
        return _divided_by_host(left, host.text())  # `tile_h.begin // group`
    if isinstance(code.op, ast.Mod) and (divisor := _positive_literal(code.right)):
        if not left[0].terms and left[0].constant >= 0:  # Triton's % of a non-negative
            return Affine(), Affine((), divisor - 1)
    return None


def _divided_by_host(bounds: Interval, divisor: str) -> Interval:
    """`v // divisor` over v's bounds, a divisor of unknown sign (an int argument, `heads //
    kv_heads`): floor division is monotone in v either way, so the extremes are the ends'
    quotients, in an order the launcher finds (min / max); 0 for an end that is 0 (ZeroTo)."""
    ends = [
        "0" if not end.terms and end.constant == 0 else f"{_term(end.text())} // {divisor}"
        for end in bounds
    ]
    if ends[0] == "0":
        return ZeroTo(ends[1])
    return Affine.of(f"min({ends[0]}, {ends[1]})"), Affine.of(f"max({ends[0]}, {ends[1]})")


def _size(builder, code: ast.expr) -> str | None:
    """A size parameter's host expression (sizes are never negative: a product keeps order)."""
    if isinstance(code, ast.Name) and code.id in builder.params:
        param = builder.params[code.id]
        return _term(param.launch) if param.kind == "size" else None
    return None


def _atomic(term: str) -> bool:
    """Whether a term reads as one operand beside `*` or a leading `-` (a name, a call)."""
    try:
        node = ast.parse(term, mode="eval").body
    except SyntaxError:
        return False
    return isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant))


def _term(launch: str) -> str:
    simple = launch.replace(".", "").replace("(", "").replace(")", "").isidentifier()
    return launch if simple else f"({launch})"


def _positive_literal(code: ast.expr) -> int | None:
    if isinstance(code, ast.Constant) and type(code.value) is int and code.value > 0:
        return code.value
    return None


def _is_cast(code: ast.Call) -> bool:
    return isinstance(code.func, ast.Attribute) and code.func.attr == "to"


def _helper_operators() -> dict[str, type[ast.operator]]:
    """The prelude's helpers that stand for Python's operators (`floor_divide(a, b)` for
    `a // b`), read from ops/table.py's BINARY_OPERATORS: helper name → the operator."""
    found = {}
    for symbol, template, _ in BINARY_OPERATORS.values():
        call = ast.parse(template, mode="eval").body
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
            found[call.func.id] = type(ast.parse(f"a {symbol} b", mode="eval").body.op)
    return found


_HELPER_OPERATORS = _helper_operators()


def _as_operator(code: ast.expr) -> ast.expr:
    """A call of a helper standing for an operator as that operator (`floor_divide(a, b)` as
    `a // b`, the values Python's operator gives); other code as it is."""
    if isinstance(code, ast.Call) and (operator := _HELPER_OPERATORS.get(_called(code))):
        if len(code.args) == 2 and not code.keywords:
            return ast.BinOp(code.args[0], operator(), code.args[1])
    return code


def _called(code: ast.Call) -> str | None:
    return code.func.id if isinstance(code.func, ast.Name) else None


def _widened_operand(code: ast.Call) -> ast.expr | None:
    """The operand of `tl.cast(v, tl.int64)` / `int64_if_integer(v)` (python_ints.py's widening
    of Python ints: the same values), else None."""
    func = code.func
    if isinstance(func, ast.Name) and func.id == "int64_if_integer" and len(code.args) == 1:
        return code.args[0]
    cast = isinstance(func, ast.Attribute) and func.attr == "cast" and len(code.args) == 2
    if cast and ast.unparse(code.args[1]) == "tl.int64":
        return code.args[0]
    return None
