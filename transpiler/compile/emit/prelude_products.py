"""@triton.jit helpers for matrix products: a product added into an accumulator, factors rounded."""

from __future__ import annotations

# Each helper: its source, and the helpers it calls (prelude.HELPERS takes them all).
PRODUCT_HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dot_into": (
        """@triton.jit
def dot_into(a, b, acc, input_precision: tl.constexpr = None, out_dtype: tl.constexpr = tl.float32):
    # torch's `acc + a @ b` in acc's dtype: float64 factors multiply in float64, others in float32
    # (factors of two other dtypes, float16 times float32, as float32: hl.dot promotes them)
    if a.dtype != b.dtype and a.dtype != tl.float64 and b.dtype != tl.float64:
        a, b = a.to(tl.float32), b.to(tl.float32)
    if a.dtype == tl.float64 or b.dtype == tl.float64:
        wide = tl.dot(a.to(tl.float64), b.to(tl.float64), acc.to(tl.float64), out_dtype=tl.float64)
        acc = wide.to(acc.dtype)
    elif acc.dtype == tl.float64:
        acc += tl.dot(a, b, input_precision=input_precision, out_dtype=out_dtype)
    elif out_dtype != acc.dtype:  # a float16 acc held in float32: each sum rounded to out_dtype
        acc = tl.dot(a, b, acc, input_precision=input_precision).to(out_dtype).to(acc.dtype)
    else:
        acc = tl.dot(a, b, acc, input_precision=input_precision, max_num_imprecise_acc=0,
                     out_dtype=out_dtype)
    return acc
""",
        (),
    ),
    # the same where every product the module adds into an accumulator adds into a float32 one
    # (hl.zeros of float32 or a half, carried as float32) with no out_dtype=: its two branches
    "dot_into_float32": (
        """@triton.jit
def dot_into(a, b, acc, input_precision: tl.constexpr = None):
    # torch's `acc + a @ b` into a float32 acc: float64 factors multiply in float64 (factors of
    # two other dtypes, float16 times float32, as float32: hl.dot promotes them)
    if a.dtype != b.dtype and a.dtype != tl.float64 and b.dtype != tl.float64:
        a, b = a.to(tl.float32), b.to(tl.float32)
    if a.dtype == tl.float64 or b.dtype == tl.float64:
        wide = tl.dot(a.to(tl.float64), b.to(tl.float64), acc.to(tl.float64), out_dtype=tl.float64)
        acc = wide.to(acc.dtype)
    else:
        acc = tl.dot(a, b, acc, input_precision=input_precision, max_num_imprecise_acc=0)
    return acc
""",
        (),
    ),
    "as_factor": (
        """@triton.jit
def as_factor(value, dtype: tl.constexpr):
    # a product's factor torch holds in a 16-bit float (a bfloat16 tile times a Python number
    # stays bfloat16): rounded to it, so that tl.dot runs on tensor cores as torch.bmm does;
    # float64 tiles stay float64; others (float32, integers scaled by a float) as float32
    if dtype.is_fp16() or dtype.is_bf16():
        value = value.to(dtype)
    elif dtype.is_fp64():
        value = value.to(tl.float64)
    else:
        value = value.to(tl.float32)
    return value
""",
        (),
    ),
}
