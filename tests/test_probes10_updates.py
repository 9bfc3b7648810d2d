"""Evaluator-style probes of augmented assignments to device values whose dtype is the tensors'
(round 10). `v = x[tile] * 1; v /= 2` with an int32 x: torch refuses (a float result cannot be
cast to v's int32 in place); the generated code made v float and stored it, truncated, into
the int32 output (`v += 1.5`, `v *= 0.5` alike), and an int accumulator taking float sums
through an inner loop (`acc = x[tile, 0] * 0; acc += x[tile, chunk].float().sum(1)`) failed
sm_90's compile. Now the launcher refuses an integer x there (TypeError naming the line and the
spelling that works: `v = v / 2`, lower/statements.py `require_float_target`), and float
tensors, or a float among the sources, compute as torch."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

ROWS, COLUMNS = 37, 23


def loop(*lines: str, out: str = "torch.empty_like(x)") -> str:
    inner = "".join(f"        {line}\n" for line in lines)
    return f"    out = {out}\n    for tile in hl.tile(x.size(0)):\n{inner}    return out\n"


ROW_SUMS = "torch.empty([x.size(0)], dtype=torch.float32, device=x.device)"

# (body, update's line, its spelling, the arguments' shape, what torch computes for floats)
UPDATES = {
    "divided": (loop("v = x[tile] * 1", "v /= 2", "out[tile] = v"), 12, "v /=", (301,), None),
    "plus_a_float": (
        loop("v = x[tile] + 0", "v += 1.5", "out[tile] = v"),
        12,
        "v +=",
        (301,),
        lambda x: x + 1.5,
    ),
    "loaded_times_a_half": (
        loop("v = x[tile]", "v *= 0.5", "out[tile] = v * 2"),
        12,
        "v *=",
        (301,),
        lambda x: x,
    ),
    "accumulated_through_an_inner_loop": (
        loop(
            "acc = x[tile, 0] * 0",
            "for chunk in hl.tile(x.size(1)):",
            "    acc += x[tile, chunk].float().sum(1)",
            "out[tile] = acc",
            out=ROW_SUMS,
        ),
        13,
        "acc +=",
        (ROWS, COLUMNS),
        lambda x: x.sum(1),
    ),
}


@pytest.mark.parametrize("case", UPDATES)
def test_an_integer_value_updated_in_place_with_floats_is_refused_at_the_launch(case):
    body, line, spelt, shape, _ = UPDATES[case]
    x = torch.randint(-50, 50, shape, device=DEVICE).to(torch.int32)
    words = re.escape(f"line {line}: {spelt} ... gives floats")
    with pytest.raises(TypeError, match=f"{words} .*int32"):
        generated(kernel("x: torch.Tensor", body), "k", x)(x)


@pytest.mark.parametrize("case", UPDATES)
def test_the_same_update_of_floats_computes_as_torch(case):
    body, _, _, shape, truth = UPDATES[case]
    assert_computes_as_torch(
        kernel("x: torch.Tensor", body),
        lambda: [torch.randn(shape, device=DEVICE) * 3],
        truth or (lambda x: x / 2),
    )


def test_an_integer_and_a_float_source_compute_as_torch():
    """v holds the common dtype of x and y: float with y float, so `v /= 2` is torch's."""
    source = kernel(
        "x: torch.Tensor, y: torch.Tensor",
        loop("v = x[tile] + y[tile]", "v /= 2", "out[tile] = v", out="torch.empty_like(y)"),
    )
    assert_computes_as_torch(
        source,
        lambda: [
            torch.randint(-5, 5, (301,), device=DEVICE).to(torch.int32),
            torch.randn(301, device=DEVICE),
        ],
        lambda x, y: (x + y) / 2,
    )


def test_the_update_written_out_computes_as_torch_for_integers():
    source = kernel(
        "x: torch.Tensor",
        loop("v = x[tile] * 1", "v = v / 2", "out[tile] = v", out=ROW_SUMS),
    )
    assert_computes_as_torch(
        source,
        lambda: [torch.randint(-50, 50, (301,), device=DEVICE).to(torch.int32)],
        lambda x: x / 2,
    )
