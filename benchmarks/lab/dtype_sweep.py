"""Lab: every test kernel in float64, float16, bfloat16 and int32: does what runs in Triton's
CPU interpreter also compile for sm_90, and does it compute as torch (wide17)?

Each kernel of tests/kernels and the goldens is called as tests/test_all_targets.py calls it
(its largest recorded oracle case, else its table entry), its float arguments converted to the
dtype (int32: small nonzero integers in place of floats). float64 and float16 run in the
interpreter against the same source run eagerly by torch on float64 copies (reference mode);
int32 against it on the same int32 values; bfloat16 only compiles (the interpreter rounds
bfloat16 wrongly). Every launch is compiled for sm_90 (GPUTarget("cuda", 90, 32)) on the CPU.
A kernel that runs in the interpreter but fails the compile is a bug ("interp only"); "no
reference": the kernel ran and compiled, reference mode raised (torch refusing int32 softmax,
or a @triton.jit helper reference mode cannot run).

    TRITON_INTERPRET=1 python benchmarks/lab/dtype_sweep.py [--dtypes float64,float16] [NAME ...]

NAME filters the calls by substring ("attention", "matrix."). Prints one row per kernel.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TRITON_INTERPRET", "1")

import torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import transpiler  # noqa: E402
from transpiler import errors  # noqa: E402
from transpiler.analysis.targets import target_named  # noqa: E402
from transpiler.analysis.targets.capture import record_launches  # noqa: E402
from transpiler.analysis.targets.client import submit  # noqa: E402
from transpiler.reference.mode import reference_function  # noqa: E402
from transpiler.run.runtime import load_module  # noqa: E402

DTYPES = {"float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16}
DTYPES["int32"] = torch.int32
RUNS = {"float64", "float16", "int32"}  # checked in the interpreter; bfloat16 only compiles
# |ours - torch's float64| within atol + rtol * |torch's|: float64 inputs, halves
BOUNDS = {"float64": 1e-6, "float16": 3e-2, "int32": 0.0}
_WIDE = (torch.float32, torch.float16, torch.bfloat16, torch.float64)


def converted(args: tuple, dtype: torch.dtype) -> tuple:
    """The arguments with their float tensors in `dtype` (int32: nonzero integers -9..9)."""
    out = []
    for a in args:
        if isinstance(a, torch.Tensor) and a.dtype in _WIDE:
            if dtype == torch.int32:
                values = torch.randint(1, 10, a.shape) * torch.where(
                    torch.rand(a.shape) < 0.5, -1, 1
                )
                out.append(values.to(torch.int32))
            else:
                out.append(a.to(dtype))
        else:
            out.append(a)
    return tuple(out)


def tensors_of(result, args: tuple) -> list[torch.Tensor]:
    """What the call gave: its returned tensors, else the arguments it wrote in place."""
    items = result if isinstance(result, (tuple, list)) else (result,)
    found = [t for t in items if isinstance(t, torch.Tensor)]
    return found or [a for a in args if isinstance(a, torch.Tensor)]


def error(ours: list[torch.Tensor], exact: list[torch.Tensor]) -> float:
    """The largest |ours - exact| / (1 + |exact|) over the outputs (inf where shapes differ)."""
    worst = 0.0
    for a, b in zip(ours, exact, strict=True):
        if a.shape != b.shape:
            return float("inf")
        a, b = a.double(), b.double()
        both_nan = torch.isnan(a) & torch.isnan(b)
        same = (a == b) | both_nan
        gap = torch.where(same, 0.0, (a - b).abs() / (1 + b.abs()))
        worst = max(worst, float(gap.nan_to_num(float("inf")).max()) if gap.numel() else 0.0)
    return worst


class TorchRefuses(Exception):
    """Reference mode (torch on the same source) raised where the kernel ran."""


def interpreted_error(path: Path, kernel: str, launcher, args: tuple) -> float:
    """The interpreter's result against reference mode run on float64 copies of `args`."""
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    ours = tensors_of(launcher(*fresh), fresh)
    wide = [
        a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args
    ]
    try:
        reference = reference_function(path.read_text(), kernel, filename=path.name)
        exact = tensors_of(reference(*wide), wide)
    except Exception as refusal:  # noqa: BLE001 - torch's error, or reference mode's
        raise TorchRefuses(f"{type(refusal).__name__}: {str(refusal)[:60]}") from refusal
    return error(ours, exact)


def float32_error(path: Path, kernel: str, arguments) -> float:
    """The same check on the float32 arguments the suite uses: what reference mode's whole-range
    tiles (`tile.begin`) and torch's own float32 accumulators (`acc += x64` keeps float32)
    differ by in any dtype."""
    torch.manual_seed(0)
    args = arguments()
    code = transpiler.transpile_module(
        path.read_text(), filename=path.name, example_args={kernel: args}, only=(kernel,)
    ).code
    launcher = getattr(load_module(code, stem=f"{kernel}_float32"), kernel)
    return interpreted_error(path, kernel, launcher, args)


def one(path: Path, kernel: str, arguments, dtype_name: str) -> tuple[str, str]:
    """(status, detail) of one kernel in one dtype."""
    dtype = DTYPES[dtype_name]
    torch.manual_seed(0)
    args = converted(arguments(), dtype)
    source = path.read_text()
    try:
        code = transpiler.transpile_module(
            source, filename=path.name, example_args={kernel: args}, only=(kernel,)
        ).code
        launcher = getattr(load_module(code, stem=f"{kernel}_{dtype_name}"), kernel)
        launches = record_launches(launcher, args, {}, target_named("sm_90"))
    except errors.TranspileError as refusal:
        return "refused", type(refusal).__name__
    except (TypeError, ValueError, RuntimeError, IndexError) as refusal:  # the launcher's
        return "refused", f"launcher {type(refusal).__name__}: {str(refusal)[:60]}"
    futures = [submit(launch, target_named("sm_90")) for launch in launches]
    ran, detail = None, ""
    if dtype_name in RUNS:
        try:
            gap = interpreted_error(path, kernel, launcher, args)
            ran, detail = gap <= BOUNDS[dtype_name], f"error {gap:.1e}"
        except TorchRefuses as refusal:  # ours runs: a refusal of torch's we do not share
            ran, detail = None, f"reference {refusal}"
        except Exception as failure:  # noqa: BLE001 - a lab table: every failure is a row
            ran, detail = False, f"interpreter {type(failure).__name__}: {str(failure)[:60]}"
        if ran is False and detail.startswith("error"):
            baseline = float32_error(path, kernel, arguments)
            if gap <= max(10 * baseline, BOUNDS[dtype_name]):  # no worse than float32's
                why = "reference mode's tiles" if baseline > 1e-4 else "torch's float32 parts"
                ran, detail = True, f"{detail}, float32's {baseline:.1e}: {why}"
    compiled, why = True, ""
    for future in futures:
        try:
            future.result()
        except Exception as failure:  # noqa: BLE001 - GPUCompileError, or the worker's
            compiled, why = False, str(failure).splitlines()[0][:90]
    if not compiled:
        return ("interp only" if ran else "compile fail"), why
    if ran is None:  # bfloat16, or what reference mode refuses
        return ("no reference" if detail else "compiles"), detail
    return ("ok" if ran else "WRONG"), detail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--dtypes", default=",".join(DTYPES))
    parser.add_argument("--shard", default="0/1", help="i/n: every n-th kernel from the i-th")
    options = parser.parse_args()
    from test_all_targets import CALLS

    dtypes = options.dtypes.split(",")
    index, count = (int(part) for part in options.shard.split("/"))
    named = [k for k in CALLS if not options.names or any(n in k for n in options.names)]
    chosen = {k: CALLS[k] for k in named[index::count]}
    print(f"| kernel | {' | '.join(dtypes)} |")
    print("|---" * (len(dtypes) + 1) + "|")
    counts: dict[str, int] = {}
    started = time.perf_counter()
    for case, (path, kernel, arguments) in chosen.items():
        cells = []
        for name in dtypes:
            status, detail = one(path, kernel, arguments, name)
            counts[status] = counts.get(status, 0) + 1
            shown = detail and (status != "ok" or "float32's" in detail)
            cells.append(f"{status}" + (f" ({detail})" if shown else ""))
        print(f"| {case} | {' | '.join(cells)} |", flush=True)
    summary = ", ".join(f"{status}: {count}" for status, count in sorted(counts.items()))
    print(
        f"\n{len(chosen)} kernels x {len(dtypes)} dtypes in {time.perf_counter() - started:.0f} s: {summary}"
    )


if __name__ == "__main__":
    main()
