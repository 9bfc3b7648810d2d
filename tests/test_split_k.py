"""Products whose K is a whole dimension (`x[tile_m, :] @ w[:, :]`, issue 15's se_block) loop
over chunks of K when the whole operands would outgrow shared memory (lower/split_k.py): the
generated kernel compiles for sm_90 within its shared memory, and computes the product."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device

import transpiler as helion
import transpiler.language as hl
from transpiler.analysis.targets.table import TARGETS
from transpiler.run.tile_configs import candidates

SHARED_LIMIT = TARGETS["sm_90"].shared_per_block  # 227 KiB


@helion.kernel(static_shapes=True)
def gate_whole_weight(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        rows = x[tile_m, :]
        gate = torch.sigmoid(rows @ w[:, :])  # K and N: all of n
        out[tile_m, :] = (rows.to(torch.float32) * gate).to(out.dtype)
    return out


@helion.kernel()
def dot_whole_k(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = w.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = hl.dot(x[tile_m, :], w[:, tile_n]) * 0.5
    return out


@helion.kernel()
def addmm_scaled_rows(
    x: torch.Tensor, g: torch.Tensor, w: torch.Tensor, bias: torch.Tensor
) -> torch.Tensor:
    m, k = x.size()
    n = w.size(0)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        scaled = x[tile_m, :].to(torch.float32) * torch.sigmoid(g[tile_m, :].to(torch.float32))
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        acc = torch.addmm(acc, scaled, w[tile_n, :].T)  # w is [n, k]: K along its rows
        out[tile_m, tile_n] = torch.relu(acc + bias[tile_n])
    return out


@helion.kernel(static_shapes=True)
def relu_projection_in_a_loop(x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    k = a.size(1)
    c = torch.empty([m, k], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        for tile_k in hl.tile(k):
            partial = torch.matmul(x[tile_m, :], a[:, tile_k])
            c[tile_m, tile_k] = torch.relu(partial)
    return c


@helion.kernel()
def excite_two_phases(x: torch.Tensor, w_down: torch.Tensor, w_up: torch.Tensor) -> torch.Tensor:
    m, c = x.size()
    h = w_down.size(1)
    hidden = torch.empty([m, h], dtype=torch.float32, device=x.device)
    for tile_m, tile_h in hl.tile([m, h]):
        hidden[tile_m, tile_h] = torch.relu(x[tile_m, :].float() @ w_down[:, tile_h].float())
    hl.barrier()
    out = torch.empty([m, c], dtype=torch.float32, device=x.device)
    for tile_m, tile_c in hl.tile([m, c]):
        acc = hl.zeros([tile_m, tile_c], dtype=torch.float32)
        for tile_h in hl.tile(h):
            acc = torch.addmm(acc, hidden[tile_m, tile_h], w_up[tile_h, tile_c].float())
        out[tile_m, tile_c] = x[tile_m, tile_c].float() * torch.sigmoid(acc)
    return out


def _half(*shape: int) -> torch.Tensor:
    return (torch.rand(*shape) + 0.1).to(torch.float16) * torch.where(
        torch.rand(*shape) < 0.5, -1.0, 1.0
    ).to(torch.float16)


def _cases():
    m, n, k = 67, 300, 520  # K whole: 512 or 1024 lanes; split for any M, N block
    x, w = _half(m, n), _half(n, n) / 8
    yield pytest.param(
        gate_whole_weight,
        (x, w),
        lambda x, w: x.double() * torch.sigmoid(x.double() @ w.double()),
        id="matmul-operator-N-is-K",
    )
    x, w = _half(m, k), _half(k, 45)
    yield pytest.param(
        dot_whole_k, (x, w), lambda x, w: (x.double() @ w.double()) * 0.5, id="hl-dot"
    )
    x, g, w, bias = _half(m, k), _half(m, k), _half(45, k), torch.randn(45)
    yield pytest.param(
        addmm_scaled_rows,
        (x, g, w, bias),
        lambda x, g, w, b: torch.relu(
            (x.double() * torch.sigmoid(g.double())) @ w.double().T + b.double()
        ),
        id="addmm-epilogue-elementwise-operand-transposed",
    )
    x, w_down, w_up = _half(m, k), _half(k, 24) / 4, _half(24, k) / 4
    yield pytest.param(
        excite_two_phases,
        (x, w_down, w_up),
        lambda x, d, u: (
            x.double() * torch.sigmoid(torch.relu(x.double() @ d.double()) @ u.double())
        ),
        id="float-casts-in-phases-between-barriers",
    )
    x, a = _half(m, k), _half(k, 40)
    yield pytest.param(
        relu_projection_in_a_loop,
        (x, a),
        lambda x, a: torch.relu(x.double() @ a.double()),
        id="matmul-in-an-inner-loop",
    )


@pytest.mark.parametrize(("kernel", "args", "reference"), list(_cases()))
def test_a_whole_k_is_looped_in_chunks_and_computes_the_product(kernel, args, reference):
    bound = kernel.bind(args)
    code = bound.triton_source
    assert "if SPLIT_" in code and "tl.range(0, " in code  # the chunked form is there
    out = on_device(bound)(*args)
    expected = reference(*args)
    scale = expected.abs().max().item()
    error = (out.double() - expected).abs().max().item()
    assert error <= 2e-3 * scale + 2e-3, (error, scale)


@pytest.mark.parametrize(
    ("kernel", "args", "config"),
    [
        pytest.param(
            gate_whole_weight,
            (_half(256, 1024), _half(1024, 1024)),
            {"block_sizes": [16], "num_warps": 8, "num_stages": 3},
            id="se-block-1024",
        ),
        pytest.param(
            relu_projection_in_a_loop,
            (_half(256, 1024), _half(1024, 1024)),
            {"block_sizes": [64, 64], "num_warps": 4, "num_stages": 3},
            id="inner-loop-1024",
        ),
    ],
)
def test_a_whole_1024_k_compiles_for_sm90_within_shared_memory(kernel, args, config):
    (result,) = kernel.bind(args).compile_for("sm_90", config=config)
    assert result.constexprs.get("SPLIT_N") == "True"  # the launcher chose the chunks
    assert result.fits, result.exceeded
    assert 0 < result.shared_bytes <= SHARED_LIMIT


def test_a_small_whole_k_stays_one_product():
    """Attention-sized K (64 lanes with 64 x 64 tiles) stays one tl.dot: no chunk loop."""
    x, w = _half(64, 64), _half(64, 64)
    (result,) = dot_whole_k.bind((x, w)).compile_for("sm_90")
    assert result.constexprs.get("SPLIT_K") == "False"


def test_an_operand_that_cannot_be_chunked_stays_whole():
    """A row reduction inside the operand needs all of K at once: no chunked form."""

    @helion.kernel()
    def normalised_rows(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        m, k = x.size()
        n = w.size(1)
        out = torch.empty([m, n], dtype=torch.float32, device=x.device)
        for tile_m, tile_n in hl.tile([m, n]):
            rows = x[tile_m, :].to(torch.float32)
            rows = rows / torch.sum(rows, dim=1, keepdim=True)
            out[tile_m, tile_n] = rows @ w[:, tile_n].to(torch.float32)
        return out

    x, w = _half(20, 40).abs(), _half(40, 24)
    bound = normalised_rows.bind((x, w))
    assert "SPLIT_" not in bound.triton_source
    expected = (x.double() / x.double().sum(1, keepdim=True)) @ w.double()
    torch.testing.assert_close(on_device(bound)(x, w).double(), expected, atol=2e-3, rtol=2e-3)


def test_a_product_tiled_on_one_side_gets_narrow_candidates_and_default():
    """se_block's `x[tile_m, :] @ w[:, :]`: an [M, 1024] float32 accumulator wants few rows, so
    the search tries M of 16 and 32 and the default block is 16 rows beside 1024 lanes."""
    x, w = _half(96, 1000), _half(1000, 1000)
    bound = gate_whole_weight.bind((x, w))
    tunables = bound.transpiled.tunables["gate_whole_weight"]
    assert [role for _, role in tunables] == ["mn"]
    sizes = {c["block_sizes"][0] for c in candidates(tunables)}
    assert {16, 32} <= sizes
    assert "BLOCK_M = max(16, min(64, 16384 // BLOCK_N))" in bound.triton_source
    (result,) = bound.compile_for("sm_90")
    assert result.constexprs["BLOCK_M"] == "16" and result.fits
