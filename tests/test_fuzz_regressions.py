"""Regression tests for the bugs the fuzzers found, each shrunk to a few lines (xfail: open)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, assert_matches, block_sizes, dot_tolerance, generated, reference

import transpiler
from transpiler.compile.frontend import errors

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n\n"  # 5 lines


def elementwise(expression: str, params: str = "x") -> str:
    """`out[tile] = <expression>` in a 1-D kernel `k`; the store is on line 10."""
    return HEADER + (
        "@helion.kernel()\n"
        f"def k({params}):\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        out[tile] = {expression}\n"
        "    return out\n"
    )


def both(source: str, *args: object) -> tuple[torch.Tensor, torch.Tensor]:
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    return generated(source, "k", *args)(*args), reference(source, "k")(*fresh)


def test_long_statement_comment_stays_a_comment():
    """Fixed: emit.wrap() wrapped the `# line N:` comment of a long statement into code."""
    source = elementwise(
        "torch.where(x[tile] > 0.5, torch.tanh(x[tile] * 2.0), torch.sigmoid(x[tile]) + 1.0)"
    )
    compile(transpiler.transpile(source), "generated.py", "exec")


@pytest.mark.parametrize("expression", ["x[tile].abs() ** 1.5", "torch.pow(x[tile].abs(), 0.5)"])
def test_fractional_constant_power(expression):
    x = torch.rand(7) + 0.5
    ours, eager = both(elementwise(expression), x)
    assert_matches(ours, eager)


def test_power_edge_values():
    x = torch.tensor([0.0, -8.0, -2.0, 2.0])
    y = torch.tensor([0.0, 1 / 3, 0.5, 0.5])
    ours, eager = both(elementwise("torch.pow(x[tile], y[tile])", "x, y"), x, y)
    torch.testing.assert_close(ours, eager, equal_nan=True)


def test_hl_full_with_a_constant_expression():
    x = torch.arange(5, dtype=torch.int32)
    source = elementwise("hl.full([tile], 2**30, dtype=torch.int32) + x[tile]")
    ours, eager = both(source, x)
    assert torch.equal(ours, eager)


def row_reduction(expression: str) -> str:
    """`out[tile_m] = <expression>` over rows `x[tile_m, :]`; the store is on line 10."""
    return HEADER + (
        "@helion.kernel()\n"
        "def k(x):\n"
        "    m, n = x.size()\n"
        "    out = torch.empty([m], dtype=x.dtype, device=x.device)\n"
        "    for tile_m in hl.tile(m):\n"
        f"        out[tile_m] = {expression}\n"
        "    return out\n"
    )


INTEGER_EXTREMES = [
    "x[tile_m, :].amax(dim=1) // 3",
    "x[tile_m, :].amin(dim=-1) % 7",
    "torch.max(x[tile_m, :], dim=1)[0] << 1",
    "x[tile_m, :].amax(dim=1, keepdim=True).squeeze(1) - 1",
    "x[tile_m, :].argmin(dim=1).to(x.dtype)",
]


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
@pytest.mark.parametrize("expression", INTEGER_EXTREMES)
def test_integer_amax_stays_integer(expression, dtype):
    """Fixed: integer amax / amin masked lanes with float("-inf"): float32 results, wrong above
    2**24, and `//`, `%`, `<<` on them failed in Triton."""
    m, n = 5, 37  # a row of 37 in a block of 64: 27 masked lanes
    x = torch.randint(-(2**30), 2**30, (m, n), dtype=dtype) | 1
    x[0, 3], x[1, 36] = 2**29 + 1, -(2**29) - 3  # past float32's exact integers
    if dtype == torch.int64:
        x[2, 0] = 2**40 + 5
    ours, eager = both(row_reduction(expression), x)
    assert ours.dtype == eager.dtype == dtype
    assert torch.equal(ours, eager)
    assert torch.equal(eager, eval(expression.replace("tile_m", ":"), {"x": x, "torch": torch}))


def grid_condition(condition: str) -> str:
    """A `hl.grid` row kernel whose `torch.where` condition is `condition`."""
    return HEADER + (
        "@helion.kernel()\n"
        "def k(x, v):\n"
        "    m, n = x.size()\n"
        "    out = torch.empty_like(x)\n"
        "    for i in hl.grid(m):\n"
        f"        out[i, :] = torch.where({condition}, x[i, :], 1.0)\n"
        "    return out\n"
    )


SCALAR_AND_BLOCK_CONDITIONS = [
    "(v[i] > 0) & (x[i, :] < 0)",
    "(x[i, :] < 0) | (v[i] > 0)",
    "(v[i] > 0) ^ (x[i, :] < 0)",
]


@pytest.mark.parametrize("condition", SCALAR_AND_BLOCK_CONDITIONS)
def test_scalar_and_block_condition(condition):
    """Fixed: a scalar condition `&` a block condition failed in Triton's interpreter (numpy
    TypeError): the generated code uses tl.where on the scalar."""
    x, v = torch.randn(6, 37), torch.randn(6)
    v[0], v[1] = 1.5, -1.5
    ours, eager = both(grid_condition(condition), x, v)
    assert_matches(ours, eager)
    flat = condition.replace("[i, :]", "").replace("[i]", "[:, None]")
    expected = torch.where(eval(flat, {"x": x, "v": v}), x, 1.0)
    assert_matches(ours, expected)


INVALID_PYTHON = [
    pytest.param(
        "@helion.kernel()\ndef k(x):\n    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile]\nreturn out\n",
        11,
        id="return-outside-function",
    ),
    pytest.param(
        "@helion.kernel()\ndef k(x, x):\n    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile]\n    return out\n",
        7,
        id="duplicate-argument",
    ),
    pytest.param(
        "@helion.kernel()\ndef k(x):\n    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile].sum(dim=0, dim=0)\n"
        "    return out\n",
        10,
        id="repeated-keyword",
    ),
]


@pytest.mark.parametrize(("body", "line"), INVALID_PYTHON)
def test_invalid_python_is_a_syntax_error(body, line):
    with pytest.raises(errors.TranspileSyntaxError) as caught:
        transpiler.transpile(HEADER + body)
    assert caught.value.lineno == line


WRONG_ARITY = [
    pytest.param("torch.where(x[tile] > 0, x[tile])", id="where-two-arguments"),
    pytest.param("x[tile].expand_as()", id="expand_as-no-argument"),
    pytest.param("torch.exp(x[tile], x[tile])", id="exp-two-arguments"),
    pytest.param("x[tile].sigmoid(x[tile])", id="method-one-argument-too-many"),
    pytest.param("torch.maximum(x[tile])", id="maximum-one-argument"),
    pytest.param("torch.where(x[tile] > 0, x[tile], 1.0, 2.0)", id="where-four-arguments"),
]


@pytest.mark.parametrize("expression", WRONG_ARITY)
def test_wrong_arity_is_a_user_error(expression):
    """Fixed: too few arguments were an InternalTranspilerError, too many were dropped."""
    with pytest.raises(errors.TranspileError) as caught:
        transpiler.transpile(elementwise(expression))
    assert type(caught.value) is errors.UnsupportedOpError, str(caught.value)
    assert caught.value.lineno == 10


def test_module_as_tile_size_is_a_user_error():
    source = HEADER + (
        "@helion.kernel()\n"
        "def k(x):\n"
        "    m, n = x.size()\n"
        "    out = torch.empty_like(x)\n"
        "    for tile_m, tile_n in hl.tile([m, hl]):\n"
        "        out[tile_m, tile_n] = x[tile_m, tile_n]\n"
        "    return out\n"
    )
    with pytest.raises(errors.TranspileError) as caught:
        transpiler.transpile(source)
    assert not isinstance(caught.value, errors.InternalTranspilerError), str(caught.value)
    assert caught.value.lineno == 10


def test_form_feed_keeps_the_error_excerpt_on_its_line():
    source = "\x0c\n" + elementwise("torch.expp(x[tile])")  # the store moves to line 11
    with pytest.raises(errors.UnsupportedOpError) as caught:
        transpiler.transpile(source)
    assert caught.value.lineno == 11
    assert caught.value.source_line.strip() == "out[tile] = torch.expp(x[tile])"


def test_config_block_sizes_follow_the_source_order():
    """Fixed: Config(block_sizes=[outer, inner]) was consumed inner loop first."""
    source = HEADER + (
        "@helion.kernel(config=helion.Config(block_sizes=[2, 64]))\n"
        "def k(x):\n"
        "    m, n = x.size()\n"
        "    out = torch.empty([m], dtype=torch.float32, device=x.device)\n"
        "    for tile_m in hl.tile(m):\n"
        "        total = hl.zeros([tile_m], dtype=torch.float32)\n"
        "        for tile_n in hl.tile(n):\n"
        "            total += x[tile_m, tile_n].sum(dim=1)\n"
        "        out[tile_m] = total\n"
        "    return out\n"
    )
    code = transpiler.transpile(source)
    blocks = block_sizes(code)
    assert (blocks["BLOCK_M"], blocks["BLOCK_N"]) == ("2", "64")


def test_chained_scalar_and_block_comparison():
    x, v = torch.randn(6, 37), torch.randn(6)
    ours, eager = both(grid_condition("(v[i] < x[i, :]) & (x[i, :] < 0.5)"), x, v)
    assert_matches(ours, eager)
    assert_matches(ours, torch.where((v[:, None] < x) & (x < 0.5), x, 1.0))


def test_one_element_tuple_loop_target():
    """Fixed: `for tile_n, in hl.tile(n):` was an InternalTranspilerError in an inner loop and
    accepted at the top (a Tile does not unpack)."""
    for inner_target in ("tile_n,", "(tile_n,)"):
        source = HEADER + (
            "@helion.kernel()\n"
            "def k(x):\n"
            "    m, n = x.size()\n"
            "    out = torch.empty_like(x)\n"
            "    for tile_m in hl.tile(m):\n"
            f"        for {inner_target} in hl.tile(n):\n"
            "            out[tile_m, tile_n] = x[tile_m, tile_n]\n"
            "    return out\n"
        )
        with pytest.raises(errors.TileArgumentError) as caught:
            transpiler.transpile(source)
        error = caught.value
        assert error.lineno == 11 and error.col_offset in (12, 13)  # at the target ("(" or not)


def test_one_element_tuple_target_over_a_list_of_sizes():
    """`for tile_m, in hl.tile([m])` unpacks the one-tile list, as in Helion."""
    source = HEADER + (
        "@helion.kernel()\n"
        "def k(x):\n"
        "    m, n = x.size()\n"
        "    out = torch.empty_like(x)\n"
        "    for tile_m, in hl.tile([m]):\n"
        "        for (tile_n,) in hl.tile([n]):\n"
        "            out[tile_m, tile_n] = x[tile_m, tile_n] * 2.0 - 1.0\n"
        "    return out\n"
    )
    x = torch.randn(5, 37)
    ours, eager = both(source, x)
    assert_matches(ours, eager)
    assert_matches(ours, x.double() * 2 - 1)


@pytest.mark.parametrize("text", ["\U000322fb\n", "x = K\U00016104d\n"], ids=["name", "in-name"])
def test_characters_python_refuses_are_a_syntax_error(text):
    try:
        compile(text, "<case>", "exec")
    except SyntaxError:
        pass
    else:  # Unicode 15 letters: Python 3.12 takes them, 3.11 refuses them
        pytest.skip("this Python compiles the text: nothing to refuse")
    with pytest.raises(errors.TranspileSyntaxError) as caught:
        transpiler.transpile(text)
    assert caught.value.lineno == 1


def test_conditional_expression_on_a_scalar_condition():
    """`a if v[i] > 0 else b` with a scalar condition is a tl.where; on a block condition it is
    refused (bad_inputs/construct_ternary_block.py; it was an InternalTranspilerError)."""
    source = grid_condition("True").replace(
        "torch.where(True, x[i, :], 1.0)", "x[i, :] * 2.0 if v[i] > 0 else v[i]"
    )
    x, v = torch.randn(5, 37), torch.randn(5)
    v[0], v[1] = 0.75, -0.75
    ours, eager = both(source, x, v)
    assert_matches(ours, eager)
    assert_matches(ours, torch.where(v[:, None] > 0, 2 * x, v[:, None].expand_as(x)))


def test_host_code_after_the_loop_may_rebind_a_loop_name():
    """Device values read after the loop are refused (bad_inputs/host_device_value_after_loop.py);
    a name the host code binds itself (a comprehension variable) is not one of them."""
    source = HEADER + (
        "@helion.kernel()\n"
        "def k(x):\n"
        "    out = torch.empty_like(x)\n"
        "    for i in hl.grid(x.size(0)):\n"
        "        v = x[i] * 2.0\n"
        "        out[i] = v\n"
        "    firsts = [out[i] for i in range(1)]\n"
        "    return out + firsts[0] * 0.0\n"
    )
    x = torch.randn(11)
    ours, eager = both(source, x)
    assert_matches(ours, eager)
    assert_matches(ours, x.double() * 2)
    with pytest.raises(errors.UndefinedNameError) as caught:
        transpiler.transpile(source.replace("return out + firsts[0] * 0.0", "return v"))
    assert (caught.value.lineno, caught.value.col_offset) == (13, 11)


UNIT_TILE_WITH_NONES = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, v: torch.Tensor, alpha: float) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n], block_size=[1, 4]):
        t0 = w[tile_n][None, :]
        part = w[tile_n][None, :] * v[tile_m][:, None] / (torch.sqrt(t0.abs() + 1.0) + 1.0)
        other = torch.sub(w[tile_n][None, :].clamp(min=-0.5), v[tile_m][:, None])
        out[tile_m, tile_n] = torch.where(v[tile_m][:, None] > 0, part, other) + alpha
    return out
"""


def test_a_none_that_stood_for_a_squeezed_tile_in_an_earlier_attempt():
    """Fixed (GPU-machine soak, 19 cases): a view's None chosen to stand for a squeezed tile
    in one lowering attempt was looked up in a later attempt where no tile was squeezed:
    InternalTranspilerError (StopIteration)."""
    x, w, v = torch.randn(5, 7), torch.randn(7), torch.randn(5)
    ours, eager = both(UNIT_TILE_WITH_NONES, x, w, v, 0.25)
    torch.testing.assert_close(ours, eager)
    w64, v64 = w.double(), v.double()
    part = w64[None, :] * v64[:, None] / (torch.sqrt(w64.abs()[None, :] + 1.0) + 1.0)
    other = w64[None, :].clamp(min=-0.5) - v64[:, None]
    exact = torch.where(v64[:, None] > 0, part, other) + 0.25
    torch.testing.assert_close(ours.double(), exact, atol=1e-5, rtol=1e-5)


CUMSUM_OF_A_NONE_VIEW = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    n = x.size(1)
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_n in hl.tile(n, block_size=8):
        values = v[:, None]
        reduced = torch.cumsum(values, dim=-2)
        out[:, tile_n] = reduced - ((tile_n.index[None, :] % 5).float().cos().abs() + 0.5) ** 1.5
    return out
"""


def test_cumsum_along_a_whole_dimension_of_a_none_view():
    """Found by the GPU-machine soak (compiled on the H100: 52 of 208 elements differed; a scan
    of a [BLOCK_M, 1] block): size-1 dimensions are dropped around tl.cumsum now."""
    x = torch.randn(16, 13)
    v = torch.randn(1).to(torch.float16).expand(16)  # an expanded (stride 0) input, as found
    ours, eager = both(CUMSUM_OF_A_NONE_VIEW, x, v)
    torch.testing.assert_close(ours.float(), eager.float(), atol=2e-2, rtol=2e-2)


INT32_MAX_OF_INT64 = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size(0), x.size(1), x.size(2)
    out = torch.empty([b, m], dtype=torch.int32, device=x.device)
    for tile_b, tile_m in hl.tile([b, m]):
        acc = hl.full([tile_b, tile_m], -2**30, dtype=torch.int32)
        for tile_n in hl.tile(n, block_size=8):
            values = x[tile_b, tile_m, tile_n]
            acc = torch.maximum(acc, values.amax(dim=2))
        out[tile_b, tile_m] = acc
    return out
"""


def test_an_int32_accumulator_rebound_to_int64_values_widens_as_torch():
    """torch.maximum(int32 acc, int64 values) is int64: torch widens acc (its maximum of values
    past int32 differs from one cast back each iteration); a Triton loop keeps a carried value's
    dtype, so acc enters the loop as int64 (refused at the launch until 2026-12-06, wide17)."""
    x = torch.randint(-(2**40), 2**40, (3, 7, 29), dtype=torch.int64)
    ours, eager = both(INT32_MAX_OF_INT64, x)
    assert torch.equal(ours, eager) and torch.equal(ours, x.amax(dim=2).int())


@pytest.mark.parametrize("dtype", [torch.int32, torch.int16])
def test_an_int32_accumulator_updated_with_other_int_widths_keeps_its_dtype(dtype):
    """Found by the GPU soak (70 compile failures): Triton refuses a loop whose carried value
    changes type; with int32 / int16 values torch keeps int32 too."""
    x = torch.randint(-5000, 5000, (3, 7, 29), dtype=dtype)
    ours, eager = both(INT32_MAX_OF_INT64, x)
    assert ours.dtype == torch.int32
    assert torch.equal(ours, eager) and torch.equal(ours, x.amax(dim=2).int())
    entering = "acc = acc.to(promoted(acc.dtype, x_ptr.dtype.element_ty))"
    assert entering in transpiler.transpile(INT32_MAX_OF_INT64)


def test_a_float_update_of_an_int_accumulator_widens_it_to_float32():
    """int32 acc, `torch.maximum(acc, values.amax(dim=2) * 0.5)`: torch makes acc float32 (a
    ShapeError at the loop until 2026-12-06, wide17); the int32 store truncates toward 0."""
    source = INT32_MAX_OF_INT64.replace("values.amax(dim=2))", "values.amax(dim=2) * 0.5)")
    x = torch.randint(-5001, 5000, (3, 7, 29), dtype=torch.int64) | 1  # odd: halves end in .5
    ours, eager = both(source, x)
    assert torch.equal(ours, eager)
    assert torch.equal(ours, torch.maximum(x.amax(dim=2) * 0.5, torch.tensor(-(2.0**30))).int())


CUMSUM_OF_VIEWS = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_b in hl.tile(x.size(0), block_size=4):
        rows = x[tile_b, :]
        out[tile_b, :] = EXPRESSION
    return out
"""


@pytest.mark.parametrize(
    ("expression", "along_rows"),
    [
        ("torch.cumsum(rows[:, :, None], dim=1).squeeze(2)", True),  # [b, n, 1] along n
        ("torch.cumsum(rows[:, None, :], dim=2).squeeze(1)", True),  # [b, 1, n] along n
        ("torch.cumsum(rows[:, None, :], dim=1).squeeze(1)", False),  # along the size-1 dim
        ("torch.cumsum(rows, dim=1)", True),
    ],
)
def test_cumsum_of_blocks_with_size_one_dimensions_matches_torch(expression, along_rows):
    x = torch.randn(7, 13, dtype=torch.float64).float()
    ours, eager = both(CUMSUM_OF_VIEWS.replace("EXPRESSION", expression), x)
    torch.testing.assert_close(ours, eager, atol=1e-5, rtol=1e-5)
    expected = torch.cumsum(x.double(), dim=1) if along_rows else x.double()
    torch.testing.assert_close(ours.double(), expected, atol=1e-5, rtol=1e-5)


VAR_OF_ONE_LANE = """
import torch
import helion
import helion.language as hl


@helion.kernel(config=helion.Config(block_sizes=[4, 64]))
def k(y: torch.Tensor) -> torch.Tensor:
    b, m, n = y.shape
    out = torch.empty([b, m], dtype=torch.float32, device=y.device)
    for tile_b, tile_m in hl.tile([b, m]):
        values = -y[tile_b, tile_m, :] * torch.pow(y[tile_b, tile_m, :].abs() + 0.5, 0.7)
        out[tile_b, tile_m] = torch.var(values, dim=2)
    return out
"""


@pytest.mark.parametrize("n", [1, 2, 7])
def test_variance_with_no_degrees_of_freedom_is_nan_like_torch(n):
    """Found by the GPU soak (compiled on the H100): the variance over one lane was inf, not NaN
    (the mean's rounding left a tiny square over a zero divisor)."""
    y = torch.randn(13, 2, n)
    ours, eager = both(VAR_OF_ONE_LANE, y)
    torch.testing.assert_close(ours, eager, equal_nan=True, atol=1e-5, rtol=1e-5)
    assert torch.isnan(ours).all() == (n == 1)


NAN_THROUGH_MAX = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = EXPRESSION
    return out
"""


@pytest.mark.parametrize(
    "expression",
    [
        "torch.relu(x[tile])",
        "torch.maximum(x[tile], y[tile])",
        "torch.minimum(y[tile], x[tile])",
        "torch.clamp(x[tile], min=-1.0, max=1.5)",
    ],
)
def test_nan_stays_nan_through_max_min_relu_and_clamp(expression):
    """Found by the GPU soak (compiled on the H100): relu / clamp of a NaN gave 0.0 / -1.0
    (Triton's maximum drops NaN unless told to propagate it); torch keeps NaN."""
    source = NAN_THROUGH_MAX.replace("EXPRESSION", expression)
    assert "propagate_nan=tl.PropagateNan.ALL" in transpiler.transpile(source)
    x = torch.randn(29)
    x[::3] = float("nan")
    y = torch.randn(29)
    ours, eager = both(source, x, y)
    torch.testing.assert_close(ours, eager, equal_nan=True)
    assert torch.isnan(ours).sum() == 10


@pytest.mark.parametrize(
    ("lines", "inputs"),
    [
        (
            "values = torch.tanh(v[tile_m, None])\n        out[tile_m] = torch.mean(values, dim=1)",
            "mean",
        ),
        ("values = v[None, tile_m]\n        out[tile_m] = torch.amax(values, dim=0)", "amax"),
        ("values = v[tile_m, None]\n        out[tile_m] = values.sum(dim=-1)", "sum"),
    ],
    ids=lambda v: v if v in ("mean", "amax", "sum") else "",
)
def test_reducing_the_size_one_dimension_of_a_unit_tile_load(lines, inputs):
    """Found by the GPU soak (compiled: `tl.sum(values, axis=0)` of a Triton scalar): with
    block_size=1 the tile has no Triton dimension and `v[tile, None]` loads a scalar."""
    source = f"""
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(v: torch.Tensor) -> torch.Tensor:
    out = torch.empty([v.size(0)], dtype=torch.float32, device=v.device)
    for tile_m in hl.tile(v.size(0), block_size=1):
        {lines}
    return out
"""
    v = torch.randn(7)
    ours, eager = both(source, v)
    torch.testing.assert_close(ours, eager)
    expected = torch.tanh(v) if inputs == "mean" else v
    torch.testing.assert_close(ours, expected)


WHOLE_ROW_THEN_A_TILE_OF_IT = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    width = a.size(1)
    product = torch.empty([m, width], dtype=torch.float32, device=x.device)
    scaled = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        for tile_k in hl.tile(width):
            product[tile_m, tile_k] = x[tile_m, :] @ a[:, tile_k]
        for tile_n in hl.tile(n):
            acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
            for tile_k in hl.tile(width):
                acc = torch.addmm(acc, product[tile_m, tile_k], b[tile_k, tile_n])
            scaled[tile_m, tile_n] = x[tile_m, tile_n] * acc
    return product, scaled
"""


def test_a_whole_dimension_and_a_tile_loop_over_it_get_their_own_blocks():
    """Found through Helion's squeeze_and_excitation_net on the H100 (32% of outputs wrong at
    n=1024): `x[tile_m, :]` over n and a later `for tile_n in hl.tile(n)` both took the name
    BLOCK_N, so the product summed only one tile's worth of n."""
    x, a, b = torch.randn(19, 200), torch.randn(200, 24), torch.randn(24, 200)
    (product, scaled), (eager_product, eager_scaled) = both(WHOLE_ROW_THEN_A_TILE_OF_IT, x, a, b)
    exact = x.double() @ a.double()
    torch.testing.assert_close(product.double(), exact, **dot_tolerance(torch.float32))
    loose = {"atol": 0.5, "rtol": 2e-2} if DEVICE == "cuda" else {"atol": 1e-2, "rtol": 1e-3}
    torch.testing.assert_close(scaled.double(), x.double() * (exact @ b.double()), **loose)
    torch.testing.assert_close(scaled, eager_scaled, **loose)


def test_the_default_configuration_of_a_whole_row_product_in_a_loop_fits_sm_90():
    """Fixed (the H100 suite, 2026-12-06: OutOfResources, 303,104 B of 232,448): the defaults a
    plain transpile launches (no fitting check: the runtime's falls back). split_k leaves n
    whole ((64 + 32) * 256 elements), and the product sits in the tile_k loop, whose 3 stages
    held its whole-n operands three times over; the launcher's num_stages estimate gave up on
    the chunks' CHUNK_N block and counted both branches. It now counts the branch SPLIT_N
    picks: one stage (98,304 B)."""
    x, a, b = torch.randn(19, 200), torch.randn(200, 24), torch.randn(24, 200)
    kernel = transpiler.kernels_from_source(WHOLE_ROW_THEN_A_TILE_OF_IT, filename="<fuzz>")["k"]
    (result,) = kernel.bind((x, a, b)).compile_for("sm_90")
    assert result.fits, result.exceeded


SCALAR_AND_BLOCK_BOOLS = HEADER + (
    "@helion.kernel()\n"
    "def k(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:\n"
    "    out = torch.empty_like(x)\n"
    "    for tile_m, tile_n in hl.tile(x.size(), block_size=[None, 1]):\n"
    "        inside = (-1.0 < w[None, tile_n]) & (w[None, tile_n] <= x[tile_m, tile_n])\n"
    "        out[tile_m, tile_n] = torch.where(inside, x[tile_m, tile_n], 0.5)\n"
    "    return out\n"
)


def test_a_scalar_bool_and_a_block_bool():
    """Fixed (CPU soak, seed 800000): `scalar_bool & block_bool` (found as a chained comparison,
    refused since round 18, as torch does) of a block-size-1 tile's load with a block, failed
    inside Triton's interpreter (numpy's bitwise_and refuses a float-typed scalar bool with a bool block). The load has torch rank 2
    but Triton rank 0 (a squeezed tile), and the `tl.where` form that avoids `&` on a scalar
    looked at the torch rank only."""
    code = transpiler.transpile(
        SCALAR_AND_BLOCK_BOOLS, example_args={"k": (torch.randn(3, 2), torch.randn(2))}
    )
    assert "    inside = tl.where(" in code
    x, w = torch.randn(40, 6), torch.randn(6)
    ours, expected = both(SCALAR_AND_BLOCK_BOOLS, x, w)
    assert_matches(ours, expected)


def zero_dim_kernel(out_dtype: str, line: str) -> str:
    return HEADER + (
        "@helion.kernel()\n"
        "def k(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:\n"
        "    m, n = x.shape\n"
        f"    out = torch.empty([m, n], dtype=torch.{out_dtype}, device=x.device)\n"
        "    for i in hl.grid(m):\n"
        f"        out[i, :] = {line}\n"
        "    return out\n"
    )


def _float32_near_float16(x: torch.Tensor) -> torch.Tensor:
    """Each row's column 3 plus 1e-4, in float32: equal to x[i, 3] once rounded to float16."""
    return x[:, 3].float() + 1e-4


def _int64_beyond_int32(x: torch.Tensor) -> torch.Tensor:
    """Each row's column 3 plus 2**32, in int64: equal to x[i, 3] once wrapped to int32."""
    return x[:, 3].long() + 2**32


# (output dtype, the line, x's dtype, v from x): v[i] is a 0-d tensor of a wider dtype of the
# same kind as the row x[i, :]; torch computes in the row's dtype (torch.result_type), so v is
# rounded (or wrapped) first and meets x[i, 3] exactly.
ZERO_DIM_CASES = {
    "compared-float16": (
        "float16",
        "torch.where(v[i] != x[i, :], 1.0, 2.0)",
        torch.float16,
        _float32_near_float16,
    ),
    "op-table-eq-float16": (
        "float32",
        "torch.eq(x[i, :], v[i]).float() + x[i, :] * 0",
        torch.float16,
        _float32_near_float16,
    ),
    "reduced-float32-compared-with-float16": (
        "float16",
        "torch.where(v[i, :].amax() == x[i, :], 1.0, 2.0)",
        torch.float16,
        lambda x: x.float() + 1e-4,  # each row's largest, rounded to float16, is x's largest
    ),
    "int64-added-to-int32": (
        "int64",
        "(v[i] - x[i, :]) + (x[i, :] == v[i])",
        torch.int32,
        _int64_beyond_int32,
    ),
}


@pytest.mark.parametrize("case", ZERO_DIM_CASES)
def test_a_zero_dim_tensor_takes_the_dtype_of_a_row_of_its_kind(case: str):
    """Fixed (CPU soak, seed 800000: "zero-dim-promotion"): in torch a 0-d tensor does not
    widen a tensor with dimensions of its own kind (torch.result_type), so `v[i] != x[i, :]`
    (float32 0-d, float16 row) compares in float16; the kernel compared in float32."""
    out_dtype, line, dtype, make_v = ZERO_DIM_CASES[case]
    torch.manual_seed(0)
    x = torch.randn(8, 33) * 1000 if dtype != torch.float16 else torch.randn(8, 33)
    x = x.to(dtype)
    v = make_v(x)
    ours, expected = both(zero_dim_kernel(out_dtype, line), x, v)
    assert torch.equal(ours, expected)
    row = line.replace("[i, :]", "[0]").replace("[i]", "[0]")
    assert torch.equal(expected[0], eval(row).to(expected.dtype))  # noqa: S307 - torch's answer
    x = x.to(v.dtype)  # without torch's rule, the row would be widened: a different answer
    assert not torch.equal(expected[0], eval(row).to(expected.dtype))  # noqa: S307


@pytest.mark.parametrize(
    "product",
    [
        pytest.param("torch.matmul(x[tile_m, tile_k])", id="torch.matmul-one-factor"),
        pytest.param("hl.dot(x[tile_m, tile_k])", id="hl.dot-one-factor"),
        pytest.param("x[tile_m, tile_k].mm()", id="method-no-factor"),
        pytest.param("torch.mm(x[tile_m, tile_k], y[tile_k, tile_n], x)", id="mm-three"),
    ],
)
def test_an_accumulated_product_of_the_wrong_arity_is_a_user_error(product):
    """Fixed (the mutation fuzzer, 2026-12-04): `acc = acc + torch.matmul(a)` was an
    InternalTranspilerError (the accumulate fold unpacked two factors)."""
    source = HEADER + (
        "@helion.kernel()\n"
        "def mm(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:\n"
        "    m, k = x.size()\n"
        "    _, n = y.size()\n"
        "    out = torch.empty([m, n], dtype=x.dtype, device=x.device)\n"
        "    for tile_m, tile_n in hl.tile([m, n]):\n"
        "        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)\n"
        "        for tile_k in hl.tile(k):\n"
        f"            acc = acc + {product}\n"
        "        out[tile_m, tile_n] = acc.to(x.dtype)\n"
        "    return out\n"
    )
    with pytest.raises(errors.TranspileError) as caught:
        transpiler.transpile(source)
    assert not isinstance(caught.value, errors.InternalTranspilerError), str(caught.value)
    assert caught.value.lineno == 14
