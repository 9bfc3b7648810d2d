"""Mistakes an outside tester makes (2026-12-06, mistakes20) that h/mistakes19 left with unclear
messages: a list for a tensor argument, a 2-D block past Triton's limit, hl.tile(m, n) running
past the tensor. Each now names the argument or the line, and the fix."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from mistakes10 import FILE, HEAD, ONE, X2, attempt, each_row, grid, kernel, refused_as_the_row_says

import transpiler

CONFIGURED = "@helion.kernel(config=helion.Config(block_sizes={}))"

# (id, kernel source, the call, error class, line, the caret's text, message, hint)
MISTAKES = [
    # was: Triton's "numel (2097152) exceeds triton maximum tensor numel (1048576)"
    ("a-2d-block-past-triton", grid("out[tile_m, tile_n] = x[tile_m, tile_n] * 2",
     loop="for tile_m, tile_n in hl.tile([m, n], block_size=[2048, 1024]):"), f"k({X2})",
     "TileArgumentError", 10, "[2048", "block_size=[2048, 1024] makes blocks of 2048 * 1024 = "
     "2097152 elements, more than Triton's largest block (1048576 elements)",
     "(block_size=[32, 32])"),
    ("a-config-2d-block-past-triton", grid("out[tile_m, tile_n] = x[tile_m, tile_n] * 2",
     decorator=CONFIGURED.format("[2048, 1024]")), f"k({X2})", "ConfigError", 10, "hl.tile",
     "block_sizes=[2048, 1024] of the config makes blocks of 2048 * 1024 = 2097152 elements",
     "(block_sizes=[32, 32])"),
    ("a-config-size-beside-a-loops-own", grid("out[tile_m, tile_n] = x[tile_m, tile_n] * 2",
     loop="for tile_m, tile_n in hl.tile([m, n], block_size=[2048, None]):",
     decorator=CONFIGURED.format("[1024]")), f"k({X2})", "ConfigError", 10, "hl.tile",
     "block_sizes=[1024] of the config, with this loop's own, makes blocks of 2048 * 1024",
     "(block_sizes=[32])"),
]  # fmt: skip


@each_row(MISTAKES)
def test_a_definition_mistake_is_refused_at_its_line(
    source, call, kind, line, marker, message, hint
):
    refused_as_the_row_says(source, call, kind, line, marker, message, hint)


def cell(source: str) -> dict:
    """The kernels of a notebook cell, in its namespace."""
    namespace: dict = {}
    transpiler.kernels_from_source(HEAD + source, filename=FILE, namespace=namespace)
    return namespace


BLOCKS_FIXED = [  # the hints' own spellings
    grid("out[tile_m, tile_n] = x[tile_m, tile_n] * 2",
         loop="for tile_m, tile_n in hl.tile([m, n], block_size=[32, 32]):"),
    grid("out[tile_m, tile_n] = x[tile_m, tile_n] * 2", decorator=CONFIGURED.format("[32, 32]")),
    grid("out[tile_m, tile_n] = x[tile_m, tile_n] * 2", decorator=CONFIGURED.format("[32]"),
         loop="for tile_m, tile_n in hl.tile([m, n], block_size=[2048, None]):"),
]  # fmt: skip


@pytest.mark.parametrize("source", BLOCKS_FIXED, ids=["literal", "config", "both"])
def test_the_2d_block_hints_compute_as_torch(source):
    x = torch.randn(37, 19, device=DEVICE)
    got = cell(source)["k"](x).double()
    torch.testing.assert_close(got, x.double() * 2, rtol=1e-6, atol=1e-6)


UNANNOTATED = kernel("out[tile] = x[tile] * 2", params="x, out", before="")


@pytest.mark.parametrize("value", ["[0.5] * 37", "(0.5,) * 37"], ids=["list", "tuple"])
def test_a_list_for_an_unannotated_tensor_argument_names_it_and_the_fix(value):
    """was: "out must be a tensor: the kernel reads it" (no type, no fix)"""
    with pytest.raises(TypeError) as caught:
        attempt(UNANNOTATED, f"k(torch.randn(37), {value})")
    kind = type(eval(value)).__name__
    assert str(caught.value) == (
        f"out must be a tensor, not {kind}: the kernel reads it; pass torch.tensor(out), or "
        "allocate it with torch.empty"
    )


@pytest.mark.parametrize("fix", ["torch.tensor(values, device=x.device)", "torch.empty_like(x)"])
def test_the_list_fixes_compute_as_torch(fix):
    """the message's spellings: the kernel writes into the tensor either makes"""
    x = torch.randn(37, device=DEVICE)
    values = [float(v) for v in torch.randn(37)]
    out = eval(fix, {"torch": torch, "values": values, "x": x})
    cell(UNANNOTATED)["k"](x, out)
    torch.testing.assert_close(out.double(), x.double() * 2, rtol=1e-6, atol=1e-6)


def test_hl_tile_of_two_sizes_past_the_tensor_names_the_line_and_the_fix():
    """`hl.tile(m, n)` with m < n, meant as hl.tile([m, n]): was "x.size(0) must be at least n:
    the tiles reach that far" with no line or fix"""
    source = kernel("out[tile] = x[tile] * 2", before="    m, n = x.size()\n" + ONE,
                    loop="for tile in hl.tile(m, n):")  # fmt: skip
    with pytest.raises(RuntimeError) as caught:
        attempt(source, "k(torch.randn(19, 37))")
    assert str(caught.value) == (
        "line 10: hl.tile(m, n) is one loop from m to n, past x.size(0) here (x.size(0) must be "
        "at least n: the tiles reach that far); hl.tile([m, n]) tiles both dimensions, or keep "
        "the loop's begin and end within the tensor"
    )
    # the fix, hl.tile([m, n]), computes as torch
    fixed = kernel("out[tile_m, tile_n] = x[tile_m, tile_n] * 2",
                   before="    m, n = x.size()\n" + ONE, loop="for tile_m, tile_n in hl.tile([m, n]):")  # fmt: skip
    x = torch.randn(19, 37, device=DEVICE)
    torch.testing.assert_close(cell(fixed)["k"](x).double(), x.double() * 2, rtol=1e-6, atol=1e-6)


def test_a_list_the_host_code_reads_first_names_the_line_and_the_fix():
    """`out = torch.empty_like(x)` of a list x (unannotated): torch's TypeError, its note the
    line and now the fix (was: the line only)"""
    with pytest.raises(TypeError, match="must be Tensor, not list") as caught:
        attempt(kernel("out[tile] = x[tile] * 2", params="x"), "k([0.5] * 37)")
    assert caught.value.__notes__ == [
        f"raised by the kernel's host code, {FILE}:8: out = torch.empty_like(x); a list is no "
        "tensor: pass torch.tensor(...) of it (or annotate the parameter torch.Tensor: the call "
        "then names it)"
    ]
