"""Round 14: valid reductions that were refused. `x.norm(dim=-1)` and `torch.norm(x, p, dim,
keepdim)` (were "torch op 'norm' is not supported inside a device loop") lower as
torch.linalg.vector_norm does, p="fro" being the 2-norm; `torch.aminmax(x, dim=...)` (was
refused, naming amin and amax) is the pair of those two reductions, unpacked or indexed. Each
kernel that runs is compared with torch in float64 and compiled for sm_90 (conftest)."""

from __future__ import annotations

import torch
from helpers import DEVICE, signed_rand
from probe_groups import assert_each_as_torch
from probe_kernels import kernel
from torch_answers import assert_refused_at

ROWS, COLUMNS = 37, 45  # two programs of 32 rows, the second partly outside; odd row length
NORMS = {  # (expression of x[tile, :] rows, output dtype, torch's answer, output shape)
    "method_default_order": ("x[tile, :].norm(dim=-1)", "x.dtype", lambda x: x.norm(dim=-1)),
    "function_p2_keepdim": ("torch.norm(x[tile, :], p=2, dim=1, keepdim=True)", "x.dtype",
                            lambda x: torch.norm(x, p=2, dim=1, keepdim=True), "[m, 1]"),
    "method_p1_positional": ("x[tile, :].norm(1, 1)", "x.dtype", lambda x: x.norm(1, 1)),
    "function_inf": ("torch.norm(x[tile, :], float('inf'), -1)", "x.dtype",
                     lambda x: torch.norm(x, float("inf"), -1)),
    "fro_named": ("torch.norm(x[tile, :] * 2, p='fro', dim=[1])", "x.dtype",
                  lambda x: torch.norm(x * 2, p="fro", dim=[1])),
    "vector_norm_then_divide": ("x[tile, :] / torch.linalg.vector_norm(x[tile, :], dim=-1, keepdim=True)",
                                "x.dtype", lambda x: x / torch.linalg.vector_norm(x, dim=-1, keepdim=True),
                                "[m, n]"),
}  # fmt: skip


def test_norms_lower_as_vector_norms():
    """was: refused ("torch op 'norm' is not supported inside a device loop")."""
    x = signed_rand(ROWS, COLUMNS).to(DEVICE) * 3
    assert_each_as_torch("x: torch.Tensor", NORMS, [x], rows=True)


EXTREMES = {
    "unpacked_low": ("torch.aminmax(x[tile, :], dim=-1)[0]", "x.dtype",
                     lambda x: torch.aminmax(x, dim=-1)[0]),
    "indexed_high": ("torch.aminmax(x[tile, :], dim=1)[1] * 2", "x.dtype",
                     lambda x: torch.aminmax(x, dim=1)[1] * 2),
    "method_keepdim_span": ("x[tile, :].aminmax(dim=1, keepdim=True)[1] - x[tile, :].aminmax(dim=1, keepdim=True)[0]",
                            "x.dtype", lambda x: x.amax(1, True) - x.amin(1, True), "[m, 1]"),
    "of_ints": ("torch.aminmax(i[tile, :], dim=-1)[0]", "i.dtype", lambda x, i: torch.aminmax(i, dim=-1)[0]),
}  # fmt: skip

UNPACKED = (
    "    m, n = x.shape\n"
    "    low = torch.empty([m], dtype=x.dtype, device=x.device)\n"
    "    high = torch.empty([m], dtype=x.dtype, device=x.device)\n"
    "    for tile in hl.tile(m):\n"
    "        smallest, largest = torch.aminmax(x[tile, :], dim=-1)\n"
    "        low[tile] = smallest\n"
    "        high[tile] = largest\n"
    "    return low, high\n"
)


def test_aminmax_is_the_pair_of_amin_and_amax():
    """was: refused ("torch op 'aminmax' is not supported inside a device loop")."""
    x = signed_rand(ROWS, COLUMNS).to(DEVICE)
    i = torch.randint(1, 99, (ROWS, COLUMNS), device=DEVICE, dtype=torch.int32)
    i = i * torch.where(torch.rand(ROWS, COLUMNS, device=DEVICE) < 0.5, -1, 1).int()
    probes = {name: (p[0], p[1], p[2] if name == "of_ints" else (lambda x, i, f=p[2]: f(x)), *p[3:])
              for name, p in EXTREMES.items()}  # fmt: skip
    assert_each_as_torch("x: torch.Tensor, i: torch.Tensor", probes, [x, i], rows=True)


def test_aminmax_unpacked_into_two_names():
    from torch_answers import assert_computes_as_torch

    assert_computes_as_torch(
        kernel("x: torch.Tensor", UNPACKED),
        lambda: [signed_rand(ROWS, COLUMNS).to(DEVICE)],
        lambda x: tuple(torch.aminmax(x, dim=-1)),
    )


def test_a_nuclear_norm_is_refused_at_its_p():
    source = kernel(
        "x: torch.Tensor",
        "    out = torch.empty([x.size(0)], device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = torch.norm(x[tile, :], p='nuc', dim=-1)\n"
        "    return out\n",
    )
    assert_refused_at(source, 11, "'nuc'", "p='nuc'", "order 2", "torch.linalg.matrix_norm")
