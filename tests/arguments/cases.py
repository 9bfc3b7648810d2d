"""The generator: for each parameter of the op and hl tables, a kernel passing a value other than
its default (run three ways), and kernels passing a bad value, a misspelt keyword or a parameter
torch has and lowering refuses (each a TranspileError at that argument's column)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import libcst as cst
import test_keyword_effects as effects
import torch
from libcst.metadata import MetadataWrapper, PositionProvider

from transpiler.compile.frontend.torch_signatures import (
    TORCH_SIGNATURES,
    parameter_kind,
    torch_refusals,
    torch_signature,
)
from transpiler.compile.lower.elementwise import arity
from transpiler.compile.ops.hl import HL_BY_NAME
from transpiler.compile.ops.table import ELEMENTWISE

from .run import DEVICE, Inputs

ROWS_INPUTS = Inputs(((11, 6), (11,)), (torch.float32, torch.int32))
MATMUL_INPUTS = Inputs(((33, 20), (20, 17)))
ROW_INPUTS = Inputs(((11, 6),))


@dataclass(frozen=True)
class ValueCase:
    """A parameter given a value other than its default: the kernel must compute what torch does."""

    function: str
    parameter: str
    source: str
    inputs: Inputs
    tolerance: float = 2e-5

    @property
    def id(self) -> str:
        return f"{self.function}-{self.parameter}"


@dataclass(frozen=True)
class BadCase:
    """A call the transpiler must refuse with a TranspileError at (line, column) of `marker`."""

    function: str
    parameter: str
    what: str  # "value", "keyword", "refused"
    source: str
    inputs: Inputs
    line: int
    column: int

    @property
    def id(self) -> str:
        return f"{self.function}-{self.parameter}-{self.what}"


def _inputs(kernel: str) -> Inputs:
    if "a: torch.Tensor" in kernel:
        return MATMUL_INPUTS
    return ROWS_INPUTS if "idx" in kernel else ROW_INPUTS


def _source(kernel: str, line: str) -> str:
    # every column the kernel does not write is zero: compared, not uninitialised
    return effects._source(kernel, line).replace("torch.empty_like(x)", "torch.zeros_like(x)")


# Rows whose kernel line in test_keyword_effects is not a fair numerical check, given here:
# hl.reduce's `other` fills the lanes past the row's end, so it must be the combine's identity
# (a sum padded with 1.0 adds one per padding lane, in Helion too); topk's k lanes are stored
# into a row of k columns.
OVERRIDES: dict[tuple[str, str], tuple[str, Inputs]] = {
    ("reduce", "other"): (
        "out[tile_m, 0] = hl.reduce(lambda a, b: a * b, x[tile_m, :], 1, other=1.0)",
        ROWS_INPUTS,
    ),
    ("topk", "largest"): (
        "out[tile_m, :] = torch.topk(x[tile_m, :], 4, largest=False)[0]",
        Inputs(((11, 4), (11,)), (torch.float32, torch.int32)),
    ),
}
# Float atomics the interpreter cannot run (Triton 3.6: atomic_xchg on float32 raises
# "Unsupported data type"): checked on integers instead.
OVERRIDES[("atomic_xchg", "sem")] = (
    'hl.atomic_xchg(idx, [tile_m], idx[tile_m] + 1, sem="release")',
    ROWS_INPUTS,
)


def spelling_rows(text: str) -> tuple[tuple[str, str, str], ...]:
    """(function, parameter, kernel line) from `function parameter | line` lines (`#`: a
    comment), one row a line."""
    rows = []
    for row in text.strip().splitlines():
        row = row.strip()
        if row and not row.startswith("#"):
            names, line = row.split(" | ", 1)
            function, parameter = names.split()
            rows.append((function, parameter, line))
    return tuple(rows)


# Other spellings of the same parameters: by position where the keyword rows name them, by
# keyword where they give them by position, negative dims, and values of the other kind.
SPELLINGS: tuple[tuple[str, str, str], ...] = spelling_rows(
    """
        sum keepdim | out[tile_m, :] = x[tile_m, :].sum(1, True)
        sum keepdim | out[tile_m, :] = torch.sum(x[tile_m, :], 1, True)
        sum dim | out[tile_m, 0] = torch.sum(x[tile_m, :], -1)
        reduce other | out[tile_m, 0] = hl.reduce(lambda a, b: a * b, x[tile_m, :], 1, 1.0)
        reduce keep_dims | out[tile_m, :] = hl.reduce(lambda a, b: a + b, x[tile_m, :], 1, 0.0, True)
        cumsum reverse | out[tile_m, :] = hl.cumsum(x[tile_m, :], 1, True)
        cumprod reverse | out[tile_m, :] = hl.cumprod(x[tile_m, :], -1, True)
        atomic_add sem | hl.atomic_add(out, [tile_m, 0], x[tile_m, 0], "release")
        atomic_add target | hl.atomic_add(target=out, index=[tile_m, 0], value=x[tile_m, 0], sem="acq_rel")
        atomic_cas expected | hl.atomic_cas(idx, [tile_m], expected=idx[tile_m], value=idx[tile_m] * 2)
        load eviction_policy | out[tile_m, 0] = hl.load(x, [tile_m, 0], tile_m.index < 5, "evict_last")
        store extra_mask | hl.store(out, [tile_m, 1], x[tile_m, 1], tile_m.index > 3)
        store index | hl.store(tensor=out, index=[tile_m, 1], value=x[tile_m, 1], extra_mask=tile_m.index > 3)
        var unbiased | out[tile_m, 0] = x[tile_m, :].var(1, False)
        std keepdim | out[tile_m, :] = torch.std(x[tile_m, :], 1, True, True)
        var correction | out[tile_m, :] = x[tile_m, :].var(1, keepdim=True, correction=2)
        var dim | out[tile_m, :] = torch.var(x[tile_m, :], dim=-1, correction=0, keepdim=True)
        std unbiased | out[tile_m, 0] = x[tile_m, :].std(-1, unbiased=False)
        cumsum dtype | out[tile_m, :] = torch.cumsum(x[tile_m, :], -1, dtype=torch.float64)
        log_softmax dim | out[tile_m, :] = F.log_softmax(x[tile_m, :], dim=-1, dtype=torch.float64)
        sort descending | out[tile_m, :] = torch.sort(x[tile_m, :], 1, True)[0]
        sort stable | out[tile_m, :] = torch.sort(x[tile_m, :], descending=True, stable=True)[1].float()
        argsort descending | out[tile_m, :] = torch.argsort(x[tile_m, :], -1, True).float()
        max keepdim | out[tile_m, :] = x[tile_m, :].max(1, True)[0] + x[tile_m, :]
        min keepdim | out[tile_m, :] = x[tile_m, :].min(dim=1, keepdim=True).values + x[tile_m, :]
        argmax keepdim | out[tile_m, :] = x[tile_m, :].argmax(1, True).float()
        logsumexp keepdim | out[tile_m, :] = torch.logsumexp(x[tile_m, :], -1, True)
        nan_to_num nan | out[tile_m, :] = torch.nan_to_num(x[tile_m, :] / 0.0, 1.5, 2.5, -2.5)
        softplus beta | out[tile_m, :] = F.softplus(x[tile_m, :], 2.0, 0.5)
        elu alpha | out[tile_m, :] = F.elu(x[tile_m, :], 0.3) + F.celu(x[tile_m, :], 0.7)
        leaky_relu negative_slope | out[tile_m, :] = F.leaky_relu(x[tile_m, :], 0.3)
        hardtanh min_val | out[tile_m, :] = F.hardtanh(x[tile_m, :], -0.5, 0.25)
        softshrink lambd | out[tile_m, :] = F.softshrink(x[tile_m, :], 0.7) + F.hardshrink(x[tile_m, :], 0.6)
        threshold value | out[tile_m, :] = F.threshold(x[tile_m, :], 0.5, -3.0)
        clamp min | out[tile_m, :] = torch.clamp(x[tile_m, :], -0.5, 0.5)
        lerp weight | out[tile_m, :] = torch.lerp(x[tile_m, :], x[tile_m, :] * 2, 0.3)
        addcmul value | out[tile_m, :] = torch.addcmul(x[tile_m, :], x[tile_m, :], x[tile_m, :], value=-0.5)
        normalize p | out[tile_m, :] = F.normalize(x[tile_m, :], 1.0, 1, 1e-3)
        normalize p | out[tile_m, :] = F.normalize(x[tile_m, :], float("inf"), -1)
        vector_norm ord | out[tile_m, :] = x[tile_m, :] / torch.linalg.vector_norm(x[tile_m, :], float("inf"), 1, True)
        gelu approximate | out[tile_m, :] = F.gelu(x[tile_m, :], approximate="none") + F.gelu(x[tile_m, :], approximate="tanh")
        full dtype | out[tile_m, :] = hl.full([tile_m, n], -1.5, torch.float32) + x[tile_m, :]
        zeros dtype | out[tile_m, :] = hl.zeros([tile_m, n], torch.float32) + x[tile_m, :]
        # a float fill into an integer or bool dtype (tl.full takes none: sm_90 refused the code)
        full dtype | out[tile_m, :] = x[tile_m, :] + hl.full([tile_m, n], 2.0, dtype=torch.int32)
        full_like dtype | out[tile_m, :] = x[tile_m, :] + torch.full_like(x[tile_m, :], 2.7, dtype=torch.int32)
        full_like dtype | out[tile_m, :] = x[tile_m, :] * torch.full_like(x[tile_m, :], 1.0, dtype=torch.bool)
        ones_like input | out[tile_m, :] = x[tile_m, :] + torch.ones_like(idx[tile_m])[:, None]
        """
) + (
    (
        "static_range",
        "step",
        "for j in hl.static_range(1, 5, 2):\n            out[tile_m, j] = x[tile_m, j]",
    ),
    (
        "static_range",
        "step",
        "for j in hl.static_range(4, step=3):\n            out[tile_m, j] = x[tile_m, j]",
    ),
)


@functools.cache
def value_cases() -> tuple[ValueCase, ...]:
    """One per (function, parameter) row of test_keyword_effects (its non-default line), and
    one per other spelling (SPELLINGS)."""
    cases = [
        ValueCase(
            f"{function}-spelling{number}",
            parameter,
            _source(effects.ROWS_KERNEL, line),
            ROWS_INPUTS,
        )
        for number, (function, parameter, line) in enumerate(SPELLINGS)
    ]
    for (function, parameter), (kernel, _, with_) in sorted(effects.ROWS.items()):
        line, inputs = OVERRIDES.get((function, parameter), (with_, _inputs(kernel)))
        # float16 results, and float32 products on a GPU (tl.dot's default is TF32 there)
        products = inputs is MATMUL_INPUTS and DEVICE == "cuda"
        tolerance = 1e-2 if "float16" in line or products else 2e-5
        cases.append(
            ValueCase(function, parameter, _source(kernel, line), inputs, tolerance=tolerance)
        )
    return tuple(cases)


# A bad value per parameter kind (torch_signatures.PARAMETER_KINDS); `n` is a size known at launch
BAD_VALUES = {
    "flag": "n",
    "dtype": '"float32"',
    "scalar": "x[tile_m, :]",
    "optional scalar": "x[tile_m, :]",
    "choice": '"bogus"',
    "value": '"z"',
}
# Rows whose line gives the parameter by position: a line giving it by keyword
BAD_LINES = {
    ("size", "dim"): "out[tile_m, 0] = x[tile_m, :].sum(1) * x[tile_m, :].size(dim=1)",
    ("var", "dim"): "out[tile_m, 0] = x[tile_m, :].var(dim=1)",
    ("std", "dim"): "out[tile_m, 0] = x[tile_m, :].std(dim=1)",
    ("full", "value"): "out[tile_m, :] = x[tile_m, :] + hl.full([tile_m, n], value=2.0)",
}
BAD_DIM = "7"  # every kernel here is 2-D at most
DIM_PARAMETERS = ("dim",)


class _Keyword(cst.CSTTransformer):
    """The first call of `function` at or after line `first` with keyword `parameter` set to
    `value` (added if absent)."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, first: int, function: str, parameter: str, value: str) -> None:
        self.first, self.function, self.parameter = first, function, parameter
        self.value = cst.parse_expression(value)
        self.done = False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        func = updated.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        line = self.get_metadata(PositionProvider, original).start.line
        if name != self.function or self.done or line < self.first:
            return updated
        self.done = True
        args = [a for a in updated.args if not (a.keyword and a.keyword.value == self.parameter)]
        keyword = cst.Arg(
            keyword=cst.Name(self.parameter),
            value=self.value,
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        if args:
            space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            args[-1] = args[-1].with_changes(comma=space)
        return updated.with_changes(args=[*args, keyword])


def with_keyword(kernel: str, line: str, function: str, parameter: str, value: str) -> str | None:
    """The kernel's source with `parameter=value` in the first call of `function` from the
    line the placeholder stood on (None: no such call)."""
    source = _source(kernel, line)
    template = _source(kernel, "PLACEHOLDER")
    first = next(i for i, text in enumerate(template.splitlines(), 1) if "PLACEHOLDER" in text)
    transformer = _Keyword(first, function, parameter, value)
    changed = MetadataWrapper(cst.parse_module(source)).visit(transformer)
    return changed.code if transformer.done else None


def _bad_case(
    function: str, parameter: str, what: str, kernel: str, line: str, value: str, at_value: bool
) -> BadCase | None:
    source = with_keyword(kernel, line, function, parameter, value)
    if source is None:
        return None
    marker = f"{parameter}={value}"
    for number, text in enumerate(source.splitlines(), start=1):
        if marker in text:
            column = text.index(marker) + (len(parameter) + 1 if at_value else 0)
            return BadCase(function, parameter, what, source, _inputs(kernel), number, column)
    return None


def _kind_name(kind: object) -> str | None:
    return "choice" if isinstance(kind, tuple) else kind  # type: ignore[return-value]


def _lines() -> dict[str, tuple[str, str]]:
    """A kernel and a line calling each function the keyword rows call (their plain line)."""
    lines: dict[str, tuple[str, str]] = {}
    for (function, _), (kernel, without, _) in sorted(effects.ROWS.items()):
        lines.setdefault(function, (kernel, without))
    for op in ELEMENTWISE:  # element-wise ops by their arity, as torch functions
        operands = ", ".join(["x[tile_m, :]"] * arity(op.template))
        if op.name == "where":
            operands = "x[tile_m, :] > 0, x[tile_m, :], x[tile_m, :]"
        elif op.name == "masked_fill":
            operands = "x[tile_m, :], x[tile_m, :] > 0, 1.0"
        module = "F" if op.spellings == ("functional",) else "torch"
        line = f"out[tile_m, :] = {module}.{op.name}({operands})"
        lines.setdefault(op.name, (effects.ROWS_KERNEL, line))
    for function, line in HL_LINES.items():
        lines.setdefault(function, (effects.ROWS_KERNEL, line))
    return lines


# hl rows the keyword rows do not call, each in a line of the rows kernel
HL_LINES = {
    "arange": "out[tile_m, :] = x[tile_m, :] + hl.arange(0, 8)[None, :6].float()",
    "rand": "out[tile_m, :] = hl.rand([tile_m, n], seed=7)",
    "randint": "out[tile_m, :] = hl.randint([tile_m, n], 0, 9, seed=7).float()",
    "associative_scan": (
        "out[tile_m, :] = hl.associative_scan(lambda a, b: a + b, x[tile_m, :], 1)"
    ),
    "split": "a, b = hl.split(x[tile_m, :].reshape([tile_m, 3, 2]))\n        out[tile_m, :3] = a + b",
    "join": "out[tile_m, :] = hl.join(x[tile_m, :3], x[tile_m, 3:]).reshape([tile_m, 6])",
}


@functools.cache
def bad_cases() -> tuple[BadCase, ...]:
    """For every parameter with a kind, a bad value; for every dim, one out of range; for every
    function, a misspelt keyword; for every torch parameter lowering refuses, that keyword."""
    cases: list[BadCase | None] = []
    lines = _lines()
    for (function, parameter), (kernel, without, with_) in sorted(effects.ROWS.items()):
        row_kinds = dict(HL_BY_NAME[function].kinds) if function in HL_BY_NAME else {}
        kind = _kind_name(row_kinds.get(parameter) or parameter_kind(function, parameter))
        with_ = BAD_LINES.get((function, parameter), with_)
        if kind in BAD_VALUES:
            line = without if f"{parameter}=" not in with_ else with_
            cases.append(
                _bad_case(function, parameter, "value", kernel, line, BAD_VALUES[kind], True)
            )
        if parameter in DIM_PARAMETERS:
            cases.append(_bad_case(function, parameter, "value", kernel, with_, BAD_DIM, True))
    done = {(case.function, case.parameter) for case in cases if case is not None}
    for function, op in sorted(HL_BY_NAME.items()):  # hl rows' own kinds, in any line calling them
        for parameter, kind in op.kinds:
            if (function, parameter) not in done and function in lines:
                kernel, line = lines[function]
                line = BAD_LINES.get((function, parameter), line)
                bad = BAD_VALUES[_kind_name(kind)]
                cases.append(_bad_case(function, parameter, "value", kernel, line, bad, True))
    for function, (kernel, line) in sorted(lines.items()):
        cases.append(_bad_case(function, "misspelt", "keyword", kernel, line, "1", False))
        for parameter in _refused(function):
            cases.append(_bad_case(function, parameter, "refused", kernel, line, "1", False))
    return tuple(case for case in cases if case is not None)


def _refused(function: str) -> list[str]:
    """The parameters of `function` that torch (or Helion) has and lowering refuses."""
    if function in HL_BY_NAME and function not in TORCH_SIGNATURES and function not in _ELEMENTWISE:
        return [parameter for parameter, _ in HL_BY_NAME[function].refused]
    op = _ELEMENTWISE.get(function)
    signature = torch_signature(function, arity(op.template) if op is not None else None)
    return [] if signature is None else sorted(torch_refusals(function, signature))


_ELEMENTWISE = {op.name: op for op in ELEMENTWISE}
