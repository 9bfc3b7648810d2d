"""A 3-D product whose batch is a whole dimension (`q[tile_q, :, :].transpose(0, 1)` beside
`hl.specialize(q.size(1))`) keeps every lane of it: the launcher's default for a product's batch
block (2, for shared memory) is a tile's, and a whole dimension given 2 lanes computed two heads of
many and left the rest of `torch.empty` unwritten (Helion's jagged_hstu_attn_2 on the H100: 93% of
the output wrong, with no error)."""

from __future__ import annotations

import pytest
import torch
from helpers import block_sizes, dot_tolerance, generated

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def heads_scores(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    # every head's scores, the heads a whole dimension of each block
    heads = hl.specialize(q.size(1))
    length = q.size(0)
    out = torch.empty([length, heads, length], dtype=torch.float32, device=q.device)
    for tile_q in hl.tile(length):
        q_blk = q[tile_q, :, :].transpose(0, 1)
        for tile_kv in hl.tile(length):
            k_blk = k[tile_kv, :, :].transpose(0, 1)
            scores = torch.bmm(q_blk, k_blk.transpose(-2, -1))
            out[tile_q, :, tile_kv] = scores.transpose(0, 1)
    return out


@helion.kernel()
def causal_heads(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, offsets: torch.Tensor):
    # one program a sequence, its rows between two offsets (jagged), every head at once
    heads = hl.specialize(q.size(1))
    dim = hl.specialize(v.size(2))
    out = torch.empty_like(v)
    for seq in hl.grid(offsets.size(0) - 1):
        start = offsets[seq]
        end = offsets[seq + 1]
        for tile_q in hl.tile(start, end):
            q_blk = q[tile_q, :, :].transpose(0, 1)
            acc = hl.zeros([heads, tile_q, dim], dtype=torch.float32)
            for tile_kv in hl.tile(start, end):
                k_blk = k[tile_kv, :, :].transpose(0, 1)
                v_blk = v[tile_kv, :, :].transpose(0, 1)
                scores = torch.sigmoid(torch.bmm(q_blk, k_blk.transpose(-2, -1)))
                causal = tile_q.index[:, None] >= tile_kv.index[None, :]
                scores = torch.where(causal[None, :, :], scores, 0.0)
                acc = acc + torch.bmm(scores, v_blk)
            out[tile_q, :, :] = acc.transpose(0, 1).to(out.dtype)
    return out


@helion.kernel()
def batched_whole(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # the batch a whole dimension of an accumulator, M and N tiles, K walked in chunks
    batch = hl.specialize(a.size(0))
    m, k = a.size(1), a.size(2)
    n = b.size(2)
    out = torch.empty([batch, m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([batch, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.baddbmm(acc, a[:, tile_m, tile_k], b[:, tile_k, tile_n])
        out[:, tile_m, tile_n] = acc
    return out


@helion.kernel()
def batched_tiles(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # the batch a tile: its default block stays small (2), the programs walk the rest
    batch, m, k = a.size()
    n = b.size(2)
    out = torch.empty([batch, m, n], dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.baddbmm(acc, a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc
    return out
"""


def rand(*shape: int) -> torch.Tensor:
    """Values in [0.5, 1.5) or (-1.5, -0.5]: no zeros."""
    magnitude = torch.rand(*shape, dtype=torch.float64) + 0.5
    return (magnitude * torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0)).float()


@pytest.mark.parametrize("heads", [3, 5])
def test_every_head_of_a_whole_batch_is_computed(heads: int) -> None:
    q, k = rand(37, heads, 16), rand(37, heads, 16)
    out = generated(SOURCE, "heads_scores", q, k)(q, k)
    expected = torch.einsum("qhd,khd->qhk", q.double(), k.double())
    torch.testing.assert_close(out.double(), expected, **dot_tolerance(torch.float32))


@pytest.mark.parametrize("heads", [3, 6])
def test_jagged_sequences_of_every_head(heads: int) -> None:
    lengths = torch.tensor([19, 7, 33], dtype=torch.int32)
    offsets = torch.cat([torch.zeros(1, dtype=torch.int32), lengths.cumsum(0).to(torch.int32)])
    q, k, v = (rand(int(offsets[-1]), heads, 16) for _ in range(3))
    out = generated(SOURCE, "causal_heads", q, k, v, offsets)(q, k, v, offsets)
    expected = torch.empty_like(v, dtype=torch.float64)
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        qs, ks, vs = (t[start:end].double().transpose(0, 1) for t in (q, k, v))
        scores = torch.sigmoid(qs @ ks.transpose(-2, -1)).tril()
        expected[start:end] = (scores @ vs).transpose(0, 1)
    torch.testing.assert_close(out.double(), expected, **dot_tolerance(torch.float32))


@pytest.mark.parametrize("name", ["batched_whole", "batched_tiles"])
@pytest.mark.parametrize("batch", [3, 7])
def test_a_batch_accumulates_every_matrix(name: str, batch: int) -> None:
    a, b = rand(batch, 19, 40), rand(batch, 40, 21)
    out = generated(SOURCE, name, a, b)(a, b)
    torch.testing.assert_close(
        out.double(), a.double() @ b.double(), **dot_tolerance(torch.float32)
    )


def test_a_whole_batch_block_is_the_dimension_and_a_batch_tile_stays_small() -> None:
    import transpiler

    code = transpiler.transpile(SOURCE)
    whole, tiled = code.split("def batched_tiles(")
    blocks = block_sizes(whole)
    assert blocks["BLOCK_HEADS"] == "triton.next_power_of_2(max(heads, 1))", blocks
    assert blocks["BLOCK_BATCH"] == "triton.next_power_of_2(max(batch, 1))", blocks
    assert block_sizes(tiled)["BLOCK_B"] == "2"
