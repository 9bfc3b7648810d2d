"""Triton kernels generated from softmax.py by transpiler: edit the source, not this file."""

import torch
import triton
import triton.language as tl


@triton.jit
def softmax_kernel(x_ptr, out_ptr, n, m, x_stride_0, x_stride_1, out_stride_0, out_stride_1,
                   INDEX_DTYPE: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                   EVEN_N: tl.constexpr, EVEN_M: tl.constexpr):
    # line 10: for tile_n in hl.tile(n):
    offs_n = tl.program_id(0).to(INDEX_DTYPE) * BLOCK_N + tl.arange(0, BLOCK_N)
    mask_n = (offs_n < n) | EVEN_N
    offs_m = tl.arange(0, BLOCK_M).to(INDEX_DTYPE)
    mask_m = (offs_m < m) | EVEN_M
    # line 11: values = x[tile_n, :]
    x_ptrs = x_ptr + offs_n[:, None] * x_stride_0 + offs_m[None, :] * x_stride_1
    mask_n_m = mask_n[:, None] & mask_m[None, :]
    values = upcast_half(tl.load(x_ptrs, mask=mask_n_m, other=0.0))
    # line 12: amax = torch.amax(values, dim=1, keepdim=True)
    amax = max_nan(fill_lowest(values, mask_m[None, :]), axis=1, keep_dims=True)
    # line 13: exp = torch.exp(values - amax)
    exp = tl.exp(values - amax)
    # line 14: sum_exp = torch.sum(exp, dim=1, keepdim=True)
    sum_exp = tl.sum(tl.where(mask_m[None, :], exp, 0), axis=1, keep_dims=True)
    # line 15: out[tile_n, :] = exp / sum_exp
    out_ptrs = out_ptr + offs_n[:, None] * out_stride_0 + offs_m[None, :] * out_stride_1
    tl.store(out_ptrs, exp / sum_exp, mask=mask_n_m)


def softmax(x: torch.Tensor) -> torch.Tensor:
    check_tensors({"x": x}, ranks={"x": 2}, why="line 8 unpacks its sizes into 2 names")
    n, m = x.size()
    out = torch.empty_like(x)
    # line 10: for tile_n in hl.tile(n):
    if m <= 0:
        raise IndexError("line 12: amax() along a dimension of size 0 (m)")
    INDEX_DTYPE = check_tensors({"x": x, "out": out}, float_math={("x",): 13})
    BLOCK_M = triton.next_power_of_2(max(m, 1))
    BLOCK_N = max(1, 4096 // BLOCK_M)
    EVEN_N, EVEN_M = n % BLOCK_N == 0, m == BLOCK_M  # whole tiles: no masks
    grid = (triton.cdiv(n, BLOCK_N),)
    softmax_kernel[grid](x, out, n, m, x.stride(0), x.stride(1), out.stride(0), out.stride(1),
                         INDEX_DTYPE, BLOCK_M, BLOCK_N, EVEN_N, EVEN_M)
    return out


def check_tensors(tensors, ranks=None, float_math=None, why=""):
    for name, t in tensors.items():  # each refusal names the tensor and the fix
        if not isinstance(t, torch.Tensor):
            got = f"{name} must be a tensor, not {type(t).__name__}: {why or 'the kernel reads it'}"
            raise TypeError(f"{got}; pass torch.tensor({name}), or allocate it with torch.empty")
        if (rank := (ranks or {}).get(name)) is not None and t.dim() != rank:
            reason = why or "the kernel indexes it so"
            raise ValueError(f"{name} must be {rank}-D, not {t.dim()}-D: {reason}")
        if not why and (t.is_complex() or t.is_meta):  # (`why`: host code's ranks, no launch)
            raise ValueError(f"{name} is {t.dtype} on the {t.device} device: Triton cannot read it")
        if not why and t.is_cpu and not triton.knobs.runtime.interpret:
            raise RuntimeError(f"{name} is on the CPU: move it to a GPU ({name}.cuda()), or with "
                               "none set TRITON_INTERPRET=1 before triton is imported")
    for names, line in (float_math or {}).items():  # a float function of these tensors
        if not any(tensors[name].is_floating_point() for name in names):
            fix = f"pass {names[0]}.float(): torch computes it in float32"
            what = f"line {line} takes a float function of integer {' and '.join(names)}"
            raise TypeError(f"{' or '.join(names)} must hold floats: {what}: {fix}")
    largest = max(t.untyped_storage().nbytes() // t.element_size() for t in tensors.values())
    return tl.int64 if largest >= 2**31 else tl.int32


@triton.jit
def fill_lowest(x, mask):  # lanes outside the tensor: the smallest value of x's type
    lowest = float("-inf") if x.dtype.is_floating() else x.dtype.get_int_min_value()
    return tl.where(mask, x, lowest)  # which a max ignores


@triton.jit
def upcast_half(x):  # torch computes float16 / bfloat16 (float8) arithmetic in float32; so do we
    return x.to(tl.float32) if x.dtype.is_fp16() or x.dtype.is_bf16() or x.dtype.is_fp8() else x


@triton.jit
def max_nan(x, axis: tl.constexpr = None, keep_dims: tl.constexpr = False):  # torch's max: NaN wins
    return tl.reduce(upcast_half(x), axis, maximum_nan, keep_dims=keep_dims)  # (tl.max drops it)


@triton.jit
def maximum_nan(a, b):
    return tl.maximum(a, b, propagate_nan=tl.PropagateNan.ALL)
