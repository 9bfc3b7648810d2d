"""What compiling one generated kernel for one target gives: resources, occupancy, asm."""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
from dataclasses import dataclass, field

from .mix import tensor_core_ops
from .table import Target


@dataclass(frozen=True)
class Occupancy:
    """Blocks (programs) resident on one SM at once, estimated from the target's limits, and
    the limit that decides it. An estimate: the hardware's allocation has finer rules."""

    blocks_per_sm: int
    limited_by: str  # "threads", "registers", "shared memory", "blocks"
    warps_per_sm: int
    max_warps_per_sm: int

    @property
    def fraction(self) -> float:
        return self.warps_per_sm / self.max_warps_per_sm


def estimate_occupancy(
    target: Target, num_warps: int, registers: int, shared_bytes: int
) -> Occupancy:
    threads = num_warps * target.warp_size
    granule = target.register_granule
    per_thread = max(granule, -(-registers // granule) * granule)
    by_limit = {
        "threads": target.max_threads_per_sm // max(threads, 1),
        "registers": target.registers_per_sm // (per_thread * max(threads, 1)),
        "shared memory": target.shared_per_sm // (shared_bytes + target.reserved_shared)
        if shared_bytes + target.reserved_shared
        else math.inf,
        "blocks": target.max_blocks_per_sm,
    }
    limited_by = min(by_limit, key=lambda k: by_limit[k])
    blocks = int(by_limit[limited_by])
    max_warps = target.max_threads_per_sm // target.warp_size
    return Occupancy(blocks, limited_by, min(blocks * num_warps, max_warps), max_warps)


def limits_exceeded(
    target: Target, num_warps: int, registers: int, shared_bytes: int
) -> tuple[str, ...]:
    """Why a block of this kernel cannot run on the target at all (empty when it can)."""
    threads = num_warps * target.warp_size
    problems = []
    if threads > target.max_threads_per_block:
        problems.append(
            f"{threads} threads per block ({num_warps} warps of {target.warp_size}) > "
            f"{target.max_threads_per_block}"
        )
    if shared_bytes > target.shared_per_block:
        problems.append(f"shared memory {shared_bytes} bytes > {target.shared_per_block} per block")
    if registers * threads > target.registers_per_sm:
        problems.append(
            f"{registers} registers x {threads} threads > {target.registers_per_sm} per SM"
        )
    return tuple(problems)


@dataclass(frozen=True)
class TargetResult:
    """One generated @triton.jit kernel compiled for one target (Triton's own compile).

    `mix` counts instructions in the code (static counts, not executions). `fits` is False
    when a block exceeds the target's limits (`exceeded` says which); the other numbers are
    then as far as the compiler got."""

    kernel: str
    target: Target
    signature: dict[str, str]
    constexprs: dict[str, str]
    grid: tuple[int, ...]
    num_warps: int
    num_stages: int
    registers: int
    spills: int
    shared_bytes: int
    occupancy: Occupancy
    mix: dict[str, int]
    asm: dict[str, str] = field(repr=False)
    binary: bytes = field(repr=False)
    compile_seconds: float
    exceeded: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        return not self.exceeded

    @property
    def tensor_core_ops(self) -> int:
        return tensor_core_ops(self.mix)

    @property
    def waves(self) -> float:
        """How many rounds of resident blocks the grid takes on the whole GPU."""
        programs = math.prod(self.grid) if self.grid else 1
        return programs / max(1, self.occupancy.blocks_per_sm * self.target.sms)

    def sass(self) -> str:
        """The cubin disassembled by Triton's bundled nvdisasm (NVIDIA targets only)."""
        if self.target.backend != "cuda":
            raise ValueError(f"{self.target.name} has no SASS: see .asm['amdgcn']")
        import triton

        tool = os.path.join(os.path.dirname(triton.__file__), "backends", "nvidia", "bin")
        with tempfile.NamedTemporaryFile(suffix=".cubin") as file:
            file.write(self.binary)
            file.flush()
            done = subprocess.run(
                [os.path.join(tool, "nvdisasm"), "-c", file.name],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
        return done.stdout
