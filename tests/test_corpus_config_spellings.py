"""Helion's singular config spellings mean lists, as Helion's ConfigSpec.normalize reads them:
`block_size=16` is `block_sizes=[16]`, `block_size=[4, 32]` is `block_sizes=[4, 32]`,
`reduction_loop=16` is `reduction_loops=[16]`, in the decorator's `config=` (a dict or
`helion.Config`), in `Config(...)` objects and in `bind(args, config)`. They were refused as
unknown fields (found running Helion's test_cache_modifier / test_eviction_policy / test_views
as a corpus: ~35 tests). Both spellings of one field stay refused."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device

import transpiler
import transpiler.language as hl
from transpiler.compile.frontend.config_check import plural_config_text
from transpiler.errors import ConfigError


@transpiler.kernel(config={"block_size": 16, "indexing": "pointer"})
def scaled_sum(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 3 + y[tile]
    return out


@transpiler.kernel(config=transpiler.Config(block_size=[4, 32], num_warps=2))
def centred(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n] - 0.5
    return out


@transpiler.kernel(config=transpiler.Config(block_size=2, reduction_loop=16))
def row_norms(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = (x[tile_m, :] * x[tile_m, :]).sum(dim=1)
    return out


def _launcher_line(bound, prefix: str) -> str:
    return next(
        line.strip() for line in bound.triton_source.splitlines() if line.strip().startswith(prefix)
    )


def test_a_decorator_dict_with_block_size():
    x, y = torch.randn(1001), torch.randn(1001)
    expected = x.double() * 3 + y.double()
    torch.testing.assert_close(on_device(scaled_sum)(x, y).double(), expected)
    bound = scaled_sum.bind((x, y))
    assert _launcher_line(bound, "BLOCK_SIZE =") == "BLOCK_SIZE = 16"
    (result,) = bound.compile_for("sm_90")
    assert result.registers > 0


def test_a_config_object_and_bind_with_block_size_lists():
    x = torch.randn(37, 70)
    torch.testing.assert_close(on_device(centred)(x).double(), x.double() - 0.5)
    assert _launcher_line(centred.bind((x,)), "BLOCK_M, BLOCK_N =") == "BLOCK_M, BLOCK_N = 4, 32"
    bound = centred.bind((x,), {"block_size": [8, 16]})
    assert _launcher_line(bound, "BLOCK_M, BLOCK_N =") == "BLOCK_M, BLOCK_N = 8, 16"
    torch.testing.assert_close(on_device(bound)(x).double(), x.double() - 0.5)
    (result,) = bound.compile_for("sm_90")
    assert result.registers > 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_reduction_loop_walks_the_row_in_chunks(dtype):
    x = torch.randn(7, 90, dtype=dtype)
    expected = (x.double() ** 2).sum(dim=1)
    torch.testing.assert_close(on_device(row_norms)(x).double(), expected, rtol=1e-5, atol=1e-5)
    bound = row_norms.bind((x,))
    assert "for " in bound.triton_source.split("def row_norms(")[0]  # the chunks' loop
    (result,) = bound.compile_for("sm_90")
    assert result.registers > 0


def test_both_spellings_of_one_field_are_refused():
    x, y = torch.randn(64), torch.randn(64)
    with pytest.raises(ConfigError, match="no field 'block_size'"):
        scaled_sum.bind((x, y), {"block_size": 16, "block_sizes": [32]})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("helion.Config(block_size=16)", "helion.Config(block_sizes=[16])"),
        (
            "helion.Config(block_size=[16, 8], num_warps=4)",
            "helion.Config(block_sizes=[16, 8], num_warps=4)",
        ),
        (
            "{'loop_order': (1, 0), 'l2_grouping': 8}",
            "{'loop_orders': [(1, 0)], 'l2_groupings': [8]}",
        ),
        ("{'reduction_loop': None}", "{'reduction_loops': [None]}"),
        ("helion.Config(block_size=size)", "helion.Config(block_sizes=[size])"),
        # unchanged: plural already, both spellings (refused later), not a literal config
        ("helion.Config(block_sizes=[16])", "helion.Config(block_sizes=[16])"),
        ("{'block_size': 16, 'block_sizes': [8]}", "{'block_size': 16, 'block_sizes': [8]}"),
        ("my_config", "my_config"),
    ],
)
def test_singular_spellings_in_source_text(text, expected):
    assert plural_config_text(text) == expected
