"""On a GPU: the device's own compile of each kernel against `compile_for` of its target.

`compile_for("sm_90")` compiles on any machine, in a subprocess, from the arguments' shapes;
here the same kernels also launch on the GPU (Triton's JIT compiles them for the device) and
the table compares registers, spills, shared memory, the instruction mix and the PTX text.
On a CPU machine it prints `compile_for`'s side only."""

from __future__ import annotations

import argparse
import hashlib

import torch

import transpiler
import transpiler.language as hl
from transpiler.analysis.targets.mix import instruction_mix


@transpiler.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out


@transpiler.kernel()
def softmax(x: torch.Tensor) -> torch.Tensor:
    n, m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        values = x[tile_n, :]
        exp = torch.exp(values - torch.amax(values, dim=1, keepdim=True))
        out[tile_n, :] = exp / torch.sum(exp, dim=1, keepdim=True)
    return out


@transpiler.kernel()
def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        mean = row.mean(dim=-1, keepdim=True)
        centred = row - mean
        variance = (centred * centred).mean(dim=-1, keepdim=True)
        normed = centred * torch.rsqrt(variance + 1e-5)
        out[tile_m, :] = (normed * weight[None, :] + bias[None, :]).to(out.dtype)
    return out


@transpiler.kernel()
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


def cases(device: str) -> dict[str, tuple]:
    half = {"dtype": torch.float16, "device": device}
    single = {"device": device}
    return {
        "add fp32": (add, (torch.randn(4096, 1000, **single), torch.randn(4096, 1000, **single))),
        "softmax fp32": (softmax, (torch.randn(4096, 1000, **single),)),
        "layer_norm fp16": (layer_norm, (torch.randn(4096, 1024, **half),
                            torch.randn(1024, **half), torch.randn(1024, **half))),
        "matmul fp16": (matmul, (torch.randn(2048, 1024, **half), torch.randn(1024, 512, **half))),
    }  # fmt: skip


def device_compile(bound: transpiler.BoundKernel, args: tuple) -> list:
    """Launch on the GPU; the CompiledKernels Triton's JIT made for this device."""
    bound(*args)
    torch.cuda.synchronize()
    kernels = []
    for value in bound.launcher.__globals__.values():
        caches = getattr(value, "device_caches", None)
        if caches:
            for cache, *_ in caches.values():
                kernels.extend(cache.values())
    return kernels


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", default="sm_90")
    options = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"device: {torch.cuda.get_device_name() if device == 'cuda' else 'cpu'}; "
          f"compile_for({options.target!r}); triton {__import__('triton').__version__}")  # fmt: skip
    header = ("kernel", "regs", "spills", "shared B", "tensor core", "ld/st global", "PTX")
    print(" | ".join(header))
    for name, (kernel, args) in cases(device).items():
        bound = kernel.bind(args)
        (ours,) = bound.compile_for(options.target)
        ours_row = [ours.registers, ours.spills, ours.shared_bytes, ours.tensor_core_ops,
                    f"{ours.mix.get('global_loads', 0)}/{ours.mix.get('global_stores', 0)}",
                    digest(ours.asm["ptx"]) if "ptx" in ours.asm else "-"]  # fmt: skip
        if device == "cuda":
            (real,) = device_compile(bound, args)
            mix = instruction_mix({"ptx": real.asm["ptx"]})
            real_row = [real.n_regs, real.n_spills, real.metadata.shared,
                        sum(mix.get(k, 0) for k in ("wgmma", "mma", "tcgen05")),
                        f"{mix.get('global_loads', 0)}/{mix.get('global_stores', 0)}",
                        digest(real.asm["ptx"])]  # fmt: skip
            cells = [f"{a} / {b}" + ("" if a == b else " DIFFERS") for a, b in zip(real_row,
                     ours_row)]  # fmt: skip
            same_mix = "mix equal" if mix == ours.mix else f"mix differs: {mix} vs {ours.mix}"
            print(" | ".join([name, *cells]), "|", same_mix)
        else:
            print(" | ".join([name, *map(str, ours_row)]))
    if device == "cuda":
        print("cells: the device's own compile / compile_for")


if __name__ == "__main__":
    main()
