"""One tile on several axes of one value (`x[tile, idx[tile]]`, `x[tile, None] * y[None, tile]`,
`a[tile, tile]`): a [BLOCK, BLOCK] block. At the 1-D default of 1,024 lanes that was a
[1024, 1024] block that ptxas compiled for minutes; the shape analysis now records how many
axes one value gives each tile, lowering caps the default at 1,024 elements (32 lanes on two
axes, 8 on three) and the search at the largest element-wise candidate's 4,096 (64, 16)."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import block_sizes, device_args, generated

import transpiler
from transpiler.compile.lower.repeated_tiles import largest_block
from transpiler.run.tile_configs import SEARCH_ELEMENTS, candidates

SOURCE = """
import torch
import transpiler as helion
import transpiler.language as hl


@helion.kernel()
def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile, idx[tile]].sum(-1)
    return out


@helion.kernel()
def outer_max(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = (x[tile, None] * y[None, tile]).amax(1)
    return out


@helion.kernel()
def diagonal_blocks(a: torch.Tensor) -> torch.Tensor:
    out = torch.empty([a.size(0)], dtype=a.dtype, device=a.device)
    for tile in hl.tile(a.size(0)):
        out[tile] = a[tile, tile].sum(0)
    return out


@helion.kernel()
def outer_sums(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([x.size(0), x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile, tile] = x[tile, None] + y[None, tile]
    return out


@helion.kernel()
def cube_blocks(a: torch.Tensor) -> torch.Tensor:
    out = torch.empty([a.size(0)], dtype=a.dtype, device=a.device)
    for tile in hl.tile(a.size(0)):
        out[tile] = a[tile, tile, tile].sum(-1).sum(-1)
    return out


@helion.kernel()
def row_pairs(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        row = x[tile, :]
        out[tile] = (row[:, None, :] * row[None, :, :]).sum(-1).sum(-1)
    return out


@helion.kernel()
def inner_pairs(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    b, n = x.size()
    out = torch.empty([b], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(b):
        acc = hl.zeros([tile_b], dtype=x.dtype)
        for tile_k in hl.tile(n):
            acc += (x[tile_b, tile_k, None] * y[tile_b, None, tile_k]).sum(-1).sum(-1)
        out[tile_b] = acc
    return out


@helion.kernel()
def plain_add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + y[tile]
    return out


@helion.kernel()
def two_tiles(a: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(a)
    for tile_m, tile_n in hl.tile(a.size()):
        out[tile_m, tile_n] = a[tile_m, tile_n] * 2
    return out
"""


def _diagonal(n: int, block: int) -> torch.Tensor:
    """Where a [tile, tile] block lies: lanes i, j of the same block of `block` lanes."""
    lanes = torch.arange(n) // block
    return lanes[:, None] == lanes[None, :]


def _gather_rows(block: int):
    def truth(x, idx):
        near = _diagonal(x.size(0), block)
        picked = x[:, idx]  # [n, n]: row i, column idx[j]
        return torch.where(near, picked, 0).sum(-1)

    return truth


def _outer_max(block: int):
    def truth(x, y):
        near = _diagonal(x.size(0), block)
        product = x[:, None] * y[None, : x.size(0)]
        return torch.where(near, product, -torch.inf).amax(1)

    return truth


def _diagonal_blocks(block: int):
    def truth(a):
        near = _diagonal(a.size(0), block)
        return torch.where(near, a[:, : a.size(0)], 0).sum(0)

    return truth


def _outer_sums(block: int):
    def truth(x, y):
        near = _diagonal(x.size(0), block)
        return torch.where(near, x[:, None] + y[None, : x.size(0)], 0)

    return truth


def _cube_blocks(block: int):
    def truth(a):
        n = a.size(0)
        lanes = torch.arange(n) // block
        near = (lanes[:, None, None] == lanes[None, :, None]) & (
            lanes[None, :, None] == lanes[None, None, :]
        )
        return torch.where(near, a[:n, :n, :n], 0).sum(-1).sum(-1)

    return truth


def _row_pairs(block: int):
    def truth(x):
        near = _diagonal(x.size(0), block)
        pairs = (x[:, None, :] * x[None, :, :]).sum(-1)
        return torch.where(near, pairs, 0).sum(-1)

    return truth


def _inner_pairs(block_b: int, block_k: int):
    def truth(x, y):
        b, n = x.shape
        near = _diagonal(n, block_k)  # [k, k'] of one chunk
        pairs = x[:, :, None] * y[:, None, :]
        return torch.where(near, pairs, 0).sum(-1).sum(-1)

    return truth


# name → (arguments at odd sizes, the default block the launcher now sets, the truth at it)
CASES = {
    "gather_rows": (
        lambda: (torch.randn(37, 45), torch.randint(-45, 45, (37,))),
        {"BLOCK_SIZE": "32"},
        lambda x, idx: _gather_rows(32)(x, idx % 45),
    ),
    "outer_max": (lambda: (torch.randn(75), torch.randn(81)), {"BLOCK_SIZE": "32"}, _outer_max(32)),
    "diagonal_blocks": (lambda: (torch.randn(45, 51),), {"BLOCK_SIZE": "32"}, _diagonal_blocks(32)),
    "outer_sums": (
        lambda: (torch.randn(37), torch.randn(40)),
        {"BLOCK_SIZE": "32"},
        _outer_sums(32),
    ),
    "cube_blocks": (lambda: (torch.randn(19, 21, 23),), {"BLOCK_SIZE": "8"}, _cube_blocks(8)),
    "row_pairs": (
        lambda: (torch.randn(45, 3),),
        {"BLOCK_SIZE": "min(32, max(1, 128 // BLOCK_X1))"},
        _row_pairs(32),  # 3 columns: 4 lanes, 128 // 4 = 32 rows
    ),
    "inner_pairs": (
        lambda: (torch.randn(21, 77), torch.randn(21, 77)),
        {"BLOCK_K": "32", "BLOCK_B": "16"},
        _inner_pairs(16, 32),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_default_block_is_capped(name):
    make, blocks, _ = CASES[name]
    transpiled = transpiler.transpile_module(
        SOURCE, filename="kernels.py", example_args={name: make()}, only=(name,)
    )
    assert block_sizes(transpiled.code).items() >= blocks.items()


@pytest.mark.parametrize("name", list(CASES))
def test_it_matches_torch_at_odd_sizes(name):
    make, _, truth = CASES[name]
    args = make()
    expected = truth(*[a.double() if a.is_floating_point() else a for a in args])
    got = generated(SOURCE, name, *args)(*args)
    torch.testing.assert_close(got.double(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("name", "args", "axes"),
    [
        ("gather_rows", (torch.randn(8, 8), torch.zeros(8, dtype=torch.int64)), (2,)),
        ("outer_max", (torch.randn(8), torch.randn(8)), (2,)),
        ("cube_blocks", (torch.randn(4, 4, 4),), (3,)),
        ("inner_pairs", (torch.randn(4, 8), torch.randn(4, 8)), (1, 2)),
        ("plain_add", (torch.randn(8), torch.randn(8)), (1,)),
        ("two_tiles", (torch.randn(8, 8),), (1, 1)),
    ],
)
def test_the_shape_analysis_counts_a_tiles_axes(name, args, axes):
    transpiled = transpiler.transpile_module(
        SOURCE, filename="kernels.py", example_args={name: args}, only=(name,)
    )
    assert tuple(b.axes for b in transpiled.block_defaults[name]) == axes


def test_blocks_of_other_kernels_keep_their_defaults():
    for name, args, expected in [
        ("plain_add", (torch.randn(8), torch.randn(8)), {"BLOCK_SIZE": "1024"}),
        ("two_tiles", (torch.randn(8, 8),), {"BLOCK_M": "32", "BLOCK_N": "32"}),
    ]:
        transpiled = transpiler.transpile_module(
            SOURCE, filename="kernels.py", example_args={name: args}, only=(name,)
        )
        assert block_sizes(transpiled.code).items() >= expected.items(), name


def test_a_config_the_user_gives_is_kept():
    args = (torch.randn(37), torch.randn(40))
    transpiled = transpiler.transpile_module(
        SOURCE,
        filename="kernels.py",
        example_args={"outer_max": args},
        only=("outer_max",),
        config={"block_sizes": [128]},
    )
    assert block_sizes(transpiled.code)["BLOCK_SIZE"] == "128"


@pytest.mark.parametrize(("axes", "cap"), [(2, 64), (3, 16)])
def test_every_candidate_is_capped(axes, cap):
    assert largest_block(axes, SEARCH_ELEMENTS) == cap
    plain = candidates((("BLOCK_SIZE", "tile"),))
    capped = candidates((("BLOCK_SIZE", "tile"),), axes=(axes,))
    assert max(c["block_sizes"][0] for c in plain) > cap
    assert {c["block_sizes"][0] for c in capped} == {cap}
    assert len(capped) == len({str(c) for c in capped})  # each once
    assert {c["num_warps"] for c in capped} == {c["num_warps"] for c in plain}


def test_a_products_capped_block_keeps_16_lanes():
    tunables = (("BLOCK_M", "mn"), ("BLOCK_N", "mn"), ("BLOCK_K", "k"))
    capped = candidates(tunables, axes=(1, 1, 4))
    assert {c["block_sizes"][2] for c in capped} == {16}
    assert any(c["block_sizes"][0] == 128 for c in capped)  # the others as they were


def test_the_exported_autotune_list_is_capped(tmp_path):
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")["gather_rows"]
    args = (torch.randn(8, 8), torch.zeros(8, dtype=torch.int64))
    path = transpiler.export(kernel, tmp_path / "g.py", example_args=args, keep_autotune=True)
    sizes = [int(size) for size in re.findall(r'"BLOCK_SIZE": (\d+)', path.read_text())]
    assert sizes and max(sizes) == 64


@pytest.mark.parametrize("name", list(CASES))
def test_it_compiles_for_sm_90(name):
    args = CASES[name][0]()
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")[name]
    (compiled,) = kernel.bind(device_args(args)).compile_for("sm_90")
    assert "tt.func" in compiled.asm["ttir"]
