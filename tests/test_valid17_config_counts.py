"""A config naming more entries of a list than the kernel has (`reduction_loops`, `loop_orders`,
`l2_groupings`, `flatten_loops`, the `range_*` lists) was silently ignored past the kernel's
count; Helion refuses it ("Too many values for config[...]"). Refused now at the decorator,
naming the key, the kernel's count and the fix. Fewer entries take the defaults, as Helion's
do (computed as float64 torch, compiled for sm_90 by the conftest); an unknown key is refused."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

import transpiler
from transpiler.errors import ConfigError

ROWS = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=CONFIG)
def row_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].sum(-1)
    return out
"""

GRID = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=CONFIG)
def scaled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n] * 2
    return out
"""

NESTED = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=CONFIG)
def col_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros([n], dtype=x.dtype, device=x.device)
    for tile_n in hl.tile(n):
        acc = hl.zeros([tile_n], dtype=torch.float32)
        for tile_m in hl.tile(m):
            acc = acc + x[tile_m, tile_n].sum(0)
        out[tile_n] = acc
    return out
"""

RANGE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=CONFIG)
def range_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n], dtype=x.dtype, device=x.device)
    for tile_n in hl.tile(n):
        acc = hl.zeros([tile_n], dtype=torch.float32)
        for i in range(m):
            acc = acc + x[i, tile_n]
        out[tile_n] = acc
    return out
"""

TOO_MANY = [
    # the user's: one whole dimension, two chunks
    ("row_sums", "reduction_loops=[16, 32]", "reduction_loops=[16, 32] gives 2 entries; row_sums has 1", "reduction_loops=[16]"),
    ("row_sums", "loop_orders=[[1, 0]]", "loop_orders=[[1, 0]] gives 1 entries; row_sums has 0", "loop_orders=[]"),
    ("scaled", "loop_orders=[[1, 0], [0, 1]]", "scaled has 1 (one per loop over several", "loop_orders=[[1, 0]]"),
    ("scaled", "l2_groupings=[4, 8]", "l2_groupings=[4, 8] gives 2 entries; scaled has 1", "l2_groupings=[4]"),
    ("scaled", "flatten_loops=[True, False]", "flatten_loops=[True, False] gives 2", "flatten_loops=[True]"),
    ("col_sums", "range_num_stages=[1, 2, 3]", "gives 3 entries; col_sums has 2", "range_num_stages=[1, 2]"),
    ("col_sums", "range_unroll_factors=[0, 2, 1]", "col_sums has 2 (one per device loop", "[0, 2]"),
    ("col_sums", "range_warp_specializes=[None, None, None]", "gives 3 entries", "[None, None]"),
    # an inner `range` is Helion's hl.grid there: an entry of its own
    ("range_sums", "range_flattens=[None, None, True]", "range_sums has 2", "range_flattens=[None, None]"),
]  # fmt: skip

SOURCES = {"row_sums": ROWS, "scaled": GRID, "col_sums": NESTED, "range_sums": RANGE}
SHAPES = {"row_sums": (13, 45), "scaled": (13, 29), "col_sums": (37, 11), "range_sums": (7, 19)}


def _transpile(name: str, config: str):
    source = SOURCES[name].replace("CONFIG", config)
    x = torch.randn(*SHAPES[name])
    return transpiler.transpile_module(
        source, filename="kernels.py", example_args={name: (x,)}, only=(name,)
    )


@pytest.mark.parametrize(("name", "fields", "words", "fix"), TOO_MANY, ids=[c[1] for c in TOO_MANY])
def test_a_list_longer_than_the_kernel_has_is_refused(name, fields, words, fix):
    with pytest.raises(ConfigError) as raised:
        _transpile(name, f"helion.Config({fields})")
    decorator = SOURCES[name].splitlines().index("@helion.kernel(config=CONFIG)") + 1
    assert raised.value.lineno == decorator
    assert words in str(raised.value) and fix in str(raised.value)


def test_each_config_of_a_list_is_counted():
    configs = "[helion.Config(block_sizes=[4]), helion.Config(reduction_loops=[8, None])]"
    source = ROWS.replace("config=CONFIG", f"configs={configs}")
    with pytest.raises(ConfigError, match=r"reduction_loops=\[8, None\] gives 2 entries"):
        transpiler.transpile_module(
            source, filename="kernels.py", example_args={"row_sums": (torch.randn(5, 9),)}
        )


def test_an_unknown_key_is_refused_naming_the_near_one():
    with pytest.raises(ConfigError, match="no field 'reduction_loop_s'"):
        _transpile("row_sums", "helion.Config(reduction_loop_s=[16])")


FITTING = [
    ("row_sums", "reduction_loops=[16]", lambda x: x.sum(-1)),
    ("row_sums", "reduction_loops=[]", lambda x: x.sum(-1)),  # fewer: the default, one block
    ("scaled", "l2_groupings=[4], loop_orders=[[1, 0]], block_sizes=[8, 4]", lambda x: x * 2),
    ("col_sums", "range_num_stages=[2], block_sizes=[4, 8]", lambda x: x.sum(0)),
    ("range_sums", "range_num_stages=[1, 2], block_sizes=[8]", lambda x: x.sum(0)),
]


@pytest.mark.parametrize(("name", "fields", "truth"), FITTING, ids=[c[1] for c in FITTING])
def test_a_list_the_kernel_fits_computes_as_float64_torch(name, fields, truth):
    x = torch.randn(*SHAPES[name], dtype=torch.float64).float()
    source = SOURCES[name].replace("CONFIG", f"helion.Config({fields})")
    result = generated(source, name, x)(x)
    assert_matches(result, truth(x.double()), torch.float32)
