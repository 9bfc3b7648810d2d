"""A probe kernel run as generated Triton against torch's answer computed in float64, and one
refused at the user's line: the checks the evaluator-style probe files
(test_probes_evaluator5_*.py, test_probes_evaluator6_*.py) share."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated

import transpiler

# what a probe kernel's source starts with (its kernel is `k`)
HEADER = """
import torch
import torch.nn.functional as F
import helion
import helion.language as hl
"""


def h(*shape):
    """Fresh float16 values on DEVICE, scaled so products of K ~ 100 stay near 1."""
    return (torch.randn(*shape, device=DEVICE) * 0.3).half()


def f(*shape):
    """Fresh float32 values on DEVICE."""
    return torch.randn(*shape, device=DEVICE)


def in_float64(value):
    """A float tensor as float64 (torch's answer is computed there); anything else as it is."""
    if isinstance(value, torch.Tensor):
        value = value.cpu()  # inputs may be made on DEVICE; torch's answer is the CPU's
        return value.double() if value.is_floating_point() else value
    return value


def assert_computes_as_torch(source: str, make, truth, *, bound: dict | None = None) -> None:
    """Kernel `k` of `source` on `make()`'s arguments equals `truth` of them in float64: integer
    and bool results exactly, floats to 1e-5 (2e-2 where float16 is in or out, or `bound`'s
    rtol / atol), NaN as NaN. Arguments may be made on DEVICE: results are compared on the CPU."""
    args = make()
    expected = truth(*[in_float64(a) for a in args])
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    if len(args) == 2 and args[0] is args[1]:
        fresh = [fresh[0], fresh[0]]  # the same tensor twice, as the caller passed it
    got = generated(source, "k", *args)(*fresh)
    pairs = zip(got, expected, strict=True) if isinstance(got, tuple) else [(got, expected)]
    for result, answer in pairs:
        assert result.shape == answer.shape
        if not answer.is_floating_point():
            assert torch.equal(result.long().cpu(), answer.long()), (result, answer)
            continue
        half = torch.float16 in (result.dtype, args[0].dtype)
        close = {"rtol": 2e-2, "atol": 2e-2} if half else {"rtol": 1e-5, "atol": 1e-5}
        torch.testing.assert_close(
            result.double().cpu(), answer.double(), equal_nan=True, **(bound or close)
        )


def assert_refused_at(source: str, line: int, caret: str, *words: str) -> None:
    """Transpiling `source` raises a TranspileError at `line`, at the column of `caret`'s first
    place on that line, whose text holds each of `words` (its message, its hint)."""
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile(source)
    text = str(caught.value)
    column = source.splitlines()[line - 1].index(caret) + 1
    assert f":{line}:{column}:" in text, text
    for word in words:
        assert word in text, (word, text)
