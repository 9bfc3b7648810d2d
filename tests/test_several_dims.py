"""Reductions over several dims at once (`x.sum(dim=(1, 2))`, `torch.amax(x, [-1, -2])`) and
with no dim (`x.argmax()`, `x.var()` of a 2-D block: the block flattened, as torch), each run as
generated Triton and in reference mode against torch in float64; what torch refuses is refused."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, reference

import transpiler

HEAD = "import helion\nimport helion.language as hl\nimport torch\n\n\n"


def per_tile(name: str, value: str, config: str = "") -> str:
    """A kernel storing `value` (over x[tile_b, :, :]) per row tile of a 3-D x."""
    return HEAD + (
        f"@helion.kernel({config})\n"
        f"def {name}(x: torch.Tensor) -> torch.Tensor:\n"
        "    b, m, n = x.size()\n"
        "    out = torch.empty([b], dtype=torch.float32, device=x.device)\n"
        "    for tile_b in hl.tile(b):\n"
        "        v = x[tile_b, :, :]\n"
        f"        out[tile_b] = {value}\n"
        "    return out\n"
    )


def per_index(name: str, value: str, dtype: str = "torch.float32") -> str:
    """A kernel storing `value` (over the 2-D x[i, :, :]) per index of a 3-D x."""
    return HEAD + (
        "@helion.kernel()\n"
        f"def {name}(x: torch.Tensor) -> torch.Tensor:\n"
        "    b, m, n = x.size()\n"
        f"    out = torch.empty([b], dtype={dtype}, device=x.device)\n"
        "    for i in hl.grid(b):\n"
        "        v = x[i, :, :]\n"
        f"        out[i] = {value}\n"
        "    return out\n"
    )


LOOPED = "config=helion.Config(block_sizes=[2], reduction_loops=[16])"
ROWS = lambda x: x.reshape(x.shape[0], -1)  # noqa: E731 - each row's elements, flattened

# name → (source, torch's answer of x in float64); x is 3-D, of odd sizes
CASES = {
    "sum_tuple": (per_tile("k", "v.sum(dim=(1, 2))"), lambda x: x.sum((1, 2))),
    "amax_list_negative": (per_tile("k", "v.amax(dim=[-1, -2])"), lambda x: x.amax((1, 2))),
    "amin_positional": (per_tile("k", "torch.amin(v, (2, 1))"), lambda x: x.amin((1, 2))),
    "mean_tuple": (per_tile("k", "v.mean(dim=(1, 2))"), lambda x: x.mean((1, 2))),
    "logsumexp_tuple": (per_tile("k", "torch.logsumexp(v, (1, 2))"), lambda x: x.logsumexp((1, 2))),
    "nansum_tuple": (per_tile("k", "torch.nansum(v, dim=(1, 2))"), lambda x: x.sum((1, 2))),
    "keepdim_broadcast": (
        per_tile("k", "(v - torch.sum(v, (1, 2), keepdim=True)).amax(dim=(1, 2))"),
        lambda x: (x - x.sum((1, 2), keepdim=True)).amax((1, 2)),
    ),
    "one_dim_in_a_tuple": (per_tile("k", "v.sum(dim=(2,)).amax(1)"), lambda x: x.sum(2).amax(1)),
    # the row walked in chunks of 16 (reduction_loops): the looped dim is reduced first
    "looped_sum": (per_tile("k", "v.sum(dim=(1, 2))", LOOPED), lambda x: x.sum((1, 2))),
    "looped_mean": (per_tile("k", "torch.mean(v, [2, 1])", LOOPED), lambda x: x.mean((1, 2))),
    "looped_amax": (per_tile("k", "v.amax(dim=(-1, 1))", LOOPED), lambda x: x.amax((1, 2))),
    "looped_logsumexp": (
        per_tile("k", "torch.logsumexp(v, dim=(1, 2))", LOOPED),
        lambda x: x.logsumexp((1, 2)),
    ),
    "any_tuple": (per_index("k", "(v > 1.5).any(dim=(0, 1)).float()"), lambda x: (x > 1.5).any(2).any(1).double()),
    "all_tuple": (per_index("k", "(v > -1.5).all((0, 1)).float()"), lambda x: (x > -1.5).all(2).all(1).double()),
    "count_nonzero_tuple": (
        per_index("k", "torch.count_nonzero(v > 0.25, dim=(0, 1)).float()"),
        lambda x: (x > 0.25).sum((1, 2)).double(),
    ),
    # no dim: the whole 2-D block flattened, as torch
    "sum_every_dim": (per_index("k", "v.sum()"), lambda x: ROWS(x).sum(1)),
    "argmax_flat": (per_index("k", "v.argmax()", "torch.int64"), lambda x: ROWS(x).argmax(1)),
    "argmin_flat": (per_index("k", "torch.argmin(v)", "torch.int64"), lambda x: ROWS(x).argmin(1)),
    "argmin_ints": (
        per_index("k", "(v * 3).to(torch.int32).argmin()", "torch.int64"),
        lambda x: (x * 3).to(torch.int32).reshape(x.shape[0], -1).argmin(1),
    ),
    "argmax_keepdim": (
        per_index("k", "v.argmax(keepdim=True).sum()", "torch.int64"),
        lambda x: ROWS(x).argmax(1),
    ),
    "var_flat": (per_index("k", "v.var()"), lambda x: ROWS(x).var(1)),
    "std_unbiased_false": (per_index("k", "v.std(unbiased=False)"), lambda x: ROWS(x).std(1, unbiased=False)),
    "var_correction": (per_index("k", "torch.var(v, correction=0)"), lambda x: ROWS(x).var(1, correction=0)),
    "var_every_dim_tuple": (
        per_index("k", "v.var(dim=(0, 1), correction=2)"),
        lambda x: ROWS(x).var(1, correction=2),
    ),
    "var_positional_unbiased": (per_index("k", "v.var(False)"), lambda x: ROWS(x).var(1, unbiased=False)),
    "std_keepdim_normalise": (
        per_index("k", "((v - v.mean(dim=[0, 1], keepdim=True)) / v.std(dim=(-1, -2), keepdim=True)).amax()"),
        lambda x: ((x - x.mean((1, 2), keepdim=True)) / x.std((1, 2), keepdim=True)).amax((1, 2)),
    ),
    # some of the value's dims: the mean over them, then the squares about it
    "var_tiles_some_dims": (per_tile("k", "v.var(dim=(1, 2))"), lambda x: ROWS(x).var(1)),
    "std_some_dims_keepdim": (
        per_tile("k", "(v / v.std(dim=(-1, 1), keepdim=True, correction=0)).sum(dim=(2, 1))"),
        lambda x: (x / x.std((1, 2), keepdim=True, correction=0)).sum((1, 2)),
    ),
    "var_outer_dims": (
        per_index("k", "torch.var(v.unsqueeze(0), dim=(0, 1)).sum()"),
        lambda x: x.var(1).sum(1),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_generated_and_reference_match_torch(name):
    source, truth = CASES[name]
    x = torch.randn(5, 7, 37) + 0.25
    expected = truth(x.double())
    result = generated(source, "k", x)(x.clone())
    if expected.dtype == torch.int64:
        assert torch.equal(result, expected)
    else:
        assert_matches(result, expected, torch.float32)
    eager = reference(source, "k")(x.clone())
    assert_matches(eager.double(), expected.double(), torch.float32)


def test_the_argmax_of_a_tile_block_counts_in_the_slice():
    """With rows tiled 4 at a time, each tile's flattened argmax counts in its own slice, as
    torch and reference mode give it (`x[tile, :]` is a 4×11 tensor; the last tile's padded rows
    never win)."""
    source = HEAD + (
        "@helion.kernel(config=helion.Config(block_sizes=[4]))\n"
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    m, n = x.size()\n"
        "    out = torch.empty([helion.cdiv(m, 4)], dtype=torch.int64, device=x.device)\n"
        "    for tile in hl.tile(m):\n"
        "        out[tile.id] = x[tile, :].argmax()\n"
        "    return out\n"
    )
    x = torch.randn(13, 11)
    result = generated(source, "k", x)(x)
    padded = torch.cat([x, torch.full((3, 11), float("-inf"))]).reshape(4, 4 * 11)
    expected = padded.argmax(1)
    assert torch.equal(result, expected)


# (value, error, words of the message): what torch refuses, or what has no lowering yet
REFUSED = [
    ("v.prod(dim=(1, 2))", "UnsupportedConstructError", "prod takes one dim"),
    ("torch.max(v, (1, 2)).values", "UnsupportedConstructError", "max takes one dim"),
    ("v.sum(dim=(1, 1))", "ShapeError", "appears twice"),
    ("v.sum(dim=(1, -2))", "ShapeError", "appears twice"),
    ("v.amax(dim=(1, 3))", "ShapeError", "out of range"),
    ("v.sum(dim=())", "UnsupportedConstructError", "dim=()"),
    ("v.var(dim=(1, 2), unbiased=False)", "ReductionLoopError", "a looped row"),
]


@pytest.mark.parametrize(("value", "error", "words"), REFUSED)
def test_refused_at_the_user_line(value, error, words):
    source = per_tile("k", value, LOOPED if error == "ReductionLoopError" else "")
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile_module(source, example_args={"k": (torch.randn(3, 5, 7),)})
    assert type(caught.value).__name__ == error
    assert words in str(caught.value)
    assert caught.value.lineno == source.splitlines().index(f"        out[tile_b] = {value}") + 1
