"""Every test kernel and golden kernel compiles for Hopper, Blackwell and MI300X, on the CPU.

Each kernel of tests/kernels is called as the suite calls it (its largest recorded case in
helion_oracle_cases.json); each golden kernel with a small call of its own. The launches are
recorded once and all compiles submitted at the start to the compiling subprocess, which works
through them while the tests wait on theirs in turn (`pytest -m targets`; docs/testing.md).
The notebooks' kernels are compiled for the same targets while nbval runs them (.ci/run sets
TRANSPILER_COMPILE_CHECK for the notebook kernel; `%load_ext magics` installs the check).
"""

from __future__ import annotations

import functools
from concurrent.futures import Future
from pathlib import Path

import pytest
import torch
from helion_oracle import load_cases, make

import transpiler
from transpiler.run.runtime import load_module
from transpiler.targets import TargetResult, client, target_named
from transpiler.targets.capture import record_launches
from transpiler.targets.client import submit

pytestmark = pytest.mark.targets

TARGETS = ("sm_90", "sm_100", "gfx942")
TESTS = Path(__file__).resolve().parent
UNRECORDED_CALLS = {  # tests/kernels files the oracle has no case of (callables, inline Triton)
    "epilogues": {
        "matmul": lambda: (
            torch.randn(37, 64, dtype=torch.float16),
            torch.randn(64, 29, dtype=torch.float16),
        ),
        "leaky_rows": lambda: (torch.randn(9, 70),),
    },
    "jit_helpers": {"uses_jit_helper": lambda: (torch.randn(300), torch.randn(300))},
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
        args = arguments()
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


def test_the_cases_cover_every_test_kernel_file() -> None:
    files = {path.name for path, _, _ in CALLS.values() if path.parent.name == "kernels"}
    expected = {p.name for p in (TESTS / "kernels").glob("*.py") if p.name != "__init__.py"}
    assert files == expected
    assert len(CALLS) >= 90


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
