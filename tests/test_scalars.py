"""Python floats passed to kernels stay weak (torch's rule: a Python float never widens a tensor),
whichever launcher passes them: Triton's passes float32, torch.compile's float64."""

from __future__ import annotations

import torch
from helpers import assert_matches

import transpiler
from transpiler.run.runtime import load_module

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def scaled(x: torch.Tensor, eps: float = 1e-5, shift=0.25, repeats: int = 2) -> torch.Tensor:
    m, d = x.size()
    scale = 1.0 / d**0.5
    half = d // 2
    out = torch.empty_like(x)
    for tile in hl.tile(m):
        out[tile, :] = x[tile, :] * scale * repeats + eps + shift + half
    return out
"""


def code() -> str:
    x = torch.randn(5, 7)
    return transpiler.transpile_module(SOURCE, filename="s.py", example_args={"scaled": (x,)}).code


def test_only_surely_float_scalars_are_cast():
    text = code()
    for name in ("scale", "eps", "shift"):
        assert f"    {name} = tl.cast({name}, tl.float32)" in text
    for name in ("half", "repeats"):
        assert f"{name} = tl.cast" not in text


def test_a_float64_scalar_does_not_widen_the_result():
    """The result keeps the tensor's dtype (the float64 launch is checked on the GPU by
    benchmarks/transformer_block.py under torch.compile)."""
    module = load_module(code(), stem="scalars")
    x = torch.randn(9, 33, device="cuda" if torch.cuda.is_available() else "cpu")
    ours = module.scaled(x).cpu()
    x = x.cpu()
    assert ours.dtype == torch.float32
    exact = x.double() * (1.0 / 33**0.5) * 2 + 1e-5 + 0.25 + 16
    assert_matches(ours, exact)
