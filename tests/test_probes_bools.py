"""User-style probes of bools in device code: two bools' sum is their `or` as in torch (Triton's
i1 addition wrapped, True + True was False on a GPU while the interpreter said True), a bool
mask tensor beside floats or ints computes (`x[tile] * mask[tile]`, `masked_fill(mask, v)`)
and is refused at the launch only beside another bool, masked_fill's value takes the tensor's
dtype, and what torch refuses on bools is refused at the line."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, one_line

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def either(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.bool, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = (x[tile] > 0) + (y[tile] > 0)
    return out


@helion.kernel()
def count_of_three(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = ((x[tile] > 0) + (y[tile] > 0) + (x[tile] > y[tile])).float()
    return out


@helion.kernel()
def either_by_name(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.bool, device=x.device)
    for tile in hl.tile(x.size(0)):
        seen = torch.add(x[tile] > 0.5, y[tile] < -0.5)
        seen += x[tile].add(y[tile]) > 1
        out[tile] = seen
    return out


@helion.kernel()
def masked(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * mask[tile] + 2 * (~mask[tile])
    return out


@helion.kernel()
def masked_rows(x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        scores = x[tile_m, tile_n].masked_fill(keep[tile_m, tile_n], float("-inf"))
        out[tile_m, tile_n] = torch.exp(scores) + keep[tile_m, tile_n] * 0.5
    return out


@helion.kernel()
def flags_times_weights(flags: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    out = torch.empty(flags.shape, dtype=torch.int64, device=flags.device)
    for tile in hl.tile(flags.size(0)):
        out[tile] = flags[tile] * 3 + w[tile].long()
    return out


@helion.kernel()
def fraction(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = (x[tile] > 0) / ((y[tile] > 0) + 1) + torch.div(y[tile] > 0, 4)
    return out


@helion.kernel()
def clipped_codes(codes: torch.Tensor) -> torch.Tensor:
    out = torch.empty(codes.shape, dtype=torch.float32, device=codes.device)
    for tile in hl.tile(codes.size(0)):
        c = codes[tile]
        out[tile] = c.masked_fill(c > 0, 2.5) * 2 + torch.full_like(c, -1.7) * 3
    return out


@helion.kernel()
def filled_flags(flags: torch.Tensor, other: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(flags)
    for tile in hl.tile(flags.size(0)):
        out[tile] = flags[tile].masked_fill(other[tile] > 0, 5)
    return out


@helion.kernel()
def scaled_flags(x: torch.Tensor, flags: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = flags[tile] * k + x[tile]
    return out


@helion.kernel()
def any_large(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.bool, device=x.device)
    for tile_m in hl.tile(m):
        seen = hl.zeros([tile_m], dtype=torch.bool)
        for tile_n in hl.tile(n):
            seen = seen + (x[tile_m, tile_n] > 1).any(-1)
        out[tile_m] = seen
    return out


@helion.kernel()
def both_loads(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty(a.shape, dtype=torch.float32, device=a.device)
    for tile in hl.tile(a.size(0)):
        out[tile] = a[tile] + b[tile]
    return out
"""


def _flags(n: int) -> torch.Tensor:
    return torch.rand(n) > 0.5


# (kernel, inputs, torch's answer): odd sizes, both bools true in some lanes
CASES = [
    ("either", lambda: (torch.randn(77), torch.randn(77)), lambda x, y: (x > 0) + (y > 0)),
    (
        "count_of_three",
        lambda: (torch.randn(77), torch.randn(77)),
        lambda x, y: ((x > 0) + (y > 0) + (x > y)).float(),
    ),
    (
        "either_by_name",
        lambda: (torch.randn(77), torch.randn(77)),
        lambda x, y: torch.add(x > 0.5, y < -0.5) + (x.add(y) > 1),
    ),
    ("masked", lambda: (torch.randn(45), _flags(45)), lambda x, m: x * m + 2 * (~m)),
    ("masked", lambda: (torch.randn(45).half(), _flags(45)), lambda x, m: x * m + 2 * (~m)),
    ("masked", lambda: (torch.randint(-9, 9, (45,)), _flags(45)), lambda x, m: x * m + 2 * (~m)),
    (
        "masked_rows",
        lambda: (torch.randn(9, 21), torch.rand(9, 21) > 0.7),
        lambda x, keep: torch.exp(x.masked_fill(keep, float("-inf"))) + keep * 0.5,
    ),
    (
        "flags_times_weights",
        lambda: (_flags(33), torch.randint(-5, 5, (33,), dtype=torch.int32)),
        lambda f, w: f * 3 + w.long(),
    ),
    (
        "fraction",
        lambda: (torch.randn(41), torch.randn(41)),
        lambda x, y: (x > 0) / ((y > 0) + 1) + torch.div(y > 0, 4),
    ),
    (
        "clipped_codes",
        lambda: (torch.randint(-50, 50, (39,), dtype=torch.int32),),
        lambda c: (c.masked_fill(c > 0, 2.5) * 2 + torch.full_like(c, -1.7) * 3).float(),
    ),
    (
        "filled_flags",
        lambda: (_flags(35), torch.randn(35)),
        lambda f, other: f.masked_fill(other > 0, 5),
    ),
    ("scaled_flags", lambda: (torch.randn(31), _flags(31), 3), lambda x, f, k: f * k + x),
    ("any_large", lambda: (torch.randn(13, 45),), lambda x: (x > 1).any(-1)),
    ("both_loads", lambda: (_flags(29), torch.randn(29)), lambda a, b: a + b),
    ("both_loads", lambda: (torch.randn(29), _flags(29)), lambda a, b: a + b),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_bools_compute_as_torch(name, make, truth):
    args = make()
    tensors = [
        a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args
    ]
    expected = truth(*tensors)
    result = generated(SOURCE, name, *args)(*args)
    if expected.dtype in (torch.bool, torch.int64, torch.int32):
        assert result.dtype == expected.dtype and torch.equal(result, expected), (result, expected)
    else:
        assert_matches(result, expected.to(result.dtype), dtype=args[0].dtype)


@pytest.mark.parametrize("name", ["either", "count_of_three", "either_by_name"])
def test_a_sum_of_bools_is_their_or_on_the_gpu_too(name):
    """The interpreter's numpy adds bools as `or`; sm_90 compiled `+` of i1 as a wrapping add."""
    code = transpiler.transpile_module(
        SOURCE, filename="kernels.py", example_args={name: (torch.randn(8), torch.randn(8))}
    ).code
    assert "|" in one_line(code.split("def " + name + "(")[0])
    x, y = torch.randn(64), torch.randn(64)
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")[name]
    (compiled,) = kernel.bind((x, y)).compile_for("sm_90")
    adds = [line for line in compiled.asm["ttir"].splitlines() if "arith.addi" in line]
    assert adds and not [line for line in adds if "xi1>" in line], adds


@pytest.mark.parametrize(
    ("name", "args", "refused"),
    [
        ("both_loads", (_flags(9), _flags(9)), "a is a bool tensor and line 108 does arithmetic"),
        ("masked", (_flags(9), _flags(9)), "x is a bool tensor and line 37 does arithmetic"),
    ],
)
def test_a_bool_load_beside_another_bool_is_refused_at_the_launch(name, args, refused):
    with pytest.raises(TypeError, match=refused):
        generated(SOURCE, name, *args)(*args)


REFUSED = [
    "(x[tile] > 0) - (y[tile] > 0)",
    "-(x[tile] > y[tile])",
    "torch.sub(x[tile] > 0, y[tile] > 0)",
    "(x[tile] > 0) // (y[tile] > 0)",
    "(x[tile] > 0) % (y[tile] < 0)",
    "(x[tile] > 0) ** (y[tile] > 0)",
    "torch.neg(x[tile] < 1)",
]


@pytest.mark.parametrize("expression", REFUSED)
def test_what_torch_refuses_on_bools_is_refused_at_the_line(expression):
    source = SOURCE.replace("(x[tile] > 0) + (y[tile] > 0)", expression)
    with pytest.raises(transpiler.TranspileError) as caught:
        generated(source, "either", torch.randn(8), torch.randn(8))
    message = str(caught.value)
    assert "kernels.py:11:21:" in message and "torch refuses" in message, message
    assert "hint: convert them first" in message, message
