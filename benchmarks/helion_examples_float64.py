"""Helion's examples against float64 references at small sizes: whose error is it (issue 15).

    python benchmarks/helion_examples_float64.py [--examples DIR] [NAME ...]

Each check imports one example file (unmodified, `helion` mapped to `transpiler` by
benchmarks/helion_shim.py), calls its own kernel and its own baseline on small float16 / float32
inputs, and prints both against the baseline evaluated in float64. Without a GPU the kernels
run in Triton's interpreter. Names: flex_attention, mamba2_chunk_scan, moe_matmul_ogs,
jagged_hstu_attn_2 (default: all).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))


def load(examples: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, examples / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def error(actual: torch.Tensor, exact: torch.Tensor) -> float:
    return (actual.double().cpu() - exact.double().cpu()).abs().max().item()


def flex_attention(m: ModuleType, device: str) -> None:
    from torch.nn.attention.flex_attention import _create_empty_block_mask
    from torch.nn.attention.flex_attention import flex_attention as torch_flex

    for z, h, n, d, mod in [(1, 2, 200, 16, None), (2, 1, 130, 32, lambda s, *_: torch.tanh(s))]:
        q, k, v = [torch.randn(z, h, n, d, device=device) for _ in range(3)]
        ours = m.helion_flex_attention(q, k, v, mod, _create_empty_block_mask(q, k))
        wide = [t.double() for t in (q, k, v)]
        exact = torch_flex(*wide, mod, _create_empty_block_mask(*wide[:2]))
        print(
            f"flex_attention z={z} h={h} n={n} d={d} tanh={mod is not None}: "
            f"ours {error(ours, exact):.2g}"
        )


def mamba2_chunk_scan(m: ModuleType, device: str) -> None:
    batch, heads, groups, seqlen, chunk, headdim, dstate = 1, 2, 1, 128, 64, 16, 16
    chunks = seqlen // chunk
    shapes = [
        (batch, chunks, groups, chunk, chunk),
        (batch, seqlen, heads, headdim),
        (batch, heads, chunks, chunk),
        (batch, heads, chunks, chunk),
        (batch, seqlen, groups, dstate),
        (batch, chunks, heads, headdim, dstate),
        (heads,),
    ]
    make = {"r": torch.randn, "u": torch.rand, "z": torch.zeros}
    for init in ["zrzzzzr", "zzzzrrz", "zzzrrrz", "rrrzzzz", "rrruzzz"]:
        args = [make[c](*s, dtype=torch.float16, device=device) for c, s in zip(init, shapes)]
        exact = m.ref_chunk_scan(*[a.double() for a in args])
        ours = m.helion_mamba2_chunk_scan_kernel(*args)
        baseline = m.ref_chunk_scan(*args)
        print(
            f"mamba2_chunk_scan {init}: largest |out| {exact.abs().max().item():.3g}, "
            f"ours {error(ours, exact):.2g}, baseline {error(baseline, exact):.2g}"
        )


def moe_matmul_ogs(m: ModuleType, device: str) -> None:
    tokens, k, n, experts = 97, 32, 48, 4
    a = torch.randn(tokens, k, device=device).half()
    w = torch.randn(experts, k, n, device=device).half()
    top1 = torch.randint(0, experts, (tokens,), device=device)
    args = m.moe_matmul_ogs_helion_kernel_args_gen(a, w, top1)
    ours = m.moe_matmul_ogs(*args).double().cpu()
    exact = m.moe_matmul_ogs_reference(a.double(), w.double(), top1).cpu()
    wrong = ((ours - exact).abs() > 0.05).any(dim=1)
    firsts = sorted(args[4][args[3][:-1].long()].tolist())
    print(
        f"moe_matmul_ogs counts {args[2].tolist()}: rows wrong {wrong.nonzero().flatten().tolist()}"
        f", experts' first tokens {firsts}, other rows {error(ours[~wrong], exact[~wrong]):.2g}"
    )


def jagged_hstu_attn_2(m: ModuleType, device: str) -> None:
    for sequences, longest, heads, dim in [(3, 40, 2, 16), (3, 150, 2, 32)]:
        lengths = torch.randint(longest // 2, longest + 1, (sequences,), dtype=torch.int32)
        offsets = torch.cat([torch.zeros(1, dtype=torch.int32), lengths.cumsum(0).to(torch.int32)])
        offsets = offsets.to(device)
        total = int(offsets[-1])
        q, k, v = [torch.randn(total, heads, dim, device=device) for _ in range(3)]
        alpha, scale = 50.0 / dim**2, 1.0 / longest
        ours = m.jagged_hstu_attention(longest, alpha, scale, q, k, v, offsets)
        wide = [t.double() for t in (q, k, v)]
        exact = m.reference_jagged_hstu_attention(longest, alpha, scale, *wide, offsets)
        print(
            f"jagged_hstu_attn_2 lengths {lengths.tolist()} D={dim}: ours {error(ours, exact):.2g}"
        )


CHECKS = {
    f.__name__: f for f in (flex_attention, mamba2_chunk_scan, moe_matmul_ogs, jagged_hstu_attn_2)
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=ROOT / ".helion_examples")
    parser.add_argument("names", nargs="*", default=list(CHECKS))
    options = parser.parse_args()
    import helion_shim

    with helion_shim.installed(transpile_only=False):
        device = "cuda" if torch.cuda.is_available() else "cpu"
        for name in options.names:
            torch.manual_seed(0)
            CHECKS[name](load(options.examples, name), device)


if __name__ == "__main__":
    main()
