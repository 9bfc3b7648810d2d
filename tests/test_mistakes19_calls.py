"""Mistakes an outside tester makes (2026-12-06, mistakes19) around the call: module-level
values a kernel reads, arguments torch would take and Triton cannot, a decorator applied twice.
Each was silently wrong or a traceback from inside the generated module before."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from mistakes10 import FILE, HEAD, ONE, X1, attempt, each_row, kernel, refused_as_the_row_says

import transpiler

ON_DEVICE = f"device={DEVICE!r}"


def cell(source: str) -> dict:
    """The kernels of a notebook cell, in its namespace."""
    namespace: dict = {}
    transpiler.kernels_from_source(HEAD + source, filename=FILE, namespace=namespace)
    return namespace


def test_a_module_tensor_the_kernel_reads_is_the_cells_own():
    """was: the generated module ran `W = torch.randn(37)` again: another W, silently"""
    names = cell(f"\nW = torch.randn(37, {ON_DEVICE})\n" + kernel("out[tile] = x[tile] * W[tile]"))
    x = torch.randn(37, device=DEVICE)
    want = x.double() * names["W"].double()
    torch.testing.assert_close(names["k"](x).double(), want, rtol=1e-6, atol=1e-6)


def test_a_module_number_changed_after_a_call_is_read_at_the_next():
    """was: the first call's SCALE (2.0) kept after a later cell set SCALE = 5.0"""
    names = cell("\nSCALE = 2.0\n" + kernel("out[tile] = x[tile] * SCALE"))
    x = torch.randn(41, device=DEVICE)
    torch.testing.assert_close(names["k"](x).double(), x.double() * 2.0, rtol=1e-6, atol=1e-6)
    names["SCALE"] = 5.0
    torch.testing.assert_close(names["k"](x).double(), x.double() * 5.0, rtol=1e-6, atol=1e-6)


def configured(config: str) -> str:
    return kernel("out[tile] = x[tile] * 2", decorator=f"@helion.kernel(config={config})")


# (id, kernel source, the call, error class, line, the caret's text, message, hint)
MISTAKES = [
    # was: an AttributeError ('Kernel' object has no attribute '__qualname__')
    ("decorated-twice", kernel("out[tile] = x[tile]", decorator="@helion.kernel()\n"
     "@helion.kernel(static_shapes=True)"), f"k({X1})", "UnsupportedConstructError", 6, "@",
     "k() is decorated with @helion.kernel twice", "keep one @helion.kernel(...)"),
    # were: "block size 32.0 in block_sizes=[32.0] is not a power of two"
    ("a-float-block-size", configured("helion.Config(block_sizes=[32.0])"), f"k({X1})",
     "ConfigError", 6, "@", "block size 32.0 in block_sizes=[32.0] is a float, not an integer",
     "write block_sizes=[32]"),
    ("a-string-block-size", configured("helion.Config(block_sizes=['64'])"), f"k({X1})",
     "ConfigError", 6, "@", "is a str, not an integer", "write block_sizes=[64]"),
    ("a-nested-block-size", configured("helion.Config(block_sizes=[[16]])"), f"k({X1})",
     "ConfigError", 6, "@", "is a list, not an integer", "write block_sizes=[16]"),
    # were: accepted by the interpreter, Triton's "numel exceeds triton maximum" on a GPU
    ("a-config-block-past-triton", configured("helion.Config(block_sizes=[4194304])"),
     f"k({X1})", "ConfigError", 6, "@", "more than Triton's largest block (1048576 elements)",
     "block_sizes=[1024]"),
    ("a-tile-block-past-triton", kernel("out[tile] = x[tile] * 2",
     loop="for tile in hl.tile(x.size(0), block_size=2097152):"), f"k({X1})",
     "TileArgumentError", 9, "2097152", "block_size=2097152 is more than Triton's largest block",
     "block_size=1024"),
]  # fmt: skip


@each_row(MISTAKES)
def test_a_definition_mistake_is_refused_at_its_line(
    source, call, kind, line, marker, message, hint
):
    refused_as_the_row_says(source, call, kind, line, marker, message, hint)


def test_a_sparse_tensor_is_refused_with_the_fix():
    """was: a NotImplementedError from the generated launcher (no storage to read)"""
    with pytest.raises(TypeError, match=r"'x' is a torch.sparse_coo tensor: .* x.to_dense\(\)"):
        attempt(kernel("out[tile] = x[tile] * 2"), "k(torch.randn(37).to_sparse())")


def test_an_error_of_the_kernels_host_code_names_the_users_line():
    """was: torch's "Dimension out of range" with only the cached module's frame to read"""
    source = kernel("out[tile] = x[tile] * 2", before="    n = x.size(1)\n" + ONE,
                    loop="for tile in hl.tile(n):")  # fmt: skip
    with pytest.raises(IndexError, match="Dimension out of range") as caught:
        attempt(source, f"k({X1})")
    assert caught.value.__notes__ == [f"raised by the kernel's host code, {FILE}:8: n = x.size(1)"]


def test_the_users_own_assert_names_its_line():
    source = kernel("out[tile] = x[tile] + y[tile]", params="x: torch.Tensor, y: torch.Tensor",
                    before="    assert x.size(0) == y.size(0), 'sizes differ'\n" + ONE)  # fmt: skip
    with pytest.raises(AssertionError, match="sizes differ") as caught:
        attempt(source, "k(torch.randn(37), torch.randn(36))")
    assert caught.value.__notes__ == [
        f"raised by the kernel's host code, {FILE}:8: assert x.size(0) == y.size(0), 'sizes differ'"
    ]


def test_hl_tile_of_two_sizes_is_one_loop_from_the_first_to_the_second():
    """`hl.tile(m, n)` is one loop from m to n: with m > n, as Python's range, no tile runs
    (valid, so not refused: test_probes_evaluator5_layouts' empty range leaves its clone)"""
    source = kernel("out[tile] = x[tile] * 2", before="    m, n = x.size()\n" + ONE,
                    loop="for tile in hl.tile(m, n):")  # fmt: skip
    attempt(source, "k(torch.randn(37, 19))")  # no tile runs, no error
    # a loop from m to n where m <= n is what Helion means: rows m to n of x, the second half
    x = torch.randn(6, 12, device=DEVICE)
    names = cell(source.replace("m, n = x.size()", "n = x.size(0)\n    m = n // 2"))
    got = names["k"](torch.cat([x, x]))[6:12].double()
    torch.testing.assert_close(got, x.double() * 2, rtol=1e-6, atol=1e-6)


def test_a_products_inner_sizes_that_differ_name_the_product():
    """was: "x.size(1) and _ must be equal: the kernel combines them element-wise" (a product
    is not element-wise, and `_` is the throwaway name the host code unpacked y's size into)"""
    source = kernel(
        "out[tile_m, tile_n] = hl.dot(x[tile_m, :], y[:, tile_n])",
        params="x: torch.Tensor, y: torch.Tensor",
        before="    m, _ = x.size()\n    _, n = y.size()\n    out = torch.empty([m, n], device=x.device)\n",
        loop="for tile_m, tile_n in hl.tile([m, n]):",
    )
    with pytest.raises(RuntimeError) as caught:
        attempt(source, "k(torch.randn(16, 32), torch.randn(24, 16))")
    assert str(caught.value) == (
        "x.size(1) and y.size(0) must be equal: line 12 multiplies them (a matrix product's "
        "inner dimension)"
    )


def test_a_store_into_an_expanded_view_is_refused_at_the_launch():
    """was: every lane stored into the one element the view repeats, silently (torch refuses
    the same store: "more than one element of the written-to tensor refers to a single memory
    location")"""
    source = kernel("out[tile] = y[tile] * 2", params="x: torch.Tensor, y: torch.Tensor",
                    before="    out = x.expand(y.size(0))\n")  # fmt: skip
    with pytest.raises(RuntimeError, match="out has overlapping elements"):
        attempt(source, "k(torch.randn(1), torch.randn(37))")


def test_a_module_dtype_changed_after_the_kernel_was_made_is_refused_at_the_call():
    """was: the generated code kept float16 (a constant of it) after a later cell set float32"""
    names = cell("\nDT = torch.float16\n" + kernel("out[tile] = x[tile].to(DT).to(torch.float32)"))
    x = torch.randn(37, device=DEVICE)
    want = x.to(torch.float16).double()
    torch.testing.assert_close(names["k"](x).double(), want, rtol=0, atol=0)
    names["DT"] = torch.float32
    with pytest.raises(RuntimeError) as caught:
        names["k"](x)
    assert str(caught.value) == (
        "DT is torch.float32 now, but k() was transpiled with `DT = torch.float16` "
        f"({FILE}:6): a module-level dtype or flag is a constant of the generated code; run the "
        "kernel's cell again after changing it, or pass it as an argument"
    )
    names["DT"] = torch.float16  # the value it was made with: runs again
    torch.testing.assert_close(names["k"](x).double(), want, rtol=0, atol=0)
