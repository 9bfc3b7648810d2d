"""The GPU targets kernels compile for, with each one's limits, as data."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UnknownTargetError


@dataclass(frozen=True)
class Target:
    """One GPU architecture: what Triton calls it, and the limits occupancy is estimated from.

    `registers_per_sm` counts 32-bit registers of one SM (a CU on AMD); `reserved_shared` is
    what the hardware keeps of each block's shared memory (1 KiB on NVIDIA since sm_80)."""

    name: str
    gpu: str  # an example product, for tables
    backend: str  # "cuda" or "hip": Triton's GPUTarget backend
    arch: int | str  # 90 or "gfx942"
    warp_size: int
    sms: int  # SMs (NVIDIA) or CUs (AMD) of the example product
    registers_per_sm: int
    max_registers_per_thread: int
    register_granule: int  # registers are given out per thread in multiples of this
    shared_per_block: int  # bytes, the most one block may ask for
    shared_per_sm: int
    reserved_shared: int
    max_threads_per_block: int
    max_threads_per_sm: int
    max_blocks_per_sm: int
    tma: bool  # Hopper's tensor memory accelerator and later
    tensor_cores: str  # what its matrix instructions are called

    def gpu_target(self) -> object:
        """Triton's GPUTarget for this architecture."""
        from triton.backends.compiler import GPUTarget

        return GPUTarget(self.backend, self.arch, self.warp_size)


KIB = 1024
# Limits from NVIDIA's CUDA programming guide (compute capabilities table) and AMD's CDNA ISA
# guides; SM / CU counts of the product named. On CDNA a CU has 4 SIMDs of 512 registers
# (64 lanes wide, architectural and accumulation registers together): 4 * 512 * 64.
_ROWS = (
    # name     gpu                 backend arch      warp SMs  regs/SM reg/thr granule
    #   shared/block shared/SM reserved threads/block threads/SM blocks/SM tma  tensor cores
    ("sm_80",  "A100",             "cuda", 80,       32,  108, 65536,  255, 8,
        163 * KIB, 164 * KIB, KIB, 1024, 2048, 32, False, "mma"),
    ("sm_90",  "H100 / H200",      "cuda", 90,       32,  132, 65536,  255, 8,
        227 * KIB, 228 * KIB, KIB, 1024, 2048, 32, True,  "wgmma"),
    ("sm_100", "B200",             "cuda", 100,      32,  148, 65536,  255, 8,
        227 * KIB, 228 * KIB, KIB, 1024, 2048, 32, True,  "tcgen05"),
    ("sm_120", "RTX 5090",         "cuda", 120,      32,  170, 65536,  255, 8,
        99 * KIB,  100 * KIB, KIB, 1024, 1536, 32, True,  "mma"),
    ("gfx90a", "MI250X (one GCD)", "hip",  "gfx90a", 64,  110, 131072, 512, 8,
        64 * KIB,  64 * KIB,  0,   1024, 2048, 32, False, "mfma"),
    ("gfx942", "MI300X",           "hip",  "gfx942", 64,  304, 131072, 512, 8,
        64 * KIB,  64 * KIB,  0,   1024, 2048, 32, False, "mfma"),
    ("gfx950", "MI355X",           "hip",  "gfx950", 64,  256, 131072, 512, 8,
        160 * KIB, 160 * KIB, 0,   1024, 2048, 32, False, "mfma"),
)  # fmt: skip
TARGETS: dict[str, Target] = {row[0]: Target(*row) for row in _ROWS}


def target_named(name: str) -> Target:
    """The target called `name` ("sm_90", "gfx942", "current" for this machine's GPU)."""
    if name == "current":
        return current_target()
    try:
        return TARGETS[name]
    except KeyError:
        raise UnknownTargetError.for_name(name, sorted(TARGETS)) from None


def current_target() -> Target:
    """The target of this machine's GPU (its own SM count), or an error saying there is none."""
    import torch

    if not torch.cuda.is_available():
        raise UnknownTargetError(
            "'current' names this machine's GPU, and it has none",
            hint=f"name a target instead: {', '.join(TARGETS)}",
        )
    properties = torch.cuda.get_device_properties(0)
    if torch.version.hip:
        name = properties.gcnArchName.split(":")[0]
    else:
        name = f"sm_{properties.major}{properties.minor}"
    known = TARGETS.get(name) or TARGETS.get(name[:-1] + "0")  # sm_89 → limits of sm_80
    if known is None:
        raise UnknownTargetError.for_name(name, sorted(TARGETS))
    from dataclasses import replace

    arch = properties.major * 10 + properties.minor if not torch.version.hip else name
    gpu = properties.name
    return replace(known, name=name, gpu=gpu, arch=arch, sms=properties.multi_processor_count)
