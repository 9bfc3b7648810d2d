"""The cost model's block sizes are the generated launcher's: lowering's order of a config's
block_sizes and its launcher defaults (Transpiled.block_defaults) drive
analysis/perf/cost.py, and lowering's default rule, which the cost model keeps for defaults the
launcher computes from whole dimensions, agrees with what the launcher passes."""

from __future__ import annotations

import pytest
import torch
import triton
from helpers import device_args, kernel_source
from test_repeated_tiles import SOURCE as REPEATED_TILES

import transpiler
from transpiler.analysis.perf import analyse, analyse_kernel
from transpiler.runtime import load_module

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n\n"

KERNELS = {
    # a product (tests/kernels/matrix.py's matmul): M and N of the dot 64, K 32 (tl.dot's
    # rule), K an inner loop
    "matmul": kernel_source("matrix.py"),
    # one loop name over two dimensions: tile#0, tile#1 (1-D would be 1024)
    "shift": HEADER
    + """
@helion.kernel()
def shift(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] * 2.0 - 1.0
    return out
""",
    # rows beside a whole dimension: the launcher computes max(1, 4096 // BLOCK_N)
    "row_softmax": HEADER
    + """
@helion.kernel()
def row_softmax(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_r in hl.tile(x.size(0)):
        out[tile_r, :] = torch.softmax(x[tile_r, :], dim=1)
    return out
""",
    # a registered block size comes first in a config's block_sizes; an explicit block_size=
    # is not a tunable at all
    "registered": HEADER
    + """
@helion.kernel()
def registered(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    block_n = hl.register_block_size(n)
    out = torch.empty([b, m], dtype=torch.float32, device=x.device)
    for tile_b, tile_m in hl.tile([b, m], block_size=[1, None]):
        acc = hl.zeros([tile_b, tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block_n):
            acc = acc + x[tile_b, tile_m, tile_n].sum(dim=-1)
        out[tile_b, tile_m] = acc
    return out
""",
    # an inner tile loop that is no product: outer rows 16, inner 64
    "column_sums": HEADER
    + """
@helion.kernel()
def column_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n], dtype=torch.float32, device=x.device)
    for tile_n in hl.tile(n):
        acc = hl.zeros([tile_n], dtype=torch.float32)
        for tile_m in hl.tile(m):
            acc = acc + x[tile_m, tile_n].sum(dim=0)
        out[tile_n] = acc
    return out
""",
    # one tile on two axes of a gathered load: a [tile, tile] block, its default capped at 32;
    # beside a whole row: min(32, max(1, 128 // BLOCK_X1)) (tests/test_repeated_tiles.py's)
    "gather_rows": REPEATED_TILES,
    "row_pairs": REPEATED_TILES,
}
ARGS = {
    "matmul": lambda: (torch.randn(37, 29), torch.randn(29, 45)),
    "shift": lambda: (torch.randn(19, 53),),
    "row_softmax": lambda: (torch.randn(23, 300),),
    "registered": lambda: (torch.randn(3, 21, 70),),
    "column_sums": lambda: (torch.randn(41, 27),),
    "gather_rows": lambda: (torch.randn(37, 45), torch.randint(0, 45, (37,))),
    "row_pairs": lambda: (torch.randn(45, 7),),
}


def _kernel(name: str):
    kernels = transpiler.kernels_from_source(KERNELS[name], filename=f"{name}.py")
    return kernels[name]


class _Launches:
    """Stands for the @triton.jit kernels: records each launch's constexpr block sizes, given by
    name or by position (launchers pass constexprs by position, lower/launch.py)."""

    def __init__(self) -> None:
        self.blocks: dict[str, int] = {}

    def standing_for(self, kernel: triton.runtime.jit.KernelInterface) -> _Launch:
        return _Launch(self.blocks, list(kernel.arg_names))


class _Launch:
    def __init__(self, blocks: dict[str, int], names: list[str]) -> None:
        self.blocks, self.names = blocks, names

    def __getitem__(self, grid):
        def launch(*args, **kwargs):
            given = {**dict(zip(self.names, args)), **kwargs}
            self.blocks.update({k: v for k, v in given.items() if k.startswith("BLOCK")})

        return launch


def _launched(code: str, name: str, args: tuple) -> dict[str, int]:
    """BLOCK constexpr → what the generated launcher passes for these arguments."""
    launcher = getattr(load_module(code), name)
    launches = _Launches()
    names = launcher.__globals__  # the namespace the launcher reads its kernels from
    for attribute, value in list(names.items()):
        if isinstance(value, triton.runtime.jit.KernelInterface):  # (interpreted too)
            names[attribute] = launches.standing_for(value)
    launcher(*device_args(args))
    assert launches.blocks, "the launcher launched"
    return launches.blocks


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_cost_model_blocks_are_the_launchers(name):
    kernel, args = _kernel(name), ARGS[name]()
    transpiled = kernel.transpiled(args)
    blocks = transpiled.block_defaults[name]
    assert [b.name for b in blocks] == [n for n, _ in transpiled.tunables[name]]
    launched = _launched(transpiled.code, name, args)
    work = analyse_kernel(kernel, args)
    sizes = work.block_sizes()
    tuned = [b for b in blocks if b.tile is not None]
    assert tuned, "a kernel with tunable blocks"
    for block in tuned:
        assert sizes[block.tile] == launched[block.name], block
    # lowering's rule as the cost model keeps it (for launch-time defaults and for a kernel
    # analysed from source alone) gives the launcher's numbers too
    alone = analyse(KERNELS[name], name, args)
    for block in tuned:
        loop = next(lp for lp in alone.loops.values() if lp.block_name == block.tile)
        assert alone._default_block(loop) == launched[block.name], block


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_a_configs_block_sizes_reach_the_tiles_lowering_gives_them(name):
    kernel, args = _kernel(name), ARGS[name]()
    tunables = kernel.transpiled(args).tunables[name]
    chosen = [16 * 2**i for i in range(len(tunables))]  # distinct, each a power of two
    transpiled = kernel.transpiled(args, {"block_sizes": chosen})
    launched = _launched(transpiled.code, name, args)
    sizes = analyse_kernel(kernel, args).block_sizes(chosen)
    for block in transpiled.block_defaults[name]:
        if block.tile is not None:
            assert sizes[block.tile] == launched[block.name], block


def test_the_registered_block_is_numbered_first_and_the_explicit_one_not_at_all():
    kernel, args = _kernel("registered"), ARGS["registered"]()
    names = analyse_kernel(kernel, args).block_names()
    assert names[:2] == ["tile_n", "tile_m"]  # lowering's order, not the loops' (b, m, n)
    assert "tile_b" in names[2:]  # block_size=1 given: after the tunables
