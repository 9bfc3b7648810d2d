"""Looped reductions (config reduction_loops): rows walked in chunks against float64 torch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE, assert_matches, kernel_source, on_device, transpiler_kernels

import transpiler
from transpiler.compile.frontend.errors import ReductionLoopError
from transpiler.run.reduction_candidates import (
    reduction_loop_candidates,
    whole_widths,
    with_reduction_loops,
)
from transpiler.run.runtime import load_module

FILE = "reduction_loops.py"
SHARED = {"softmax": "reductions.py"}  # kernels read from another tests/kernels file


def looped(name: str, chunk: int | None, *args, rows: int = 2):
    """The kernel `name` with its whole dimension in chunks of `chunk` lanes (None: whole)."""
    sizes = f"block_sizes=[{rows}], " if name != "cross_entropy_one_row" else ""  # fixed at 1
    config = f"helion.Config({sizes}reduction_loops=[{chunk}])"
    file = SHARED.get(name, FILE)
    source = kernel_source(file).replace("@helion.kernel()", f"@helion.kernel(config={config})")
    transpiled = transpiler.transpile_module(
        source, filename=file, example_args={name: args}, only=(name,)
    )
    module = load_module(transpiled.code, stem=f"{name}_{chunk}")
    return transpiled.code, on_device(getattr(module, name))


def uniform(*shape: int) -> torch.Tensor:
    return torch.rand(*shape, dtype=torch.float64) * 4 - 2


def expected_reductions(x: torch.Tensor) -> torch.Tensor:
    values, indices = torch.min(x, dim=1)
    columns = [
        x.sum(-1), x.mean(1), x.amax(1), x.amin(1), x.argmax(1).double(), values + indices,
        torch.logsumexp(x, 1), x.var(1), torch.std(x * 2, dim=-1, correction=0),
    ]  # fmt: skip
    return torch.stack(columns, dim=1)


def layer_norm_reference(x, weight, bias):
    return F.layer_norm(x, (x.shape[1],), weight, bias, eps=1e-5)


def rms_norm_reference(x, weight):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-5) * weight


# (kernel, argument shapes as functions of the row width, float64 reference)
CASES = {
    "row_reductions": (lambda n: (uniform(5, n),), expected_reductions),
    "softmax": (lambda n: (uniform(5, n),), lambda x: torch.softmax(x, -1)),
    "softmax_builtin": (lambda n: (uniform(5, n),), lambda x: torch.softmax(x, -1)),
    "log_softmax_scaled": (
        lambda n: (uniform(5, n), 0.7),
        lambda x, t: torch.log_softmax(x / t, -1) + 1.0,
    ),
    "layer_norm": (lambda n: (uniform(5, n), uniform(n), uniform(n)), layer_norm_reference),
    "rms_norm": (lambda n: (uniform(5, n), uniform(n)), rms_norm_reference),
    "cross_entropy": (
        lambda n: (uniform(5, n) * 3, torch.randint(0, n, (5,))),
        lambda x, labels: F.cross_entropy(x, labels),
    ),
    "cross_entropy_one_row": (
        lambda n: (uniform(5, n) * 3, torch.randint(0, n, (5,))),
        lambda x, labels: F.cross_entropy(x, labels),
    ),
    "argmax_and_rms": (
        lambda n: (uniform(5, n),),
        lambda x: torch.stack(
            [(x.abs() * 3 - 1).argmax(-1).double(), (x.abs() * 3).pow(2).mean(1).sqrt()], dim=1
        ),
    ),
}


@pytest.mark.parametrize("width, chunk", [(3001, 256), (301, 64), (64, 64), (37, 128)])
@pytest.mark.parametrize("name", list(CASES))
def test_looped_rows_match_float64(name, width, chunk):
    make, reference = CASES[name]
    args64 = make(width)
    args = [
        a.float() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args64
    ]
    code, function = looped(name, chunk, *args)
    assert "tl.range(0, " in code  # the row is walked in chunks
    result = function(*args)
    expected = reference(*args64)
    assert_matches(result, expected, torch.float32)


def test_column_reduction_over_a_looped_first_dimension():
    x = uniform(301, 7)
    code, function = looped("column_sums", 64, x.float())
    assert "tl.range(0, m // BLOCK_M * BLOCK_M, BLOCK_M)" in code
    assert_matches(function(x.float()), x.sum(0) + x.amax(0), torch.float32)


def test_online_softmax_reads_the_row_twice():
    """torch.softmax: one loop of running max and rescaled sum, one loop storing."""
    code, _ = looped("softmax_builtin", 128, uniform(4, 300).float())
    kernel = code[code.index("def softmax_builtin_kernel") :]
    assert kernel.count("tl.range(0, ") == 2
    assert "tl.exp(softmax_max - softmax_new_max)" in kernel


def test_cross_entropy_is_one_pass():
    x, labels = uniform(4, 300).float(), torch.randint(0, 300, (4,))
    code, _ = looped("cross_entropy", 128, x, labels)
    kernel = code[code.index("def cross_entropy_kernel") :]
    assert kernel.count("tl.range(0, ") == 1


def test_whole_row_config_keeps_one_block():
    code, function = looped("softmax", None, uniform(4, 300).float())
    assert "tl.range(" not in code


def test_a_scan_along_a_looped_row_is_refused():
    with pytest.raises(ReductionLoopError) as caught:
        looped("running_cumsum", 64, uniform(3, 100).float())
    assert caught.value.lineno > 0 and "reduction_loops=[None]" in str(caught.value)


def test_a_dot_along_a_looped_row_is_refused_at_its_line():
    with pytest.raises(ReductionLoopError) as caught:
        looped("rows_times_matrix", 64, uniform(32, 100).float(), uniform(100, 16).float())
    assert "tl.dot" in str(caught.value) and "x[tile_m, :] @ w[:, :]" in str(caught.value)


def test_a_name_carried_from_chunk_to_chunk_is_refused():
    """`total = shift[...]` then `total = total + x[tile, :]`: recomputed in a loop, the second
    chunk would add to the first chunk's row, so the config is refused."""
    x, shift = uniform(4, 300).float(), uniform(4).float() + 5
    with pytest.raises(ReductionLoopError, match="'total' updated"):
        looped("shifted_rows", 64, x, shift)
    _, function = looped("shifted_rows", None, x, shift)  # whole rows: fine
    total = x.double() + shift.double()[:, None]
    assert_matches(function(x, shift), total / total.sum(-1, keepdim=True), torch.float32)


def test_each_device_loop_takes_its_own_entries():
    """reduction_loops=[None, 64]: the first loop's row stays whole, the second's is looped."""
    config = "helion.Config(block_sizes=[2, 2], reduction_loops=[None, 64])"
    source = kernel_source(FILE).replace("@helion.kernel()", f"@helion.kernel(config={config})")
    x, y = uniform(5, 301), uniform(4, 333)
    args = (x.float(), y.float())
    transpiled = transpiler.transpile_module(
        source, filename=FILE, example_args={"two_phases": args}, only=("two_phases",)
    )
    first, second = transpiled.code.split("def two_phases_kernel_2")
    assert "tl.range(" not in first and "tl.range(0, q // BLOCK_Q * BLOCK_Q, BLOCK_Q)" in second
    assert transpiled.whole_sizes["two_phases"] == ("x.size(1)", "y.size(1)")
    sums, out = on_device(load_module(transpiled.code, stem="two_phases").two_phases)(*args)
    assert_matches(sums, x.sum(-1), torch.float32)
    assert_matches(out, torch.softmax(y, -1), torch.float32)


def test_candidates_loop_wide_rows_only():
    assert reduction_loop_candidates([1024]) == [[None]]
    wide = reduction_loop_candidates([32000])
    assert [None] in wide and [4096] in wide and [1024] in wide
    assert [None] not in reduction_loop_candidates([128256])  # no 128K-wide block
    assert reduction_loop_candidates([300, 20000]) == [[None, None], [None, 512], [None, 1024],
                                                       [None, 2048], [None, 4096],
                                                       [None, 8192]]  # fmt: skip


def test_the_search_space_grows_by_the_loop_candidates():
    space = [{"block_sizes": [1], "num_warps": 8}, {"block_sizes": [2], "num_warps": 16}]
    grown = with_reduction_loops(space, [32000])
    assert len(grown) == 2 * len(reduction_loop_candidates([32000]))
    assert grown[0]["reduction_loops"] == [4096]  # the default (over 16,384 lanes) first
    assert with_reduction_loops(space, []) == space
    x = torch.empty(3, 5000)
    assert whole_widths(("x.size(1)",), ["x"], (x,)) == [5000]
    assert whole_widths(("n",), ["x"], (x,)) is None  # not readable from the arguments


def test_default_walks_a_row_too_wide_for_one_block():
    """No config: a 20,001-wide row (over WHOLE_ROW_LIMIT) is looped, not one 32K block."""
    x = uniform(3, 20001)
    softmax = transpiler_kernels(FILE).softmax_builtin
    bound = softmax.bind((x.float().to(DEVICE),))
    assert "tl.range(0, " in bound.transpiled.code and "min(4096, " in bound.transpiled.code
    assert_matches(on_device(softmax)(x.float()), torch.softmax(x, -1), torch.float32)
    narrow = softmax.bind((uniform(3, 301).float().to(DEVICE),))
    assert "tl.range(" not in narrow.transpiled.code


def test_integer_rows_of_unknown_dtype_are_refused_at_launch():
    """`x[:, tile_n].sum(dim=0)`: lowering does not know x's dtype; the float32 accumulator
    would round large integers, so the launcher requires floats."""
    x = torch.randint(-(2**30), 2**30, (300, 4), dtype=torch.int32)
    code, function = looped("column_sums", 64, x.float())
    assert "is_floating_point()" in code
    with pytest.raises(TypeError, match="must hold floats"):
        function(x)
    function(x.float())  # floats pass
