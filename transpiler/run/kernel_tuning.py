"""A kernel's configuration for some shapes: searched now, found earlier in this process (by its
generated code), or read from the autotune file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import torch

from .autotune import TuningCache
from .cache import cache_dir
from .devices import interpreting
from .tuning import tune


@dataclass(frozen=True)
class Tuning:
    """The configuration a kernel runs with on some shapes, and where it came from: "search"
    (searched now), "session" (the same code searched earlier in this process, its timings
    kept), "cache" (the autotune file on disk: no timings)."""

    config: dict | None
    timings: list  # the search's (config, ms), the default (None) first
    origin: str


# (digest of the generated code, kernel, shapes) → the Tuning a search found in this process
_SEARCHES: dict[tuple[str, str, str], Tuning] = {}


def on_gpu(args: tuple) -> bool:
    """Kernels launch on a GPU (not Triton's interpreter) with CUDA tensors among `args`."""
    if interpreting():
        return False
    return any(isinstance(a, torch.Tensor) and a.is_cuda for a in args)


def tuning_of(kernel: Any, args: tuple, memory_key: str) -> Tuning:
    """A search's result for these shapes: this process's (same generated code), the
    autotune file's, or a search now (`force_autotune=True`: always a search). Keyed by
    the generated module less its first line (the source file's name): the same kernel
    tunes once, from a file or a notebook cell."""
    code = kernel.transpiled(tuple(args)).code.split("\n", 1)[-1]
    session_key = (hashlib.sha256(code.encode()).hexdigest()[:20], kernel.name, memory_key)
    force = bool(kernel.settings.get("force_autotune"))
    if session_key in _SEARCHES and not force:
        found = _SEARCHES[session_key]
        return Tuning(found.config, found.timings, "session")
    cache = TuningCache(cache_dir() / "autotune.json")
    config, timings, stored = cache.config_for(
        code, kernel.name, args, lambda: tune(kernel, args), force
    )
    if stored:
        return Tuning(config, [], "cache")
    _SEARCHES[session_key] = Tuning(config, list(timings), "search")
    return _SEARCHES[session_key]
