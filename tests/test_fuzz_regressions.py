"""Regression tests for the bugs the fuzzers found, each shrunk to a few lines (xfail: open)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, reference

import transpiler
from transpiler import errors

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


ROW_MAX = HEADER + (
    "@helion.kernel()\n"
    "def k(x):\n"
    "    m, n = x.size()\n"
    "    out = torch.empty([m], dtype=x.dtype, device=x.device)\n"
    "    for tile_m in hl.tile(m):\n"
    "        out[tile_m] = x[tile_m, :].amax(dim=1) // 3\n"
    "    return out\n"
)


def test_integer_amax_stays_integer():
    """Masked lanes hold the integer dtype's smallest value (`lowest(x.dtype)`), not a float
    -inf that made the result float32 (wrong above 2**24; `//`, `%`, `<<` failed on it)."""
    x = torch.tensor([[2**25 + 1, 5, -3], [7, 2**30 + 3, 1]], dtype=torch.int32)
    ours, eager = both(ROW_MAX, x)
    assert torch.equal(ours, eager)


GRID_CONDITION = HEADER + (
    "@helion.kernel()\n"
    "def k(x, v):\n"
    "    m, n = x.size()\n"
    "    out = torch.empty_like(x)\n"
    "    for i in hl.grid(m):\n"
    "        out[i, :] = torch.where((v[i] > 0) & (x[i, :] < 0), x[i, :], 1.0)\n"
    "    return out\n"
)


@pytest.mark.xfail(
    strict=True,
    reason="a scalar condition `&` a block condition fails in Triton's interpreter (numpy "
    "TypeError); compiled Triton takes it: the generated code could broadcast the scalar",
)
def test_scalar_and_block_condition():
    x, v = torch.randn(3, 5), torch.tensor([1.0, -1.0, 2.0])
    ours, eager = both(GRID_CONDITION, x, v)
    assert_matches(ours, eager)


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


@pytest.mark.xfail(
    strict=True,
    reason="Source.parse checks syntax with libcst (and ast on failure) but never compiles: "
    "what only the compiler refuses passes through into a broken or wrong module",
)
@pytest.mark.parametrize(("body", "line"), INVALID_PYTHON)
def test_invalid_python_is_a_syntax_error(body, line):
    with pytest.raises(errors.TranspileSyntaxError) as caught:
        transpiler.transpile(HEADER + body)
    assert caught.value.lineno == line


WRONG_ARITY = [
    pytest.param("torch.where(x[tile] > 0, x[tile])", id="where-two-arguments"),
    pytest.param("x[tile].expand_as()", id="expand_as-no-argument"),
]


@pytest.mark.xfail(
    strict=True, reason="a call with too few arguments: InternalTranspilerError (IndexError)"
)
@pytest.mark.parametrize("expression", WRONG_ARITY)
def test_wrong_arity_is_a_user_error(expression):
    with pytest.raises(errors.TranspileError) as caught:
        transpiler.transpile(elementwise(expression))
    assert not isinstance(caught.value, errors.InternalTranspilerError), str(caught.value)
    assert caught.value.lineno == 10


@pytest.mark.xfail(
    strict=True,
    reason="a module as a tile size: InternalTranspilerError (AttributeError) placed on the "
    "host line before the loop",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="Source.lines uses str.splitlines(), which also breaks at form feeds (PEP 8 allows "
    "them) and other separators Python does not count: the excerpt shows the wrong line",
)
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
    assert "BLOCK_M = 2" in code and "BLOCK_N = 64" in code


@pytest.mark.xfail(
    strict=True,
    reason="the transpiler turns `a < b < c` into `&` (docs/ops.md), but reference mode runs "
    "it as Python: `bool(tensor)` raises, so the two truths cannot be compared",
)
def test_chained_comparison_runs_in_reference_mode():
    x = torch.randn(9)
    ours, eager = both(elementwise("torch.where(-0.5 < x[tile] < 0.5, x[tile], 0.0)"), x)
    assert_matches(ours, eager)


@pytest.mark.xfail(
    strict=True,
    reason="`for tile_n, in hl.tile(n):` (a one-element tuple target) in an inner loop: "
    "InternalTranspilerError (AttributeError: 'list' object has no attribute 'removeprefix')",
)
def test_one_element_tuple_loop_target():
    source = HEADER + (
        "@helion.kernel()\n"
        "def k(x):\n"
        "    m, n = x.size()\n"
        "    out = torch.empty_like(x)\n"
        "    for tile_m in hl.tile(m):\n"
        "        for tile_n, in hl.tile(n):\n"
        "            out[tile_m, tile_n] = x[tile_m, tile_n]\n"
        "    return out\n"
    )
    with pytest.raises(errors.TranspileError) as caught:
        transpiler.transpile(source)
    assert not isinstance(caught.value, errors.InternalTranspilerError), str(caught.value)


@pytest.mark.xfail(
    strict=True,
    reason="a character libcst's parser takes in a name but Python refuses (U+322FB): "
    "libcst.CSTValidationError escapes instead of a TranspileSyntaxError",
)
@pytest.mark.parametrize("text", ["\U000322fb\n", "x = K\U00016104d\n"], ids=["name", "in-name"])
def test_characters_python_refuses_are_a_syntax_error(text):
    with pytest.raises(errors.TranspileSyntaxError) as caught:
        transpiler.transpile(text)
    assert caught.value.lineno == 1
