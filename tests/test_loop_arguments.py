"""hl.tile / hl.grid's third argument by position: hl.tile's block_size and hl.grid's step are
honoured (the step was once dropped: `hl.grid(1, n, 3)` ran one program)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from helpers import assert_matches, block_sizes, on_device

import transpiler
from transpiler.run.runtime import load_module

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def strided_grid(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for i in hl.grid(1, n, 3):
        out[i] = x[i] * 2
    return out


@helion.kernel()
def strided_grid_keyword(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for i in hl.grid(x.size(0), step=2):
        out[i] = x[i] * 2
    return out


@helion.kernel()
def positional_block(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for tile in hl.tile(0, n, 16):
        out[tile] = x[tile] * 2 + tile.block_size
    return out


@helion.kernel()
def positional_blocks_2d(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([0, 0], [m, n], [8, 32]):
        out[tile_m, tile_n] = x[tile_m, tile_n] + tile_m.block_size * tile_n.block_size
    return out
"""


def transpiled(name: str, *args):
    return transpiler.transpile_module(
        SOURCE, filename="loops.py", example_args={name: args}, only=(name,)
    ).code


def _strided(x: torch.Tensor, begin: int, step: int) -> torch.Tensor:
    out = torch.zeros_like(x)
    out[begin::step] = x[begin::step] * 2
    return out


@pytest.mark.parametrize(
    ("name", "begin", "step"), [("strided_grid", 1, 3), ("strided_grid_keyword", 0, 2)]
)
def test_a_grid_step_is_honoured(name, begin, step):
    """Helion's hl.grid(begin, end, step) (once refused here; test_grid_steps.py has more)."""
    x = torch.randn(11) + 0.25
    module = load_module(transpiled(name, x), stem=name)
    assert_matches(on_device(getattr(module, name))(x), _strided(x, begin, step), torch.float32)


def test_a_block_size_by_position_is_honoured():
    x = torch.randn(101)
    code = transpiled("positional_block", x)
    assert block_sizes(code).get("BLOCK_SIZE") == "16" or "BLOCK_SIZE=16" in code
    ours = on_device(load_module(code, stem="positional_block").positional_block)(x)
    assert_matches(ours, x.double() * 2 + 16)


def test_block_sizes_by_position_in_two_dimensions():
    x = torch.randn(19, 45)
    code = transpiled("positional_blocks_2d", x)
    kernel = load_module(code, stem="positional_blocks_2d").positional_blocks_2d
    assert_matches(on_device(kernel)(x), x.double() + 8 * 32)


def test_only_the_named_kernel_is_checked():
    """`only=`: another kernel's mistake (here: no device loop) does not stop this one."""
    source = (
        SOURCE
        + """

@helion.kernel()
def no_loop(x: torch.Tensor) -> torch.Tensor:
    return x * 2
"""
    )
    x = torch.randn(33)
    code = transpiler.transpile_module(
        source, filename="loops.py", example_args={"positional_block": (x,)},
        only=("positional_block",),
    ).code  # fmt: skip
    assert "def no_loop" not in code and "def positional_block(" in code
    with pytest.raises(transpiler.TranspileError, match="no hl.tile / hl.grid loop"):
        transpiler.transpile_module(source, filename="loops.py", only=("no_loop",))


def test_only_one_kernel_of_a_file_whose_helpers_hold_loops():
    """A helper's device loop is called by kernels `only=` leaves out: still not stray."""
    source = (Path(__file__).parent / "kernels" / "helper_loops.py").read_text()
    for name in ("scaled_row_sums", "row_variance", "matmul_with_bias"):
        x = torch.randn(5, 7)
        args = (x, torch.randn(7, 3), torch.randn(3)) if name == "matmul_with_bias" else (x,)
        code = transpiler.transpile_module(
            source, filename="helper_loops.py", example_args={name: args}, only=(name,)
        ).code
        assert f"def {name}(" in code
