"""A host-side sum or mean of the kernel's output, fused into the kernel (lower/host_tails.py):
three spellings fused and checked against float64, and the shapes of code that must not fuse."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import assert_matches, generated, load_module

import transpiler

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def mean_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    losses = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n, block_size=1):
        row = logits[tile_n, :].float()
        lse = torch.logsumexp(row, dim=-1)
        target = torch.gather(row, 1, labels[tile_n][:, None]).squeeze(1)
        losses[tile_n] = lse - target
    return losses.mean()


@helion.kernel()
def squared_error(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    errors = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        errors[tile_m, tile_n] = (x[tile_m, tile_n] - y[tile_m, tile_n]) ** 2
    return errors.sum() / m


@helion.kernel()
def row_norms(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    norms = x.new_empty([m])
    for tile_m in hl.tile(m):
        norms[tile_m] = torch.sqrt((x[tile_m, :] * x[tile_m, :]).sum(-1))
    return torch.mean(norms)


@helion.kernel()
def total_abs(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros([n], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n):
        out[tile] = x[tile].abs()
    return torch.sum(out)


@helion.kernel()
def also_returned(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] * 2.0
    return out.mean(), out


@helion.kernel()
def used_twice(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] * 2.0
    return out.sum() + out.amax()


@helion.kernel()
def into_argument(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    for tile in hl.tile(n):
        out[tile] = x[tile] * 2.0
    return out.sum()


@helion.kernel()
def stored_in_inner_loop(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.zeros([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        for tile_n in hl.tile(n):
            out[tile_m] = x[tile_m, tile_n].sum(-1)
    return out.sum()


@helion.kernel()
def read_after(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] + 1.0
    scale = out.numel()
    return out.sum() / scale
"""


def _rand(*shape: int, dtype=torch.float32) -> torch.Tensor:
    return ((torch.rand(*shape, dtype=torch.float64) * 4 - 2) * 3 + 0.25).to(dtype)


def _fused_cases() -> dict:
    logits, labels = _rand(37, 1001), torch.randint(0, 1001, (37,))
    x, y = _rand(45, 23), _rand(45, 23)
    rows = _rand(53, 67)
    vector = _rand(1003)
    return {
        "mean_loss": ((logits, labels), lambda a, b: F.cross_entropy(a, b)),
        "squared_error": ((x, y), lambda a, b: ((a - b) ** 2).sum() / a.shape[0]),
        "row_norms": ((rows,), lambda a: a.norm(dim=-1).mean()),
        "total_abs": ((vector,), lambda a: a.abs().sum()),
    }


@pytest.mark.parametrize("name", list(_fused_cases()))
def test_fused_tail_matches_float64(name):
    arguments, exact = _fused_cases()[name]
    code = transpiler.transpile_module(SOURCE, example_args={name: arguments}, only=(name,)).code
    assert "tl.atomic_add(" in code and "_total.to(" in code  # fused, one launch
    result = generated(SOURCE, name, *arguments)(*arguments)
    doubled = [a.double() if a.is_floating_point() else a for a in arguments]
    assert result.dim() == 0 and result.dtype == arguments[0].dtype
    assert_matches(result, exact(*doubled).to(result.dtype), torch.float32)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float64])
def test_fused_tail_keeps_torchs_dtype(dtype):
    """Half tensors: the stored (rounded) values are summed, the total rounded once; float64
    keeps torch's own sum (the kernel's flag is off)."""
    vector = _rand(517, dtype=dtype)
    result = generated(SOURCE, "total_abs", vector)(vector)
    assert result.dtype == dtype
    assert_matches(result, vector.double().abs().sum().to(dtype), dtype)


@pytest.mark.parametrize(
    "name, arguments",
    [
        ("also_returned", (_rand(101),)),  # the tensor is returned as well
        ("used_twice", (_rand(101),)),  # reduced twice
        ("into_argument", (_rand(101), _rand(101))),  # the caller's tensor: may hold more
        ("stored_in_inner_loop", (_rand(9, 31),)),  # each element stored several times
        ("read_after", (_rand(101),)),  # read by another host statement
    ],
)
def test_tails_that_must_not_fuse(name, arguments):
    code = transpiler.transpile_module(SOURCE, example_args={name: arguments}, only=(name,)).code
    assert "tl.atomic_add(" not in code and "FUSED_SUM" not in code
    result = generated(SOURCE, name, *arguments)(*arguments)
    assert result is not None


def test_fused_tail_after_a_looped_row():
    """reduction_loops: the row walked in chunks, the per-row loss stored and its share added
    once per program, after the loop."""
    looped = SOURCE.replace(
        "@helion.kernel()", "@helion.kernel(config=helion.Config(reduction_loops=[256]))", 1
    )
    (logits, labels), exact = _fused_cases()["mean_loss"][0], F.cross_entropy
    code = transpiler.transpile_module(
        looped, example_args={"mean_loss": (logits, labels)}, only=("mean_loss",)
    ).code
    kernel = code[code.index("def mean_loss_kernel") : code.index("def mean_loss(")]
    assert kernel.index("tl.range(") < kernel.index("tl.atomic_add(")
    result = generated(looped, "mean_loss", logits, labels)(logits, labels)
    assert_matches(result, exact(logits.double(), labels).float(), torch.float32)


@pytest.mark.parametrize("name", ["row_norms", "squared_error", "total_abs"])
def test_empty_tensors_keep_torchs_answer(name):
    """No rows (or a divisor of 0): the flag is off and torch's own reduction answers."""
    arguments = {"row_norms": (_rand(0, 5),), "squared_error": (_rand(0, 3), _rand(0, 3)),
                 "total_abs": (_rand(0),)}[name]  # fmt: skip
    ours = generated(SOURCE, name, *arguments)(*arguments)
    exact = _fused_cases()[name][1](*arguments)
    torch.testing.assert_close(ours, exact.to(ours.dtype), equal_nan=True)


@pytest.mark.parametrize("name", ["mean_loss", "row_norms", "total_abs"])
def test_fused_tail_is_one_relaxed_reduction_on_sm90(name):
    """The total is read only after the kernel: each program's add is relaxed, one REDG in
    SASS; the default acq_rel fenced every program (MEMBAR.ALL.GPU, a waited ATOMG, CCTL)."""
    arguments, _ = _fused_cases()[name]
    kernel = transpiler.kernel(load_module(SOURCE, stem=f"tails_sm90_{name}").__dict__[name].fn)
    (result,) = kernel.bind(arguments).compile_for("sm_90")
    assert 'sem="relaxed"' in kernel.bind(arguments).triton_source
    sass = result.sass()
    assert "REDG.E.ADD.F32" in sass and "MEMBAR" not in sass and "ATOMG" not in sass
