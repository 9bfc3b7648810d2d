"""Every form the derived row space offers (run/row_rules.py: whole rows, 512-8,192-lane chunks,
several rows, pipelined chunk loops) computes softmax, layer norm, RMS norm and cross-entropy
in each benchmark spelling (ours, the plain one, Helion's where its examples are here) at odd
widths, against float64 on the CPU, in Triton's interpreter or on the GPU."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from helpers import assert_matches, device_args

from transpiler.analysis.targets.table import TARGETS
from transpiler.run.tune_settings import tune_settings
from transpiler.run.tuning import tuning_space

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks")]

import bench  # noqa: E402 - after the path
import gpu_rows  # noqa: E402
from workloads import reference  # noqa: E402

WIDTHS = (1, 3, 511, 513, 4097, 32007)
KERNELS = ("softmax", "layer_norm", "rms_norm", "cross_entropy")
SPELLINGS = ("", "/plain", "/helion")
ROWS = 3


def _workload(name: str, width: int):
    (base,) = [w for w in gpu_rows.row_workloads(True, {8192}) if w.name == name]
    return base.__class__(
        **{**base.__dict__, "make": gpu_rows.inputs(name.split("/")[0], ROWS, width)}
    )


def _chunk(config: dict | None) -> int | None:
    """Lanes of the row a program reads at once: its reduction_loops chunk, or the chunk of
    the user's own loop over the row (block sizes [rows, chunk]); None: the whole row."""
    config = config or {}
    sizes = config.get("block_sizes") or []
    if len(sizes) == 2:
        return sizes[1]
    return (config.get("reduction_loops") or [None])[0]


def _forms(space: list[dict]) -> list[dict]:
    """The first whole-row configuration, the first of the narrowest chunk, of the widest and
    the first pipelined one: each form the space offers, read by one run each."""
    picks = [
        next((c for c in space if _chunk(c) is None), None),
        min(space, key=lambda c: _chunk(c) or 1 << 30, default=None),
        max(space, key=lambda c: _chunk(c) or 0, default=None),
        next((c for c in space if "num_stages" in c), None),
    ]
    sample: list[dict] = []
    for config in picks:
        if config is not None and config not in sample:
            sample.append(config)
    return sample


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [k + s for k in KERNELS for s in SPELLINGS])
def test_each_form_of_the_space_matches_float64(name, width):
    workload = _workload(name, width)
    if not (ROOT / workload.file).exists():
        pytest.skip(f"{workload.file} is not here (Helion's examples are git-ignored)")
    torch.manual_seed(width)
    inputs = workload.make(torch.float32, "cpu")
    if name.startswith(("softmax", "cross_entropy")):
        inputs = (inputs[0] * 4, *inputs[1:])  # peaked rows: the max matters
    args = workload.kernel_args(device_args(inputs))
    kernel = bench.user_kernel(workload)
    space, _ = tuning_space(kernel, args, tune_settings({}), TARGETS["sm_90"])
    exact = reference(workload, inputs)
    forms = _forms(space) or [None]
    if width > 4096 and any("reduction_loops" in c for c in space):  # chunks of 512 too
        assert min(_chunk(c) or 1 << 30 for c in forms) == 512
    for config in forms:
        result = workload.pick(kernel.bind(args, config).launcher(*args))
        assert_matches(result.cpu(), exact, torch.float32)
