"""One argument case run three ways: generated Triton (interpreter), reference mode on float64
inputs, and what torch computes in float64; or the TranspileError it must raise, at its column."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

import transpiler
from transpiler.compile.frontend.errors import InternalTranspilerError, TranspileError
from transpiler.reference.mode import reference_function
from transpiler.run.runtime import load_module

HEAD = (
    "import torch\nimport torch.nn.functional as F\nimport helion\nimport helion.language as hl\n"
)
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


@dataclass(frozen=True)
class Inputs:
    """A kernel's arguments: float tensors drawn fresh (no zeros), integer ones as given."""

    shapes: tuple[tuple[int, ...], ...]
    dtypes: tuple[torch.dtype, ...] = ()
    extra: tuple = field(default=())  # non-tensor arguments after the tensors

    def draw(self, seed: int) -> tuple:
        generator = torch.Generator().manual_seed(seed)
        tensors = []
        for i, shape in enumerate(self.shapes):
            dtype = self.dtypes[i] if i < len(self.dtypes) else torch.float32
            if dtype.is_floating_point:
                magnitude = torch.rand(shape, generator=generator) * 1.5 + 0.25
                sign = torch.randint(0, 2, shape, generator=generator) * 2 - 1
                tensors.append((magnitude * sign).to(dtype))
            else:
                tensors.append(torch.randint(1, 7, shape, generator=generator, dtype=dtype))
        return (*(t.to(DEVICE) for t in tensors), *self.extra)


def widened(args: tuple) -> tuple:
    """float64 copies of the float tensors (int64 of the integer ones), for the references."""
    out = []
    for a in args:
        if isinstance(a, torch.Tensor):
            a = a.double() if a.is_floating_point() else a.clone()
        out.append(a)
    return tuple(out)


def transpiled(source: str, name: str, args: tuple):
    result = transpiler.transpile_module(
        source, filename="arguments.py", example_args={name: args}, only=(name,)
    )
    return load_module(result.code, stem=name), result


def _tensors(result: object) -> tuple:
    return result if isinstance(result, tuple) else (result,)


def compare(actual: object, expected: object, what: str, tolerance: float) -> None:
    for got, want in zip(_tensors(actual), _tensors(expected), strict=True):
        if isinstance(want, torch.Tensor):
            assert got.shape == want.shape, (
                f"{what}: shape {tuple(got.shape)} != {tuple(want.shape)}"
            )
            torch.testing.assert_close(
                got.double(),
                want.double(),
                atol=tolerance,
                rtol=tolerance,
                equal_nan=True,
                msg=lambda m: f"{what}: {m}",
            )
        else:
            assert got == want, f"{what}: {got!r} != {want!r}"


def run_three_ways(
    source: str, name: str, inputs: Inputs, seed: int, tolerance: float = 2e-5, expected=None
) -> None:
    """Generated code on float32 inputs and reference mode on their float64 copies agree with
    `expected(*float64 inputs)` (torch's own answer) or, without it, with each other."""
    args = inputs.draw(seed)
    module, _ = transpiled(source, name, args)
    generated = getattr(module, name)(
        *[a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    )
    reference = reference_function(source, name, filename="<arguments>")(*widened(args))
    if expected is not None:
        truth = expected(*widened(args))
        compare(reference, truth, "reference mode vs torch (float64)", 1e-9)
    else:
        truth = reference
    compare(generated, truth, "generated Triton vs float64", tolerance)


def refusal(source: str, name: str, inputs: Inputs) -> TranspileError | None:
    """The TranspileError transpiling raises (an internal error is re-raised: never expected)."""
    try:
        transpiled(source, name, inputs.draw(0))
    except InternalTranspilerError:
        raise
    except TranspileError as error:
        return error
    return None
