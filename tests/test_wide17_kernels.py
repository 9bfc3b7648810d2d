"""Five test kernels in float64 that ran in Triton's interpreter and failed sm_90's compile
("'row_max' is fp32 before this loop and fp64 after"): a float32 accumulator rebound to float64
values inside the loop, which torch widens. Each now enters its loop widened: the interpreter's
result is float64-accurate against the same source run by torch on float64 inputs, and conftest
compiles every launch for sm_90 (a failed compile fails the test)."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, kernel_source, kernel_text, reference


def signed64(*shape: int) -> torch.Tensor:
    """Fresh float64 values in (-1, -0.05] ∪ [0.05, 1): both signs, no zeros."""
    values = torch.rand(*shape, dtype=torch.float64) * 0.95 + 0.05
    return values * torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0).double()


def attention_args() -> tuple:
    return signed64(2, 19, 16), signed64(2, 37, 16), signed64(2, 37, 16)


def causal_args() -> tuple:
    return signed64(2, 21, 16), signed64(2, 21, 16), signed64(2, 21, 16)


# kernel → (file, arguments, bound): float32 rounding anywhere gives errors near 1e-7;
# picked_rows_times_vector adds in place (`acc += ...`), so torch keeps its float32 acc too
CASES = {
    "attention": ("matrix.py", attention_args, 1e-8),
    "attention_batched": ("matrix.py", attention_args, 1e-8),
    "causal_attention": ("examples.py", causal_args, 1e-8),
    "picked_rows_times_vector": (
        "newest_examples.py",
        lambda: (signed64(9, 45), torch.randint(-9, 9, (13,)), signed64(45)),
        2e-6,
    ),
    "row_times_column": ("newest_examples.py", lambda: (signed64(23, 45), signed64(45)), 1e-8),
}


@pytest.mark.parametrize("name", CASES)
def test_float64_runs_as_torch_and_compiles_for_sm_90(name):
    file, make, bound = CASES[name]
    args = make()
    source = kernel_source(file)
    ours = generated(source, name, *args)(*[a.clone() for a in args])
    exact = reference(source, name)(*[a.clone() for a in args])
    assert ours.dtype == exact.dtype
    torch.testing.assert_close(ours, exact, rtol=bound, atol=bound)


@pytest.mark.parametrize("name", ["attention", "causal_attention", "row_times_column"])
def test_the_rebound_accumulators_enter_the_loop_widened(name):
    file, make, _ = CASES[name]
    text = kernel_text(kernel_source(file), name, *make())
    assert "acc = acc.to(promoted_float(" in text
    if "attention" in name:
        assert "row_max = row_max.to(promoted_float(" in text


def test_an_in_place_product_keeps_its_float32_accumulator():
    """`acc += hl.dot(...)` of float64 factors: torch keeps acc float32 (in place), so the
    kernel adds in float64 and rounds back each step, no widening before the loop."""
    file, make, _ = CASES["picked_rows_times_vector"]
    text = kernel_text(kernel_source(file), "picked_rows_times_vector", *make())
    assert "promoted(" not in text
    assert ").to(acc.dtype)" in text
