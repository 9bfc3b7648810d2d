"""Triton kernels generated from online_softmax.py by transpiler: edit the source, not this file."""

import torch
import triton
import triton.language as tl


@triton.jit
def softmax_two_pass_kernel(x_ptr, out_ptr, m, n, x_stride_0, x_stride_1, out_stride_0,
                            out_stride_1, INDEX_DTYPE: tl.constexpr, BLOCK_N: tl.constexpr,
                            BLOCK_M: tl.constexpr, EVEN_M: tl.constexpr, EVEN_N: tl.constexpr):
    # line 10: for tile_m in hl.tile(m):
    offs_m = tl.program_id(0).to(INDEX_DTYPE) * BLOCK_M + tl.arange(0, BLOCK_M)
    mask_m = (offs_m < m) | EVEN_M
    # line 11: mi = hl.full([tile_m], float("-inf"), dtype=torch.float32)
    mi = tl.full([BLOCK_M], float("-inf"), tl.float32)
    # line 12: di = hl.zeros([tile_m], dtype=torch.float32)
    di = tl.zeros([BLOCK_M], dtype=tl.float32)
    # torch widens mi at line 18, meeting x's values: widened first
    mi = mi.to(promoted_float(mi.dtype, x_ptr.dtype.element_ty))
    # torch widens di at line 17, meeting x's values: widened first
    di = di.to(promoted_float(di.dtype, x_ptr.dtype.element_ty))
    # line 13: for tile_n in hl.tile(n):
    for begin_n in range(0, n, BLOCK_N):
        offs_n = begin_n + tl.arange(0, BLOCK_N).to(INDEX_DTYPE)
        mask_n = (offs_n < n) | EVEN_N
        # line 14: values = x[tile_m, tile_n]
        x_ptrs = x_ptr + offs_m[:, None] * x_stride_0 + offs_n[None, :] * x_stride_1
        values = upcast_half(tl.load(x_ptrs, mask=mask_m[:, None] & mask_n[None, :], other=0.0,
                                     eviction_policy="evict_last"))
        # line 15: local_amax = torch.amax(values, dim=1)
        local_amax = max_nan(fill_lowest(values, mask_n[None, :]), axis=1)
        # line 16: mi_next = torch.maximum(mi, local_amax)
        mi_next = tl.maximum(mi, local_amax, propagate_nan=tl.PropagateNan.ALL)
        # line 17: di = di * torch.exp(mi - mi_next) + torch.exp(values - mi_next[:, None]).sum(dim=1)
        di_sum = tl.sum(tl.where(mask_n[None, :], tl.exp(values - mi_next[:, None]), 0), axis=1)
        di = di * tl.exp(mi - mi_next) + di_sum
        # line 18: mi = mi_next
        mi = mi_next
    # line 19: for tile_n in hl.tile(n):
    for begin_n_1 in range(0, n, BLOCK_N):
        offs_n = begin_n_1 + tl.arange(0, BLOCK_N).to(INDEX_DTYPE)
        mask_n = (offs_n < n) | EVEN_N
        # line 20: values = x[tile_m, tile_n]
        x_ptrs_1 = x_ptr + offs_m[:, None] * x_stride_0 + offs_n[None, :] * x_stride_1
        values = upcast_half(tl.load(x_ptrs_1, mask=mask_m[:, None] & mask_n[None, :], other=0.0,
                                     eviction_policy="evict_first"))
        # line 21: out[tile_m, tile_n] = torch.exp(values - mi[:, None]) / di[:, None]
        out_ptrs = out_ptr + offs_m[:, None] * out_stride_0 + offs_n[None, :] * out_stride_1
        tl.store(out_ptrs, tl.exp(values - mi[:, None]) / di[:, None],
                 mask=mask_m[:, None] & mask_n[None, :])


def softmax_two_pass(x: torch.Tensor) -> torch.Tensor:
    check_tensors({"x": x}, ranks={"x": 2}, why="line 8 unpacks its sizes into 2 names")
    m, n = x.size()
    out = torch.empty_like(x)
    # line 10: for tile_m in hl.tile(m):
    INDEX_DTYPE = check_tensors({"x": x, "out": out}, arithmetic={"x": 15})
    BLOCK_N, BLOCK_M = 64, 16
    EVEN_M, EVEN_N = m % BLOCK_M == 0, n % BLOCK_N == 0  # whole tiles: no masks
    grid = (triton.cdiv(m, BLOCK_M),)
    softmax_two_pass_kernel[grid](x, out, m, n, x.stride(0), x.stride(1), out.stride(0),
                                  out.stride(1), INDEX_DTYPE, BLOCK_N, BLOCK_M, EVEN_M, EVEN_N)
    return out


def check_tensors(tensors, ranks=None, arithmetic=None, why=""):
    for name, t in tensors.items():  # each refusal names the tensor and the fix
        if not isinstance(t, torch.Tensor):
            got = f"{name} must be a tensor, not {type(t).__name__}: {why or 'the kernel reads it'}"
            raise TypeError(f"{got}; pass torch.tensor({name}), or allocate it with torch.empty")
        if (rank := (ranks or {}).get(name)) is not None and t.dim() != rank:
            reason = why or "the kernel indexes it so"
            raise ValueError(f"{name} must be {rank}-D, not {t.dim()}-D: {reason}")
        if t.dtype == torch.bool and (line := (arithmetic or {}).get(name)):
            fix = f"pass {name}.to(torch.int32) or {name}.float(), or combine bools with & | ~"
            raise TypeError(f"{name} is a bool tensor and line {line} does arithmetic: {fix}")
        if not why and (t.is_complex() or t.is_meta):  # (`why`: host code's ranks, no launch)
            raise ValueError(f"{name} is {t.dtype} on the {t.device} device: Triton cannot read it")
        if not why and t.is_cpu and not triton.knobs.runtime.interpret:
            raise RuntimeError(f"{name} is on the CPU: move it to a GPU ({name}.cuda()), or with "
                               "none set TRITON_INTERPRET=1 before triton is imported")
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


@triton.constexpr_function
def promoted_float(*dtypes):  # torch.promote_types of a float and others (halves: float32)
    return tl.float64 if any(d.is_fp64() for d in dtypes) else tl.float32
