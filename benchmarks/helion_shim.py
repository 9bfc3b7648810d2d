"""Run programs written against Helion's public API on the transpiler: the module aliases and
our own small stand-in for `helion._testing` (what Helion's examples import from it)."""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

import transpiler
import transpiler.distributed.dist_utils
import transpiler.helion_compat.autotuner
import transpiler.helion_compat.exc
import transpiler.language
from transpiler.compile.ops.hl import DEVICE_LOOPS
from transpiler.run.runtime import Kernel


class WrongResult(AssertionError):
    """A kernel's output (or gradient) differs from the example's own baseline."""


class ReferenceModeError(RuntimeError):
    """Transpile-only: the kernel transpiled, but running it eagerly (to go on) failed."""


class Settings:
    """What the harness asked for, read by the shim's functions."""

    transpile_only = False
    timing = False
    kernels_transpiled: list[str] = []
    checks = 0


def _cuda_available() -> bool:
    return torch.cuda.is_available()


DEVICE = torch.device("cuda" if _cuda_available() else "cpu")
HALF_DTYPE = torch.float16
LONG_INT_TYPE = torch.int64


def _is_cuda(value: object) -> bool:
    if isinstance(value, torch.device):
        return value.type == "cuda"
    return isinstance(value, str) and value.split(":")[0] == "cuda"


class CudaElsewhere(TorchFunctionMode):
    """Without a GPU, `device="cuda"` (and `.cuda()`, `.to("cuda")`) land on `target`: the CPU,
    or the meta device (shapes only, nothing computed) for a quick transpile-only pass."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func is torch.Tensor.cuda:
            return args[0].to(self.target)
        if _is_cuda(kwargs.get("device")):
            kwargs["device"] = self.target
        if func is torch.Tensor.to:
            args = tuple(self.target if _is_cuda(a) else a for a in args)
        return func(*args, **kwargs)


def _transpile_only_call(self: Kernel, *args: Any, **kwargs: Any) -> Any:
    """Transpile and load for these arguments (never launch); return the eager reference
    result so the example's host code can go on."""
    self.bind(args)
    Settings.kernels_transpiled.append(self.name)
    try:
        with _first_iterations_on_meta([*args, *kwargs.values()]):
            return self.run_reference(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - reported as what it is, not as a transpile failure
        raise ReferenceModeError(f"{self.name}: {type(error).__name__}: {error}") from error


@contextlib.contextmanager
def _first_iterations_on_meta(arguments: list[Any]) -> Iterator[None]:
    """On the meta device a device loop computes nothing, so each one runs its first iteration
    only (its shapes checked once) instead of the kernel's whole grid, one program at a time:
    a grid of 10,240 programs of block size 1 (mamba2_chunk_scan) took minutes there, each torch
    op a Python meta function. Arguments on any other device run every iteration."""
    tensors = [a for a in _leaves(arguments) if isinstance(a, torch.Tensor)]
    if not tensors or any(t.device.type != "meta" for t in tensors):
        yield
        return
    saved = {name: getattr(transpiler.language, name) for name in DEVICE_LOOPS}
    for name, loop in saved.items():
        setattr(transpiler.language, name, _first_iteration_of(loop))
    try:
        yield
    finally:
        for name, loop in saved.items():
            setattr(transpiler.language, name, loop)


def _first_iteration_of(loop: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def first_iteration(*args: Any, **kwargs: Any) -> Iterator[Any]:
        return itertools.islice(loop(*args, **kwargs), 1)

    return first_iteration


def _bench(fn: Callable[[], Any]) -> float:
    if Settings.transpile_only or not _cuda_available():
        fn()
        return math.nan
    import triton.testing

    return float(triton.testing.do_bench(fn, return_mode="median"))


@contextlib.contextmanager
def installed(*, transpile_only: bool, timing: bool = False, target: str = "cpu") -> Iterator[None]:
    """`helion`, `helion.language`, `helion.autotuner`, `helion._testing`,
    `helion.runtime.settings`, `helion.runtime.triton.dist_utils` → ours, for the
    duration; in transpile-only mode kernel calls transpile without launching. Without a GPU,
    tensors meant for CUDA go to `target`."""
    global DEVICE
    DEVICE = torch.device("cuda" if _cuda_available() else target)  # what examples allocate on
    Settings.transpile_only = transpile_only
    Settings.timing = timing
    Settings.kernels_transpiled = []
    Settings.checks = 0
    aliases = {
        "helion": transpiler,
        "helion.language": transpiler.language,
        "helion.autotuner": transpiler.helion_compat.autotuner,
        "helion.exc": transpiler.helion_compat.exc,
        "helion.runtime.settings": transpiler.helion_compat.runtime_settings,
        # the distributed examples' signal-pad barrier (symm_mem_sync): ours
        "helion.runtime.triton.dist_utils": transpiler.distributed.dist_utils,
        "helion.runtime.triton.helpers": transpiler.distributed.dist_utils,  # triton_wait_signal
        "helion._testing": sys.modules[__name__],
        "helion.utils": _utils_module(),
        "helion._compat": _compat_module(),
    }
    saved = {name: sys.modules.get(name) for name in aliases}
    sys.modules.update(aliases)
    original_call, original_tunes = Kernel.__call__, Kernel.tunes
    if os.environ.get("HELION_EXAMPLES_TUNE") != "1":  # the harness's --tune: as decorated
        Kernel.tunes = lambda self, args: False  # default configs, as Helion's own yardstick
    if transpile_only:
        Kernel.__call__ = _transpile_only_call
    stack = contextlib.ExitStack()
    if not _cuda_available():
        stack.enter_context(CudaElsewhere(target))
    try:
        import triton.testing

        original_bench = triton.testing.do_bench
        if transpile_only or not _cuda_available():
            triton.testing.do_bench = lambda fn, *a, **k: _bench(fn)
        with stack:
            yield
    finally:
        triton.testing.do_bench = original_bench
        Kernel.__call__, Kernel.tunes = original_call, original_tunes
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def _utils_module() -> types.ModuleType:
    """A stand-in for `helion.utils`: what examples read from it (GPU memory, to pick sizes)."""
    module = types.ModuleType("helion.utils")

    def get_gpu_memory_info(device_id: int | None = None) -> tuple[float, float]:
        """(total, free) GiB of the GPU; (0, 0) without one: the examples' small sizes."""
        if not _cuda_available():
            return 0.0, 0.0
        free, total = torch.cuda.mem_get_info(device_id)
        return total / 2**30, free / 2**30

    module.get_gpu_memory_info = get_gpu_memory_info
    return module


def _compat_module() -> types.ModuleType:
    """A stand-in for `helion._compat`: what examples ask it about their target."""
    module = types.ModuleType("helion._compat")
    module.use_tileir_tunables = lambda: False  # Helion's TileIR backend: not ours
    module.supports_tensor_descriptor = lambda: _cuda_available()
    return module


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    return [value]


def _compare(name: str, actual: Any, expected: Any, rtol: float, atol: float) -> None:
    actual_leaves, expected_leaves = _leaves(actual), _leaves(expected)
    if len(actual_leaves) != len(expected_leaves):
        raise WrongResult(
            f"{name}: {len(actual_leaves)} outputs, baseline has {len(expected_leaves)}"
        )
    for got, want in zip(actual_leaves, expected_leaves, strict=True):
        if not isinstance(want, torch.Tensor):
            continue
        if not isinstance(got, torch.Tensor):
            raise WrongResult(f"{name}: got {type(got).__name__}, baseline a tensor")
        try:
            torch.testing.assert_close(
                got.float(), want.float(), rtol=rtol, atol=atol, check_device=False
            )
        except AssertionError as error:
            lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
            detail = "; ".join(lines[1:3]) or lines[0]  # mismatched elements, largest difference
            raise WrongResult(f"{name}: {detail}") from None
    Settings.checks += 1


def _fresh(args: tuple) -> tuple:
    """Copies of the arguments (leaf tensors that need gradients stay leaves)."""
    return tuple(
        a.detach().clone().requires_grad_(a.requires_grad) if isinstance(a, torch.Tensor) else a
        for a in args
    )


def _run(fn: Callable, args: tuple, bwd: bool) -> tuple[Any, list]:
    copies = _fresh(args)
    out = fn(*copies)
    if not bwd:
        return out, []
    tensors = [t for t in _leaves(out) if isinstance(t, torch.Tensor) and t.requires_grad]
    torch.manual_seed(0)
    grads = [torch.randn_like(t) for t in tensors]
    torch.autograd.backward(tensors, grads)
    return out, [a.grad for a in copies if isinstance(a, torch.Tensor) and a.requires_grad]


def run_example(
    kernel_fn: Callable | dict[str, Callable],
    baseline_fn: Callable | dict[str, Callable],
    args: tuple,
    kernel_name: str = "helion",
    baseline_name: str = "torch",
    rtol: float = 1e-2,
    atol: float = 1e-1,
    bwd: bool = False,
    **_ignored: Any,
) -> dict[str, float]:
    """Run each kernel and baseline on copies of `args`, compare outputs (and input
    gradients when `bwd`), optionally time them; raise WrongResult on a mismatch."""
    kernels = kernel_fn if isinstance(kernel_fn, dict) else {kernel_name: kernel_fn}
    baselines = baseline_fn if isinstance(baseline_fn, dict) else {baseline_name: baseline_fn}
    first_baseline = next(iter(baselines.values()))
    if not Settings.transpile_only:  # transpile-only compares nothing: baselines need not run
        expected, expected_grads = _run(first_baseline, args, bwd)
    timings: dict[str, float] = {}
    for name, fn in kernels.items():
        out, grads = _run(fn, args, bwd)
        if not Settings.transpile_only:  # transpile-only results are the eager reference's
            _compare(name, out, expected, rtol, atol)
            if bwd:
                _compare(f"{name} (gradients)", grads, expected_grads, rtol, atol)
        if Settings.timing:
            timings[name] = _bench(lambda fn=fn: fn(*args))
    if Settings.timing:
        for name, fn in baselines.items():
            timings[name] = _bench(lambda fn=fn: fn(*args))
        print("  ".join(f"{name}: {ms:.4f} ms" for name, ms in timings.items()))
    return timings


def check_example(*_args: Any, **_kwargs: Any) -> None:
    raise NotImplementedError("check_example (Helion's test helper) is not part of the shim")


__all__ = ["DEVICE", "HALF_DTYPE", "LONG_INT_TYPE", "WrongResult", "installed", "run_example"]
