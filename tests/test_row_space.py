"""The row kernels' space (run/reduction_candidates.row_space): every form it offers (whole rows,
rows x chunks, chunk loops pipelined by num_stages) computes the same rows, for three kernels of
our own at odd widths against float64; the forms compile for sm_90 as the space intends."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import assert_matches, load_module, on_device

import transpiler
from transpiler.analysis.targets import target_named
from transpiler.run.reduction_candidates import row_space
from transpiler.run.row_facts import RowFacts

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def row_logsumexp(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = torch.logsumexp(x[tile_m, :].float(), dim=-1)
    return out


@helion.kernel()
def row_normalise(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].float()
        norm = torch.sqrt(torch.sum(row * row, dim=-1, keepdim=True))
        out[tile_m, :] = (row / norm).to(out.dtype)
    return out


@helion.kernel()
def residual_rms_norm(
    x: torch.Tensor, residual: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6
) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        summed = x[tile_m, :].float() + residual[tile_m, :].float()
        inv_rms = torch.rsqrt(torch.mean(summed * summed, dim=-1, keepdim=True) + eps)
        out[tile_m, :] = (summed * inv_rms * weight[None, :].float()).to(out.dtype)
    return out


@helion.kernel()
def centered_in_tiles(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        total = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            total += x[tile_m, tile_n].float().sum(dim=1)
        for tile_n in hl.tile(n):
            out[tile_m, tile_n] = (x[tile_m, tile_n].float() - total[:, None] / n).to(out.dtype)
    return out
"""

WIDTHS = (3001, 12345, 32000)


def _case(name: str, width: int, rows: int = 5, device: str = "cpu") -> tuple[tuple, object]:
    """The kernel's arguments (no zeros) and its float64 result (None on the meta device)."""
    x = torch.randn(rows, width, device=device) + 0.1
    if name == "row_logsumexp":
        args: tuple = (x,)
        exact = lambda: torch.logsumexp(x.double(), dim=-1)  # noqa: E731
    elif name == "row_normalise":
        args = (x,)
        exact = lambda: x.double() / x.double().norm(dim=-1, keepdim=True)  # noqa: E731
    else:
        residual = torch.randn(rows, width, device=device)
        weight = torch.rand(width, device=device) + 0.5
        args = (x, residual, weight)

        def exact():
            summed = x.double() + residual.double()
            inv_rms = torch.rsqrt(summed.pow(2).mean(-1, keepdim=True) + 1e-6)
            return summed * inv_rms * weight.double()

    return args, (None if device == "meta" else exact())


SM90 = target_named("sm_90")


def _space(width: int, element_bytes: int = 2) -> list[dict]:
    rows = [{"block_sizes": [r], "num_warps": w} for r, w in ((1, 4), (1, 16), (2, 8))]
    facts = RowFacts(width, element_bytes, rows=None, reductions=2, row_loads=1)
    return row_space(rows, [width], facts, SM90)


def _sample(space: list[dict]) -> list[dict]:
    """One configuration of each form: rows, chunk and stages."""
    seen, sample = set(), []
    for config in space:
        form = (config["block_sizes"][0], config["reduction_loops"][0], "num_stages" in config)
        if form not in seen:
            seen.add(form)
            sample.append(config)
    return sample


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["row_logsumexp", "row_normalise", "residual_rms_norm"])
def test_every_form_of_the_space_matches_float64(name, width):
    torch.manual_seed(width)
    # 3 rows: blocks of 2 and 4 rows still end partial (masked rows), and the interpreter runs
    # one program per row block, each walking the whole width in chunks (the forms' paths)
    args, exact = _case(name, width, rows=3)
    for config in _sample(_space(width)):
        code = transpiler.transpile_module(
            SOURCE, example_args={name: args}, only=(name,), config=config
        ).code
        result = on_device(getattr(load_module(code, stem=f"row_space_{name}"), name))(*args)
        assert_matches(result, exact, torch.float32)


def test_the_space_gives_each_thread_wide_loads_and_pipelines_chunks():
    space = _space(32000)
    forms = {(c["block_sizes"][0], c["reduction_loops"][0]) for c in space}
    assert (1, None) in forms and (4, 2048) in forms and (2, 4096) in forms
    assert all(r * (c or 0) <= 8192 for r, c in forms)  # rows x chunk: 8,192 lanes at most
    pipelined = [c for c in space if c.get("num_stages")]
    assert pipelined and all(c["reduction_loops"][0] for c in pipelined)
    key = lambda c: (c["block_sizes"][0], c["reduction_loops"][0], "num_stages" in c)  # noqa: E731
    every = {key(c) for c in space}
    assert len({key(c) for c in space[: len(every)]}) == len(every)  # in turns: every form
    for index, config in enumerate(space):  # each pipelined form right after its own form
        if config.get("num_stages"):
            before = space[index - 1]
            assert {k: v for k, v in config.items() if k != "num_stages"} == before, config
    narrow = _space(8192)
    assert all(c["reduction_loops"] == [None] for c in narrow[:3])  # it fits: whole rows first
    narrow = [{"block_sizes": [1], "num_warps": 4}]
    assert row_space(narrow, [1000], RowFacts(1000), SM90) == narrow


@pytest.mark.parametrize("name", ["row_logsumexp", "residual_rms_norm"])
def test_pipelined_chunks_compile_for_sm90_to_async_copies(name):
    """num_stages on a chunk loop: Triton copies the next chunks to shared memory (cp.async)
    and the row's loads stay 16 bytes wide; without it, 16-byte loads straight to registers."""
    args, _ = _case(name, 32000, rows=64, device="meta")
    args = tuple(a.to(torch.bfloat16) for a in args)
    kernel = transpiler.kernel(load_module(SOURCE, stem=f"row_space_sm90_{name}").__dict__[name].fn)
    plain = {"block_sizes": [2], "num_warps": 4, "reduction_loops": [2048]}
    sm90 = target_named("sm_90")
    for config, pipelined in ((plain, False), ({**plain, "num_stages": 3}, True)):
        bound = kernel.bind(args, config)
        assert ("num_stages=3" in bound.triton_source) == pipelined
        (result,) = bound.compile_for(sm90)
        ptx = result.asm["ptx"]
        assert result.spills == 0
        if pipelined:
            assert "cp.async.cg.shared.global" in ptx and result.shared_bytes >= 2 * 2 * 4096
        else:
            assert "ld.global.v4" in ptx or "ld.global.nc.v4" in ptx


@pytest.mark.parametrize(
    ("name", "policies"),
    [
        # each chunk loop is two (full chunks, the partial last one): each load twice
        ("row_normalise", ["evict_last"] * 2 + ["evict_first"] * 2),  # the norm's, the store's
        ("residual_rms_norm", ["evict_last"] * 4 + ["evict_first"] * 4),
        ("row_logsumexp", []),  # one loop: read once, no policy
    ],
)
def test_a_row_read_by_two_loops_stays_in_l2_between_them(name, policies):
    args, _ = _case(name, 12345)
    config = {"block_sizes": [2], "num_warps": 4, "reduction_loops": [1024]}
    code = transpiler.transpile_module(SOURCE, example_args={name: args}, only=(name,),
                                       config=config).code  # fmt: skip
    assert re.findall(r'eviction_policy="(\w+)"', code) == policies


def test_a_tensor_read_by_two_of_the_users_loops_stays_in_l2_between_them():
    x = torch.randn(7, 3001) + 0.1
    config = {"block_sizes": [2, 512], "num_warps": 4}
    code = transpiler.transpile_module(SOURCE, example_args={"centered_in_tiles": (x,)},
                                       only=("centered_in_tiles",), config=config).code  # fmt: skip
    assert re.findall(r'eviction_policy="(\w+)"', code) == ["evict_last", "evict_first"]
    result = on_device(load_module(code, stem="row_space_centered").centered_in_tiles)(x)
    exact = x.double() - x.double().mean(dim=1, keepdim=True)
    assert_matches(result, exact, torch.float32)


@pytest.mark.parametrize("chunk", [512, 2048])
@pytest.mark.parametrize("name", ["row_logsumexp", "row_normalise", "residual_rms_norm"])
def test_full_chunks_load_unpredicated_and_only_the_tail_is_masked(name, chunk):
    """A row walked in chunks: the full chunks' loop has an all-true mask (Triton drops it: no
    predicate on its loads in the sm_90 PTX), the partial last chunk's loop the bounds
    check; both keep 16-byte loads (the tail starts at a multiple of the chunk)."""
    args, _ = _case(name, 32000, rows=64, device="meta")
    args = tuple(a.to(torch.bfloat16) for a in args)
    kernel = transpiler.kernel(load_module(SOURCE, stem=f"row_space_tail_{name}").__dict__[name].fn)
    bound = kernel.bind(args, {"block_sizes": [1], "num_warps": 1, "reduction_loops": [chunk]})
    source = bound.triton_source
    full = re.findall(r"tl\.range\(0, (\w+) // (\w+) \* \2, \2\):  # full chunks", source)
    tails = re.findall(r"tl\.range\((\w+) // (\w+) \* \2, \1, \2\):  # the partial last", source)
    assert full and len(full) == len(tails)
    assert source.count("tl.full([BLOCK_N], True, tl.int1)") == len(full)
    (result,) = bound.compile_for(SM90)
    loads = re.findall(r"^\s*(@%p\d+ )?ld\.global(\.\S+)", result.asm["ptx"], re.M)
    plain = [kind for predicate, kind in loads if not predicate]
    masked = [kind for predicate, kind in loads if predicate]
    assert plain and len(plain) == len(masked)  # each row load: once in each loop
    assert all(".v4" in kind or ".v2" in kind for kind in plain + masked)
