"""Mistakes in the kernel as a whole and in its call: a forgotten `return`, a config that is no
config, arguments that are no tensors. Then what looks like a mistake and is not: those run and
match torch. Rows marked `was:` were silently wrong before."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, device_args, product_tolerance
from mistakes10 import (
    HEAD,
    X1,
    X2,
    attempt,
    each_row,
    grid,
    kernel,
    matmul,
    refused_as_the_row_says,
    rows,
)

import transpiler
from transpiler.errors import TranspileError

COPY = "out[tile] = x[tile]"
BLOCKS = "@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))"
ADD = kernel("out[tile] = x[tile] + y[tile]", params="x: torch.Tensor, y: torch.Tensor")
INTO_Y = kernel("y[tile] = x[tile]", params="x: torch.Tensor, y: torch.Tensor", before="",
                after="    return y\n")  # fmt: skip
COUNTED = kernel(
    "acc = x[i]\n        for j in range(counts[i]):\n            acc = acc + 1.0\n"
    "        out[i] = acc",
    params="x: torch.Tensor, counts: torch.Tensor",
    loop="for i in hl.grid(x.size(0)):",
)


def configured(config: str) -> str:
    return kernel(COPY, decorator=f"@helion.kernel({config})")


# (id, kernel source, the call, error class, line, the caret's text, message, hint)
MISTAKES = [
    ("forgotten-return",  # was: the kernel returned None, its result thrown away
     kernel("out[tile] = x[tile] * 2", after=""), f"k({X1})", "UnsupportedConstructError", 10,
     "out[tile]", "stores into out, which it allocated, and returns nothing",
     "end the kernel with `return out`"),
    ("forgotten-return-of-a-row-sum",  # was: as above
     rows("out[tile] = x[tile, :].sum(1)", after="    out.sum()\n"), f"k({X2})",
     "UnsupportedConstructError", 11, "out[tile]", "the result is lost", "`return out`"),
    ("config-a-list-of-sizes",  # was: ran with the default block sizes
     configured("config=[32]"), f"k({X1})", "ConfigError", 6, "@helion",
     "config=[32] of k is a list, not a helion.Config", "config=helion.Config(block_sizes=[...])"),
    ("config-a-number",  # was: as above
     configured("config=32"), f"k({X1})", "ConfigError", 6, "@helion", "is a constant",
     "configs=[helion.Config(...), ...]"),
    ("config-and-configs",  # was: ran with one of them, silently
     configured("config=helion.Config(block_sizes=[32]), configs=[helion.Config("
                "block_sizes=[16])]"), f"k({X1})", "ConfigError", 6, "configs=",
     "config= and configs= are both given", "keep one"),
    ("negative-block-size-in-config", configured("config=helion.Config(block_sizes=[-32])"),
     f"k({X1})", "ConfigError", 6, "@helion", "block size -32 in block_sizes=[-32]",
     "powers of two"),
    ("float-block-size-in-config", configured("config={'block_sizes': [32.0]}"), f"k({X1})",
     "ConfigError", 6, "@helion", "block size 32.0", "write block_sizes=[32]"),
    ("one-block-size-for-two-tiles",
     grid("out[tile_m, tile_n] = x[tile_m, tile_n]",
          decorator="@helion.kernel(config=helion.Config(block_sizes=[32]))"), f"k({X2})",
     "ConfigError", 6, "@helion", "gives 1 block sizes for the 2 tunable tiles",
     "one block size per hl.tile dimension"),
    ("num-warps-zero", configured("config=helion.Config(block_sizes=[32], num_warps=0)"),
     f"k({X1})", "ConfigError", 6, "@helion", "num_warps=0", "power of two from 1 to 32"),
    ("num-stages-negative", configured("config=helion.Config(block_sizes=[32], num_stages=-1)"),
     f"k({X1})", "ConfigError", 6, "@helion", "num_stages=-1", "1 to 8"),
]  # fmt: skip


@each_row(MISTAKES)
def test_a_kernel_mistake_says_what_where_and_the_fix(
    source, call, kind, line, marker, message, hint
):
    refused_as_the_row_says(source, call, kind, line, marker, message, hint)


def test_the_library_refuses_config_and_configs_together():
    def copy(x):
        return x

    with pytest.raises(TranspileError, match="config= and configs= are both given"):
        transpiler.kernel(
            copy,
            config=transpiler.Config(block_sizes=[16]),
            configs=[transpiler.Config(block_sizes=[32])],
        )(torch.ones(4, device=DEVICE))


# (id, kernel source, the call, error class, message): the launcher's errors, torch-like, that
# name the argument and the fix (no source place: the call is the mistake)
CALLS = [
    ("a-tuple-for-a-tensor", kernel(COPY), "k((1.0, 2.0))", TypeError,
     "'x' must be a torch.Tensor, not tuple: torch.tensor(value) makes one"),
    ("a-float-for-a-tensor", kernel(COPY), "k(2.0)", TypeError,
     "not float: torch.tensor(value) makes a 0-d one, or annotate the parameter `float`"),
    ("no-arguments", kernel(COPY), "k()", TypeError,
     "missing a required argument: 'x' (the kernel is k(x: torch.Tensor))"),
    ("only-an-unknown-keyword", kernel(COPY), "k(y=torch.randn(3))", TypeError,
     "unexpected keyword argument 'y'"),
    ("output-shorter-than-the-input", INTO_Y, "k(torch.randn(37), torch.randn(20))",
     RuntimeError, "y.size(0) must be at least x.size(0)"),
    ("output-an-expanded-view", INTO_Y, "k(torch.randn(37), torch.randn(1).expand(37))",
     RuntimeError, "y has overlapping elements (sharing memory): writes to them would race"),
    ("float-counts-for-a-range",  # was: ran, range() of floats (Python refuses them)
     COUNTED, "k(torch.randn(5), torch.tensor([0.0, 1, 2, 3, 4]))", TypeError,
     "counts must hold integers (line 11 counts a range() with its values)"),
    ("integer-rows-for-a-mean", rows("out[tile] = x[tile, :].mean(1)"),
     "k(torch.ones(4, 5, dtype=torch.int32))", TypeError,
     "line 11: torch.mean takes floats, x is torch.int32: pass x.float()"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "call", "kind", "message"),
    [row[1:] for row in CALLS],
    ids=[row[0] for row in CALLS],
)
def test_a_bad_call_names_the_argument_and_the_fix(source, call, kind, message):
    with pytest.raises(Exception) as caught:
        attempt(source, call)
    assert type(caught.value) is kind, f"{type(caught.value).__name__}: {caught.value}"
    assert message in str(caught.value)
    assert caught.value.__traceback__ is not None
    frames = [f.f_code.co_filename for f, _ in _frames(caught.value.__traceback__)]
    assert not any("triton" in f and "site-packages" in f for f in frames), frames


def _frames(traceback):
    while traceback is not None:
        yield traceback.tb_frame, traceback.tb_lineno
        traceback = traceback.tb_next


# --- what looks like a mistake and is not: these run and match torch --------------------------

MATMUL_ONE_NAME = kernel(
    "out[tile] = x[tile] * 2", before="    m, n = x.size()\n    out = torch.empty_like(x)\n",
    loop="for tile in hl.tile([m, n]):",
)  # fmt: skip
ACCEPTED = {  # id → (kernel source, arguments, torch's answer)
    "range-over-a-host-size": (
        kernel("acc = x[tile]\n        for i in range(x.size(0)):\n            acc = acc + i\n"
               "        out[tile] = acc"),
        lambda: (torch.randn(37),), lambda x: x + sum(range(37))),
    "range-over-loaded-counts": (
        COUNTED, lambda: (torch.randn(5), torch.tensor([0, 1, 2, 3, 4])),
        lambda x, c: x + c),
    "float-accumulator-into-an-int-out": (
        kernel("acc = hl.zeros([tile], dtype=torch.float32)\n        acc += x[tile] * 3\n"
               "        out[tile] = acc",
               before="    out = torch.empty(x.size(), dtype=torch.int32, device=x.device)\n"),
        lambda: (torch.randn(37),), lambda x: (x * 3).to(torch.int32)),
    "int-accumulator-rebound-to-floats": (
        kernel("acc = hl.zeros([tile], dtype=torch.int64)\n        acc = acc + x[tile] * 0.5\n"
               "        out[tile] = acc"),
        lambda: (torch.randn(37),), lambda x: x * 0.5),
    "two-dims-of-tiles-in-one-name": (
        MATMUL_ONE_NAME, lambda: (torch.randn(37, 19),), lambda x: x * 2),
    "block-larger-than-the-dim": (
        kernel(COPY, decorator="@helion.kernel(config=helion.Config(block_sizes=[1024]))"),
        lambda: (torch.randn(37),), lambda x: x),
    "float-of-tile-begin": (
        kernel("out[tile] = x[tile] * 0 + float(tile.begin) + tile.index"),
        lambda: (torch.randn(37),), lambda x: torch.arange(37.0)),
    "begin-end-and-block-by-position": (
        kernel(COPY, loop="for tile in hl.tile(0, x.size(0), 16):"),
        lambda: (torch.randn(37),), lambda x: x),
    "a-bool-block-into-a-float-out": (
        kernel("out[tile] = x[tile] > 0"), lambda: (torch.randn(37),), lambda x: (x > 0).float()),
    "argmax-indices-into-a-float-out": (
        rows("values, indices = x[tile, :].max(1)\n        out[tile] = indices"),
        lambda: (torch.randn(37, 19),), lambda x: x.argmax(1).float()),
    "block-size-spelt-singular": (
        kernel(COPY, decorator="@helion.kernel(config={'block_size': [16]})"),
        lambda: (torch.randn(37),), lambda x: x),
    "a-step-built-on-the-carried-accumulator": (  # not "acc = a @ b": it reads acc
        matmul("acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)\n        for tile_k in "
               "hl.tile(k):\n            new = acc + x[tile_m, tile_k] @ y[tile_k, tile_n]\n"
               "            acc = new\n        out[tile_m, tile_n] = acc", decorator=BLOCKS),
        lambda: (torch.randn(16, 64), torch.randn(64, 16)), lambda x, y: x @ y),
    "a-step-zeroed-and-added-into-out": (  # not a reset: the store reads out itself
        matmul("out[tile_m, tile_n] = hl.zeros([tile_m, tile_n], dtype=torch.float32)\n"
               "        for tile_k in hl.tile(k):\n            step = hl.zeros([tile_m, tile_n], "
               "dtype=torch.float32)\n            step += x[tile_m, tile_k] @ y[tile_k, tile_n]\n"
               "            out[tile_m, tile_n] = out[tile_m, tile_n] + step", decorator=BLOCKS),
        lambda: (torch.randn(16, 64), torch.randn(64, 16)), lambda x, y: x @ y),
    "a-decorator-without-parentheses": (
        kernel(COPY, decorator="@helion.kernel"), lambda: (torch.randn(37),), lambda x: x),
}  # fmt: skip


# the cases that multiply blocks (tl.dot: TF32 for float32 on a GPU)
PRODUCTS = {"a-step-built-on-the-carried-accumulator", "a-step-zeroed-and-added-into-out"}


@pytest.mark.parametrize("case", ACCEPTED)
def test_what_is_no_mistake_runs_and_matches_torch(case):
    source, make, truth = ACCEPTED[case]
    namespace: dict = {}
    transpiler.kernels_from_source(HEAD + source, filename="<accepted>", namespace=namespace)
    made = make()
    got = namespace["k"](*device_args(made)).cpu()
    expected = truth(*made)  # eager torch on the CPU
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    bound = {"atol": 1e-4, "rtol": 1e-5}
    if case in PRODUCTS:
        bound = product_tolerance(got.dtype, **bound)
    torch.testing.assert_close(got, expected, **bound)


def test_the_tables_have_their_rows():
    assert len(MISTAKES) + len(CALLS) >= 15
    assert len(ACCEPTED) >= 10
    assert len({row[0] for row in MISTAKES + CALLS}) == len(MISTAKES) + len(CALLS)
