"""The op table's pointwise math and activations against eager torch, many ops per kernel.

Every (op, spelling) of `op_table_math` becomes one line of a kernel that writes each op's
result to its own row of the output: one kernel per input kind and dtype keeps the GPU compile
check (about 1.5 s a kernel) small. Inputs are odd-sized, with NaN and infinities in them.
"""

from __future__ import annotations

import pytest
import torch
from helpers import GPU_ONLY_BF16, assert_matches, generated, reference

from transpiler.compile.ops.kinds import FUNCTIONAL, METHOD, TORCH
from transpiler.compile.ops.table_math import ACTIVATIONS, POINTWISE_MATH

OPS = {op.name: op for op in POINTWISE_MATH + ACTIVATIONS}
INTEGER_ONLY = {"bitwise_not", "bitwise_and", "bitwise_or", "bitwise_xor"} | {
    "bitwise_left_shift", "bitwise_right_shift"
}  # fmt: skip
# ops torch also takes on integer tensors, with integer (or bool) results where torch gives them
ON_INTEGERS = INTEGER_ONLY | {
    "remainder", "fmod", "floor_divide", "sign", "sgn", "trunc", "round", "isnan",
    "isinf", "isfinite", "isposinf", "isneginf", "logical_and", "logical_or", "logical_xor",
    "clamp_min", "clamp_max", "positive", "fmax", "fmin", "reciprocal", "atan2", "signbit",
}  # fmt: skip
# float64's largest finite value is not float32's: nan_to_num's default differs by design
NOT_AGAINST_FLOAT64 = ("nan_to_num(a)", "nan_to_num()", "posinf=3.0)")
# arguments beyond the tensor operands: required ones, then each optional one given
EXTRA = {
    "threshold": ["0.5, -2.0"],
    "nan_to_num": ["nan=1.5, posinf=2.5, neginf=-2.5", "posinf=3.0"],
    "softplus": ["beta=2.0, threshold=1.0"],
    "elu": ["alpha=0.5"],
    "celu": ["alpha=2.0"],
    "leaky_relu": ["negative_slope=0.2"],
    "hardtanh": ["min_val=-0.5, max_val=2.0"],
    "softshrink": ["lambd=1.0"],
    "hardshrink": ["lambd=1.0"],
    "addcmul": ["value=0.5"],
    "addcdiv": ["value=-2.0"],
}
REQUIRED = {"threshold"}


def _call(name: str, spelling: str, operands: list[str], extra: str) -> str:
    arguments = ", ".join(operands[spelling == METHOD :] + ([extra] if extra else []))
    if spelling == METHOD:
        return f"{operands[0]}.{name}({arguments})"
    module = {TORCH: "torch", FUNCTIONAL: "torch.nn.functional"}[spelling]
    return f"{module}.{name}({arguments})"


def lines(integers: bool) -> list[str]:
    """Each op in each of its spellings (and torch.special where torch has it), and once
    more per EXTRA argument list."""
    result = []
    for name, op in OPS.items():
        if (name in INTEGER_ONLY) != integers and not (integers and name in ON_INTEGERS):
            continue
        operands = ["a", "b", "c"][: _arity(op.template)]
        plain = "" if name not in REQUIRED else EXTRA[name][0]
        special = hasattr(torch.special, name) and not integers  # round: floats only there
        spellings = list(op.spellings) + (["special"] if special else [])
        for spelling in spellings:
            if spelling == "special":
                result.append(f"torch.special.{name}({', '.join(operands)})")
            else:
                result.append(_call(name, spelling, operands, plain))
        for extra in EXTRA.get(name, []) if name not in REQUIRED else []:
            result.append(_call(name, op.spellings[0], operands, extra))
    return result


def _arity(template: str) -> int:
    import ast

    names = {n.id for n in ast.walk(ast.parse(template, mode="eval")) if isinstance(n, ast.Name)}
    return len(names & {"a", "b", "c"})


def kernel_source(body: list[str]) -> str:
    stores = "\n".join(f"        out[{row}, tile] = {line}" for row, line in enumerate(body))
    return f"""import torch
import helion
import helion.language as hl


@helion.kernel()
def ops(x: torch.Tensor, y: torch.Tensor, z: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size(0)):
        a = x[tile]
        b = y[tile]
        c = z[tile]
{stores}
    return out
"""


def float_inputs(size: int) -> list[torch.Tensor]:
    """Three float64 operands in (-3, 3) with no zeros; NaN, infinities and halves in front."""
    inputs = []
    for seed_shift in range(3):
        values = (torch.rand(size, dtype=torch.float64) * 6 - 3).clamp_min(-2.99)
        values = torch.where(values.abs() < 1e-3, 0.5, values)
        values[seed_shift : seed_shift + 6] = torch.tensor(
            [float("nan"), float("inf"), float("-inf"), 2.5, -0.5, 0.25], dtype=torch.float64
        )
        inputs.append(values)
    return inputs


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, GPU_ONLY_BF16])
def test_math_ops_on_floats_match_eager_torch(dtype: torch.dtype) -> None:
    body = lines(integers=False)
    source = kernel_source(body)
    exact = float_inputs(131)
    x, y, z = (t.to(dtype) for t in exact)
    out = torch.empty(len(body), 131, dtype=dtype)
    ours = generated(source, "ops", x, y, z, out)(x, y, z, out.clone())
    eager = reference(source, "ops")(x, y, z, out.clone())
    for row, line in enumerate(body):
        try:
            assert_matches(ours[row], eager[row], dtype)
        except AssertionError as error:
            raise AssertionError(f"{line}: {error}") from None
    if dtype == torch.float32:  # and against float64: approximations must hold up too
        truth = reference(source, "ops")(*exact, out.double())
        for row, line in enumerate(body):
            if line.endswith(NOT_AGAINST_FLOAT64):
                continue
            torch.testing.assert_close(
                ours[row].double(), truth[row], atol=2e-5, rtol=2e-4, equal_nan=True,
                msg=lambda m, line=line: f"{line}: {m}",
            )  # fmt: skip


def test_math_ops_on_bfloat16_inputs_match_eager_torch() -> None:
    """bfloat16 in, float32 out: the interpreter converts bfloat16 to float32 exactly (only its
    float32 → bfloat16 rounding is wrong), so the CPU checks the bfloat16 computation too."""
    body = lines(integers=False)
    source = kernel_source(body)
    x, y, z = (t.to(torch.bfloat16) for t in float_inputs(131))
    out = torch.empty(len(body), 131)
    ours = generated(source, "ops", x, y, z, out)(x, y, z, out.clone())
    eager = reference(source, "ops")(x, y, z, out.clone())  # torch computes in bfloat16
    for row, line in enumerate(body):
        try:
            assert_matches(ours[row], eager[row], torch.bfloat16)
        except AssertionError as error:
            raise AssertionError(f"{line}: {error}") from None


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
def test_math_ops_on_integers_match_eager_torch(dtype: torch.dtype) -> None:
    body = lines(integers=True)
    source = kernel_source(body)
    signs = [torch.randint(0, 2, (97,), dtype=dtype) * 2 - 1 for _ in range(3)]
    x, y, z = (torch.randint(1, 50, (97,), dtype=dtype) * sign for sign in signs)  # no zeros
    out = torch.empty(len(body), 97)
    ours = generated(source, "ops", x, y, z, out)(x, y, z, out.clone())
    eager = reference(source, "ops")(x, y, z, out.clone())
    for row, line in enumerate(body):
        torch.testing.assert_close(ours[row], eager[row], msg=lambda m, line=line: f"{line}: {m}")


ONE_OP = """import torch
import helion
import helion.language as hl


@helion.kernel()
def one(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = LINE
    return out
"""


@pytest.mark.parametrize(
    ("line", "error", "hint"),
    [
        ("torch.round(x[tile], decimals=2)", "decimals= of torch.round", "x * 10**d"),
        ("torch.logit(x[tile], eps=1e-6)", "eps= of torch.logit", "torch.clamp(x, eps"),
        ("x[tile].sort(0)[0]", "torch.sort along the tile tile", "load the whole row"),
        ("torch.special.ndtr(x[tile])", "'ndtr' is not supported", "torch.erfc"),
        ("torch.nn.functional.threshold(x[tile], 0.5)", "missing its argument 'value'", ""),
    ],
    ids=["round-decimals", "logit-eps", "sort", "ndtr", "threshold-value"],
)
def test_refused_ops_and_parameters_name_what_to_write(line: str, error: str, hint: str) -> None:
    import transpiler
    from transpiler.compile.frontend.errors import TranspileError

    with pytest.raises(TranspileError) as raised:
        transpiler.transpile_module(
            ONE_OP.replace("LINE", line), example_args={"one": (torch.randn(5),)}
        )
    assert error in str(raised.value) and hint in str(raised.value)


def test_the_recorded_candidates_are_torchs() -> None:
    from transpiler.compile.ops import candidates as op_candidates

    if not op_candidates.RECORDED_WITH.startswith(f"torch {torch.__version__.split('+')[0]}"):
        pytest.skip(f"recorded with {op_candidates.RECORDED_WITH}")
    assert list(op_candidates.CANDIDATES) == op_candidates.from_torch(), (
        "run: python -m transpiler.compile.ops.candidates, and record its list in CANDIDATES"
    )


ROW_REDUCTIONS = """import torch
import helion
import helion.language as hl


@helion.kernel()
def rows(x: torch.Tensor, out: torch.Tensor, scans: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    for tile_m in hl.tile(m):
        v = x[tile_m, :]
        out[tile_m, 0] = torch.prod(v, dim=1)
        out[tile_m, 1] = v.any(1)
        out[tile_m, 2] = torch.all(v, dim=-1)
        out[tile_m, 3] = torch.std(v, 1, correction=0)
        out[tile_m, 4] = v.std(dim=1)
        out[tile_m, 5:6] = v.prod(1, keepdim=True) + v.any() + v.all() + v.prod()
        out[tile_m, 6] = torch.linalg.vector_norm(v, dim=1)
        out[tile_m, 7] = torch.linalg.vector_norm(v, 1, dim=-1)
        out[tile_m, 8] = torch.linalg.vector_norm(v, float("inf"), 1)
        scans[tile_m, :] = torch.cumprod(v, 1) + torch.nn.functional.normalize(v, dim=1)
        scans[tile_m, :] += hl.cumprod(v, 1, reverse=True)
    return out
"""


@pytest.mark.parametrize(
    ("dtype", "stored"),
    [
        (torch.float32, None),
        (torch.float16, None),
        pytest.param(torch.bfloat16, None, marks=GPU_ONLY_BF16.marks),
        (torch.bfloat16, torch.float32),  # bfloat16 in, float32 out: the interpreter can check
    ],
)
def test_row_reductions_and_cumprod_match_eager_torch(dtype: torch.dtype, stored) -> None:
    x = (torch.rand(9, 37, dtype=torch.float64) * 0.4 + 0.8) * torch.where(
        torch.rand(9, 37) < 0.5, -1.0, 1.0
    )  # products stay finite
    x[0, 5] = 0.0  # any / all need zeros: a row with one, a row of them
    x[1] = 0.0
    x[2, 3] = float("nan")
    x[3, 7] = float("inf")
    inputs = x.to(dtype)
    out, scans = torch.empty(9, 9, dtype=stored or dtype), torch.empty(9, 37, dtype=stored or dtype)
    launcher = generated(ROW_REDUCTIONS, "rows", inputs, out, scans)
    ours, ours_scans = out.clone(), scans.clone()
    launcher(inputs, ours, ours_scans)
    # the truth: the same inputs in float64 (eager bfloat16 rounds each of the chained scans)
    eager, eager_scans = out.double(), scans.double()
    reference(ROW_REDUCTIONS, "rows")(inputs.double(), eager, eager_scans)
    eager[2, 8] = ours[2, 8]  # ord=inf of a row with NaN: tl.max drops NaN (as amax here does)
    assert_matches(ours, eager, dtype)
    assert_matches(ours_scans, eager_scans, dtype)
    assert ours[:2, 1].tolist() == [1, 0] and ours[:2, 2].tolist() == [0, 0]


COMPOSED = """import torch
import helion
import helion.language as hl


@helion.kernel()
def composed(x: torch.Tensor, out: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    for tile_m in hl.tile(m):
        v = x[tile_m, :]
        out[tile_m, 0] = torch.nansum(v, dim=1)
        out[tile_m, 1:2] = v.nansum(1, keepdim=True)
        out[tile_m, 2] = torch.count_nonzero(v, dim=1)
        out[tile_m, 3] = v.count_nonzero(1) + torch.count_nonzero(v) * 0
        soft[tile_m, :] = torch.nn.functional.softmin(v, dim=1)
    return out
"""


@pytest.mark.parametrize(
    ("dtype", "stored"),
    [(torch.float32, None), (torch.float16, None), (torch.bfloat16, torch.float32)],
)
def test_nansum_count_nonzero_and_softmin_match_eager_torch(dtype, stored) -> None:
    """torch's definitions (nansum: NaN as 0; count_nonzero: of x != 0, int64; softmin:
    softmax of -x) on rows with NaN, zeros and a -inf; bfloat16 in, float32 out on CPU."""
    x = torch.randn(7, 45, dtype=torch.float64) * 3
    x[0, 3], x[1, 5:9], x[2, 7], x[3, 0] = float("nan"), 0.0, float("-inf"), float("nan")
    x[4] = 0.0
    inputs = x.to(dtype)
    out, soft = torch.zeros(7, 4, dtype=stored or dtype), torch.zeros(7, 45, dtype=stored or dtype)
    ours_out, ours_soft = out.clone(), soft.clone()
    generated(COMPOSED, "composed", inputs, out, soft)(inputs, ours_out, ours_soft)
    eager_out, eager_soft = out.clone(), soft.clone()
    reference(COMPOSED, "composed")(inputs, eager_out, eager_soft)
    assert_matches(ours_out, eager_out, dtype)
    assert_matches(ours_soft, eager_soft, dtype)
    assert ours_out[4, 2] == 0 and ours_out[1, 2] == 41 and ours_out[0, 0] == ours_out[0, 0]
