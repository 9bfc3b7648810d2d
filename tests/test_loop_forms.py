"""hl.tile's forms Helion accepts: block sizes by position and per dimension, the sizes as a
tuple or a shape, a loop's tiles indexed (`tile[0]`) or unpacked (`tile_m, tile_n = tile`);
block sizes it refuses (or the launcher could not compute) refused at their column."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, reference

import transpiler
from transpiler.analysis.perf import kernel_cost

HEAD = "import helion\nimport helion.language as hl\nimport torch\n\n\n"


TWO_DIMS = HEAD + (
    "@helion.kernel()\n"
    "def k(x: torch.Tensor) -> torch.Tensor:\n"
    "    m, n = x.size()\n"
    "    out = torch.zeros_like(x)\n"
    "    for tile_m, tile_n in {loop}:\n"
    "        out[tile_m, tile_n] = x[tile_m, tile_n] * 2.0\n"
    "    return out\n"
)
# (loop, words of the message, the text at the error's column): hl.tile calls Helion refuses
# too (one block size per dimension) or whose block size the launcher could not compute
TILE_REFUSED = [
    ("hl.tile([m, n], block_size=8)", "1 block sizes for 2 dimensions", "8"),
    ("hl.tile([m, n], block_size=[hl.register_block_size(m), 8])", "inside a loop's call", "hl."),
    ("hl.tile([0, 0], [m, n], [16, hl.register_block_size(n)])", "inside a loop's call", "hl."),
]


@pytest.mark.parametrize(("loop", "words", "at"), TILE_REFUSED)
def test_tile_block_sizes_refused_at_their_column(loop, words, at):
    source = TWO_DIMS.format(loop=loop)
    with pytest.raises(transpiler.errors.TileArgumentError) as caught:
        transpiler.transpile_module(source, example_args={"k": (torch.randn(5, 3),)})
    assert words in str(caught.value)
    line = source.splitlines()[caught.value.lineno - 1]
    assert line[caught.value.col_offset :].startswith(at)


@pytest.mark.parametrize(
    "loop",
    [
        "hl.tile([m, n], block_size=[4, 8])",
        "hl.tile([m, n], block_size=[4, None])",
        "hl.tile([0, 0], [m, n], [4, 8])",
        "hl.tile((m, n))",
        "hl.tile(x.shape)",
    ],
)
def test_tile_forms_helion_accepts(loop):
    source = TWO_DIMS.format(loop=loop)
    x = torch.randn(13, 22)
    for run in (generated(source, "k", x), reference(source, "k")):
        torch.testing.assert_close(run(x), x * 2)


def two_dims_body(loop: str, body: str) -> str:
    return HEAD + (
        "@helion.kernel(config=helion.Config(block_sizes=[4, 8]))\n"
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    m, n = x.size()\n"
        "    out = torch.zeros_like(x)\n"
        f"    for tile in {loop}:\n"
        f"        {body}\n"
        "    return out\n"
    )


# (loop, statements using `tile`, torch's answer): the loop's tiles as a sequence, as Helion's
# `for tile in hl.tile([m, n])` binds them
SEQUENCES = {
    "indexed": (
        "hl.tile(x.size())",
        "out[tile[0], tile[1]] = x[tile[0], tile[1]] * 2.0",
        lambda x: x * 2,
    ),
    "negative_index": (
        "hl.tile([m, n])",
        "out[tile[0], tile[-1]] = x[tile[0], tile[-1]] + tile[-1].index[None, :]",
        lambda x: x + torch.arange(x.shape[1])[None, :],
    ),
    "unpacked": (
        "hl.tile([m, n])",
        "tile_m, tile_n = tile\n        out[tile_m, tile_n] = x[tile_m, tile_n] * tile_m.index[:, None]",
        lambda x: x * torch.arange(x.shape[0])[:, None],
    ),
    "attribute_of_one": (
        "hl.tile([m, n])",
        "out[tile[0], tile[1]] = x[tile[0], tile[1]] * 0.0 + tile[1].id",
        lambda x: torch.zeros_like(x) + torch.arange(x.shape[1])[None, :] // 8,
    ),
}


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_a_loops_tiles_as_a_sequence(name):
    loop, body, truth = SEQUENCES[name]
    source = two_dims_body(loop, body)
    x = torch.randn(13, 22)
    torch.testing.assert_close(generated(source, "k", x)(x).double(), truth(x.double()))
    if name != "attribute_of_one":  # the config's block: reference mode's tile is the range
        torch.testing.assert_close(reference(source, "k")(x).double(), truth(x.double()))


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("out[tile[2], tile[0]] = x[tile[0], tile[1]]", "tile 2 of a loop over 2 dimensions"),
        ("out[tile[m], tile[0]] = x[tile[0], tile[1]]", "anything but an integer constant"),
    ],
)
def test_a_tile_out_of_the_sequence_is_refused(body, words):
    source = two_dims_body("hl.tile([m, n])", body)
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile_module(source, example_args={"k": (torch.randn(5, 3),)})
    assert words in str(caught.value)
    assert caught.value.lineno == source.splitlines().index(f"        {body}") + 1


def test_the_cost_model_follows_a_loops_tiles_as_a_sequence():
    x = torch.randn(13, 22)
    plain = kernel_cost(two_dims_body("hl.tile([m, n])", "out[tile] = x[tile] * 2.0"), "k", (x,))
    for name in ("indexed", "unpacked"):
        loop, body, _ = SEQUENCES[name]
        body = body.replace("tile_m.index[:, None]", "2.0")
        assert kernel_cost(two_dims_body(loop, body), "k", (x,)) == plain, name
