"""Row kernels' forms (issue 17): a gather of one index per row as one load (or a masked sum),
looped rows with lane-wise accumulators, variance in one read (Welford); float64 references, odd widths."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import assert_matches, generated

import transpiler
import transpiler.language as hl

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def picked_one_row(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    out = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n, block_size=1):
        row = logits[tile_n, :].float()
        out[tile_n] = torch.gather(row, 1, labels[tile_n][:, None]).squeeze(1)
    return out


@helion.kernel()
def picked_rows(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    out = torch.empty([n, 2], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n):
        rows = logits[tile_n, :].float()
        probabilities = torch.softmax(rows, dim=-1)
        picked = probabilities.gather(1, labels[tile_n].unsqueeze(1))
        out[tile_n, 0] = picked.squeeze(1)
        out[tile_n, 1] = torch.gather(rows.exp() - 1.0, 1, labels[tile_n][:, None]).squeeze(-1)
    return out


@helion.kernel()
def spread(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty([m, 3], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].float()
        out[tile_m, 0] = row.var(dim=-1)
        out[tile_m, 1] = torch.std(row * 0.5, dim=1, correction=0)
        out[tile_m, 2] = row.sum(-1) - row.amax(-1)
    return out


@helion.kernel()
def normed(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].float()
        mean = row.mean(dim=-1, keepdim=True)
        var = row.var(dim=-1, unbiased=False, keepdim=True)
        out[tile_m, :] = ((row - mean) / torch.sqrt(var + 1e-5)).to(x.dtype)
    return out
"""


@transpiler.kernel(torch_op=False)
def wide_picked(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    out = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n, block_size=1):
        row = logits[tile_n, :].float()
        out[tile_n] = torch.gather(row, 1, labels[tile_n][:, None]).squeeze(1)
    return out


def _uniform(*shape: int) -> torch.Tensor:
    return torch.rand(*shape, dtype=torch.float64) * 4 - 2


def _with_config(config: str) -> str:
    return SOURCE.replace("@helion.kernel()", f"@helion.kernel(config=helion.Config({config}))")


def _picked(name: str, rows: int, width: int):
    logits = _uniform(rows, width) * 3
    labels = torch.randint(0, width, (rows,))
    probabilities = torch.softmax(logits, -1)
    exact = {
        "picked_one_row": logits.gather(1, labels[:, None])[:, 0],
        "picked_rows": torch.stack(
            [probabilities.gather(1, labels[:, None])[:, 0],
             (logits.exp() - 1.0).gather(1, labels[:, None])[:, 0]], dim=1),
    }[name]  # fmt: skip
    return (logits.float(), labels), exact


# kernel → (lane loads, masked sums): an element-wise function of the row's loads is read at
# the label (lower/lane_loads.py); softmax's probabilities (after reductions) are summed out
PICKS = {"picked_one_row": (1, 0), "picked_rows": (1, 1)}


@pytest.mark.parametrize("name", list(PICKS))
@pytest.mark.parametrize("width", [1, 37, 1000])
def test_one_index_per_row_is_a_lane_load_or_a_masked_sum(name, width):
    arguments, exact = _picked(name, 7, width)
    code = transpiler.transpile_module(SOURCE, example_args={name: arguments}, only=(name,)).code
    loads, sums = PICKS[name]
    assert "tl.gather(" not in code
    assert len(re.findall(r"lane_v\w* = ", code)) == loads
    assert code.replace("[None, :]", "").count("tl.where(offs_v") == sums
    assert_matches(generated(SOURCE, name, *arguments)(*arguments), exact.float(), torch.float32)


def test_a_wide_row_gather_needs_no_shared_row():
    """tl.gather along a row spread over warps staged the whole row in shared memory (128 KB
    for 32,768 float32 lanes, one program per SM); the masked sum needs a few bytes."""
    logits, labels = torch.randn(4, 32000, dtype=torch.bfloat16), torch.randint(0, 32000, (4,))
    kernel = wide_picked
    config = transpiler.Config(reduction_loops=[None], num_warps=16)
    (result,) = kernel.bind((logits, labels), config).compile_for("sm_90")
    assert result.fits and result.shared_bytes < 1024


@pytest.mark.parametrize("width, chunk", [(3001, 256), (301, 64), (37, 128), (64, 64)])
@pytest.mark.parametrize("offset", [0.0, 1000.0])
def test_looped_variance_is_one_read_and_matches_float64(width, chunk, offset):
    """Welford's running mean and squares per lane: a mean far from zero (1000 ± 2) loses
    nothing, as the sum of squares minus the squared sum would."""
    x = _uniform(5, width) + offset
    source = _with_config(f"reduction_loops=[{chunk}]")
    code = transpiler.transpile_module(source, example_args={"spread": (x.float(),)},
                                       only=("spread",)).code  # fmt: skip
    kernel = code[code.index("def spread_kernel") : code.index("def spread(")]
    assert kernel.count("tl.range(0, ") == 1 and "welford_combine" in kernel
    result = generated(source, "spread", x.float())(x.float())
    # float32 inputs: the offset rows carry their own rounding (1000 ± 2 in float32: 6e-5)
    exact32 = x.float().double()
    exact = torch.stack(
        [exact32.var(1), (exact32 * 0.5).std(1, correction=0), exact32.sum(-1) - exact32.amax(-1)],
        dim=1,
    )
    assert_matches(result, exact.float(), torch.float32)


@pytest.mark.parametrize("width, chunk", [(3001, 512), (129, 64)])
def test_layer_norm_reads_each_row_twice(width, chunk):
    x = _uniform(6, width) * 5 + 3
    source = _with_config(f"reduction_loops=[{chunk}]")
    code = transpiler.transpile_module(source, example_args={"normed": (x.float(),)},
                                       only=("normed",)).code  # fmt: skip
    kernel = code[code.index("def normed_kernel") : code.index("def normed(")]
    assert kernel.count("tl.range(0, ") == 2  # statistics in one read, the output in the second
    mean, var = x.mean(-1, keepdim=True), x.var(-1, unbiased=False, keepdim=True)
    exact = (x - mean) / torch.sqrt(var + 1e-5)
    assert_matches(generated(source, "normed", x.float())(x.float()), exact.float(), torch.float32)


def test_looped_sums_reduce_across_lanes_once_after_the_loop():
    x = _uniform(3, 1000)
    source = _with_config("reduction_loops=[128]")
    code = transpiler.transpile_module(source, example_args={"spread": (x.float(),)},
                                       only=("spread",)).code  # fmt: skip
    kernel = code[code.index("def spread_kernel") : code.index("def spread(")]
    lines = kernel.splitlines()
    start = next(i for i, line in enumerate(lines) if "tl.range(" in line)
    inside = []
    for line in lines[start + 1 :]:
        if not line.startswith(" " * 8):
            break
        inside.append(line)
    assert inside and not any("tl.sum(" in line or "max_nan(" in line for line in inside)
    after = lines[start + 1 + len(inside) :]  # (max_nan: tl.max keeping a NaN, as torch does)
    assert any("tl.sum(" in line for line in after) and any("max_nan(" in line for line in after)


ONLINE = """
import torch
import helion
import helion.language as hl


@helion.kernel(config=helion.Config(reduction_loops=[CHUNK]))
def softmax_plain(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].float()
        row = row - row.amax(dim=-1, keepdim=True)
        e = row.exp()
        out[tile_m, :] = (e / e.sum(dim=-1, keepdim=True)).to(x.dtype)
    return out


@helion.kernel(config=helion.Config(reduction_loops=[CHUNK]))
def weighted_lse(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :] * 0.5
        top = torch.amax(row, dim=1)
        scaled = torch.exp(row - top[:, None]) * w[None, :]
        out[tile_m] = torch.log(torch.sum(scaled, dim=1)) + top
    return out


@helion.kernel(config=helion.Config(reduction_loops=[CHUNK]))
def logsumexp_named(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        rows = x[tile_m, :]
        top = torch.amax(rows, dim=-1, keepdim=True)
        total = torch.sum(torch.exp(rows - top), dim=-1, keepdim=True)
        out[tile_m] = (top + torch.log(total)).squeeze(-1)
    return out


@helion.kernel(config=helion.Config(reduction_loops=[CHUNK]))
def squared_spread(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        top = torch.amax(row, dim=1, keepdim=True)
        out[tile_m] = torch.sum((row - top) * (row - top), dim=1)
    return out
"""

# (kernel, arguments of a width, float64 reference, loops over the row when joined)
ONLINE_CASES = {
    "softmax_plain": (lambda n: (_uniform(5, n) * 6,), lambda x: torch.softmax(x, -1), 2),
    "weighted_lse": (
        lambda n: (_uniform(5, n) * 6, torch.rand(n, dtype=torch.float64) + 0.5),
        lambda x, w: torch.logsumexp(x * 0.5 + w.log(), -1),
        1,
    ),
    "logsumexp_named": (lambda n: (_uniform(5, n) * 6,), lambda x: torch.logsumexp(x, -1), 1),
    # (x - max)² is not exp(x - max) times anything: the sum waits for the max (two loops)
    "squared_spread": (
        lambda n: (_uniform(5, n),),
        lambda x: ((x - x.amax(1, True)) ** 2).sum(1),
        2,
    ),
}


@pytest.mark.parametrize("width, chunk", [(3001, 256), (301, 64), (37, 128)])
@pytest.mark.parametrize("name", list(ONLINE_CASES))
def test_online_max_and_sum_share_one_read(name, width, chunk):
    make, exact, loops = ONLINE_CASES[name]
    args64 = make(width)
    args = [a.float() for a in args64]
    source = ONLINE.replace("CHUNK", str(chunk))
    code = transpiler.transpile_module(source, example_args={name: args}, only=(name,)).code
    kernel = code[code.index(f"def {name}_kernel") : code.index(f"def {name}(")]
    assert kernel.count("tl.range(0, ") == loops
    assert ("# rescaled" in kernel) == (name != "squared_spread")
    result = generated(source, name, *args)(*args)
    assert_matches(result, exact(*args64).float(), torch.float32)


TWO_PASS = """
import torch
import helion
import helion.language as hl


@helion.kernel(config=helion.Config(reduction_loops=[CHUNK]))
def norm_sum_spelling(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        acc = x[tile_m, :].to(torch.float32)
        mean_val = torch.sum(acc, dim=-1) / n
        centered = acc - mean_val[:, None]
        var_val = torch.sum(centered * centered, dim=-1) / n
        out[tile_m, :] = centered * torch.rsqrt(var_val + 1e-5)[:, None]
    return out


@helion.kernel(config=helion.Config(reduction_loops=[CHUNK]))
def norm_mean_spelling(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        mean = row.mean(dim=-1, keepdim=True)
        centred = row - mean
        variance = torch.mean(centred * centred, dim=-1, keepdim=True)
        out[tile_m, :] = centred * torch.rsqrt(variance + 1e-5)
    return out


@helion.kernel(config=helion.Config(reduction_loops=[CHUNK]))
def mean_abs_deviation(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        mean = row.mean(dim=-1, keepdim=True)
        out[tile_m] = torch.abs(row - mean).sum(-1)
    return out
"""


def _normed(x: torch.Tensor) -> torch.Tensor:
    return (x - x.mean(-1, keepdim=True)) * torch.rsqrt(
        x.var(-1, unbiased=False, keepdim=True) + 1e-5
    )


# (kernel, float64 reference, loops over the row)
TWO_PASS_CASES = {
    "norm_sum_spelling": (_normed, 2),
    "norm_mean_spelling": (_normed, 2),
    # |x - mean| is no squared deviation: the sum waits for the mean (a loop each)
    "mean_abs_deviation": (lambda x: (x - x.mean(-1, keepdim=True)).abs().sum(-1), 2),
}


@pytest.mark.parametrize("width, chunk", [(3001, 256), (301, 64), (37, 128)])
@pytest.mark.parametrize("name", list(TWO_PASS_CASES))
def test_squared_deviations_join_the_mean_as_welford(name, width, chunk):
    """Rows 3 ± 2 (float32 inputs, references from the same float32 values)."""
    exact, loops = TWO_PASS_CASES[name]
    x = (_uniform(5, width) + 3.0).float()
    source = TWO_PASS.replace("CHUNK", str(chunk))
    code = transpiler.transpile_module(source, example_args={name: (x,)}, only=(name,)).code
    kernel = code[code.index(f"def {name}_kernel") : code.index(f"def {name}(")]
    assert kernel.count("tl.range(0, ") == loops
    assert ("welford_combine" in kernel) == (name != "mean_abs_deviation")
    result = generated(source, name, x)(x)
    assert_matches(result, exact(x.double()).float(), torch.float32)
