"""Shared test helpers: transpile a kernel file, load it, and get both truths for a kernel."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import torch

import transpiler
from transpiler.reference.mode import reference_function
from transpiler.run.runtime import load_module

KERNELS = Path(__file__).parent / "kernels"


@functools.cache
def kernel_source(file: str) -> str:
    return (KERNELS / file).read_text()


def transpiler_kernels(file: str):
    """A tests/kernels file loaded as a module whose kernels are `transpiler.kernel` objects
    (its `import helion` / `import helion.language as hl` read as the transpiler's)."""
    source = (
        kernel_source(file)
        .replace("import helion\n", "import transpiler as helion\n")
        .replace("import helion.language as hl\n", "import transpiler.language as hl\n")
    )
    return load_module(source, stem=Path(file).stem)


DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
# Triton's interpreter rounds float32 → bfloat16 wrongly: bfloat16 results are checked on GPUs.
GPU_ONLY_BF16 = pytest.param(
    torch.bfloat16,
    marks=pytest.mark.skipif(
        DEVICE == "cpu", reason="Triton's interpreter rounds bfloat16 wrongly"
    ),
    id="torch.bfloat16",
)


# Tests of CPU-interpreter behaviour written with CPU tensors (or Triton source in strings,
# which compiled kernels refuse): on a GPU machine they would test nothing we ship.
CPU_INTERPRETER_ONLY = pytest.mark.skipif(
    DEVICE == "cuda", reason="a CPU-interpreter test (CPU tensors or Triton source in a string)"
)


def _moved_keeping_aliases(args: tuple) -> list:
    """Tensors on DEVICE; arguments sharing memory on the CPU (the same tensor twice, views of
    one buffer) share it there too, so aliasing tests mean the same on a GPU."""
    storages: dict[int, torch.Tensor] = {}
    moved = []
    for a in args:
        if not isinstance(a, torch.Tensor) or a.device.type == DEVICE:
            moved.append(a)
            continue
        key = a.untyped_storage().data_ptr()
        if key not in storages:
            whole = torch.empty(0, dtype=a.dtype).set_(a.untyped_storage())
            storages[key] = whole.to(DEVICE)
        base = storages[key]
        if base.dtype != a.dtype:  # a view of the same bytes as another dtype: copied alone
            moved.append(a.to(DEVICE))
            continue
        moved.append(base.as_strided(a.size(), a.stride(), a.storage_offset()))
    return moved


def device_args(args: tuple) -> tuple:
    """`args` with their tensors on DEVICE (views of one buffer still sharing it there)."""
    return tuple(_moved_keeping_aliases(args))


def _overlaps(t: torch.Tensor) -> bool:
    """Whether elements of `t` share memory (an `expand`ed input: no kernel writes one)."""
    return any(stride == 0 and size > 1 for stride, size in zip(t.stride(), t.size()))


def on_device(function):
    """Run `function` with tensor arguments on DEVICE; results come back to the CPU, and so do
    the arguments (a kernel's outputs passed in are written in place)."""

    def run(*args: object):
        moved = _moved_keeping_aliases(args)
        result = function(*moved)
        for given, used in zip(args, moved, strict=True):  # what the kernel wrote in place
            if isinstance(given, torch.Tensor) and used is not given and not _overlaps(given):
                given.copy_(used.cpu())
        if isinstance(result, tuple):
            return tuple(r.cpu() for r in result)
        return result.cpu() if isinstance(result, torch.Tensor) else result

    return run


def block_sizes(code: str) -> dict[str, str]:
    """The launchers' block sizes in `code` (a module or a piece of one), by name → the text of
    the value: `BLOCK_M = 64` and the joined `BLOCK_K, BLOCK_M = 32, 64` (literal sizes) alike;
    a later assignment of a name wins."""
    found: dict[str, str] = {}
    for match in re.finditer(r"^ *(BLOCK_\w+(?:, BLOCK_\w+)*) = (.+?)(?:  #.*)?$", code, re.M):
        names = match[1].split(", ")
        values = match[2].split(", ") if len(names) > 1 else [match[2]]
        found.update(zip(names, values, strict=True))
    return found


def generated(source: str, name: str, *args: object, filename: str = "kernels.py"):
    """The generated launcher for `name`, specialised on the arguments' ranks."""
    transpiled = transpiler.transpile_module(
        source, filename=filename, example_args={name: args}, only=(name,)
    )
    module = load_module(transpiled.code, stem=name)
    return on_device(getattr(module, name))


def reference(source: str, name: str):
    return on_device(reference_function(source, name, filename="kernels.py"))


def both_truths(file: str, name: str, *args: object):
    """(generated result, reference-mode result) of one kernel on the same inputs."""
    source = kernel_source(file)
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    return generated(source, name, *args)(*args), reference(source, name)(*fresh)


def kernel_text(source: str, name: str, *args: object) -> str:
    """The generated device code of kernel `name` (its @triton.jit kernels, up to the
    launcher), specialised on the arguments' ranks."""
    code = transpiler.transpile_module(source, example_args={name: args}, only=(name,)).code
    return code[code.index(f"def {name}_kernel") : code.index(f"\ndef {name}(")]


def signed_rand(*shape: int) -> torch.Tensor:
    """Fresh float32 values in (-1, -0.05] ∪ [0.05, 1): both signs, no zeros."""
    values = torch.rand(*shape, dtype=torch.float64) * 0.95 + 0.05
    signs = torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0).double()
    return (values * signs).float()


def one_line(code: str) -> str:
    """Generated text with its wrapping undone: whitespace runs as one space, none after an
    opening bracket or before a closing one (tests read code, not where lines break)."""
    flat = re.sub(r"\s+", " ", code)
    return re.sub(r"\s+([)\]])", r"\1", re.sub(r"([(\[])\s+", r"\1", flat))


def tolerance(dtype: torch.dtype) -> dict[str, float]:
    if dtype in (torch.float16, torch.bfloat16):
        return {"atol": 2e-2, "rtol": 2e-2}
    return {"atol": 2e-5, "rtol": 2e-5}


def dot_tolerance(dtype: torch.dtype) -> dict[str, float]:
    """A product's tolerance: on a GPU, float32 `tl.dot` runs as TF32 (Triton's default)."""
    if dtype == torch.float32 and DEVICE == "cuda":
        return {"atol": 2e-2, "rtol": 2e-2}
    return tolerance(dtype)


def product_tolerance(dtype: torch.dtype, **bound: float) -> dict[str, float]:
    """A product test's own `bound`, unless a GPU runs its float32 `tl.dot` as TF32: then
    dot_tolerance's (the interpreter multiplies in full float32)."""
    if dtype == torch.float32 and DEVICE == "cuda":
        return dot_tolerance(dtype)
    return bound


def assert_matches(
    actual: torch.Tensor,
    expected: torch.Tensor,
    dtype: torch.dtype | None = None,
    dots: bool = False,
):
    """Compare in float64, with the tolerance of the computation's dtype (`dots`: of a product)."""
    dtype = dtype or actual.dtype
    bound = dot_tolerance(dtype) if dots else tolerance(dtype)
    torch.testing.assert_close(actual.double(), expected.double(), **bound, equal_nan=True)
