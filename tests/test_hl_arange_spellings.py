"""`hl.arange` as Helion's snapshot spells it: a tile for its block size (`hl.arange(tile_m)`) and
`dtype=` (the lanes converted): the generated kernel (Triton's interpreter, and compiled for sm_90
by the conftest), reference mode and a float64 evaluation agree, at odd sizes."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, reference

import transpiler
from transpiler.compile.frontend.errors import UnsupportedConstructError

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n\n@helion.kernel()\n"
ONE_D = HEADER + (
    "def k(x: torch.Tensor) -> torch.Tensor:\n"
    "    out = torch.empty_like(x)\n"
    "    for tile in hl.tile(x.size(0), block_size=8):\n"
    "        out[tile] = BODY\n"
    "    return out\n"
)
# (body, inputs, float64 meaning of the result; i: the lanes' indices along the tile of 8)
CASES = {
    "tile": ("x[tile] + hl.arange(tile)", torch.float32, lambda x, i: x + i),
    "tile-float32": (
        "x[tile] * hl.arange(tile, dtype=torch.float32)",
        torch.float32,
        lambda x, i: x * i,
    ),
    "block-size-float64": (
        "x[tile] / (hl.arange(tile.block_size, dtype=torch.float64) + 3.0)",
        torch.float64,
        lambda x, i: x / (i + 3.0),
    ),
    "tile-int64": (  # int64 lanes: a product past 2**31 does not wrap
        "x[tile] + hl.arange(tile, dtype=torch.int64) * 3000000000 // 1000000000",
        torch.int64,
        lambda x, i: x + i * 3,
    ),
    "dtype-none": ("x[tile] - hl.arange(tile, dtype=None)", torch.float32, lambda x, i: x - i),
}


def _inputs(dtype: torch.dtype, n: int = 45) -> torch.Tensor:
    if dtype == torch.int64:
        return torch.randint(-50, 50, (n,), dtype=dtype)
    return torch.randn(n, dtype=dtype)


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_reference_and_float64_agree(case: str) -> None:
    body, dtype, meaning = CASES[case]
    source = ONE_D.replace("BODY", body)
    x = _inputs(dtype)
    lanes = (torch.arange(45) % 8).double()
    expected = meaning(x.double(), lanes)
    result = generated(source, "k", x.clone())(x.clone())
    eager = reference(source, "k")(x.clone())
    assert result.dtype == dtype and eager.dtype == dtype
    assert_matches(result, expected.to(dtype) if dtype == torch.int64 else expected, dtype)
    assert_matches(eager, expected.to(dtype) if dtype == torch.int64 else expected, dtype)


def test_two_tiles_each_their_own_lanes() -> None:
    source = HEADER + (
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    m, n = x.size()\n"
        "    out = torch.empty_like(x)\n"
        "    for tile_m, tile_n in hl.tile([m, n], block_size=[4, 8]):\n"
        "        rows = hl.arange(tile_m, dtype=torch.float32)[:, None]\n"
        "        columns = hl.arange(tile_n, dtype=torch.float32)[None, :]\n"
        "        out[tile_m, tile_n] = x[tile_m, tile_n] * rows + columns\n"
        "    return out\n"
    )
    x = torch.randn(13, 29)
    rows = (torch.arange(13) % 4).double()[:, None]
    columns = (torch.arange(29) % 8).double()[None, :]
    expected = x.double() * rows + columns
    assert_matches(generated(source, "k", x.clone())(x.clone()), expected, torch.float32)
    assert_matches(reference(source, "k")(x.clone()), expected, torch.float32)


def test_a_dtype_that_is_no_dtype_is_refused_at_its_column() -> None:
    source = ONE_D.replace("BODY", "x[tile] * hl.arange(tile, dtype='float32')")
    with pytest.raises(UnsupportedConstructError) as caught:
        transpiler.transpile_module(source, example_args={"k": (torch.randn(45),)})
    assert "dtype='float32' of hl.arange()" in str(caught.value)
    assert ":10:" in str(caught.value)
