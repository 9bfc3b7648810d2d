"""The benchmark's own kernels (benchmarks/kernels.py) compute what they claim, on CPU."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from helpers import assert_matches, generated, reference

SOURCE = (Path(__file__).parents[1] / "benchmarks" / "kernels.py").read_text()


@pytest.mark.parametrize(("rows", "vocabulary"), [(37, 1001), (1, 64), (5, 3)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_online_cross_entropy_matches_float64(rows, vocabulary, dtype):
    logits = (torch.randn(rows, vocabulary) * 3).to(dtype)
    labels = torch.randint(0, vocabulary, (rows,))
    ours = generated(SOURCE, "cross_entropy_online", logits, labels)(logits, labels)
    exact = F.cross_entropy(logits.double(), labels, reduction="none")
    torch.testing.assert_close(ours.double(), exact, atol=1e-4, rtol=1e-4)
    eager = reference(SOURCE, "cross_entropy_online")(logits.clone(), labels.clone())
    torch.testing.assert_close(ours, eager, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("shape", [(2, 64, 32), (3, 37, 16)])
def test_attention_3d_matches_float64(shape):
    torch.manual_seed(2)
    q, k, v = (torch.randn(*shape) for _ in range(3))
    ours = generated(SOURCE, "attention_3d", q, k, v)(q, k, v)
    exact = F.scaled_dot_product_attention(q.double(), k.double(), v.double())
    assert_matches(ours, exact, torch.float32, dots=True)  # TF32 products on a GPU


PLAIN = (Path(__file__).parents[1] / "benchmarks" / "plain_kernels.py").read_text()


def _plain_cases() -> dict:
    torch.manual_seed(5)
    x, w, b = torch.randn(37, 301), torch.randn(301), torch.randn(301)
    logits, labels = torch.randn(19, 1001) * 3, torch.randint(0, 1001, (19,))
    y = torch.randn(301, 45)
    q, k, v = (torch.randn(3, 33, 16) for _ in range(3))
    d = {"x": x.double(), "w": w.double(), "b": b.double()}
    return {  # kernel → (arguments, float64 result)
        "softmax": ((x,), torch.softmax(d["x"], -1)),
        "layer_norm": ((x, w, b), F.layer_norm(d["x"], (301,), d["w"], d["b"])),
        "rms_norm": (
            (x, w),
            d["x"] * torch.rsqrt(d["x"].pow(2).mean(-1, keepdim=True) + 1e-6) * d["w"],
        ),
        "cross_entropy": ((logits, labels), F.cross_entropy(logits.double(), labels)),
        "matmul": ((x, y), d["x"] @ y.double()),
        "attention": (
            (q, k, v),
            F.scaled_dot_product_attention(q.double(), k.double(), v.double()),
        ),
    }


@pytest.mark.parametrize("name", list(_plain_cases()))
def test_plain_spellings_match_float64(name):
    """The benchmark's plain spellings (as a user writes a kernel first) compute what they claim."""
    arguments, exact = _plain_cases()[name]
    ours = generated(PLAIN, name, *arguments)(*arguments)
    assert_matches(ours, exact.float(), torch.float32, dots=name in ("matmul", "attention"))
