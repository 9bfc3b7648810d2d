"""Lab: what costs time in a one-pass cross-entropy row kernel on the H100 (issue 5).

Hand-written Triton versions of the kernel our transpiler emits for cross-entropy (a whole row
per program: masked max, sum of exponentials, the label's logit gathered), changing one thing at
a time, each checked against torch and timed at several (rows per program, warps) against the
roofline floor from the copy bandwidth measured here. Run on the GPU machine:

    python benchmarks/lab/cross_entropy_variants.py [--json OUT.json]

Variants:
  where       masked lanes loaded as 0, then `tl.where(mask, x, -inf)` (what we generate)
  other       masked lanes loaded as -inf (`other=`), no select
  exp2        `where`, with exp(x - max) written exp2(x * log2(e) - max * log2(e)): one FMA
  other_exp2  both
"""

from __future__ import annotations

import argparse
import itertools
import json

import torch
import triton
import triton.language as tl
import triton.testing


@triton.jit
def cross_entropy_rows(
    logits_ptr,
    labels_ptr,
    losses_ptr,
    n,
    v,
    stride,
    ROWS: tl.constexpr,
    BLOCK_V: tl.constexpr,
    OTHER: tl.constexpr,
    EXP2: tl.constexpr,
):
    offs_n = tl.program_id(0) * ROWS + tl.arange(0, ROWS)
    mask_n = offs_n < n
    offs_v = tl.arange(0, BLOCK_V)
    mask = mask_n[:, None] & (offs_v < v)[None, :]
    ptrs = logits_ptr + offs_n[:, None] * stride + offs_v[None, :]
    if OTHER:
        x = tl.load(ptrs, mask=mask, other=float("-inf")).to(tl.float32)
    else:
        x = tl.load(ptrs, mask=mask, other=0).to(tl.float32)
        x = tl.where(mask, x, float("-inf"))
    x_max = tl.max(x, axis=1)
    if EXP2:
        total = tl.sum(tl.exp2(x * 1.4426950408889634 - (x_max * 1.4426950408889634)[:, None]), 1)
        lse = x_max + tl.log2(total) * 0.6931471805599453
    else:
        total = tl.sum(tl.exp(x - x_max[:, None]), axis=1)
        lse = x_max + tl.log(total)
    labels = tl.load(labels_ptr + offs_n, mask=mask_n, other=0)
    picked = tl.load(logits_ptr + offs_n * stride + labels, mask=mask_n, other=0).to(tl.float32)
    tl.store(losses_ptr + offs_n, lse - picked, mask=mask_n)


VARIANTS = {"where": (False, False), "other": (True, False), "exp2": (False, True)}
VARIANTS["other_exp2"] = (True, True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write every measurement here")
    args = parser.parse_args()
    torch.manual_seed(0)
    n, v = 16384, 32000
    source = torch.empty(2**28, device="cuda", dtype=torch.bfloat16)
    target = torch.empty_like(source)
    copy_ms = triton.testing.do_bench(lambda: target.copy_(source), warmup=25, rep=200)
    bandwidth = 2 * source.numel() * 2 / copy_ms / 1e6  # GB/s
    rows = []
    for dtype in (torch.bfloat16, torch.float32):
        logits = torch.randn(n, v, device="cuda", dtype=dtype)
        labels = torch.randint(0, v, (n,), device="cuda")
        losses = torch.empty(n, device="cuda")
        expected = torch.nn.functional.cross_entropy(logits.double(), labels, reduction="none")
        floor_ms = (logits.numel() * logits.element_size() + n * 12) / bandwidth / 1e6
        for (name, (other, exp2)), per, warps in itertools.product(
            VARIANTS.items(), (1, 2), (8, 16, 32)
        ):

            def launch(
                per=per,
                warps=warps,
                other=other,
                exp2=exp2,
                logits=logits,
                labels=labels,
                losses=losses,
            ):
                cross_entropy_rows[(triton.cdiv(n, per),)](
                    logits,
                    labels,
                    losses,
                    n,
                    v,
                    logits.stride(0),
                    ROWS=per,
                    BLOCK_V=triton.next_power_of_2(v),
                    OTHER=other,
                    EXP2=exp2,
                    num_warps=warps,
                )

            row = {"dtype": str(dtype), "variant": name, "rows": per, "warps": warps}
            launch()
            error = (losses.double() - expected).abs().max().item()
            row["error"] = error
            if error > 1e-2:
                row["failure"] = f"max error {error}"
            else:
                ms = triton.testing.do_bench(launch, warmup=25, rep=200)
                row.update(ms=ms, floor_pct=100 * floor_ms / ms)
            rows.append(row)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"copy_gb_s": bandwidth, "rows": rows}, handle, indent=1)
    print(f"copy bandwidth {bandwidth:.0f} GB/s")
    print(f"{'dtype':>15} {'variant':>11} {'rows':>4} {'warps':>5} {'ms':>7} {'% floor':>7}")
    for row in rows:
        timing = f"{row['ms']:7.3f} {row['floor_pct']:7.1f}" if "ms" in row else row["failure"]
        print(
            f"{row['dtype']:>15} {row['variant']:>11} {row['rows']:4d} {row['warps']:5d} {timing}"
        )


if __name__ == "__main__":
    main()
