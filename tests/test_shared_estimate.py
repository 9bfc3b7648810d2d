"""The search's shared-memory estimate (run/shared_estimate.py): a lower bound of what Triton
allocates for a candidate's pipelined products on each target, so that candidates over the
device's shared memory are dropped before they are compiled (issue 17: six of attention's
candidates for sm_90 compiled only to be refused), and none that fits is dropped."""

from __future__ import annotations

import pytest
import torch
from test_attention_spellings import attention_by_begin, attention_unit_batch
from test_float64_products import MATRIX, added_in_place, whole_k

import transpiler
import transpiler.language as hl
from transpiler.analysis.targets import target_named
from transpiler.run import tuning
from transpiler.run.shared_estimate import operand_loads, pipeline_buffers, shared_estimate
from transpiler.run.tune_settings import tune_settings
from transpiler.run.tune_space import kernel_work


def _qkv(heads: int, m: int, n: int, d: int, dtype=torch.bfloat16) -> tuple:
    q = torch.randn(heads, m, d, dtype=dtype)
    return q, torch.randn(heads, n, d, dtype=dtype), torch.randn(heads, n, d, dtype=dtype)


# kernel (the suite's own, checked against float64 in their files), arguments, configurations:
# pipelined products at 1 to 4 stages, odd sizes, three dtypes, a whole K (the head dimension,
# a product chunked over K) and a looped one, a batch tile of 1 and a scalar index
CASES = {
    "attention_unit_batch": (
        attention_unit_batch, lambda: _qkv(3, 200, 333, 64),
        [([64, 64], 4, 1), ([64, 128], 4, 3), ([128, 64], 8, 2), ([64, 64], 4, 4)],
    ),
    "attention_by_begin": (
        attention_by_begin, lambda: _qkv(2, 129, 257, 128, torch.float16),
        [([64, 64], 4, 2), ([128, 128], 8, 3), ([128, 256], 8, 3)],  # the last chunks K
    ),
    "added_in_place": (
        added_in_place, lambda: (torch.randn(301, 208), torch.randn(208, 144)),  # float32: tf32
        [([64, 64, 32], 4, 2), ([128, 64, 32], 4, 4), ([32, 64, 64], 4, 1)],
    ),
    "batched": (
        MATRIX.bmm,
        lambda: (torch.randn(3, 77, 96, dtype=torch.float16),
                 torch.randn(3, 96, 50, dtype=torch.float16)),
        [([1, 64, 64, 32], 4, 3), ([1, 128, 64, 64], 8, 2)],
    ),
    "whole_k": (  # no inner loop, K chunked by the lowering: nothing counted, nothing over
        whole_k, lambda: (torch.randn(96, 512, dtype=torch.float16),
                          torch.randn(512, 80, dtype=torch.float16)),
        [([64, 64], 4, 3)],
    ),
}  # fmt: skip


@pytest.mark.parametrize("target", ["sm_90", "sm_100", "sm_80", "gfx942"])
@pytest.mark.parametrize("case", CASES)
def test_the_estimate_never_exceeds_what_triton_allocates(case, target):
    kernel, make, configs = CASES[case]
    args = make()
    work = kernel_work(kernel, args)
    assert work is not None and operand_loads(work), "the products' operands are found"
    chunks_k = kernel.name in kernel.transpiled(args).chunks_k
    estimate = shared_estimate(work, target_named(target), chunks_k)
    counted = 0
    for blocks, warps, stages in configs:
        config = {"block_sizes": blocks, "num_warps": warps, "num_stages": stages}
        (result,) = kernel.bind(args, config).compile_for(target)
        assert 0 <= estimate(config) <= result.shared_bytes, (config, result.shared_bytes)
        counted += estimate(config) > 0
    assert counted >= (len(configs) - 1 if case != "whole_k" else 0)  # one that says something


@pytest.mark.parametrize(
    ("backend_target", "stages", "buffers"),
    [("sm_90", 3, 3), ("sm_100", 1, 1), ("sm_80", 3, 2), ("sm_80", 1, 1), ("gfx942", 3, 2),
     ("gfx942", 4, 1), ("gfx942", 1, 0)],
)  # fmt: skip
def test_buffers_per_stage_by_target(backend_target, stages, buffers):
    assert pipeline_buffers(target_named(backend_target), stages) == buffers


def test_attention_candidates_over_sm90s_shared_memory_are_not_compiled(monkeypatch):
    """At the issue's sizes (meta tensors, nothing allocated): the space for sm_90 no longer
    holds the 4-stage candidates Triton gives 278-295 KB of shared memory (227 KB fit)."""
    monkeypatch.setattr(tuning, "cost_estimate", lambda *args: lambda sizes: None)
    meta = {"device": "meta", "dtype": torch.bfloat16}
    q = torch.empty(128, 4096, 128, **meta)
    for kernel in (attention_unit_batch, attention_by_begin):
        space, _ = tuning.tuning_space(kernel, (q, q, q), tune_settings({}), target_named("sm_90"))
        stages_by_blocks = {(tuple(c["block_sizes"]), c.get("num_stages")) for c in space}
        assert ((128, 128), 4) not in stages_by_blocks and ((64, 128), 4) not in stages_by_blocks
        assert ((128, 64), 4) in stages_by_blocks  # 160 KB: kept
        assert any(c.get("range_warp_specializes") for c in space)
        # 128 x 256 at 3 stages: the whole head dimension would take 426 KB; both spellings
        # take it in chunks of K there (74 KB: the unit batch tile is squeezed, 2-D in Triton)
        # and keep the candidate
        assert kernel.name in kernel.transpiled((q, q, q)).chunks_k
        assert ((128, 256), 3) in stages_by_blocks


@pytest.mark.parametrize(("blocks", "warps", "stages"), [([128, 128], 4, 4), ([64, 128], 4, 4)])
def test_a_dropped_candidate_is_over_the_limit_when_compiled(blocks, warps, stages):
    """The estimate's reason to drop a candidate holds: compiled, it is over (blocks at which
    the kernel holds the whole head, (M + N) * 128 at most 32,768 elements: not chunked)."""
    q, k, v = _qkv(2, 256, 256, 128)
    config = {"block_sizes": blocks, "num_warps": warps, "num_stages": stages}
    sm90 = target_named("sm_90")
    work = kernel_work(attention_unit_batch, (q, k, v))
    estimate = shared_estimate(work, sm90)(config)
    (result,) = attention_unit_batch.bind((q, k, v), config).compile_for("sm_90")
    assert result.constexprs["SPLIT_D"] == "False"
    assert sm90.shared_per_block < estimate <= result.shared_bytes and not result.fits


def test_a_chunked_candidate_fits_when_compiled():
    """Where (M + N) * K outgrows the whole operands the kernel takes K in chunks: the
    estimate does not count that loop, and compiled the candidate fits."""
    q, k, v = _qkv(2, 256, 256, 128)
    config = {"block_sizes": [128, 256], "num_warps": 8, "num_stages": 3}
    work = kernel_work(attention_unit_batch, (q, k, v))
    assert shared_estimate(work, target_named("sm_90"))(config) == 0
    (result,) = attention_unit_batch.bind((q, k, v), config).compile_for("sm_90")
    assert result.constexprs["SPLIT_D"] == "True"
    assert result.fits, result.exceeded


def test_row_kernels_have_no_operands_to_count():
    @transpiler.kernel()
    def row_sums(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
        for tile_m in hl.tile(x.size(0)):
            out[tile_m] = x[tile_m, :].sum(-1)
        return out

    work = kernel_work(row_sums, (torch.randn(37, 1000),))
    assert work is not None and not operand_loads(work)
    assert shared_estimate(work, target_named("sm_90"))({"block_sizes": [4], "num_stages": 4}) == 0
