"""Triton kernels generated from layer_norm.py by transpiler: edit the source, not this file."""

import torch
import triton
import triton.language as tl


@triton.jit
def layer_norm_kernel(x_ptr, weight_ptr, bias_ptr, out_ptr, m, n, eps, x_stride_0, x_stride_1,
                      weight_stride_0, bias_stride_0, out_stride_0, out_stride_1,
                      INDEX_DTYPE: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr,
                      EVEN_M: tl.constexpr, EVEN_N: tl.constexpr):
    eps = tl.cast(eps, tl.float32)
    # line 12: for tile_m in hl.tile(m):
    offs_m = tl.program_id(0).to(INDEX_DTYPE) * BLOCK_M + tl.arange(0, BLOCK_M)
    mask_m = (offs_m < m) | EVEN_M
    offs_n = tl.arange(0, BLOCK_N).to(INDEX_DTYPE)
    mask_n = (offs_n < n) | EVEN_N
    # line 13: row = x[tile_m, :].to(torch.float32)
    x_ptrs = x_ptr + offs_m[:, None] * x_stride_0 + offs_n[None, :] * x_stride_1
    mask_m_n = mask_m[:, None] & mask_n[None, :]
    x_tile = tl.load(x_ptrs, mask=mask_m_n, other=0.0)
    row = x_tile.to(tl.float32)
    # line 14: mean = row.mean(dim=-1, keepdim=True)
    mean = tl.sum(tl.where(mask_n[None, :], row, 0), axis=1, keep_dims=True) / n
    # line 15: centered = row - mean
    centered = row - mean
    # line 16: var = torch.mean(centered * centered, dim=-1, keepdim=True)
    var = tl.sum(tl.where(mask_n[None, :], centered * centered, 0), axis=1, keep_dims=True) / n
    # line 17: normalized = centered * torch.rsqrt(var + eps)
    normalized = centered * tl.rsqrt(var + eps)
    # line 18: out[tile_m, :] = (normalized * weight[None, :] + bias[None, :]).to(out.dtype)
    weight_ptrs = weight_ptr + offs_n[None, :] * weight_stride_0
    weight_tile = upcast_half(tl.load(weight_ptrs, mask=mask_n[None, :], other=0.0))
    bias_ptrs = bias_ptr + offs_n[None, :] * bias_stride_0
    bias_tile = upcast_half(tl.load(bias_ptrs, mask=mask_n[None, :], other=0.0))
    out_ptrs = out_ptr + offs_m[:, None] * out_stride_0 + offs_n[None, :] * out_stride_1
    tl.store(out_ptrs, float8_of(normalized * weight_tile + bias_tile, out_ptr.dtype.element_ty),
             mask=mask_m_n)


def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor,
               eps: float = 1e-5) -> torch.Tensor:
    check_tensors({"x": x}, ranks={"x": 2}, why="line 10 unpacks its sizes into 2 names")
    m, n = x.size()
    out = torch.empty_like(x)
    # line 12: for tile_m in hl.tile(m):
    if not isinstance(eps, (int, float, torch.SymInt, torch.SymFloat)):
        raise TypeError(f"eps must be a number, not {type(eps).__name__} (a tensor: eps.item())")
    INDEX_DTYPE = check_tensors({"x": x, "weight": weight, "bias": bias, "out": out},
                                ranks={"weight": 1, "bias": 1})
    # a dimension of 1 broadcasts, as in torch: its lanes all read it
    bias = bias.expand(n) if bias.size(0) == 1 else bias
    weight = weight.expand(n) if weight.size(0) == 1 else weight
    if bias.size(0) != n or weight.size(0) != n:
        raise RuntimeError(
            "bias.size(0) and weight.size(0) must equal n: the kernel combines them element-wise")
    BLOCK_N = triton.next_power_of_2(max(n, 1))
    BLOCK_M = 4
    EVEN_M, EVEN_N = m % BLOCK_M == 0, n == BLOCK_N  # whole tiles: no masks
    grid = (triton.cdiv(m, BLOCK_M),)
    layer_norm_kernel[grid](x, weight, bias, out, m, n, eps, x.stride(0), x.stride(1),
                            weight.stride(0), bias.stride(0), out.stride(0), out.stride(1),
                            INDEX_DTYPE, BLOCK_N, BLOCK_M, EVEN_M, EVEN_N)
    return out


def check_tensors(tensors, ranks=None, why=""):
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
    largest = max(t.untyped_storage().nbytes() // t.element_size() for t in tensors.values())
    return tl.int64 if largest >= 2**31 else tl.int32


@triton.jit
def float8_of(x, dtype: tl.constexpr):  # x.to(dtype); float64 to float8 through float32, as torch
    return (x.to(tl.float32) if x.dtype == tl.float64 and dtype.is_fp8() else x).to(dtype)


@triton.jit
def upcast_half(x):  # torch computes float16 / bfloat16 (float8) arithmetic in float32; so do we
    return x.to(tl.float32) if x.dtype.is_fp16() or x.dtype.is_bf16() or x.dtype.is_fp8() else x
