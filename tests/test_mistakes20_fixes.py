"""Each refusal h/mistakes19 added names a fix in code: that spelling, written into the kernel
the mistake came from, runs and computes as torch does (float64 reference, odd sizes)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from mistakes10 import FILE, HEAD, ONE, SAME, kernel

import transpiler

MAYBE = "x: torch.Tensor, y: torch.Tensor | None = None"
# `if y is not None:` / `if s == 'relu':` inside the device loop, as the hints say
OPTIONAL = (
    "out[tile] = x[tile]\n        if y is not None:\n            out[tile] = out[tile] + y[tile]"
)
TEXT = (
    "if s == 'relu':\n            out[tile] = torch.relu(x[tile])\n        else:\n"
    "            out[tile] = x[tile]"
)


def configured(config: str) -> str:
    return kernel("out[tile] = x[tile] * 2", decorator=f"@helion.kernel(config={config})")


def twice(x, *_):
    return x * 2


# (id of the mistakes19 row, the source its hint spells, the call's arguments after x, torch)
FIXES = [
    ("decorated-twice", kernel("out[tile] = x[tile] * 2",
     decorator="@helion.kernel(static_shapes=True)"), (), twice),
    ("a-float-block-size", configured("helion.Config(block_sizes=[32])"), (), twice),
    ("a-string-block-size", configured("helion.Config(block_sizes=[64])"), (), twice),
    ("a-nested-block-size", configured("helion.Config(block_sizes=[16])"), (), twice),
    ("a-config-block-past-triton", configured("helion.Config(block_sizes=[1024])"), (), twice),
    ("a-tile-block-past-triton", kernel("out[tile] = x[tile] * 2",
     loop="for tile in hl.tile(x.size(0), block_size=1024):"), (), twice),
    ("breakpoint", kernel("v = x[tile] * 2\n        hl.device_print('v = ', v)\n"
     "        out[tile] = v"), (), twice),
    ("type-of-a-block", kernel("v = x[tile]\n        if v.dtype == torch.float32:\n"
     "            v = v * 2\n        out[tile] = v"), (), twice),
    ("input", kernel("out[tile] = x[tile] * scale", before="    scale = float('2')\n" + ONE),
     (), twice),
    ("getattr", kernel("out[tile] = (x[tile] * 2).to(x.dtype)"), (), twice),
    ("a-parameter-named-grid", kernel("out[tile] = x[tile] + grid_[tile]",
     params="x: torch.Tensor, grid_: torch.Tensor"), ("y",), lambda x, y: x + y),
    ("a-host-variable-named-grid", kernel("out[tile] = x[tile] * grid_",
     before="    grid_ = 2.0\n" + ONE), (), twice),
    ("a-module-global-named-grid", "\ngrid_ = 2.0\n" + kernel("out[tile] = x[tile] * grid_"),
     (), twice),
    ("a-parameter-named-INDEX_DTYPE", kernel("out[tile] = x[tile] * INDEX_DTYPE_",
     params="x: torch.Tensor, INDEX_DTYPE_: float"), (2.0,), twice),
    ("a-helper-named-like-the-triton-function", "\ndef k_kernel_(v):\n    return v\n" + kernel(
     "out[tile] = x[tile] * 2"), (), twice),
    ("a-module-global-named-tl", "\ntl_ = 2.0\n" + kernel("out[tile] = x[tile] * tl_"),
     (), twice),
    ("an-optional-tensor-left-out", kernel(OPTIONAL, params=MAYBE), ("y",), lambda x, y: x + y),
    ("an-optional-tensor-left-out (None)", kernel(OPTIONAL, params=MAYBE), (None,),
     lambda x, _: x),
    ("a-float-argument-indexed", kernel("out[tile] = x[tile] + s",
     params="x: torch.Tensor, s: float"), (2.5,), lambda x, s: x + s),
    ("a-float-argument-indexed (a tensor)", kernel("out[tile] = x[tile] + s[tile]",
     params="x: torch.Tensor, s: torch.Tensor"), ("y",), lambda x, y: x + y),
    ("a-text-argument-as-a-number", kernel("out[tile] = x[tile] * s",
     params="x: torch.Tensor, s: float"), (2.0,), twice),
    ("a-text-argument-as-a-number (text chooses code)", kernel(TEXT, params="x: torch.Tensor, "
     "s: str"), ("relu",), lambda x, _: x.clamp(min=0)),
    ("a-text-argument-as-a-number (the other code)", kernel(TEXT, params="x: torch.Tensor, "
     "s: str"), ("gelu",), lambda x, _: x),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "rest", "want"), [r[1:] for r in FIXES], ids=[r[0] for r in FIXES]
)
def test_a_hints_spelling_computes_as_torch(source, rest, want):
    namespace: dict = {}
    transpiler.kernels_from_source(HEAD + source, filename=FILE, namespace=namespace)
    x = torch.randn(37, device=DEVICE)
    y = torch.randn(37, device=DEVICE)
    args = [y if arg == "y" else arg for arg in rest]
    got = namespace["k"](x, *args).double()
    wide = [a.double() if isinstance(a, torch.Tensor) else a for a in args]
    torch.testing.assert_close(got, want(x.double(), *wide), rtol=1e-6, atol=1e-6)


def test_the_breakpoint_hints_reference_runs_the_body_eagerly():
    """`.reference(*args)`: the same body as PyTorch, where breakpoint() would stop"""
    namespace: dict = {}
    transpiler.kernels_from_source(HEAD + kernel("out[tile] = x[tile] * 2"), filename=FILE,
                                   namespace=namespace)  # fmt: skip
    x = torch.randn(37, device=DEVICE)
    torch.testing.assert_close(namespace["k"].reference(x).double(), x.double() * 2)


def test_the_sparse_hints_to_dense_computes_as_torch():
    namespace: dict = {}
    transpiler.kernels_from_source(HEAD + kernel("out[tile] = x[tile] * 2"), filename=FILE,
                                   namespace=namespace)  # fmt: skip
    x = torch.randn(37, device=DEVICE)
    x[::3] = 0.0  # the zeros a sparse tensor leaves out
    got = namespace["k"](x.to_sparse().to_dense()).double()
    torch.testing.assert_close(got, x.double() * 2, rtol=1e-6, atol=1e-6)


def test_the_two_dimension_spelling_of_hl_tile_computes_as_torch():
    """hl.tile(m, n) with m > n: the hint's hl.tile([m, n])"""
    namespace: dict = {}
    source = kernel("out[tile_m, tile_n] = x[tile_m, tile_n] * 2", before=SAME,
                    loop="for tile_m, tile_n in hl.tile([m, n]):")  # fmt: skip
    transpiler.kernels_from_source(HEAD + source, filename=FILE, namespace=namespace)
    x = torch.randn(37, 19, device=DEVICE)
    torch.testing.assert_close(namespace["k"](x).double(), x.double() * 2, rtol=1e-6, atol=1e-6)
