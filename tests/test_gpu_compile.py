"""Kernels the interpreter runs that Triton's GPU compiler once rejected (issue 14): each
matches float64 in the interpreter and compiles for sm_90 (also checked by conftest's hook)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, on_device

import transpiler
import transpiler.language as hl


@transpiler.kernel()
def last_dim_sum(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, m], dtype=x.dtype, device=x.device)
    for tile_b, tile_m in hl.tile([b, m]):
        out[tile_b, tile_m] = x[tile_b, tile_m, :].sum(-1)
    return out


@transpiler.kernel()
def batch_rows_sum(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, m], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(b):
        out[tile_b, :] = x[tile_b, :, :].sum(-1)
    return out


@transpiler.kernel()
def last_dim_max_unit_batch(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, m], dtype=x.dtype, device=x.device)
    for tile_b, tile_m in hl.tile([b, m], block_size=[1, None]):
        out[tile_b, tile_m] = torch.amax(x[tile_b, tile_m, :], dim=-1)
    return out


@transpiler.kernel()
def last_dim_squares(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, m, 1], dtype=x.dtype, device=x.device)
    for tile_b, tile_m in hl.tile([b, m]):
        v = x[tile_b, tile_m, :]
        out[tile_b, tile_m, :] = (v - v.mean(-1, keepdim=True)).pow(2).sum(dim=2, keepdim=True)
    return out


@transpiler.kernel()
def window_sum(x: torch.Tensor, window: int) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty([n - window + 1], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n - window + 1):
        acc = hl.zeros([tile], dtype=torch.float32)
        for k in range(window):
            acc += x[tile.index + k]
        out[tile] = acc
    return out


@transpiler.kernel()
def moving_average(x: torch.Tensor, window: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n - window + 1], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n - window + 1]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for k in range(window):
            acc += x[tile_m, tile_n.index + k]
        out[tile_m, tile_n] = acc / window
    return out


@transpiler.kernel(config=transpiler.Config(block_sizes=[1], num_warps=32, num_stages=4))
def longsum(x: torch.Tensor) -> torch.Tensor:
    m, _ = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].sum(-1)
    return out


@transpiler.kernel()
def longsum_manual(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    block_size_n = hl.register_block_size(n)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, block_size_n], dtype=x.dtype)
        for tile_n in hl.tile(n, block_size=block_size_n):
            acc += x[tile_m, tile_n]
        out[tile_m] = acc.sum(-1)
    return out


PERSISTENT = transpiler.Config(block_sizes=[8, 4], pid_type="persistent_interleaved")


@transpiler.kernel(config=PERSISTENT)
def index_minimum(x: torch.Tensor) -> torch.Tensor:
    """Found by the GPU soak: an inner loop that loads nothing under a persistent loop."""
    b, m, n = x.size()
    out = torch.empty([b, m], dtype=x.dtype, device=x.device)
    for tile_b, tile_m in hl.tile([b, m]):
        acc = hl.full([tile_b, tile_m], float("inf"), dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=1):
            values = (tile_n.index[None, None, :] % 5).float()
            acc = torch.minimum(acc, values.amin(dim=2))
        out[tile_b, tile_m] = acc + x[tile_b, tile_m, 0]
    return out


@transpiler.kernel(config=transpiler.Config(block_sizes=[4, 8], pid_type="persistent_blocked"))
def begin_count(x: torch.Tensor) -> torch.Tensor:
    """An inner loop that only counts its tiles' starts, blocked persistent programs."""
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        total = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(7, block_size=2):
            total = total + tile_k.begin
        out[tile_m, tile_n] = x[tile_m, tile_n] * total
    return out


@transpiler.kernel(
    config=transpiler.Config(block_sizes=[8, 8, 16], pid_type="persistent_interleaved")
)
def loaded_inner_loop(x: torch.Tensor) -> torch.Tensor:
    """The pipelined case: the inner loop loads, so the persistent loop is flattened."""
    b, m, n = x.size()
    out = torch.empty([b, m], dtype=x.dtype, device=x.device)
    for tile_b, tile_m in hl.tile([b, m]):
        acc = hl.zeros([tile_b, tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            acc = acc + x[tile_b, tile_m, tile_n].sum(dim=2)
        out[tile_b, tile_m] = acc
    return out


def _squares(x: torch.Tensor) -> torch.Tensor:
    return (x - x.mean(-1, keepdim=True)).pow(2).sum(-1, keepdim=True)


CASES = {  # name → (kernel, arguments, float64 reference)
    "3-D sum over the last dim": (last_dim_sum, (torch.randn(3, 5, 37),), lambda x: x.sum(-1)),
    "3-D rows of a batch tile": (batch_rows_sum, (torch.randn(3, 5, 37),), lambda x: x.sum(-1)),
    "3-D max, batch tile of 1": (
        last_dim_max_unit_batch, (torch.randn(3, 5, 37),), lambda x: x.amax(-1)
    ),
    "3-D mean and pow(2)": (last_dim_squares, (torch.randn(3, 5, 37),), _squares),
    "sliding window, range(3)": (
        window_sum, (torch.randn(101), 3), lambda x, w: sum(x[k : x.numel() - w + 1 + k]
                                                            for k in range(w))
    ),
    "sliding window over rows": (
        moving_average, (torch.randn(9, 70), 5), lambda x, w: x.unfold(1, w, 1).mean(-1)
    ),
    "long_sum, one row per program": (longsum, (torch.randn(3, 4099),), lambda x: x.sum(-1)),
    "long_sum, looped": (longsum_manual, (torch.randn(3, 4099),), lambda x: x.sum(-1)),
    "persistent, inner loop loads nothing": (
        index_minimum, (torch.randn(3, 8, 3),), lambda x: torch.zeros_like(x[..., 0]) + x[..., 0]
    ),
    "persistent blocked, inner loop counts": (
        begin_count, (torch.randn(9, 13),), lambda x: x * sum(range(0, 7, 2))
    ),
    "persistent, inner loop loads": (loaded_inner_loop, (torch.randn(3, 5, 37),),
                                     lambda x: x.sum(-1)),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_interpreter_matches_and_sm_90_compiles(case):
    kernel, arguments, reference = CASES[case]
    results = kernel.bind(arguments).compile_for("sm_90")
    assert results and all(r.registers > 0 and r.fits for r in results)
    got = on_device(kernel)(*arguments)
    doubled = [a.double() if isinstance(a, torch.Tensor) else a for a in arguments]
    assert_matches(got, reference(*doubled).to(got.dtype), torch.float32)


def test_pow_of_a_small_int_multiplies_and_others_take_a_float_literal():
    """`.pow(2)` as `x * x` (exact, as torch's kernels; exp2 / log2 cost the plain RMS norm a
    third of its speed on the H200); `.pow(5)` through power(), not `5 .to(...)`."""
    code = last_dim_squares.bind((torch.randn(2, 3, 5),)).triton_source
    assert "power(" not in code and "base * base" in code
    code = last_dim_fifths.bind((torch.randn(2, 3, 5),)).triton_source
    assert "power(" in code and "5 .to(" not in code


@transpiler.kernel()
def last_dim_fifths(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, m, 1], dtype=x.dtype, device=x.device)
    for tile_b, tile_m in hl.tile([b, m]):
        out[tile_b, tile_m, :] = x[tile_b, tile_m, :].abs().pow(5).sum(dim=2, keepdim=True)
    return out


@transpiler.kernel(config=transpiler.Config(block_sizes=[16, 16, 8]))
def matmul_small_k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


def test_a_config_k_block_under_16_rises_to_16():
    """tl.dot on a GPU wants K >= 16 (the interpreter takes 8); Helion's config normalisation
    raises it, and so does the launcher."""
    x, y = torch.randn(33, 40), torch.randn(40, 17)
    (result,) = matmul_small_k.bind((x, y)).compile_for("sm_90")
    assert result.constexprs["BLOCK_K"] == "16" and result.constexprs["BLOCK_M"] == "16"
    exact = (x.double() @ y.double()).float()
    assert_matches(on_device(matmul_small_k)(x, y), exact, torch.float32, dots=True)


def test_a_persistent_loop_is_flattened_only_around_loads():
    """Triton pipelines loads across a flattened persistent loop; its loop fusion fails for sm_90
    when the inner loop loads nothing, so only inner loops that load are flattened."""
    x = torch.randn(3, 5, 37)
    assert "flatten=True" in loaded_inner_loop.bind((x,)).triton_source
    assert "flatten=True" not in index_minimum.bind((x,)).triton_source
    assert "flatten=True" not in begin_count.bind((torch.randn(9, 13),)).triton_source
