"""User-style probes of what torch refuses: a Python number where torch takes only a tensor
(`torch.minimum(x, 0.5)`, `torch.maximum(0.5, x)`, `torch.max(x, 0.5)`, `torch.exp(2.0)`) is
refused at its column; F.layer_norm / F.linear with operands of another dtype than the input,
and F.dropout with a probability outside [0, 1] passed at the call, are refused at the launch
as torch refuses them; F.normalize and torch.linalg.vector_norm are costed by the cost model
(a CostModelError reached the user before 2026-12-05)."""

from __future__ import annotations

import re

import pytest
import torch
import torch.nn.functional as F
from helpers import assert_matches, generated

from transpiler import errors
from transpiler.analysis.perf.walk import kernel_cost

HEADER = """
import helion
import helion.language as hl
import torch
import torch.nn.functional as F
"""


def elementwise(expression: str) -> str:
    return (
        HEADER
        + f"""
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor, s: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = {expression}
    return out
"""
    )


# (expression, the source text the error's caret points at, its words)
NUMBERS = [
    ("torch.minimum(x[tile], 0.5)", "0.5", "other=0.5 of torch.minimum() must be a tensor"),
    ("torch.maximum(x[tile], s)", "s", "other=s of torch.maximum() must be a tensor"),
    ("torch.fmax(x[tile], 1)", "1", "of torch.fmax() must be a tensor"),
    ("torch.fmin(x[tile], -2.0)", "-2.0", "of torch.fmin() must be a tensor"),
    ("x[tile].maximum(0.5)", "0.5", "of Tensor.maximum() must be a tensor"),
    ("torch.maximum(0.5, x[tile])", "0.5", "torch.maximum() takes a tensor as its input"),
    ("torch.atan2(x[tile], 0.5)", "0.5", "of torch.atan2() must be a tensor"),
    ("torch.lerp(x[tile], 1.0, 0.5)", "1.0", "end=1.0 of torch.lerp() must be a tensor"),
    ("torch.addcmul(x[tile], 2.0, y[tile])", "2.0", "tensor1=2.0 of torch.addcmul()"),
    ("torch.max(x[tile], 0.5)", "0.5", "torch takes a tensor as other, or an integer dim"),
    ("torch.exp(2.0) * x[tile]", "2.0", "torch.exp() takes a tensor as its input"),
]


@pytest.mark.parametrize(("expression", "caret", "words"), NUMBERS, ids=[n[0] for n in NUMBERS])
def test_a_number_where_torch_takes_only_a_tensor_is_refused(expression, caret, words):
    """Accepted (and computed) before 2026-12-05; torch raises TypeError for each."""
    x = torch.randn(9)
    with pytest.raises(TypeError):
        eval(expression.replace("[tile]", ""), {"torch": torch, "x": x, "y": x, "s": 0.5})
    with pytest.raises(errors.UnsupportedConstructError, match=re.escape(words)) as e:
        generated(elementwise(expression), "k", x, x, 0.5)
    line = elementwise(expression).splitlines()[e.value.lineno - 1]
    assert line[e.value.col_offset :].startswith(caret)


# what torch takes there: still computed
ACCEPTED = [
    ("torch.maximum(x[tile], y[tile])", lambda x, y, s: torch.maximum(x, y)),
    ("torch.minimum(x[tile], y[tile].sum())", lambda x, y, s: torch.minimum(x, y.sum())),
    ("torch.lerp(x[tile], y[tile], 0.25)", lambda x, y, s: torch.lerp(x, y, 0.25)),
    ("torch.add(2, x[tile]) * torch.pow(2, y[tile])", lambda x, y, s: (2 + x) * 2**y),
    ("torch.where(x[tile] > 0, x[tile], 0.5)", lambda x, y, s: torch.where(x > 0, x, 0.5)),
    ("torch.clamp(x[tile], min=s)", lambda x, y, s: torch.clamp(x, min=s)),
    ("abs(s) * x[tile]", lambda x, y, s: abs(s) * x),
]


@pytest.mark.parametrize(("expression", "truth"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_what_torch_takes_is_still_computed(expression, truth):
    x, y = torch.randn(37), torch.randn(37)
    got = generated(elementwise(expression), "k", x, y, -0.25)(x, y, -0.25)
    assert_matches(got, truth(x.double(), y.double(), -0.25))


LAYER_NORM = (
    HEADER
    + """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.layer_norm(x[tile_m, :], [n], w, b, 1e-5)
    return out
"""
)
LINEAR = (
    HEADER
    + """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    out = torch.empty([m, w.size(0)], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.linear(x[tile_m, :], w, b)
    return out
"""
)
DROPOUT = (
    HEADER
    + """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, p: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = F.dropout(x[tile], p, training=False) * w[tile]
    return out
"""
)
f32, f16, f64 = torch.float32, torch.float16, torch.float64
# (source, x, w, b, torch's function, None where torch computes, else the refusal's words)
COMPOSITES = [
    (LAYER_NORM, (9, 13, f32), (13, f16), (13, f32), "weight w is torch.float16 and its input x"),
    (LAYER_NORM, (9, 13, f32), (13, f32), (13, f64), "bias b is torch.float64"),
    (LAYER_NORM, (9, 13, f32), (13, f32), (13, f32), None),
    (LAYER_NORM, (9, 13, f16), (13, f32), (13, f32), None),  # torch's mixed half input
    (LINEAR, (9, 16, f32), (32, 16, f16), (32, f32), "weight w is torch.float16"),
    (LINEAR, (9, 16, f32), (32, 16, f32), (32, f64), "bias b is torch.float64"),
    (LINEAR, (9, 16, f32), (32, 16, f32), (32, f32), None),
]


def _torch(source: str, x, w, b):
    if source is LAYER_NORM:
        return F.layer_norm(x, [x.size(1)], w, b, 1e-5)
    return F.linear(x, w, b)


@pytest.mark.parametrize(("source", "x", "w", "b", "words"), COMPOSITES)
def test_composites_refuse_the_dtypes_torch_refuses(source, x, w, b, words):
    x, w, b = (torch.randn(*shape[:-1], dtype=shape[-1]) for shape in (x, w, b))
    kernel = generated(source, "k", x, w, b)
    if words is None:
        expected = _torch(source, x.double(), w.double(), b.double())
        assert_matches(kernel(x, w, b), expected, dtype=x.dtype, dots=source is LINEAR)
        return
    with pytest.raises(RuntimeError):
        _torch(source, x, w, b)
    with pytest.raises(TypeError, match=f"line 12: F.\\w+\\(\\)'s {words}"):
        kernel(x, w, b)


@pytest.mark.parametrize("p", [1.5, -0.25])
def test_a_dropout_probability_outside_zero_to_one_is_refused_at_the_launch(p):
    x, w = torch.randn(17), torch.randn(17)
    kernel = generated(DROPOUT, "k", x, w, 0.3)
    assert_matches(kernel(x, w, 0.3), x * w)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(x, p, training=False)
    with pytest.raises(
        ValueError, match=f"dropout probability has to be between 0 and 1, but got {p}"
    ):
        kernel(x, w, p)


NORMS = (
    HEADER
    + """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = EXPRESSION
    return out
"""
)


@pytest.mark.parametrize(
    ("expression", "flops"),
    [
        ("F.normalize(x[tile_m, :], dim=-1)", 3),
        ("F.normalize(x[tile_m, :], p=1.0, dim=1, eps=1e-6)", 3),
        ("x[tile_m, :] / torch.linalg.vector_norm(x[tile_m, :], dim=-1, keepdim=True)", 3),
    ],
)
def test_the_cost_model_follows_the_norms(expression, flops):
    """F.normalize raised CostModelError (`--roofline` showed it) before 2026-12-05."""
    x = torch.randn(9, 13)
    cost = kernel_cost(NORMS.replace("EXPRESSION", expression), "k", (x,))
    assert cost.flops == flops * x.numel()
    assert cost.min_bytes == 2 * x.numel() * 4  # x read, out written
