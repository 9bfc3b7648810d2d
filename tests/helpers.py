"""Shared test helpers: transpile a kernel file, load it, and get both truths for a kernel."""

from __future__ import annotations

import functools
from pathlib import Path

import torch

import transpiler
from transpiler.reference import reference_function
from transpiler.runtime import load_module

KERNELS = Path(__file__).parent / "kernels"


@functools.cache
def kernel_source(file: str) -> str:
    return (KERNELS / file).read_text()


def generated(source: str, name: str, *args: object, filename: str = "kernels.py"):
    """The generated launcher for `name`, specialised on the arguments' ranks."""
    transpiled = transpiler.transpile_module(
        source, filename=filename, example_args={name: args}, only=(name,)
    )
    module = load_module(transpiled.code, stem=name)
    return getattr(module, name)


def reference(source: str, name: str):
    return reference_function(source, name, filename="kernels.py")


def both_truths(file: str, name: str, *args: object):
    """(generated result, reference-mode result) of one kernel on the same inputs."""
    source = kernel_source(file)
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    return generated(source, name, *args)(*args), reference(source, name)(*fresh)


def tolerance(dtype: torch.dtype) -> dict[str, float]:
    if dtype in (torch.float16, torch.bfloat16):
        return {"atol": 2e-2, "rtol": 2e-2}
    return {"atol": 2e-5, "rtol": 2e-5}


def assert_matches(actual: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype | None = None):
    """Compare in float64, with the tolerance of the computation's dtype."""
    dtype = dtype or actual.dtype
    torch.testing.assert_close(
        actual.double(), expected.double(), **tolerance(dtype), equal_nan=True
    )
