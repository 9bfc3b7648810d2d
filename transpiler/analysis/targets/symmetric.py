"""Stand-ins for symmetric memory while a launcher is recorded on the CPU (nothing launched).

A launcher of a kernel across GPUs asks torch for the other ranks' copies of a tensor
(`torch.ops.symm_mem.get_remote_tensors`), which only CUDA tensors allocated from symmetric
memory have. To compile its kernels for a target on any machine, the recording gets CPU
tensors of the same shape, dtype and strides instead, one per rank of the (initialised) process
group; the launcher's `require_symmetric` then only checks the group."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import torch

Provider = Callable[[torch.Tensor, str], list[torch.Tensor]]
_PROVIDER: Provider | None = None  # set while a recording (or a test) stands in
_LIBRARY: object = None


def stand_ins(local: torch.Tensor, group_name: str) -> list[torch.Tensor]:
    """One CPU tensor like `local` per rank of the group (their contents: whatever)."""
    import torch.distributed as dist

    ranks = dist.distributed_c10d._resolve_process_group(group_name).size()
    return [
        torch.empty_strided(local.shape, local.stride(), dtype=local.dtype) for _ in range(ranks)
    ]


def _remote_tensors_on_cpu(local: torch.Tensor, group_name: str) -> list[torch.Tensor]:
    if _PROVIDER is None:  # outside a recording: no CPU kernel, as torch says
        raise NotImplementedError(
            "symm_mem::get_remote_tensors has no CPU kernel: symmetric memory needs CUDA tensors"
        )
    return _PROVIDER(local, group_name)


def _register() -> None:
    global _LIBRARY
    if _LIBRARY is None:
        import torch.distributed._symmetric_memory  # noqa: F401 - defines the symm_mem ops

        _LIBRARY = torch.library.Library("symm_mem", "IMPL")
        _LIBRARY.impl("get_remote_tensors", _remote_tensors_on_cpu, "CPU")


def require_group(name: str, tensor: torch.Tensor, group_name: str) -> None:
    """`require_symmetric` for CPU stand-ins: the process group must exist (its size is the
    number of remote tensors); the stand-ins cannot be from symmetric memory."""
    import torch.distributed as dist

    if not dist.is_available() or not dist.is_initialized():
        raise RuntimeError(
            f"{name}: compiling a kernel that reads it on every rank needs a process group for "
            "its size: torch.distributed.init_process_group() (the 'fake' backend will do)"
        )
    dist.distributed_c10d._resolve_process_group(group_name)


@contextlib.contextmanager
def remote_tensors_on_cpu(provider: Provider = stand_ins) -> Iterator[None]:
    """Meanwhile get_remote_tensors of a CPU tensor gives `provider(local, group_name)`:
    stand-ins while recording; a test's own tensors for the other ranks under the interpreter."""
    global _PROVIDER
    _register()
    _PROVIDER, before = provider, _PROVIDER
    try:
        yield
    finally:
        _PROVIDER = before
