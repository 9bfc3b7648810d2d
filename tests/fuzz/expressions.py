"""Random element-wise expressions over tile loads, with a bound on their magnitude."""

from __future__ import annotations

import ast
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hypothesis import strategies as st

from .known_bugs import OPEN_BUGS

# Inputs are drawn from [-2, 2] (floats) or [-20, 20] (integers); every op keeps a bound on
# |value| so that no chain overflows, and float ops stay away from their domain edges (log of
# |a| + 0.5, division by |b| + 1): NaN and inf never arise, so any difference is a real one.
FLOAT_INPUT_BOUND = 2.0
INT_INPUT_BOUND = 20
MAX_FLOAT_BOUND = 200.0
MAX_INT_BOUND = 2**24


@dataclass(frozen=True)
class Term:
    """Source text of a device value, a bound on its magnitude, and whether it rounds to fp16."""

    code: str
    bound: float
    lossy: bool = False
    atomic: bool = True  # needs no parentheses as an operand
    tensor: bool = True  # a block, not a Python scalar (torch functions need one)
    exact: bool = False  # a load, an index or a scalar argument: the same in every precision
    axes: frozenset[int] = frozenset()  # the dimensions it varies along

    def operand(self) -> str:
        return self.code if self.atomic else f"({self.code})"


@dataclass(frozen=True)
class Op:
    """One way to build a term: a template over operands `a`, `b`, a bound rule and a guard."""

    template: str
    arity: int
    bound: Callable[..., float]
    fits: Callable[..., bool] = lambda *bounds: True
    lossy: bool = False
    atomic: bool = True
    bug: str | None = None  # not generated while this bug of OPEN_BUGS is open
    tensor_operands: bool = False  # `(a == b).int()`: Python scalars have no .int()

    @property
    def needs_tensors(self) -> bool:
        """Torch functions and methods need tensor operands; operators take scalars too."""
        spelled = "torch." in self.template or "F." in self.template or "}." in self.template
        return spelled or self.tensor_operands


def _sum(a: float, b: float) -> float:
    return a + b


FLOAT_OPS = [
    Op("torch.tanh({a})", 1, lambda a: 1.0),
    Op("torch.sigmoid({a})", 1, lambda a: 1.0),
    Op("{a}.sigmoid()", 1, lambda a: 1.0),
    Op("torch.sin({a})", 1, lambda a: 1.0),
    Op("{a}.cos()", 1, lambda a: 1.0),
    Op("torch.relu({a})", 1, lambda a: a),
    Op("F.relu({a})", 1, lambda a: a),
    Op("{a}.abs()", 1, lambda a: a),
    Op("-{a}", 1, lambda a: a, atomic=False),
    Op("torch.exp({a})", 1, math.exp, lambda a: a <= 3),
    Op("torch.exp2({a})", 1, lambda a: 2.0**a, lambda a: a <= 4),
    Op("torch.sqrt({a}.abs() + 1.0)", 1, lambda a: math.sqrt(a + 1)),
    Op("torch.rsqrt({a} * {a} + 0.5)", 1, lambda a: 1.5),
    Op("torch.log({a}.abs() + 0.5)", 1, lambda a: max(1.0, math.log(a + 0.5))),
    Op("torch.log2({a}.abs() + 1.0)", 1, lambda a: max(1.0, math.log2(a + 1))),
    Op("F.silu({a})", 1, lambda a: a + 0.3),
    Op("F.gelu({a})", 1, lambda a: a + 0.2),
    Op('F.gelu({a}, approximate="tanh")', 1, lambda a: a + 0.2),
    Op("torch.clamp({a}, min=-1.0, max=1.5)", 1, lambda a: 1.5),
    Op("{a}.clamp(min=-0.5)", 1, lambda a: a),
    Op("torch.square({a})", 1, lambda a: a * a, lambda a: a <= 10),
    Op("{a} ** 2", 1, lambda a: a * a, lambda a: a <= 10, atomic=False),
    Op(
        "({a}.abs() + 0.5) ** 1.5",
        1,
        lambda a: (a + 0.5) ** 1.5,
        lambda a: a <= 20,
        atomic=False,
    ),
    Op("{a}.half().float()", 1, lambda a: a, lossy=True),
    Op("{a}.to(torch.float16)", 1, lambda a: a, lossy=True),
    Op("{a} * 0.5", 1, lambda a: a / 2, atomic=False),
    Op("{a} + 1.0", 1, lambda a: a + 1, atomic=False),
    Op("2.0 - {a}", 1, lambda a: a + 2, atomic=False),
    Op("{a} + {b}", 2, _sum, atomic=False),
    Op("{a} - {b}", 2, _sum, atomic=False),
    Op("{a} * {b}", 2, lambda a, b: a * b, lambda a, b: a * b <= MAX_FLOAT_BOUND, atomic=False),
    Op("{a} / ({b}.abs() + 1.0)", 2, lambda a, b: a, atomic=False),
    Op("torch.add({a}, {b})", 2, _sum),
    Op("{a}.mul({b})", 2, lambda a, b: a * b, lambda a, b: a * b <= MAX_FLOAT_BOUND),
    Op("torch.sub({a}, {b})", 2, _sum),
    Op("torch.div({a}, {b}.abs() + 0.5)", 2, lambda a, b: 2 * a),
    Op("torch.maximum({a}, {b})", 2, max),
    Op("torch.minimum({a}, {b})", 2, max),
    Op(
        "torch.pow({a}.abs() + 0.5, torch.tanh({b}))",
        2,
        lambda a, b: max(a + 0.5, 2.0),
    ),
]

INT_OPS = [
    Op("-{a}", 1, lambda a: a, atomic=False),
    Op("torch.abs({a})", 1, lambda a: a),
    Op("~{a}", 1, lambda a: a + 1, atomic=False),
    Op("{a} << 2", 1, lambda a: 4 * a, lambda a: 4 * a <= MAX_INT_BOUND, atomic=False),
    Op("{a} >> 1", 1, lambda a: a, atomic=False),
    Op("{a} // 3", 1, lambda a: a, atomic=False),
    Op("{a} // -3", 1, lambda a: a, atomic=False),
    Op("{a} % 5", 1, lambda a: 4, atomic=False),
    Op("{a} % -4", 1, lambda a: 3, atomic=False),
    Op("torch.relu({a})", 1, lambda a: a),
    Op("torch.square({a})", 1, lambda a: a * a, lambda a: a * a <= MAX_INT_BOUND),
    Op("torch.clamp({a}, min=-5, max=7)", 1, lambda a: 7),
    Op("{a} + {b}", 2, _sum, atomic=False),
    Op("{a} - {b}", 2, _sum, atomic=False),
    Op("{a} * {b}", 2, lambda a, b: a * b, lambda a, b: a * b <= MAX_INT_BOUND, atomic=False),
    Op("{a} // ({b}.abs() + 1)", 2, lambda a, b: a, atomic=False),
    Op("{a} % ({b}.abs() + 1)", 2, lambda a, b: b + 1, atomic=False),
    Op("{a} & {b}", 2, lambda a, b: 2 * max(a, b), atomic=False),
    Op("{a} | {b}", 2, lambda a, b: 2 * max(a, b), atomic=False),
    Op("{a} ^ {b}", 2, lambda a, b: 2 * max(a, b), atomic=False),
    Op("torch.maximum({a}, {b})", 2, max),
    Op("torch.minimum({a}, {b})", 2, max),
    Op("({a} > {b}).to(torch.int32)", 2, lambda a, b: 1),
    Op("({a} == {b}).int()", 2, lambda a, b: 1, tensor_operands=True),
]
CONDITIONS = ["{a} > 0.5", "{a} <= {b}", "({a} > -1.0) & ({a} < 1.0)", "({a} > 0) & ({b} < 0)"]
CONDITIONS += ["{a} != {b}", "(-1.0 < {a}) & ({a} <= {b})"]  # a chain of blocks: torch refuses it
INT_CONDITIONS = ["{a} > 3", "{a} <= {b}", "({a} > -5) ^ ({a} < 5)", "({a} > 0) | ({b} < 0)"]
INT_CONDITIONS += ["{a} == {b}", "({a} < {b}) & ({b} != 2)"]


@st.composite
def terms(draw, leaves: list[Term], integer: bool, depth: int = 3) -> Term:
    """A random expression over `leaves` of at most `depth` nested ops."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(leaves))
    ops = INT_OPS if integer else FLOAT_OPS
    kind = draw(st.sampled_from(["op", "op", "op", "where"]))
    if kind == "where":
        condition = draw(st.sampled_from(INT_CONDITIONS if integer else CONDITIONS))
        # Conditions compare loads only: inputs are exact in every precision, so no branch
        # flips between float32, float16 and float64 evaluations.
        loads = [leaf for leaf in leaves if leaf.exact and leaf.tensor]
        loads = loads or [leaf for leaf in leaves if leaf.tensor]
        a = draw(st.sampled_from(loads))
        if "scalar-and-block-condition" in OPEN_BUGS and any(o in condition for o in "&|^"):
            loads = [leaf for leaf in loads if bool(leaf.axes) == bool(a.axes)]
        b = draw(st.sampled_from(loads))
        spanned = a.axes | (b.axes if "{b}" in condition else frozenset())
        condition = condition.format(a=a.operand(), b=b.operand())
        yes = draw(terms(leaves, integer, depth - 1))
        no = draw(terms(leaves, integer, depth - 1))
        return Term(
            f"torch.where({condition}, {yes.code}, {no.code})",
            max(yes.bound, no.bound),
            yes.lossy or no.lossy,
            axes=spanned | yes.axes | no.axes,
        )
    operands = [draw(terms(leaves, integer, depth - 1))]
    if draw(st.booleans()):
        operands.append(draw(terms(leaves, integer, depth - 1)))
    bounds = [t.bound for t in operands]
    limit = MAX_INT_BOUND if integer else MAX_FLOAT_BOUND
    fitting = [
        op
        for op in ops
        if op.arity == len(operands)
        and op.fits(*bounds)
        and op.bound(*bounds) <= limit
        and (all(t.tensor for t in operands) or not op.needs_tensors)
        and op.bug not in OPEN_BUGS
    ]
    if not fitting:
        return operands[0]
    op = draw(st.sampled_from(fitting))
    names = dict(zip("ab", (t.operand() for t in operands)))
    return Term(
        op.template.format(**names),
        float(op.bound(*bounds)),
        op.lossy or any(t.lossy for t in operands),
        op.atomic,
        op.needs_tensors or any(t.tensor for t in operands),
        axes=frozenset().union(*(t.axes for t in operands)),
    )


# Long statements are split into several (readable kernels, and short shrunk failures).
MAX_STATEMENT = 100
_HOISTABLE = (ast.Call, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Subscript)


def statements(target: str, code: str, fresh: Iterator[str], operator: str = "=") -> list[str]:
    """`target = code`, with sub-expressions moved to temporaries until each line fits."""
    tree = ast.parse(code, mode="eval")
    lines: list[str] = []
    limit = MAX_STATEMENT
    while len(line := f"{target} {operator} {ast.unparse(tree.body)}") > limit:
        parts = [
            node
            for node in ast.walk(tree.body)
            if isinstance(node, _HOISTABLE) and node is not tree.body
        ]
        fitting = [n for n in parts if len(ast.unparse(n)) + 12 <= limit]
        if not fitting:
            break
        chosen = max(fitting, key=lambda n: len(ast.unparse(n)))
        name = next(fresh)
        lines.append(f"{name} = {ast.unparse(chosen)}")
        tree = _Replace(chosen, name).visit(tree)
    return [*lines, line]


class _Replace(ast.NodeTransformer):
    def __init__(self, node: ast.AST, name: str) -> None:
        self.node, self.name = node, name

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if node is self.node:
            return ast.Name(id=self.name, ctx=ast.Load())
        return super().generic_visit(node)


def temporaries() -> Iterator[str]:
    return (f"part{number}" for number in itertools.count())
