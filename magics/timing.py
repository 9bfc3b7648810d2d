"""`--bench` on a GPU (median time, GB/s) and the compiled stages Triton kept for each kernel."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from typing import Any

import torch

from .checking import leaves

STAGES = ("ttir", "ttgir", "llir", "ptx", "sass")
CPU_NOTICE = "bench: timing needs a GPU (kernels run in Triton's CPU interpreter here)"


def tensor_bytes(values: Iterable[Any]) -> int:
    """Bytes of the distinct tensors among `values` (each storage counted once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for value in values:
        for _, leaf in leaves(value):
            if isinstance(leaf, torch.Tensor):
                key = (leaf.data_ptr(), leaf.numel())
                if key not in seen:
                    seen.add(key)
                    total += leaf.numel() * leaf.element_size()
    return total


def bench_report(expression: str, run: Callable[[], Any], moved_bytes: int) -> str:
    """Median milliseconds of `run` (triton.testing.do_bench) and GB/s over `moved_bytes`."""
    import triton.testing

    milliseconds = triton.testing.do_bench(run, return_mode="median")
    line = f"bench {expression}: {milliseconds:.4f} ms median"
    if moved_bytes and milliseconds > 0:
        gigabytes_per_second = moved_bytes / (milliseconds * 1e-3) / 1e9
        line += f" · {gigabytes_per_second:.1f} GB/s ({moved_bytes / 1e6:.2f} MB of tensor arguments and results)"
    return line


def compiled_stages(modules: Iterable[types.ModuleType]) -> dict[str, dict[str, str]]:
    """Per @triton.jit kernel in the modules: the last compiled binary's text stages."""
    try:
        from triton.runtime.jit import JITFunction
    except ImportError:
        return {}
    found: dict[str, dict[str, str]] = {}
    for module in modules:
        for name, value in vars(module).items():
            if not isinstance(value, JITFunction):
                continue
            compiled = [
                kernel
                for caches in getattr(value, "device_caches", {}).values()
                for kernel in caches[0].values()
            ]
            if not compiled or not hasattr(compiled[-1], "asm"):
                continue
            asm = compiled[-1].asm
            texts = {}
            for stage in STAGES:
                try:
                    text = asm[stage]
                except Exception:  # sass needs cuobjdump; a stage may be missing
                    continue
                if isinstance(text, str):
                    texts[stage] = text
            if texts:
                found[name] = texts
    return found
