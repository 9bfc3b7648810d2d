"""Evaluator-style probes of whole model-style programs (round 6): blocks as wide as a
specialised or registered width (the lanes past it must not count in var, amax, amin, softmax,
exp), block sizes from an int argument, gemv, int32 labels gathered, a 0-d tensor temperature,
float16 var / std and atomics, softmax over whole columns, a length-masked softmax; each against
float64 torch. And what is refused at the user's line: a matrix times a vector, `.mT`,
`hl.arange` of a size."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from torch_answers import HEADER, assert_computes_as_torch, assert_refused_at


def r(*shape):
    return torch.randn(*shape, device=DEVICE)


def u(*shape):
    return torch.rand(*shape, device=DEVICE)


def ri(low, high, shape, dtype=torch.int64):
    return torch.randint(low, high, shape, dtype=dtype, device=DEVICE)


# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("specialized_width_var_and_amax_of_negatives", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    d = hl.specialize(x.size(1))
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, d], dtype=torch.float32)
        acc = acc + x[tile_m, :]
        mu = acc.mean(-1, keepdim=True)
        out[tile_m] = ((acc - mu) ** 2).mean(-1) + acc.amax(-1)
    return out
""",
     lambda: (r(13, 37) - 3,),
     lambda x: x.var(-1, unbiased=False) + x.amax(-1)),
    ("reduction_dim_softmax_of_a_full_block", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    n = hl.register_reduction_dim(n)
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        acc = hl.full([tile_m, n], 1.0, dtype=torch.float32)
        acc = acc * x[tile_m, :]
        out[tile_m, :] = torch.softmax(acc, -1)
    return out
""",
     lambda: (r(13, 37) - 3,),
     lambda x: torch.softmax(x, -1)),
    ("specialized_width_amin_and_exp_of_zeros", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    d = hl.specialize(x.size(1))
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, d], dtype=torch.float32)
        out[tile_m] = (acc + x[tile_m, :]).amin(-1) + torch.exp(acc).sum(-1)
    return out
""",
     lambda: (u(13, 37) + 1,),
     lambda x: x.amin(-1) + 37),
    ("sums_of_blocks_made_whole_width", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    d = hl.specialize(x.size(1))
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        ones = hl.full([tile_m, d], 1.0, dtype=torch.float32)
        out[tile_m] = ones.sum(-1) + hl.zeros([tile_m, d], dtype=torch.float32).exp().mean(-1)
    return out
""",
     lambda: (u(13, 37) + 1,),
     lambda x: torch.full((13,), 38.0)),
    ("block_size_from_an_int_argument", """
@helion.kernel()
def k(x: torch.Tensor, block: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m, block_size=block):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block):
            acc += x[tile_m, tile_n].sum(-1)
        out[tile_m] = acc
    return out
""",
     lambda: (r(37, 45), 16),
     lambda x, b: x.sum(-1)),
    ("gemv_by_broadcast_and_sum", """
@helion.kernel()
def k(w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    n, kk = w.size()
    out = torch.empty([n], dtype=torch.float32, device=w.device)
    for tile_n in hl.tile(n):
        acc = hl.zeros([tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc += (w[tile_n, tile_k] * v[tile_k][None, :]).sum(-1)
        out[tile_n] = acc
    return out
""",
     lambda: (r(37, 129), r(129)),
     lambda w, v: w @ v),
    ("int32_labels_gathered", """
@helion.kernel()
def k(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    n, c = x.size()
    out = torch.empty([n], dtype=torch.float32, device=x.device)
    for tile in hl.tile(n):
        out[tile] = torch.gather(x[tile, :], -1, t[tile].long()[:, None]).squeeze(-1) - x[tile, :].logsumexp(-1)
    return out
""",
     lambda: (r(37, 19), ri(0, 19, (37,), dtype=torch.int32)),
     lambda x, t: x.gather(1, t.long()[:, None]).squeeze(1) - x.logsumexp(-1)),
    ("temperature_as_a_0_d_tensor", """
@helion.kernel()
def k(x: torch.Tensor, temp: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = torch.softmax(x[tile, :] / temp, -1)
    return out
""",
     lambda: (r(13, 37), torch.tensor(0.5, device=DEVICE)),
     lambda x, t: torch.softmax(x / t, -1)),
    ("half_var_and_std_near_100", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile, :].var(-1) + x[tile, :].std(-1)
    return out
""",
     lambda: ((r(13, 300) * 3 + 100).half(),),
     lambda x: x.var(-1) + x.std(-1)),
    ("softmax_over_whole_columns", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_n in hl.tile(x.size(1)):
        out[:, tile_n] = torch.softmax(x[:, tile_n], dim=0)
    return out
""",
     lambda: (r(37, 21) - 4,),
     lambda x: torch.softmax(x, 0)),
    ("half_atomic_column_sums", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros([n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        hl.atomic_add(out, [tile_n], x[tile_m, tile_n].sum(0))
    return out
""",
     lambda: (r(37, 21).half(),),
     lambda x: x.sum(0)),
    ("float32_rows_times_half_weight", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.sum(x[tile, :] * w[None, :], dim=1)
    return out
""",
     lambda: (r(37, 21), r(21).half()),
     lambda x, w: (x * w).sum(1)),
    ("columns_centered_keepdim", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        col = x[:, tile_n]
        out[:, tile_n] = col - col.mean(0, keepdim=True)
    return out
""",
     lambda: (r(37, 21) + 2,),
     lambda x: x - x.mean(0, keepdim=True)),
    ("host_sum_returned_beside", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2
    return out, out.sum()
""",
     lambda: (r(37),),
     lambda x: (x * 2, (x * 2).sum())),
    ("float32_math_stored_to_half", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile].float() * y[tile].float() + 1000.0
    return out
""",
     lambda: (r(37).half() * 30, r(37).half() * 30),
     lambda x, y: x * y + 1000),
    ("length_masked_softmax", """
@helion.kernel()
def k(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n], block_size=[8, 64]):
        valid = tile_n.index[None, :] < lengths[tile_m][:, None]
        scores = torch.where(valid, x[tile_m, tile_n], float("-inf"))
        out[tile_m, tile_n] = torch.softmax(scores, dim=-1)
    return out
""",
     lambda: (r(13, 37), ri(1, 38, (13,))),
     lambda x, n: torch.softmax(x.masked_fill(torch.arange(37)[None, :] >= n[:, None], float("-inf")), -1)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "make", "truth"), [pytest.param(*row[1:], id=row[0]) for row in CASES]
)
def test_the_program_computes_as_torch(source, make, truth):
    assert_computes_as_torch(HEADER + source, make, truth)


REFUSED_KERNEL = """
@helion.kernel()
def k(w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    n, c = w.size()
    out = torch.empty([n], dtype=torch.float32, device=w.device)
    for tile in hl.tile(n):
        STATEMENT
    return out
"""
# (name, the statement, the text the caret is under, words of the message, hint)
REFUSED = [
    ("matrix_times_vector", "out[tile] = torch.matmul(w[tile, :], v[:])",
     "torch.matmul", "a matrix product of 2-D and 1-D blocks",
     "(w[tile, :] * v[:][None, :]).sum(-1)"),
    # hl.arange(c) of a host size is the whole dimension since round 14 (test_refused14_aranges)
    ("arange_of_a_loaded_length", "out[tile] = (hl.arange(v[0])[None, :] * w[tile, :]).sum(-1)",
     "hl.arange(v[0])", "hl.arange takes a tile's block size", "tile.index"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("statement", "caret", "message", "hint"),
    [pytest.param(*row[1:], id=row[0]) for row in REFUSED],
)
def test_refused_at_the_users_line(statement, caret, message, hint):
    source = HEADER + REFUSED_KERNEL.replace("STATEMENT", statement)
    assert_refused_at(source, 12, caret, message, hint)
