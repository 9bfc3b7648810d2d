"""Matrix kernels against the reference mode and float64 (dots in float16 / float32 on CPU)."""

from __future__ import annotations

import pytest
import torch
from helpers import both_truths

DOT_DTYPES = [torch.float16, torch.float32]


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


def close(actual: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype) -> None:
    """Relative error over the whole result, at the level a dot of this dtype reaches."""
    error = ((actual.double() - expected.double()).norm() / expected.double().norm()).item()
    limit = {torch.float16: 2e-3, torch.bfloat16: 1e-2, torch.float32: 1e-3}[dtype]
    assert error < limit, f"relative error {error:.2e} over {limit:.0e}"


@pytest.mark.parametrize("dtype", DOT_DTYPES, ids=str)
@pytest.mark.parametrize("sizes", [(16, 16, 16), (37, 53, 29), (70, 33, 130)], ids=str)
def test_matmul(sizes, dtype):
    m, k, n = sizes
    x, y = rand(m, k, dtype=dtype), rand(k, n, dtype=dtype)
    ours, reference = both_truths("matrix.py", "matmul", x, y)
    assert ours.dtype == dtype
    close(ours, x.double() @ y.double(), dtype)
    close(ours, reference, dtype)


@pytest.mark.parametrize("dtype", DOT_DTYPES, ids=str)
def test_matmul_epilogue(dtype):
    x, y, bias = rand(45, 70, dtype=dtype), rand(70, 33, dtype=dtype), rand(33, dtype=dtype)
    ours, reference = both_truths("matrix.py", "matmul_bias_relu", x, y, bias)
    close(ours, torch.relu(x.double() @ y.double() + bias.double()), dtype)
    close(ours, reference, dtype)


def test_hl_dot_with_a_computed_operand():
    x, y = rand(33, 47, dtype=torch.float16), rand(47, 21, dtype=torch.float16)
    ours, reference = both_truths("matrix.py", "matmul_dot", x, y)
    close(ours, x.double() @ (2 * y.double()), torch.float16)
    close(ours, reference, torch.float16)


def test_split_k_with_atomic_add():
    x, y = rand(40, 300), rand(300, 24)
    ours, reference = both_truths("matrix.py", "matmul_split_k", x, y)
    close(ours, x.double() @ y.double(), torch.float32)
    close(ours, reference, torch.float32)


@pytest.mark.parametrize("dtype", DOT_DTYPES, ids=str)
def test_bmm(dtype):
    a, b = rand(3, 20, 37, dtype=dtype), rand(3, 37, 18, dtype=dtype)
    ours, reference = both_truths("matrix.py", "bmm", a, b)
    close(ours, a.double() @ b.double(), dtype)
    close(ours, reference, dtype)


def test_embedding_gather():
    ids = torch.randint(0, 50, (77,))
    weight = rand(50, 19)
    ours, reference = both_truths("matrix.py", "embedding", ids, weight)
    assert torch.equal(ours, weight[ids])
    assert torch.equal(ours, reference)


@pytest.mark.parametrize("dtype", DOT_DTYPES, ids=str)
@pytest.mark.parametrize("sizes", [(2, 17, 33, 16), (3, 64, 40, 32)], ids=str)
def test_attention(sizes, dtype):
    heads, m, n, d = sizes
    q, k, v = (
        rand(heads, m, d, dtype=dtype),
        rand(heads, n, d, dtype=dtype),
        rand(heads, n, d, dtype=dtype),
    )
    ours, reference = both_truths("matrix.py", "attention", q, k, v)
    exact = torch.softmax(q.double() @ k.double().transpose(1, 2) / d**0.5, dim=-1) @ v.double()
    close(ours, exact, dtype)
    close(ours, reference, dtype)


@pytest.mark.parametrize("dtype", DOT_DTYPES, ids=str)
def test_attention_batched_with_unit_batch_tiles(dtype):
    q, k, v = (
        rand(3, 37, 16, dtype=dtype),
        rand(3, 45, 16, dtype=dtype),
        rand(3, 45, 16, dtype=dtype),
    )
    ours, reference = both_truths("matrix.py", "attention_batched", q, k, v)
    exact = torch.softmax(q.double() @ k.double().transpose(1, 2) / 4, dim=-1) @ v.double()
    close(ours, exact, dtype)
    close(ours, reference, dtype)


def test_tunables_take_their_defaults():
    x, y = rand(33, 200), rand(200, 17)
    ours, reference = both_truths("matrix.py", "matmul_tunable", x, y)
    close(ours, x.double() @ y.double(), torch.float32)
    close(ours, reference, torch.float32)


@pytest.mark.parametrize("dtype", DOT_DTYPES, ids=str)
def test_broadcast_matmul(dtype):
    a, w = rand(3, 21, 40, dtype=dtype), rand(40, 19, dtype=dtype)
    ours, reference = both_truths("matrix.py", "broadcast_matmul", a, w)
    close(ours, a.double() @ w.double(), dtype)
    close(ours, reference, dtype)


def test_concatenate_with_masked_loads():
    x, y = rand(7, 13), rand(7, 22)
    ours, reference = both_truths("matrix.py", "concatenate", x, y)
    assert torch.equal(ours, torch.cat([x, y], dim=1))
    assert torch.equal(ours, reference)
