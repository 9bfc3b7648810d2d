"""Row kernels' candidates derived from the kernel and the device (run/row_rules.py, row_facts.py):
sensible and fitting on simulated H100, H200, B200, MI300X and an unknown small GPU, and on the
H100 / H200 a superset of what the hand-picked lists gave the benchmark rows."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from transpiler.analysis.targets.table import TARGETS, Target
from transpiler.run.reduction_candidates import row_space
from transpiler.run.row_facts import RowFacts
from transpiler.run.row_rules import PIPELINE_STAGES, fits
from transpiler.run.tile_configs import candidates
from transpiler.run.tune_settings import tune_settings
from transpiler.run.tune_space import _unknown
from transpiler.run.tuning import tuning_space

ROOT = Path(__file__).resolve().parents[1]
# a GPU the table does not know, as its driver describes it: 48 KiB of shared memory, 20 SMs
SMALL_GPU = _unknown(
    SimpleNamespace(
        name="Unknown GPU", multi_processor_count=20, warp_size=32, major=7,
        shared_memory_per_multiprocessor=64 * 1024, shared_memory_per_block_optin=48 * 1024,
        regs_per_multiprocessor=65536, max_threads_per_multi_processor=1024,
    ),
    "sm_75", 75,
)  # fmt: skip
DEVICES = {
    "H100": replace(TARGETS["sm_90"], gpu="H100", sms=132),
    "H200": replace(TARGETS["sm_90"], gpu="H200", sms=132),
    "B200": TARGETS["sm_100"],
    "MI300X": TARGETS["gfx942"],
    "unknown": SMALL_GPU,
}
# (width, element bytes, rows, reductions, row loads): the benchmark rows and odd ones
KERNELS = {
    "softmax bf16 8192": RowFacts(8192, 2, 16384, 2, 1),
    "layer norm bf16 8192": RowFacts(8192, 2, 16384, 3, 1),
    "rms norm bf16 8192": RowFacts(8192, 2, 16384, 1, 1),
    "cross-entropy bf16 32000": RowFacts(32000, 2, 16384, 2, 1),
    "residual rms fp32 12345": RowFacts(12345, 4, 1000, 1, 2),
    "narrow fp32 300": RowFacts(300, 4, 4096, 2, 1),
    "few rows fp16 40000": RowFacts(40000, 2, 7, 2, 1),
}


def _space(facts: RowFacts, device: Target) -> list[dict]:
    whole = candidates((("BLOCK_M", "rows"),), None, facts, device)
    return row_space(whole, [facts.width], facts, device) if facts.width > 2048 else whole


def _registers(config: dict, facts: RowFacts, device: Target) -> tuple[int, int]:
    """(a thread's, a program's) registers of row values, counted here on their own: one
    register a lane of each live row value (whole rows) or of each load and accumulator of
    a chunk."""
    rows = config["block_sizes"][-1] if config.get("block_sizes") else 1
    chunk = (config.get("reduction_loops") or [None])[0]
    threads = config["num_warps"] * device.warp_size
    if chunk is None:
        lanes = rows * (1 << (facts.width - 1).bit_length())
        per_lane = facts.row_loads + (facts.reductions > 0)
    else:
        lanes, per_lane = rows * chunk, facts.row_loads + facts.reductions
    return lanes // threads * per_lane, lanes * per_lane


@pytest.mark.parametrize("device_name", DEVICES)
@pytest.mark.parametrize("kernel", KERNELS)
def test_every_candidate_fits_the_device(device_name, kernel):
    device, facts = DEVICES[device_name], KERNELS[kernel]
    space = _space(facts, device)
    assert space, "an empty space: the default would stand untuned"
    assert len(space) <= 60  # a search compiles them all within its budget
    for config in space:
        assert fits(config, facts, device), config
        assert config["num_warps"] * device.warp_size <= device.max_threads_per_block
        per_thread, per_program = _registers(config, facts, device)
        assert per_program <= device.registers_per_sm
        chunk = (config.get("reduction_loops") or [None])[0]
        if chunk is None:  # whole rows: at most half of a thread's registers
            assert per_thread <= (device.max_registers_per_thread + 1) // 2
        else:  # chunks: two to four 16-byte loads a thread
            assert 2 * 16 <= _chunk_bytes(config, facts, device) <= 4 * 16
            assert per_program <= device.registers_per_sm // 2
        if "num_stages" in config:  # pipelined: its stages in one block's shared memory
            rows = config["block_sizes"][-1] if config.get("block_sizes") else 1
            staged = PIPELINE_STAGES * rows * chunk * facts.element_bytes * facts.row_loads
            assert staged <= device.shared_per_block


def _chunk_bytes(config: dict, facts: RowFacts, device: Target) -> int:
    """Bytes of one chunk a thread loads."""
    rows = config["block_sizes"][-1] if config.get("block_sizes") else 1
    lanes = rows * config["reduction_loops"][0]
    return lanes // (config["num_warps"] * device.warp_size) * facts.element_bytes


def test_the_space_follows_the_device():
    ce = KERNELS["cross-entropy bf16 32000"]
    h200, mi300x, small = DEVICES["H200"], DEVICES["MI300X"], DEVICES["unknown"]
    chunks = lambda space: {c["reduction_loops"][0] for c in space} - {None}  # noqa: E731
    assert min(chunks(_space(ce, h200))) == 512  # a warp of 32: two 16-byte loads a thread
    assert min(chunks(_space(ce, mi300x))) == 1024  # a wavefront of 64
    assert max(c["num_warps"] for c in _space(ce, mi300x)) <= 16  # 1,024 threads of 64
    pipelined = lambda space: {  # noqa: E731
        (c.get("block_sizes", [1])[-1], c["reduction_loops"][0]) for c in space if "num_stages" in c
    }
    assert (1, 8192) in pipelined(_space(ce, h200))  # 48 KiB of stages in 227 KiB
    assert pipelined(_space(ce, small)) and (1, 8192) not in pipelined(_space(ce, small))
    # rows per program stop at four programs per SM: 7 rows give one row a program
    few = _space(KERNELS["few rows fp16 40000"], h200)
    assert {c.get("block_sizes", [1])[-1] for c in few} == {1}
    narrow = _space(KERNELS["narrow fp32 300"], h200)
    assert max(c["block_sizes"][-1] for c in narrow) > 1  # narrow rows: several a program
    # more live row values, fewer lanes a thread: two loads halve the whole rows' reach
    one = RowFacts(8192, 4, 16384, 1, 1)
    two = replace(one, row_loads=2)
    rows_of = lambda facts: {  # noqa: E731
        (c["block_sizes"][-1], c["num_warps"])
        for c in candidates((("B", "rows"),), None, facts, h200)
    }
    assert rows_of(two) < rows_of(one)


def test_the_users_chunk_loop_gets_tiles_of_rows_by_chunks():
    """Roles ["tile", "reduce"] (Helion's softmax_two_pass): rows x chunk tiles at four warps
    or more whose threads issue two to four 16-byte loads."""
    facts = RowFacts(8192, 2, 16384, 2, 2)
    for name, device in DEVICES.items():
        space = candidates((("BLOCK_M", "tile"), ("BLOCK_N", "reduce")), None, facts, device)
        assert space, name
        for config in space:
            rows, chunk = config["block_sizes"]
            threads = config["num_warps"] * device.warp_size
            assert config["num_warps"] >= 4 and threads <= device.max_threads_per_block
            assert 32 <= rows * chunk // threads * facts.element_bytes <= 64
            assert rows * chunk * 4 <= device.registers_per_sm // 2


def _benchmark_rows() -> list[str]:
    recorded = json.loads((ROOT / "tests" / "old_row_spaces.json").read_text())
    return [key for key in recorded if not key.startswith("_")]


@pytest.mark.parametrize("key", _benchmark_rows())
def test_the_h100_space_holds_every_old_candidate_of_the_benchmark_rows(key):
    """The hand-picked lists' candidates for the rows gpu_rows.py times on the H200 (recorded
    before they were removed) are all in the derived space: no tuned result can get worse."""
    sys.path[:0] = [str(ROOT / "benchmarks")]
    import bench
    import gpu_rows

    old = json.loads((ROOT / "tests" / "old_row_spaces.json").read_text())[key]
    name, shape = key.split(" ", 1)
    (workload,) = [w for w in gpu_rows.row_workloads(False) if (w.name, w.shape) == (name, shape)]
    if not (ROOT / workload.file).exists():
        pytest.skip(f"{workload.file} is not here (Helion's examples are git-ignored)")
    kernel = bench.user_kernel(workload)
    args = workload.kernel_args(workload.make(torch.bfloat16, "meta"))
    space, _ = tuning_space(kernel, args, tune_settings({}), TARGETS["sm_90"])
    assert [c for c in old if c not in space] == []
    assert len(space) <= 60
