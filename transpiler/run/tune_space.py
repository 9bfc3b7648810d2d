"""The search space fitted to the device: its limits read from the GPU (any GPU, known or not),
candidates it cannot hold or run dropped, the rest ordered by the cost model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..analysis.perf.cost import KernelWork
from ..analysis.perf.walk import analyse_kernel
from ..analysis.targets.table import TARGETS, Target
from .shared_estimate import Estimate

# options only Hopper and later run (TMA copies, warp-specialized loops)
HOPPER_OPTIONS = ("indexing", "range_warp_specializes")
OPERAND_BYTES = 2  # a dot's operands as bf16 / fp16, for the shared memory its stages take


def device_target() -> Target:
    """This machine's GPU as a Target: the table's limits for a known architecture, else
    those the driver reports (an unknown GPU still gets a space of its own)."""
    import torch

    properties = torch.cuda.get_device_properties(0)
    if torch.version.hip:
        name = properties.gcnArchName.split(":")[0]
        arch: int | str = name
    else:
        name = f"sm_{properties.major}{properties.minor}"
        arch = properties.major * 10 + properties.minor
    known = TARGETS.get(name) or TARGETS.get(name[:-1] + "0")
    base = known or _unknown(properties, name, arch)
    return replace(
        base, name=name, gpu=properties.name, arch=arch, sms=properties.multi_processor_count
    )


def _unknown(properties: Any, name: str, arch: int | str) -> Target:
    """Limits of a GPU the table does not know, from what the driver says of it."""
    hip = isinstance(arch, str)
    warp = getattr(properties, "warp_size", 64 if hip else 32)
    shared_sm = getattr(properties, "shared_memory_per_multiprocessor", 0) or 48 * 1024
    shared = getattr(properties, "shared_memory_per_block_optin", 0) or shared_sm
    registers = getattr(properties, "regs_per_multiprocessor", 0) or 65536
    threads_sm = getattr(properties, "max_threads_per_multi_processor", 0) or 2048
    major = getattr(properties, "major", 0)
    return Target(
        name=name, gpu=properties.name, backend="hip" if hip else "cuda", arch=arch,
        warp_size=warp, sms=properties.multi_processor_count, registers_per_sm=registers,
        max_registers_per_thread=512 if hip else 255, register_granule=8,
        shared_per_block=shared, shared_per_sm=shared_sm, reserved_shared=0 if hip else 1024,
        max_threads_per_block=1024, max_threads_per_sm=threads_sm, max_blocks_per_sm=32,
        tma=not hip and major >= 9, tensor_cores="mfma" if hip else "mma",
    )  # fmt: skip


def fit_to_device(
    configs: list[dict[str, Any]],
    roles: Sequence[str],
    device: Target,
    shared: Estimate | None = None,
) -> list[dict[str, Any]]:
    """The candidates this device can hold: no TMA or warp specialisation without Hopper's
    TMA, no dot tiles whose pipelined operands outgrow its shared memory (`shared`: the
    kernel's own estimate, run/shared_estimate.py; else the matmul roles' operands), no more
    threads a block than it runs. (Compiling each for the device prunes the rest.)"""
    kept = []
    for config in configs:
        if not device.tma and any(config.get(option) for option in HOPPER_OPTIONS):
            continue
        if config.get("num_warps", 4) * device.warp_size > device.max_threads_per_block:
            continue
        needs = max(_dot_shared_bytes(config, roles), shared(config) if shared else 0)
        if needs > device.shared_per_block:
            continue
        kept.append(config)
    return kept


def _dot_shared_bytes(config: dict[str, Any], roles: Sequence[str]) -> int:
    """Shared memory a dot config's pipeline needs: (M x K + K x N) operands per stage."""
    sizes = dict(zip(roles, config.get("block_sizes", [])))
    named = [s for r, s in zip(roles, config.get("block_sizes", [])) if r == "mn"]
    if "k" not in sizes or len(named) < 2 or not all(isinstance(s, int) for s in named):
        return 0
    block_k = sizes["k"]
    stages = max(1, config.get("num_stages", 2) - 1)
    return (named[0] + named[1]) * block_k * OPERAND_BYTES * stages


def order_by_cost(
    configs: list[dict[str, Any]], estimate: Any, tunables: int
) -> list[dict[str, Any]]:
    """Candidates cheapest first by the cost model (`estimate(block_sizes)` → seconds, or
    None when it cannot tell), the hand order breaking ties and placing the unknown last."""

    def key(indexed: tuple[int, dict[str, Any]]) -> tuple[float, int]:
        index, config = indexed
        sizes = list(config.get("block_sizes", []))[:tunables]
        try:
            seconds = estimate(sizes)
        except Exception:  # noqa: BLE001 - a block the model cannot cost: hand order
            seconds = None
        return (float("inf") if seconds is None else round(seconds, 9), index)

    return [config for _, config in sorted(enumerate(configs), key=key)]


def kernel_work(kernel: Any, args: tuple) -> KernelWork | None:
    """What the cost model reads of the kernel on `args` (block sizes in lowering's order), or
    None for a kernel the model does not cover."""
    try:
        return analyse_kernel(kernel, args)
    except Exception:  # noqa: BLE001 - the search then keeps the hand order
        return None


def cost_estimate(work: KernelWork | None) -> Any:
    """`estimate(block_sizes)`: the kernel's FLOPs and bytes (kernel_work's) as tiled at those
    block sizes, over rough Hopper-class peaks (only the order matters), or None without a
    model."""
    if work is None:  # a kernel the model does not cover: hand order
        return lambda sizes: None
    bandwidth, rate = 4.0e12, 7.0e14  # B/s and FLOP/s; the ratio sets the order

    def estimate(sizes: list) -> float:
        cost = work.cost([s if isinstance(s, int) else None for s in sizes])
        return cost.tiled_bytes / bandwidth + cost.flops / rate

    return estimate
