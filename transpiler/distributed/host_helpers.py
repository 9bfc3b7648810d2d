"""Launcher helpers of kernels across GPUs: checks before a launch that reads other ranks' memory."""

from __future__ import annotations

# name → source; generated modules include those their launchers call (emit.header)
HOST_HELPERS: dict[str, str] = {
    "require_alike": '''def require_alike(name: str, tensors, like: torch.Tensor) -> None:
    """The kernel reads each tensor of `tensors` with the first one's strides: all must have
    `like`'s shape, dtype and device, and the same strides."""
    if not isinstance(tensors, (tuple, list)) or not tensors:
        raise TypeError(f"{name} must be a non-empty tuple or list of tensors")
    first = tensors[0]
    for index, tensor in enumerate(tensors):
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"{name}[{index}] is a {type(tensor).__name__}, not a tensor")
        if (tensor.shape, tensor.dtype, tensor.device) != (like.shape, like.dtype, like.device):
            raise ValueError(
                f"{name}[{index}] is {tuple(tensor.shape)} {tensor.dtype} on {tensor.device}; "
                f"the kernel reads it like {tuple(like.shape)} {like.dtype} on {like.device}"
            )
        if tensor.stride() != first.stride():
            raise ValueError(
                f"{name}[{index}] has strides {tensor.stride()}, {name}[0] {first.stride()}: "
                "the kernel reads every tensor with the first one's strides"
            )
''',
    "require_symmetric": '''def require_symmetric(name: str, tensor: torch.Tensor, group_name: str) -> None:
    """Before the kernel reads `tensor` on every rank of `group_name`: a process group by that
    name, and `tensor` allocated from symmetric memory (each rank can map the others' copy)."""
    import torch.distributed as dist

    if not dist.is_available() or not dist.is_initialized():
        raise RuntimeError(
            f"{name}: the kernel reads it on every rank through symmetric memory, which needs a "
            "process group: call torch.distributed.init_process_group() first (under torchrun)"
        )
    from torch.distributed import _symmetric_memory as symm_mem

    try:
        group = dist.distributed_c10d._resolve_process_group(group_name)
    except (RuntimeError, ValueError, KeyError) as error:
        raise ValueError(
            f"{name}: no process group is named {group_name!r} ({error}); pass "
            "dist.group.WORLD.group_name or the name of a group made with dist.new_group()"
        ) from None
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a tensor (got {type(tensor).__name__})")
    if tensor.storage_offset() != 0 or not tensor.is_contiguous():
        raise ValueError(
            f"{name} must be contiguous and start its symmetric allocation (storage offset 0, "
            f"got {tensor.storage_offset()}): the other ranks' copies are contiguous views from "
            "the start of their allocations"
        )
    if not symm_mem.is_symm_mem_tensor(tensor):
        raise ValueError(
            f"{name} is not allocated from symmetric memory: allocate it with "
            "torch.distributed._symmetric_memory.empty(...) and call "
            f"symm_mem.rendezvous({name}, group_name) on every rank of the group "
            f"({group.size()} ranks)"
        )
''',
    "require_signal_pad": '''def require_signal_pad(programs: int, world_size: int) -> None:
    """symm_mem_sync gives each program a 4-byte signal slot per rank on every signal pad:
    torch's pads (their size fixed when symmetric memory is allocated) must hold them all."""
    from torch._C._distributed_c10d import _SymmetricMemory

    needed = programs * world_size * 4
    if needed > _SymmetricMemory.signal_pad_size:
        raise ValueError(
            f"{programs} programs meeting {world_size} ranks need {needed} bytes of signal pad; "
            f"the pads hold {_SymmetricMemory.signal_pad_size}: set "
            f"torch._C._distributed_c10d._SymmetricMemory.signal_pad_size = {needed} (or more) "
            "before allocating symmetric memory, or launch fewer programs (larger blocks)"
        )
''',
}
