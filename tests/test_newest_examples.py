"""Constructs of Helion's newest examples (issue 15), each on kernels of our own."""

from __future__ import annotations

import importlib
import math
import os

import pytest
import torch
from helpers import (
    assert_matches,
    block_sizes,
    both_truths,
    device_args,
    generated,
    kernel_source,
    on_device,
)

import transpiler
from transpiler.run.runtime import load_module
from transpiler.run.tile_configs import candidates

FILE = "newest_examples.py"
DTYPES = [torch.float16, torch.float32]


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Values in [0.5, 1.5) or (-1.5, -0.5]: no zeros."""
    magnitude = torch.rand(*shape, dtype=torch.float64) + 0.5
    sign = torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0).double()
    return (magnitude * sign).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("widths", [(3, 5), (17, 1), (1, 30)], ids=str)
def test_slices_bounded_by_host_sizes(dtype, widths):
    left, right = rand(13, widths[0], dtype=dtype), rand(13, widths[1], dtype=dtype)
    ours, reference = both_truths(FILE, "side_by_side", left, right)
    expected = torch.cat([left.double() * 2.0, right.double() + 1.0], dim=1)
    assert_matches(ours, expected)
    assert_matches(ours, reference)


@pytest.mark.parametrize("skip", [1, 6, 10])
def test_slice_from_a_host_integer_to_the_end(skip):
    x = rand(9, 11)
    ours, reference = both_truths(FILE, "shifted_window", x, skip)
    assert_matches(ours, torch.relu(x.double()[:, skip:]))
    assert_matches(ours, reference)


def test_module_globals_assigned_and_imported():
    turns = rand(7, 19)
    ours, reference = both_truths(FILE, "turns_to_radians", turns)
    assert ours.dtype == torch.float16
    assert_matches(ours, (turns.double() * math.tau).half())
    assert_matches(ours, reference)


PRECISION = """\
import torch

NARROW = torch.float16
FACTOR = 3
"""
USER = """\
import torch
import transpiler as helion
import transpiler.language as hl
from precision_{n} import FACTOR, NARROW


@helion.kernel()
def scaled_narrow(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=NARROW, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = (x[tile] * FACTOR).to(NARROW)
    return out
"""


@pytest.mark.parametrize("path", ["decorator", "transpile"])
def test_names_imported_from_another_module(tmp_path, monkeypatch, path):
    """A dtype and an int imported from the user's own module, read in the device loop: the
    decorator sees the kernel's globals; transpile() imports the module, as Python would."""
    n = path  # one module name per case: Python caches imports
    (tmp_path / f"precision_{n}.py").write_text(PRECISION)
    (tmp_path / f"user_{n}.py").write_text(USER.format(n=n))
    monkeypatch.syspath_prepend(str(tmp_path))
    x = rand(23)
    if path == "decorator":
        ours = on_device(importlib.import_module(f"user_{n}").scaled_narrow)(x)
    else:
        source = USER.format(n=n)
        ours = generated(source, "scaled_narrow", x)(x)
    assert ours.dtype == torch.float16
    assert_matches(ours, (x.double() * 3).half())


def test_a_product_with_one_column():
    weights, v = rand(20, 37), rand(37)
    picks = torch.randint(0, 20, (11,))
    ours, reference = both_truths(FILE, "picked_rows_times_vector", weights, picks, v)
    expected = (weights.double()[picks] @ v.double())[:, None]
    assert_matches(ours, expected)
    assert_matches(ours, reference)
    a, column = rand(9, 70, dtype=torch.float16), rand(70, dtype=torch.float16)
    ours, reference = both_truths(FILE, "row_times_column", a, column)
    assert_matches(ours, (a.double() @ column.double())[:, None], dtype=torch.float16)
    assert_matches(ours, reference, dtype=torch.float16)
    for name, args in [
        ("picked_rows_times_vector", (weights, picks, v)),
        ("row_times_column", (a, column)),
    ]:
        assert fits_sm_90(name, args)


def fits_sm_90(name: str, args: tuple) -> bool:
    """Triton's GPU compiler for sm_90 (on this machine) accepts each kernel the call launches."""
    transpiled = transpiler.transpile_module(
        kernel_source(FILE), example_args={name: args}, only=(name,)
    )
    launcher = getattr(load_module(transpiled.code, stem=name), name)
    interpret = os.environ.get("TRITON_INTERPRET")
    from transpiler.analysis.targets import (
        compile_launcher,  # its worker module sets TRITON_INTERPRET=0
    )

    if interpret is not None:
        os.environ["TRITON_INTERPRET"] = interpret
    launches = compile_launcher(launcher, device_args(args), {}, "sm_90")
    return all(result.fits for result in launches)


@pytest.mark.parametrize(
    ("name", "chunks"), [("rows_by_worker", 2), ("rows_by_worker_imported", 4)]
)
def test_helion_runtime_and_autotuner_names_in_host_code(name, chunks):
    x = rand(10, 13)
    ours, reference = both_truths(FILE, name, x)
    assert_matches(ours, x.double() * chunks)
    assert_matches(ours, reference)
    code = transpiler.transpile_module(
        kernel_source(FILE), example_args={name: (x,)}, only=(name,)
    ).code
    assert "multi_processor_count" in code
    assert "get_num_sm" not in code and "Fragment" not in code  # plain torch in the launcher


def test_a_slice_past_the_end_is_refused_at_launch():
    """torch clips x[:, :count] to the tensor; the kernel would read past it: the launcher
    refuses (the eager code fails too, storing count columns into fewer)."""
    x = rand(6, 9)
    ours, reference = both_truths(FILE, "first_columns", x, 7)
    assert_matches(ours, x.double()[:, :7] * 3)
    assert_matches(ours, reference)
    launcher = generated(kernel_source(FILE), "first_columns", x, 7)
    with pytest.raises(RuntimeError, match=r"x.size\(1\) must be at least count"):
        launcher(x, 10)


def rotated_f64(x, cos, sin):
    half = x.shape[-1] // 2
    first, second = x.double()[..., :half], x.double()[..., half:]
    c, s = cos.double(), sin.double()
    return torch.cat([first * c - second * s, second * c + first * s], dim=-1)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_a_row_reshaped_into_pairs_and_back(dtype):
    x, cos, sin = rand(11, 32, dtype=dtype), rand(11, 16, dtype=dtype), rand(11, 16, dtype=dtype)
    ours, reference = both_truths(FILE, "rotate_pairs", x, cos, sin)
    assert_matches(ours, rotated_f64(x, cos, sin))
    assert_matches(ours, reference)
    x3, cos3, sin3 = rand(3, 7, 16, dtype=dtype), rand(7, 8, dtype=dtype), rand(7, 8, dtype=dtype)
    ours, reference = both_truths(FILE, "rotate_pairs_3d", x3, cos3, sin3)
    assert_matches(ours, rotated_f64(x3, cos3[None], sin3[None]))
    assert_matches(ours, reference)


def test_a_padded_whole_dimension_is_not_reshaped():
    """A width of 24 is a block of 32 lanes: [2, 12] of it is not [2, 16] of the block."""
    x, cos, sin = rand(5, 24), rand(5, 12), rand(5, 12)
    launcher = generated(kernel_source(FILE), "rotate_pairs", x, cos, sin)
    with pytest.raises(RuntimeError, match="must be a power of two"):
        launcher(x, cos, sin)


@pytest.mark.parametrize(
    "name", ["doubled_where_rows_positive", "doubled_where_rows_positive_shape"]
)
def test_a_blocks_sizes_unpacked(name):
    x, y = rand(19, 23), rand(19, 23)
    ours, reference = both_truths(FILE, name, x, y)
    expected = torch.where(x[:, :1] > 0, y.double() * 2, x.double())
    assert_matches(ours, expected)
    assert_matches(ours, reference)


def test_config_block_sizes_name_registered_block_sizes_first():
    x = rand(9, 300)
    ours, reference = both_truths(FILE, "chunked_row_sums", x)
    assert_matches(ours, x.double().sum(-1))
    assert_matches(ours, reference)
    code = transpiler.transpile_module(
        kernel_source(FILE), example_args={"chunked_row_sums": (x,)}, only=("chunked_row_sums",)
    ).code
    blocks = block_sizes(code)
    assert (blocks["BLOCK_N"], blocks["BLOCK_M"]) == ("128", "2")
    assert fits_sm_90("chunked_row_sums", (x,))
    a, b = rand(7, 40), rand(40, 19)
    ours, reference = both_truths(FILE, "chunked_products", a, b)
    assert_matches(ours, a.double() @ b.double(), dots=True)
    code = transpiler.transpile_module(
        kernel_source(FILE), example_args={"chunked_products": (a, b)}, only=("chunked_products",)
    ).code
    blocks = block_sizes(code)
    assert (blocks["BLOCK_K"], blocks["BLOCK_N"], blocks["BLOCK_M"]) == ("32", "16", "4")


def test_slice_none_in_index_lists():
    x = rand(37, 11)
    (totals, doubled), (ref_totals, ref_doubled) = both_truths(FILE, "column_totals_and_doubled", x)
    assert_matches(totals, x.double().sum(0))
    assert_matches(doubled, x.double() * 2)
    assert_matches(totals, ref_totals)
    assert_matches(doubled, ref_doubled)


def test_rows_under_two_tile_dimensions_keep_blocks_small():
    x = rand(3, 10, 70)
    ours, reference = both_truths(FILE, "batched_rms_rows", x)
    rows = x.double()
    assert_matches(ours, rows * torch.rsqrt((rows * rows).mean(-1, keepdim=True) + 1e-6))
    assert_matches(ours, reference)
    code = transpiler.transpile_module(
        kernel_source(FILE), example_args={"batched_rms_rows": (x,)}, only=("batched_rms_rows",)
    ).code
    blocks = block_sizes(code)
    assert blocks["BLOCK_B"] == "1" and blocks["BLOCK_M"] == "max(1, 4096 // BLOCK_N)"
    configs = candidates((("BLOCK_B", "rows"), ("BLOCK_M", "rows")))
    assert configs and all(c["block_sizes"][0] == 1 for c in configs)


UNDECORATED = """\
import torch
import transpiler as helion
import transpiler.language as hl


def _scaled_body(x: torch.Tensor, factor: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * factor
    return out


scaled = helion.kernel(_scaled_body)
scaled_static = helion.kernel(_scaled_body, static_shapes=True)
"""


def test_a_kernel_made_by_calling_kernel_on_a_plain_function(tmp_path, monkeypatch):
    (tmp_path / "undecorated_user.py").write_text(UNDECORATED)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("undecorated_user")
    x = rand(29)
    assert_matches(on_device(module.scaled)(x, 1.5), x.double() * 1.5)
    assert_matches(on_device(module.scaled_static)(x, -2.0), x.double() * -2.0)
    assert_matches(module.scaled.run_reference(x, 3.0), x.double() * 3.0)
