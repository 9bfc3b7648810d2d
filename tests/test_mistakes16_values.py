"""Mistakes an outside tester makes (2026-12-06, mistakes16): None or a string stored or
computed with inside the loop, and a block size computed in host code that is no power of two.
Each was Triton's InterpreterError before, far from the user's line; now a TranspileError at the
value, or the launcher naming the line and the fix. Then the fixes the hints name: they run."""

from __future__ import annotations

import pytest
import torch
from helpers import device_args
from mistakes10 import HEAD, X1, X2, attempt, each_row, kernel, refused_as_the_row_says, rows

import transpiler

NOT_A_NUMBER = "UnsupportedConstructError"
STORE_HINT = "extra_mask"

# (id, kernel source, the call, error class, line, the caret's text, message, hint)
MISTAKES = [
    ("none-stored", kernel("out[tile] = None"), f"k({X1})", NOT_A_NUMBER, 10, "None",
     "None is None, not a number", STORE_HINT),
    ("string-stored", kernel("out[tile] = 'nan'"), f"k({X1})", NOT_A_NUMBER, 10, "'nan'",
     "'nan' is a string, not a number", "float('nan')"),
    ("string-added", kernel("out[tile] = x[tile] + '1'"), f"k({X1})", NOT_A_NUMBER, 10, "'1'",
     "'1' is a string, not a number", "a number"),
    ("none-times-a-block", kernel("out[tile] = x[tile] * None"), f"k({X1})", NOT_A_NUMBER, 10,
     "None", "None is None, not a number", "a number"),
    ("a-name-bound-to-none", kernel("fill = None\n        out[tile] = fill"), f"k({X1})",
     NOT_A_NUMBER, 11, "fill", "fill is None, not a number", STORE_HINT),
    ("negated-none", kernel("out[tile] = x[tile] + -None"), f"k({X1})", NOT_A_NUMBER, 10,
     "None", "None is None, not a number", "a number"),
    # the same reached through calls, comparisons, hl stores and in-place updates
    ("where-with-none", kernel("out[tile] = torch.where(x[tile] > 0, x[tile], None)"), f"k({X1})",
     NOT_A_NUMBER, 10, "torch.where", "is given None, not a number", "a number"),
    ("exp-of-a-string", kernel("out[tile] = x[tile] * torch.exp('1')"), f"k({X1})", NOT_A_NUMBER,
     10, "torch.exp", "torch.exp('1') is given a string", "a number"),
    ("block-compared-with-text", kernel("out[tile] = torch.where(x[tile] == 'a', 1.0, 0.0)"),
     f"k({X1})", NOT_A_NUMBER, 10, "'a'", "'a' is a string, not a number", "a number"),
    ("hl-store-of-none", kernel("hl.store(out, [tile], None)"), f"k({X1})", NOT_A_NUMBER, 10,
     "None", "None is None, not a number", STORE_HINT),
    ("atomic-add-of-none", kernel("hl.atomic_add(out, [tile], None)"), f"k({X1})", NOT_A_NUMBER,
     10, "None", "None is None, not a number", "a number"),
    ("in-place-add-of-text", kernel("out[tile] = x[tile]\n        out[tile] += 'a'"), f"k({X1})",
     NOT_A_NUMBER, 11, "'a'", "'a' is a string, not a number", "a number"),
    ("zeros-of-dtype-none", kernel("out[tile] = hl.zeros([tile], dtype=None) + x[tile]"),
     f"k({X1})", NOT_A_NUMBER, 10, "hl.zeros", "dtype=None", "leave dtype out"),
    ("full-of-dtype-none", kernel("out[tile] = hl.full([tile], 1.5, dtype=None) * x[tile]"),
     f"k({X1})", NOT_A_NUMBER, 10, "hl.full", "dtype=None", "leave dtype out"),
    # was: accepted, each element converted (torch refuses a tensor of several elements)
    ("float-of-a-block", kernel("out[tile] = x[tile] * float(x[tile])"), f"k({X1})",
     NOT_A_NUMBER, 10, "float(", "float() of a block of several elements", "v.to(torch.float32)"),
    ("int-of-a-row", rows("out[tile] = int(x[tile, :]).sum(-1)"), f"k({X2})", NOT_A_NUMBER, 11,
     "int(", "int() of a block of several elements", "int(v.sum())"),
    ("bool-of-a-mask", kernel("out[tile] = torch.where(bool(x[tile] > 0), x[tile], 0.0)"),
     f"k({X1})", NOT_A_NUMBER, 10, "bool(", "bool() of a block", "v.to(torch.bool)"),
    ("clamp-without-bounds", kernel("out[tile] = torch.clamp(x[tile], None, None)"), f"k({X1})",
     NOT_A_NUMBER, 10, "torch.clamp", "neither min nor max", "x.clamp(min=0.0)"),
]  # fmt: skip


@each_row(MISTAKES)
def test_none_or_text_as_a_value_is_refused_at_the_value(
    source, call, kind, line, marker, message, hint
):
    refused_as_the_row_says(source, call, kind, line, marker, message, hint)


def looped(block_size: str) -> str:
    return kernel("out[tile] = x[tile] * 2", loop=f"for tile in hl.tile(x.size(0), {block_size}):")


# a block size the host code computes: checked at the launch (Triton failed in tl.arange)
COMPUTED = [
    ("the-whole-size", "block_size=x.size(0)", 37, "block_size=x.size(0) is 37 here"),
    ("half-the-size", "block_size=x.size(0) // 2", 45, "block_size=x.size(0) // 2 is 22 here"),
    ("capped", "block_size=min(64, x.size(0))", 37, "block_size=min(64, x.size(0)) is 37 here"),
]


@pytest.mark.parametrize(("spelling", "size", "message"), [row[1:] for row in COMPUTED],
                         ids=[row[0] for row in COMPUTED])  # fmt: skip
def test_a_computed_block_size_not_a_power_of_two_is_refused_at_the_launch(spelling, size, message):
    with pytest.raises(ValueError) as caught:
        attempt(looped(spelling), f"k(torch.randn({size}))")
    text = str(caught.value)
    assert text.startswith("line 9: "), text
    assert message in text and "not a power of two" in text, text
    assert "helion.next_power_of_2(" in text, text


def run(source: str, *args: torch.Tensor) -> torch.Tensor:
    namespace: dict = {}
    transpiler.kernels_from_source(HEAD + source, filename="<mistakes16>", namespace=namespace)
    return namespace["k"](*device_args(args)).cpu()


@pytest.mark.parametrize(
    ("spelling", "size"),
    [
        ("block_size=helion.next_power_of_2(x.size(0))", 37),  # the hinted fix
        ("block_size=helion.next_power_of_2(x.size(0) // 2)", 45),
        ("block_size=x.size(0)", 32),  # a power of two at this call: it runs
        ("block_size=min(64, x.size(0))", 16),
    ],
)
def test_a_computed_block_size_that_is_a_power_of_two_runs(spelling, size):
    x = torch.randn(size, dtype=torch.float64).float()
    got = run(looped(spelling), x)
    torch.testing.assert_close(got.double(), x.double() * 2)


def test_the_store_hint_runs_a_masked_store_leaves_the_other_elements():
    # the hint of `out[tile] = None`: a masked hl.store writes only where the mask holds
    source = kernel(
        "hl.store(out, [tile], x[tile] * 3, extra_mask=x[tile] > 0)",
        before="    out = torch.full_like(x, -7.0)\n",
    )
    x = torch.randn(53)
    got = run(source, x)
    expected = torch.where(x.double() > 0, x.double() * 3, -7.0)
    torch.testing.assert_close(got.double(), expected)


def test_a_number_where_none_was_runs():
    # the other hint: a number (float('nan') for "no value")
    x = torch.randn(29)
    got = run(kernel("out[tile] = x[tile] * 0 + float('nan')"), x)
    assert torch.isnan(got).all()
    assert got.shape == x.shape


@pytest.mark.parametrize(
    ("spelling", "truth"),
    [
        ("torch.clamp(x[tile], None, 0.5)", lambda x: torch.clamp(x, None, 0.5)),
        ("x[tile].clamp(min=-0.25, max=None)", lambda x: x.clamp(min=-0.25)),
        ("torch.clamp(x[tile], min=None, max=-0.125)", lambda x: torch.clamp(x, max=-0.125)),
    ],
)
def test_clamp_with_a_bound_written_none_runs_as_torch(spelling, truth):
    # was: Triton's "cannot convert None ... to tensor" (a bound written None)
    x = torch.randn(41)
    got = run(kernel(f"out[tile] = {spelling}"), x)
    torch.testing.assert_close(got.double(), truth(x.double()))


def test_the_dtype_hint_runs_hl_full_without_a_dtype_is_float32():
    x = torch.randn(23, dtype=torch.float64).float()
    got = run(kernel("out[tile] = hl.full([tile], 1.5) * x[tile]"), x)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got.double(), x.double() * 1.5)


def test_the_conversion_hint_runs_each_element_converted_and_one_number_converted():
    x = torch.randn(37, dtype=torch.float64).float()
    got = run(kernel("out[tile] = x[tile] * x[tile].to(torch.float32)"), x)
    torch.testing.assert_close(got.double(), x.double() * x.double())
    source = kernel(
        "out[tile] = x[tile] * float(x[tile].sum())",
        decorator="@helion.kernel(config=helion.Config(block_sizes=[16]))",
    )
    got = run(source, x)
    expected = torch.cat([c * c.sum() for c in x.double().split(16)])
    torch.testing.assert_close(got.double(), expected, atol=1e-5, rtol=1e-5)
