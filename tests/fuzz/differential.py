"""Run one generated kernel three ways (generated Triton, reference mode, float64) and compare."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from types import ModuleType

import torch

import transpiler
from transpiler.compile.frontend.errors import InternalTranspilerError, TranspileError
from transpiler.reference.mode import reference_function
from transpiler.run.runtime import load_module

from .strategies import Case, FuzzKernel

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


class FuzzFailure(AssertionError):
    """A generated kernel that the transpiler refused, crashed on, or computed wrongly."""

    def __init__(self, kind: str, kernel: FuzzKernel, detail: str, case: Case | None = None):
        self.kind = kind
        where = f"\ninputs: {case.description}" if case is not None else ""
        super().__init__(f"{kind}: {detail}\n--- kernel ---\n{kernel.source}{where}")


@dataclass
class Tally:
    """Counts of a fuzzing run."""

    kernels: int = 0
    inputs: int = 0
    skipped_inputs: int = 0  # the reference itself raised: not a valid input for the kernel
    failures: dict[str, int] = field(default_factory=dict)
    skip_reasons: dict[str, int] = field(default_factory=dict)

    def add_failure(self, kind: str) -> None:
        self.failures[kind] = self.failures.get(kind, 0) + 1


def transpiled(kernel: FuzzKernel, example: Case) -> ModuleType:
    """Transpile and load `kernel`; a refusal or internal error is a FuzzFailure."""
    try:
        result = transpiler.transpile_module(
            kernel.source, filename="fuzzed.py", example_args={"fuzzed": example.args}
        )
    except InternalTranspilerError as error:
        raise FuzzFailure("internal-error", kernel, str(error)) from error
    except TranspileError as error:
        raise FuzzFailure("refused", kernel, str(error)) from error
    except Exception as error:
        raise FuzzFailure("crash", kernel, traceback.format_exc()) from error
    return load_module(result.code, stem="fuzzed")


def _on_device(value: object, dtype: dict[bool, torch.dtype] | None = None) -> object:
    """A tensor on DEVICE (widened to float64 / int64 when `dtype` says so); scalars as they are."""
    if not isinstance(value, torch.Tensor):
        return value
    if dtype is not None:
        value = value.to(dtype[value.dtype.is_floating_point])
    return value.to(DEVICE)


WIDE = {True: torch.float64, False: torch.int64}


def tolerance(kernel: FuzzKernel, case: Case, output: torch.Tensor) -> float:
    """Relative tolerance: float16 anywhere on the way → 2e-2, else 1e-4; integers exact."""
    if kernel.integer and not output.dtype.is_floating_point:
        return 0.0
    dtypes = {a.dtype for a in case.args if isinstance(a, torch.Tensor)} | {output.dtype}
    return 2e-2 if kernel.lossy or torch.float16 in dtypes else 1e-4


def compare(
    kernel: FuzzKernel, case: Case, ours: torch.Tensor, truth: torch.Tensor, label: str
) -> None:
    """Same shape; values within tolerance of the truth, scaled by its largest magnitude."""
    if not isinstance(ours, torch.Tensor) or ours.shape != truth.shape:
        shape = getattr(ours, "shape", type(ours).__name__)
        raise FuzzFailure("mismatch", kernel, f"{label}: shape {shape} != {truth.shape}", case)
    rtol = tolerance(kernel, case, ours)
    ours, truth = ours.cpu().double(), truth.cpu().double()
    finite = truth[torch.isfinite(truth)]
    scale = max(1.0, finite.abs().max().item()) if finite.numel() else 1.0
    close = torch.isclose(ours, truth, rtol=rtol, atol=rtol * scale, equal_nan=True)
    if not bool(close.all()):
        bad = (~close).nonzero()[0].tolist()
        detail = (
            f"{label}: {int((~close).sum())} of {close.numel()} elements differ; at {bad} "
            f"ours={ours[tuple(bad)].item()!r} expected={truth[tuple(bad)].item()!r}"
        )
        raise FuzzFailure("mismatch", kernel, detail, case)


def check(kernel: FuzzKernel, inputs: list[Case], tally: Tally | None = None) -> None:
    """Transpile once, then each case: generated vs reference mode vs float64 reference."""
    tally = tally if tally is not None else Tally()
    module = transpiled(kernel, inputs[0])
    reference = reference_function(kernel.source, "fuzzed", filename="fuzzed.py")
    tally.kernels += 1
    for case in inputs:
        try:
            expected = reference(*[_on_device(a) for a in case.args])
            wide = reference(*[_on_device(a, WIDE) for a in case.args])
        except Exception as error:
            tally.skipped_inputs += 1
            reason = f"{type(error).__name__}: {str(error)[:80]}"
            tally.skip_reasons[reason] = tally.skip_reasons.get(reason, 0) + 1
            continue
        tally.inputs += 1
        try:
            ours = module.fuzzed(*[_on_device(a) for a in case.args])
        except Exception as error:
            detail = traceback.format_exc(limit=-3)
            raise FuzzFailure("runtime-error", kernel, detail, case) from error
        if ours.dtype != expected.dtype:
            raise FuzzFailure(
                "mismatch", kernel, f"dtype {ours.dtype} != reference {expected.dtype}", case
            )
        compare(kernel, case, ours, expected, "vs reference mode")
        compare(kernel, case, ours, wide, "vs float64 / int64 evaluation")
