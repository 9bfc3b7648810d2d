"""Every op in the op table, in every spelling it accepts, against the reference and float64."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import assert_matches, generated, reference

from transpiler.compile.ops.table import ELEMENTWISE, FUNCTIONAL, METHOD, REDUCTIONS, TORCH
from transpiler.compile.ops.table_math import ACTIVATIONS, POINTWISE_MATH

# pointwise math and activations: many to a kernel in test_math_ops.py (compile-check time)
GROUPED = {op.name for op in POINTWISE_MATH + ACTIVATIONS}

HEADER = """import torch
import helion
import helion.language as hl

"""
POSITIVE = {"log", "log2", "sqrt", "rsqrt", "pow"}


def arity(template: str) -> int:
    """How many operands a template takes: its placeholders a, b, c."""
    return len(set(re.findall(r"\b[abc]\b", template)))


def call_text(name: str, spelling: str, operands: list[str]) -> str:
    if spelling == METHOD:
        return f"{operands[0]}.{name}({', '.join(operands[1:])})"
    module = "torch" if spelling == TORCH else "torch.nn.functional"
    return f"{module}.{name}({', '.join(operands)})"


ELEMENTWISE_CASES = [
    pytest.param(op, spelling, id=f"{op.name}-{spelling}")
    for op in ELEMENTWISE
    if op.name not in GROUPED
    for spelling in op.spellings
]


@pytest.mark.parametrize(("op", "spelling"), ELEMENTWISE_CASES)
def test_elementwise_op(op, spelling):
    count = max(arity(op.template), 1)
    operands = ["a", "b", "c"][:count]
    if op.name == "where":
        operands = ["a > b", "b", "c"]
    if op.name == "masked_fill":  # x.masked_fill(mask, value)
        operands = ["a", "b > c", "0.5"]  # torch takes a number (or a 0-d tensor)
    body = call_text(op.name, spelling, operands[:1] + operands[1:])
    source = (
        HEADER
        + f"""
@helion.kernel()
def op_kernel(x: torch.Tensor, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = x[tile]
        b = y[tile]
        c = z[tile]
        out[tile] = {body}
    return out
"""
    )
    size = 131
    inputs = [torch.rand(size, dtype=torch.float64) * 4 - 2 for _ in range(3)]
    if op.name in POSITIVE:
        inputs = [t.abs() + 0.1 for t in inputs]
    if op.name == "clamp":
        inputs[1], inputs[2] = -inputs[1].abs() * 0.5, inputs[2].abs() * 0.5
    x, y, z = (t.float() for t in inputs)
    ours = generated(source, "op_kernel", x, y, z)(x, y, z)
    eager = reference(source, "op_kernel")(x, y, z)
    exact = reference(source, "op_kernel")(*inputs)
    assert_matches(ours, eager)
    torch.testing.assert_close(ours.double(), exact, atol=1e-5, rtol=1e-4)


NO_KEEPDIM = {"count_nonzero"}  # torch's count_nonzero has no keepdim
REDUCTION_CASES = [
    pytest.param(op.name, spelling, dim, keepdim, id=f"{op.name}-{spelling}-dim{dim}-keep{keepdim}")
    for op in REDUCTIONS
    for spelling in op.spellings
    for dim, keepdim in ((1, False), (-1, True), (0, False))
    if not (op.keeps_shape and keepdim) and not (op.name in NO_KEEPDIM and keepdim)
]


@pytest.mark.parametrize(("name", "spelling", "dim", "keepdim"), REDUCTION_CASES)
def test_reduction_op(name, spelling, dim, keepdim):
    arguments = [f"dim={dim}"]
    if not next(op for op in REDUCTIONS if op.name == name).keeps_shape and name not in NO_KEEPDIM:
        arguments.append(f"keepdim={keepdim}")
    body = call_text(name, spelling, ["values", *arguments])
    if spelling == METHOD:
        body = f"values.{name}({', '.join(arguments)})"
    if name in ("max", "min"):
        body += ".values"
    index = "tile_m, :" if dim != 0 else ":, tile_n"
    keeps = next(op for op in REDUCTIONS if op.name == name).keeps_shape
    if keeps:
        target = index
    elif dim == 0:
        target = ":, tile_n" if keepdim else "tile_n"
    else:
        target = "tile_m, :" if keepdim else "tile_m"
    loop = "tile_m in hl.tile(m)" if dim != 0 else "tile_n in hl.tile(n)"
    out_shape = "[m, n]" if keeps else ("[n]" if dim == 0 else "[m]")
    if not keeps and keepdim:
        out_shape = "[1, n]" if dim == 0 else "[m, 1]"
    source = (
        HEADER
        + f"""
@helion.kernel()
def reduce_kernel(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty({out_shape}, dtype=torch.float32, device=x.device)
    for {loop}:
        values = x[{index}]
        out[{target}] = {body}
    return out
"""
    )
    x64 = torch.rand(9, 37, dtype=torch.float64) * 4 - 2
    x = x64.float()
    ours = generated(source, "reduce_kernel", x)(x)
    eager = reference(source, "reduce_kernel")(x)
    exact = reference(source, "reduce_kernel")(x64)
    assert_matches(ours, eager)
    torch.testing.assert_close(ours.double(), exact.double(), atol=1e-5, rtol=1e-4)


def test_every_spelling_is_tested():
    spellings = {s for op in ELEMENTWISE for s in op.spellings} | {
        s for op in REDUCTIONS for s in op.spellings
    }
    assert spellings <= {TORCH, METHOD, FUNCTIONAL}
    assert len(ELEMENTWISE_CASES) >= len(ELEMENTWISE) - len(GROUPED)


FLATTEN = (
    HEADER
    + """
@helion.kernel()
def head_norms(q: torch.Tensor) -> torch.Tensor:
    b, m, h, d = q.size()
    h = hl.specialize(h)
    out = torch.empty([b, m, h], dtype=q.dtype, device=q.device)
    for tile_b, tile_m in hl.tile([b, m]):
        # [tile_b, tile_m, h, d] -> [tile_b, h, tile_m, d] -> [tile_b * h, tile_m, d]
        rows = q[tile_b, tile_m, :, :].permute(0, 2, 1, 3).flatten(0, 1)
        norms = (rows * rows).sum(-1) + 1.0
        out[tile_b, tile_m, :] = norms.unflatten(0, [tile_b, h]).permute(0, 2, 1)
    return out


@helion.kernel()
def ones_dropped(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile][None, :, None].flatten(start_dim=0, end_dim=-1) * 3
    return out
"""
)


def test_flatten_and_unflatten_of_blocks():
    q = torch.randn(5, 7, 3, 4)  # tiles and the head axis (3 of 4 lanes) partly outside
    expected = (q.double() * q.double()).sum(-1) + 1.0
    assert_matches(generated(FLATTEN, "head_norms", q)(q), expected)
    x = torch.randn(37)
    assert_matches(generated(FLATTEN, "ones_dropped", x)(x), x.double() * 3)


def test_flatten_of_a_bad_range_is_a_shape_error():
    from transpiler.compile.frontend.errors import ShapeError

    source = FLATTEN.replace("flatten(0, 1)", "flatten(2, 1)")
    q = torch.randn(5, 7, 3, 4)
    with pytest.raises(ShapeError, match=r"flatten\(2, 1\) of a 4-D block"):
        generated(source, "head_norms", q)
