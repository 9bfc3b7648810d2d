"""Helion's example kernels, our own versions: generated vs reference mode vs float64 torch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import assert_matches, both_truths


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


def relative(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return ((actual.double() - expected.double()).norm() / expected.double().norm()).item()


@pytest.mark.parametrize("name", ["geglu", "swiglu"])
def test_gated_units(name):
    a, b = rand(9, 37), rand(9, 37)
    ours, reference = both_truths("examples.py", name, a, b)
    gate = F.gelu(a.double(), approximate="tanh") if name == "geglu" else F.silu(a.double())
    assert_matches(ours, reference)
    assert_matches(ours, gate * b.double())


def test_kl_div():
    log_q = torch.log_softmax(rand(7, 33) * 3, dim=-1)
    p = torch.softmax(rand(7, 33) * 3, dim=-1)
    ours, reference = both_truths("examples.py", "kl_div", log_q, p)
    expected = F.kl_div(log_q.double(), p.double(), reduction="none").sum(-1)
    assert_matches(ours, reference)
    assert_matches(ours, expected)


def test_jsd():
    log_p = torch.log_softmax(rand(7, 33) * 3, dim=-1)
    log_q = torch.log_softmax(rand(7, 33) * 3, dim=-1)
    ours, reference = both_truths("examples.py", "jsd", log_p, log_q)
    p, q = log_p.double().exp(), log_q.double().exp()
    mixture = 0.5 * p + 0.5 * q
    expected = 0.5 * (p * (p.log() - mixture.log())).sum(-1) + 0.5 * (
        q * (q.log() - mixture.log())
    ).sum(-1)
    assert_matches(ours, reference)
    assert_matches(ours, expected)


@pytest.mark.parametrize("shape", [(5, 1), (9, 200)], ids=str)
def test_welford_layer_norm(shape):
    x, w, b = rand(*shape) * 3 + 1, rand(shape[1]), rand(shape[1])
    ours, reference = both_truths("examples.py", "welford_layer_norm", x, w, b)
    expected = F.layer_norm(x.double(), (shape[1],), w.double(), b.double(), eps=1e-5)
    assert_matches(ours, reference)
    torch.testing.assert_close(ours.double(), expected, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_matmul_layer_norm(dtype):
    x, y, w, b = (
        rand(20, 48, dtype=dtype),
        rand(48, 40, dtype=dtype),
        rand(40, dtype=dtype),
        rand(40, dtype=dtype),
    )
    ours, reference = both_truths("examples.py", "matmul_layer_norm", x, y, w, b)
    expected = F.layer_norm(x.double() @ y.double(), (40,), w.double(), b.double(), eps=1e-5)
    assert relative(ours, expected) < 5e-3
    assert relative(ours, reference) < 5e-3


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_causal_attention(dtype):
    q, k, v = (rand(2, 45, 16, dtype=dtype) for _ in range(3))
    ours, reference = both_truths("examples.py", "causal_attention", q, k, v)
    expected = F.scaled_dot_product_attention(q.double(), k.double(), v.double(), is_causal=True)
    assert relative(ours, expected) < 3e-3
    assert relative(ours, reference) < 3e-3


def test_squeeze_excitation():
    x, w1, w2 = rand(19, 32), rand(32, 16), rand(16, 32)
    ours, reference = both_truths("examples.py", "squeeze_excitation", x, w1, w2)
    d = x.double()
    expected = d * torch.sigmoid(torch.relu(d @ w1.double()) @ w2.double())
    assert relative(ours, expected) < 1e-3
    assert relative(ours, reference) < 1e-3
