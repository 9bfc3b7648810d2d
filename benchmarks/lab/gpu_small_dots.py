"""Lab (2026-12-06): which small products does Triton get wrong on this GPU? The H100 gave wrong
results for two kernels right in the interpreter (gpu_wrong_products.py): an outer product
written `tl.sum(a[:, :, None] * b[None, :, :], axis=1)` with K of 1 (Triton's combine pass makes
it a tt.dot of K 1: seen in the sm_90 TTIR on the CPU) and a float32 `tl.dot` of M 1. This times
nothing: each row is one shape and dtype, its max error against float64.

    python3 benchmarks/lab/gpu_small_dots.py
"""

from __future__ import annotations

import itertools

import torch
import triton
import triton.language as tl

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


@triton.jit
def product_kernel(a_ptr, b_ptr, c_ptr, out_ptr, FORM: tl.constexpr, PRECISION: tl.constexpr,
                   M: tl.constexpr, K: tl.constexpr, N: tl.constexpr):  # fmt: skip
    rm, rk, rn = tl.arange(0, M), tl.arange(0, K), tl.arange(0, N)
    a = tl.load(a_ptr + rm[:, None] * K + rk[None, :])
    b = tl.load(b_ptr + rk[:, None] * N + rn[None, :])
    c = tl.load(c_ptr + rm[:, None] * N + rn[None, :])
    if FORM == 0:  # tl.dot into an accumulator
        result = tl.dot(a, b, c, input_precision=PRECISION)
    elif FORM == 1:  # the sum over the middle axis (Triton may make it a tt.dot)
        result = c + tl.sum(a.to(tl.float32)[:, :, None] * b.to(tl.float32)[None, :, :], axis=1)
    elif FORM == 2:  # the sum over the last axis
        bt = tl.trans(b.to(tl.float32))
        result = c + tl.sum(a.to(tl.float32)[:, None, :] * bt[None, :, :], axis=2)
    else:  # K of 1 only: the 2-D broadcast
        result = c + a.to(tl.float32) * b.to(tl.float32)
    tl.store(out_ptr + rm[:, None] * N + rn[None, :], result.to(out_ptr.dtype.element_ty))


def error(form: int, precision: str, m: int, k: int, n: int, dtype: torch.dtype) -> str:
    a = torch.randn(m, k, device=DEVICE).to(dtype)
    b = torch.randn(k, n, device=DEVICE).to(dtype)
    acc = torch.float64 if dtype == torch.float64 else torch.float32
    c = torch.randn(m, n, device=DEVICE, dtype=acc)
    out = torch.full((m, n), float("nan"), device=DEVICE, dtype=acc)
    try:
        product_kernel[(1,)](a, b, c, out, form, precision, m, k, n)
    except Exception as e:  # noqa: BLE001 - a compile failure is a row too
        return f"fails: {type(e).__name__}"
    truth = a.double() @ b.double() + c.double()
    return f"{(out.double() - truth).abs().max().item():.3g}"


def main() -> None:
    rows = []
    dtypes = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
    for dtype, m, k in itertools.product(dtypes, (1, 2, 8, 16), (16, 32)):
        precisions = ("tf32", "ieee") if dtype == torch.float32 else ("ieee",)
        for precision in precisions:
            if dtype == torch.bfloat16 and DEVICE == "cpu":
                continue  # the interpreter's bf16 tl.dot is wrong
            rows.append(
                (f"tl.dot {precision}", str(dtype), m, k, 16, error(0, precision, m, k, 16, dtype))
            )
    for dtype, k, form in itertools.product((torch.float16, torch.float32), (1, 2, 4, 8), (1, 2)):
        label = ("sum over axis 1", "sum over axis 2")[form - 1]
        rows.append((label, str(dtype), 16, k, 16, error(form, "ieee", 16, k, 16, dtype)))
    for dtype in (torch.float16, torch.float32):
        rows.append(("2-D broadcast", str(dtype), 16, 1, 16, error(3, "ieee", 16, 1, 16, dtype)))
    print(f"{'form':<18} {'dtype':<15} {'M':>3} {'K':>3} {'N':>3}  max error")
    for form, dtype, m, k, n, err in rows:
        print(f"{form:<18} {dtype:<15} {m:>3} {k:>3} {n:>3}  {err}")


if __name__ == "__main__":
    main()
