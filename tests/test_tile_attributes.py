"""Every tile attribute Helion has (`index`, `begin`, `end`, `block_size`, `id`, `count`), in
top-level and inner loops, from 0 and from a begin: generated Triton against the meaning Helion
gives each (its tile_ops: id = begin // block_size, count = cdiv(end - begin, block_size))."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, reference

from transpiler.analysis.perf import kernel_cost

HEAD = "import helion\nimport helion.language as hl\nimport torch\n\n\n"
ATTRIBUTES = ("index", "begin", "end", "block_size", "id", "count")


def attributes_kernel(loop: str, config: str) -> str:
    """Each element of out's row i: the attributes of the tile covering element i."""
    columns = "".join(
        f"        out[tile, {c}] = tile.{a} + x[tile] * 0.0\n" for c, a in enumerate(ATTRIBUTES)
    )
    return HEAD + (
        f"@helion.kernel({config})\n"
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    n = x.size(0)\n"
        f"    out = torch.full([n, {len(ATTRIBUTES)}], -1.0, dtype=torch.float32, device=x.device)\n"
        f"    for tile in {loop}:\n{columns}"
        "    return out\n"
    )


def helion_meaning(n: int, begin: int, block: int) -> torch.Tensor:
    """Rows [begin, n) as Helion defines each attribute; rows before begin stay -1."""
    expected = torch.full((n, len(ATTRIBUTES)), -1.0, dtype=torch.float64)
    for start in range(begin, n, block):
        end = min(start + block, n)
        count = -(-(n - begin) // block)
        for i in range(start, end):
            expected[i] = torch.tensor([i, start, end, block, start // block, count])
    return expected


# (loop, config, begin, block size): n = 45
LOOPS = {
    "from_zero": ("hl.tile(n)", "config=helion.Config(block_sizes=[8])", 0, 8),
    "fixed_block": ("hl.tile(n, block_size=16)", "", 0, 16),
    "from_a_begin": ("hl.tile(5, n)", "config=helion.Config(block_sizes=[4])", 5, 4),
    "begin_and_block": ("hl.tile(3, n, 8)", "", 3, 8),
}


@pytest.mark.parametrize("name", list(LOOPS))
def test_top_level_tile_attributes(name):
    loop, config, begin, block = LOOPS[name]
    x = torch.randn(45)
    result = generated(attributes_kernel(loop, config), "k", x)(x)
    torch.testing.assert_close(result.double(), helion_meaning(45, begin, block))


def test_fixed_blocks_in_reference_mode_too():
    """A block_size= the source fixes runs reference mode one block at a time: the same ids
    and counts (block_size aside: reference mode's last tile has its lanes, tests/test_hl_rows)."""
    x = torch.randn(45)
    source = attributes_kernel("hl.tile(3, n, 8)", "")
    expected = helion_meaning(45, 3, 8)
    eager = reference(source, "k")(x).double()
    kept = [c for c, a in enumerate(ATTRIBUTES) if a != "block_size"]
    torch.testing.assert_close(eager[:, kept], expected[:, kept])


INNER = HEAD + (
    "@helion.kernel(config=helion.Config(block_sizes=[4, 8]))\n"
    "def k(x: torch.Tensor) -> torch.Tensor:\n"
    "    m, n = x.size()\n"
    "    out = torch.zeros([m], dtype=torch.float32, device=x.device)\n"
    "    for tile_m in hl.tile(m):\n"
    "        acc = hl.zeros([tile_m], dtype=torch.float32)\n"
    "        for tile_n in hl.tile({begin}n):\n"
    "            weight = hl.tile_count(tile_n) * 100.0 + tile_n.id\n"
    "            acc += x[tile_m, tile_n].sum(-1) * weight\n"
    "        out[tile_m] = acc\n"
    "    return out\n"
)


@pytest.mark.parametrize("begin", [0, 3, 10])
def test_inner_loop_count_and_id(begin):
    """An inner loop's tiles: each chunk's sum weighted by 100 · count + id."""
    x = torch.randn(13, 37, dtype=torch.float64)
    source = INNER.format(begin=f"{begin}, " if begin else "")
    result = generated(source, "k", x.float())(x.float())
    count = -(-(37 - begin) // 8)
    expected = sum(
        x[:, start : start + 8].sum(1) * (count * 100.0 + start // 8)
        for start in range(begin, 37, 8)
    )
    torch.testing.assert_close(result.double(), expected, rtol=1e-5, atol=1e-3)


def test_count_sizes_a_split_reduction():
    """tile.count as a size: the partial sums of each tile, averaged over the tiles (the third
    use: count as a divisor of a value stored per tile)."""
    source = HEAD + (
        "@helion.kernel(config=helion.Config(block_sizes=[16]))\n"
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    n = x.size(0)\n"
        "    out = torch.zeros([1], dtype=torch.float32, device=x.device)\n"
        "    for tile in hl.tile(n):\n"
        "        hl.atomic_add(out, [0], x[tile].sum() / tile.count)\n"
        "    return out\n"
    )
    x = torch.randn(77, dtype=torch.float64)
    result = generated(source, "k", x.float())(x.float())
    torch.testing.assert_close(result.double(), (x.sum() / 5).reshape(1), rtol=1e-5, atol=1e-5)


def test_the_cost_model_follows_every_attribute_and_function():
    """Attributes and their hl.tile_* spellings are scalars: a kernel using them costs what the
    same kernel without them costs, plus its own arithmetic."""
    x = torch.randn(45)
    attributes = kernel_cost(attributes_kernel("hl.tile(n)", ""), "k", (x,))
    functions = attributes_kernel("hl.tile(n)", "")
    for attribute in ATTRIBUTES:
        functions = functions.replace(f"tile.{attribute} ", f"hl.tile_{attribute}(tile) ")
    assert "tile." not in functions.split("for tile in")[1]
    assert kernel_cost(functions, "k", (x,)) == attributes
    assert attributes.flops == 45 * 2 * len(ATTRIBUTES)  # x * 0.0 + attribute, per column
