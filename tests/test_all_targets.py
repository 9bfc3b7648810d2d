"""Every test kernel and golden kernel compiles for Hopper, Blackwell and MI300X, on the CPU.

Each kernel of tests/kernels is called as the suite calls it (its largest recorded case in
helion_oracle_cases.json); each golden kernel with a small call of its own. The launches are
recorded once and all compiles submitted at the start to the compiling subprocess, which works
through them while the tests wait on theirs in turn (`pytest -m targets`; docs/testing.md).
The notebooks' kernels are compiled for the same targets while nbval runs them (.ci/run sets
TRANSPILER_COMPILE_CHECK for the notebook kernel; `%load_ext magics` installs the check).
"""

from __future__ import annotations

import ast
import functools
from concurrent.futures import Future
from pathlib import Path

import pytest
import torch
from helion_oracle import load_cases, make
from helpers import device_args
from test_functional_composites import CASES as COMPOSITE_CASES
from test_plan_constructs import CASES as PLAN_CASES

import transpiler
from transpiler.analysis.targets import TargetResult, client, target_named
from transpiler.analysis.targets.capture import record_launches
from transpiler.analysis.targets.client import submit
from transpiler.run.runtime import load_module

pytestmark = pytest.mark.targets

TARGETS = ("sm_90", "sm_100", "gfx942")
TESTS = Path(__file__).resolve().parent


def _rows(n: int = 300) -> torch.Tensor:
    return torch.randn(5, n)


UNRECORDED_CALLS = {  # tests/kernels files the oracle has no case of (callables, inline Triton,
    # files newer than its recording): kernel → its arguments
    "epilogues": {
        "matmul": lambda: (
            torch.randn(37, 64, dtype=torch.float16),
            torch.randn(64, 29, dtype=torch.float16),
        ),
        "leaky_rows": lambda: (torch.randn(9, 70),),
    },
    "jit_helpers": {"uses_jit_helper": lambda: (torch.randn(300), torch.randn(300))},
    "reduction_loops": {
        "row_reductions": lambda: (_rows(),),
        "softmax_builtin": lambda: (_rows(),),
        "log_softmax_scaled": lambda: (_rows(), 0.7),
        "layer_norm": lambda: (_rows(), torch.randn(300), torch.randn(300)),
        "rms_norm": lambda: (_rows(), torch.randn(300)),
        "cross_entropy": lambda: (_rows(), torch.randint(0, 300, (5,))),
        "cross_entropy_one_row": lambda: (_rows(), torch.randint(0, 300, (5,))),
        "column_sums": lambda: (_rows(),),
        "running_cumsum": lambda: (_rows(),),
        "argmax_and_rms": lambda: (_rows(),),
        "rows_times_matrix": lambda: (torch.randn(32, 100), torch.randn(100, 16)),
        "shifted_rows": lambda: (_rows(), torch.randn(5) + 5),
        "two_phases": lambda: (torch.randn(5, 301), torch.randn(4, 333)),
    },
    "float8": {
        "scaled_float8_matmul": lambda: (
            (torch.randn(37, 80) * 2).to(torch.float8_e4m3fn),
            (torch.randn(80, 29) * 2).to(torch.float8_e4m3fn),
            torch.rand(37) + 0.5,
            torch.rand(29) + 0.5,
        ),
        "quantize_rows": lambda: (torch.randn(19, 300, dtype=torch.float16),),
        "dequantize_to_e5m2": lambda: (
            torch.randn(23, 45).to(torch.float8_e4m3fn),
            torch.rand(23) + 0.5,
            torch.randn(45),
        ),
        "float8_attention": lambda: (
            torch.randn(50, 32).to(torch.float8_e4m3fn),
            torch.randn(70, 32).to(torch.float8_e4m3fn),
            torch.randn(70, 32).to(torch.float8_e4m3fn),
            0.18,
        ),
    },
    "jagged": {  # the hl.jagged_tile / hl.vtile kernels, newer than the oracle's recording
        "jagged_row_sum": lambda: (torch.randn(11, 75), torch.randint(0, 76, (11,))),
        "jagged_mean_packed": lambda: (torch.randn(30), torch.tensor([0, 4, 4, 20, 27, 30])),
        "jagged_feature_mean": lambda: (
            torch.randn(30, 6),
            torch.tensor([0, 4, 4, 20, 27, 30]),
            torch.randint(1, 7, (5,), dtype=torch.int32),
            6,
        ),
        "vtile_column_sums": lambda: (torch.randn(30, 7), torch.tensor([0, 4, 4, 20, 27, 30])),
        "vtile_row_matmul": lambda: (
            torch.tensor([0, 2, 2, 21, 22, 30]),
            torch.randn(30, 9),
            torch.randn(5, 9, 6),
        ),
    },
    "jagged_lanes": {
        "jagged_row_max": lambda: (
            torch.randn(11, 75),
            torch.tensor([0, 3, 1, 70, 2, 9, 0, 5, 1, 4, 8]),
        ),
        "jagged_head_sums": lambda: (torch.randn(5, 3, 37), torch.randint(0, 38, (5, 3))),
        "jagged_to_padded": lambda: (torch.randn(30, 6), torch.tensor([0, 3, 3, 20, 21, 30]), 19),
        "vtile_row_logsumexp": lambda: (torch.randn(30), torch.tensor([0, 4, 5, 20, 27, 30])),
        "jagged_sum_fixed_block": lambda: (torch.randn(11, 75), torch.randint(0, 76, (11,))),
        "jagged_column_means": lambda: (torch.randn(7, 23, 9), torch.randint(0, 24, (7,))),
        "vtile_row_sum_block_none": lambda: (torch.randn(11, 75), torch.randint(0, 76, (11,))),
    },
    "helper_loops": {
        "scaled_row_sums": lambda: (torch.randn(37, 300),),
        "row_sum_difference": lambda: (torch.randn(29, 133), torch.randn(29, 133)),
        "row_variance": lambda: (torch.randn(23, 301),),
        "matmul_with_bias": lambda: (
            torch.randn(37, 70, dtype=torch.float16),
            torch.randn(70, 45, dtype=torch.float16),
            torch.randn(45, dtype=torch.float16),
        ),
    },
    "mask_mods": {
        "masked_scores": lambda: (
            torch.randn(37, 45),
            lambda score, rows, cols: score * 0.5,
            lambda rows, cols: rows >= cols,
        ),
        "flags_by_keyword": lambda: (torch.randn(37, 45),),
        "scaled_by_block_table": lambda: (torch.randn(37, 45), torch.randn(1, 1), 64),
        "rows_from_loaded_index": lambda: (
            torch.randn(7, 45),
            torch.zeros(7, dtype=torch.int64),
            torch.randn(1, 45),
        ),
    },
    "plan_constructs": {name: make for name, (make, _) in PLAN_CASES.items()},
    "composites": {  # float32 arguments of test_functional_composites' cases
        name: functools.partial(make, torch.float32) for name, (make, _) in COMPOSITE_CASES.items()
    },
}
# Kernels whose tests call them through helpers.generated: no recorded case and no call here
# yet (their tests' own launches are compiled for sm_90 by conftest's check).
NOT_CALLED_YET = {
    ("example_fixes.py", "scaled_rows_then_sum"),
    ("example_fixes.py", "float8_matmul"),
    ("newest_examples.py", "chunked_products"),
}
GOLDEN_CALLS = {  # golden file → kernel → its arguments
    "add": {"add": lambda: (torch.randn(1000), torch.randn(1000))},
    "softmax": {"softmax": lambda: (torch.randn(9, 70),)},
    "layer_norm": {"layer_norm": lambda: (torch.randn(9, 70), torch.randn(70), torch.randn(70))},
    "online_softmax": {"softmax_two_pass": lambda: (torch.randn(5, 200),)},
    "outer_grid": {
        "outer_scaled": lambda: (torch.randn(13), torch.randn(17), 0.5),
        "row_cumsum": lambda: (torch.randn(4, 33),),
    },
}


def _numel(case: dict) -> int:
    return sum(torch.Size(a["shape"]).numel() for a in case["args"] if "shape" in a)


def kernel_calls() -> dict[str, tuple[Path, str, callable]]:
    """id → (file, kernel, its arguments): one per kernel of tests/kernels and the goldens."""
    largest: dict[tuple[str, str], dict] = {}
    for case in load_cases():
        key = (case["file"], case["kernel"])
        if key not in largest or _numel(case) > _numel(largest[key]):
            largest[key] = case
    calls = {}
    for (file, kernel), case in sorted(largest.items()):
        generator = torch.Generator().manual_seed(0)
        calls[f"kernels.{file[:-3]}.{kernel}"] = (
            TESTS / "kernels" / file,
            kernel,
            lambda case=case, generator=generator: tuple(make(a, generator) for a in case["args"]),
        )
    for folder, table in (("kernels", UNRECORDED_CALLS), ("golden", GOLDEN_CALLS)):
        for name, kernels in table.items():
            for kernel, arguments in kernels.items():
                path = TESTS / folder / f"{name}.py"
                calls[f"{folder}.{name}.{kernel}"] = (path, kernel, arguments)
    return calls


CALLS = kernel_calls()


@functools.cache
def submitted() -> dict[str, list[tuple[str, Future]]]:
    """Every call's launches, recorded and submitted for every target (once per session)."""
    futures: dict[str, list[tuple[str, Future]]] = {}
    client.WORKERS = max(client.WORKERS, 2)  # the tests only wait: a second core compiles
    targets = [target_named(name) for name in TARGETS]
    for case, (path, kernel, arguments) in CALLS.items():
        args = device_args(arguments())  # a launcher refuses CPU tensors on a GPU machine
        transpiled = transpiler.transpile_module(
            path.read_text(), filename=path.name, example_args={kernel: args}, only=(kernel,)
        )
        launcher = getattr(load_module(transpiled.code, stem=kernel), kernel)
        futures[case] = [
            (target.name, submit(launch, target))
            for target in targets
            for launch in record_launches(launcher, args, {}, target)
        ]
    return futures


def test_every_test_kernel_has_a_call() -> None:
    called = {(path.name, kernel) for path, kernel, _ in CALLS.values()}
    missing = [
        (path.name, node.name)
        for path in sorted((TESTS / "kernels").glob("*.py"))
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.FunctionDef) and any("kernel" in ast.unparse(d) for d in node.decorator_list)
        and (path.name, node.name) not in called
    ]  # fmt: skip
    added = sorted(set(missing) - NOT_CALLED_YET)
    assert not added, f"add calls to UNRECORDED_CALLS (or record oracle cases) for {added}"
    assert set(missing) == NOT_CALLED_YET, "called now: drop them from NOT_CALLED_YET"


@pytest.mark.parametrize("case", CALLS)
def test_compiles_for_hopper_blackwell_and_mi300x(case: str) -> None:
    futures = submitted()[case]
    assert {target for target, _ in futures} == set(TARGETS), "launches nothing"
    for target, future in futures:
        result: TargetResult = future.result()  # a GPUCompileError at the kernel's line
        assert result.registers > 0 and result.target.name == target
        assert (
            result.mix.get("global_stores", 0)
            + result.mix.get("atomics", 0)
            + result.mix.get("tma_copies", 0)
            > 0
        ), f"{case} on {target} stores nothing"
