"""Lab (2026-12-06): which Triton primitive makes `outer_sum` (float16 / float32) and
`nibbles_times` wrong on an H100 but right in the interpreter (gpu_wrong_products.py)? Each
variant below stores one intermediate; the table says which equal numpy's answer.

    python3 benchmarks/lab/gpu_wrong_primitives.py
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


@triton.jit
def upcast_half(x):  # as the generated module's helper
    return x.to(tl.float32) if x.dtype.is_fp16() or x.dtype.is_bf16() or x.dtype.is_fp8() else x


@triton.jit
def as_float(x):  # as the generated module's helper
    return x if x.dtype.is_floating() else x.to(tl.float32)


@triton.jit
def outer_kernel(x_ptr, y_ptr, out_ptr, m, n, FORM: tl.constexpr, BM: tl.constexpr,
                 BN: tl.constexpr):  # fmt: skip
    offs_m = tl.program_id(0) * BM + tl.arange(0, BM)
    offs_n = tl.program_id(1) * BN + tl.arange(0, BN)
    if FORM == 0:  # as generated: [BM, 1] and [1, BN] loads, a sum over the middle axis of one
        col = tl.load(x_ptr + offs_m[:, None], mask=(offs_m < m)[:, None], other=0.0)
        row = tl.load(y_ptr + offs_n[None, :], mask=(offs_n < n)[None, :], other=0.0)
        product = tl.sum(col[:, :, None] * row[None, :, :], axis=1)
    elif FORM == 1:  # the same loads, the product broadcast in 2-D
        col = tl.load(x_ptr + offs_m[:, None], mask=(offs_m < m)[:, None], other=0.0)
        row = tl.load(y_ptr + offs_n[None, :], mask=(offs_n < n)[None, :], other=0.0)
        product = col * row
    elif FORM == 2:  # 1-D loads, the 3-D sum
        col = tl.load(x_ptr + offs_m, mask=offs_m < m, other=0.0)
        row = tl.load(y_ptr + offs_n, mask=offs_n < n, other=0.0)
        product = tl.sum(col[:, None, None] * row[None, None, :], axis=1)
    elif FORM == 3:  # [BM, 1] loads, the sum over the middle axis as a reshape
        col = tl.load(x_ptr + offs_m[:, None], mask=(offs_m < m)[:, None], other=0.0)
        row = tl.load(y_ptr + offs_n[None, :], mask=(offs_n < n)[None, :], other=0.0)
        product = tl.reshape(col[:, :, None] * row[None, :, :], [BM, BN])
    else:  # as generated, with its helpers
        col = tl.load(x_ptr + offs_m[:, None], mask=(offs_m < m)[:, None], other=0.0)
        row = tl.load(y_ptr + offs_n[None, :], mask=(offs_n < n)[None, :], other=0.0)
        product = tl.sum(
            as_float(upcast_half(col))[:, :, None] * as_float(upcast_half(row))[None, :, :], axis=1
        )
    mask = (offs_m < m)[:, None] & (offs_n < n)[None, :]
    tl.store(out_ptr + offs_m[:, None] * n + offs_n[None, :], product, mask=mask)


@triton.jit
def nibble_kernel(p_ptr, out_ptr, pairs, cols, FORM: tl.constexpr, BP: tl.constexpr,
                  BC: tl.constexpr):  # fmt: skip
    offs_p = tl.arange(0, BP)
    offs_c = tl.arange(0, BC)
    mask = (offs_p < pairs)[:, None] & (offs_c < cols)[None, :]
    byte = tl.load(p_ptr + offs_p[:, None] * cols + offs_c[None, :], mask=mask, other=0)
    low = byte << 4 >> 4
    high = byte >> 4
    rows = tl.arange(0, 2 * BP)
    out_mask = (rows < 2 * pairs)[:, None] & (offs_c < cols)[None, :]
    if FORM == 0:  # the low nibbles, stored at even rows
        tl.store(
            out_ptr + (2 * offs_p)[:, None] * cols + offs_c[None, :], low.to(tl.float32), mask=mask
        )
    elif FORM == 1:  # the high nibbles, at odd rows
        tl.store(
            out_ptr + (2 * offs_p + 1)[:, None] * cols + offs_c[None, :],
            high.to(tl.float32),
            mask=mask,
        )
    elif FORM == 2:  # as generated: float16, join, permute, reshape
        both = tl.permute(tl.join(low.to(tl.float16), high.to(tl.float16)), (0, 2, 1))
        weights = tl.reshape(both, [BP * 2, BC])
        tl.store(
            out_ptr + rows[:, None] * cols + offs_c[None, :], weights.to(tl.float32), mask=out_mask
        )
    else:  # float32, join, permute, reshape
        both = tl.permute(tl.join(low.to(tl.float32), high.to(tl.float32)), (0, 2, 1))
        weights = tl.reshape(both, [BP * 2, BC])
        tl.store(out_ptr + rows[:, None] * cols + offs_c[None, :], weights, mask=out_mask)


def main() -> None:
    rows = []
    m, n = 37, 21
    for dtype in (torch.float16, torch.float32, torch.float64):
        x = torch.randn(m, dtype=dtype, device=DEVICE)
        y = torch.randn(n, dtype=dtype, device=DEVICE)
        truth = (x.double()[:, None] * y.double()[None, :]).cpu()
        for form, name in enumerate(
            (
                "[BM,1] loads, 3-D sum",
                "2-D broadcast",
                "1-D loads, 3-D sum",
                "reshape",
                "3-D sum, helpers",
            )
        ):
            out = torch.full((m, n), float("nan"), dtype=dtype, device=DEVICE)
            try:
                outer_kernel[(triton.cdiv(m, 16), triton.cdiv(n, 16))](
                    x, y, out, m, n, form, 16, 16
                )
                error = f"{(out.double().cpu() - truth).abs().max().item():.3g}"
            except Exception as e:  # noqa: BLE001 - a compile failure is a row too
                error = f"fails: {type(e).__name__}"
            rows.append((f"outer {name}", str(dtype), error))
    nibbles = torch.randint(-8, 8, (24, 7), dtype=torch.int8)
    pairs = nibbles.reshape(12, 2, 7)
    packed = ((pairs[:, 0] & 0xF) | (pairs[:, 1] << 4)).to(torch.int8).to(DEVICE)
    for form, name in enumerate(
        ("low nibbles", "high nibbles", "join f16 permute reshape", "join f32 permute reshape")
    ):
        out = torch.full((24, 7), float("nan"), device=DEVICE)
        nibble_kernel[(1,)](packed, out, 12, 7, form, 16, 8)
        got = out.cpu()
        check = slice(None) if form >= 2 else slice(form, None, 2)
        error = (got[check] - nibbles[check].float()).abs().max().item()
        rows.append((f"nibbles {name}", "int8", f"{error:.3g}"))
    print(f"{'variant':<42} {'dtype':<15} max error")
    for row in rows:
        print(f"{row[0]:<42} {row[1]:<15} {row[2]}")


if __name__ == "__main__":
    main()
