"""Triton kernels generated from layer_norm.py by transpiler: edit the source, not this file."""

import torch
import triton
import triton.language as tl


@triton.jit
def layer_norm_kernel(
    x_ptr, weight_ptr, bias_ptr, out_ptr, m, n, eps, x_stride_0, x_stride_1, weight_stride_0,
    bias_stride_0, out_stride_0, out_stride_1, INDEX_DTYPE: tl.constexpr, BLOCK_N: tl.constexpr,
    BLOCK_M: tl.constexpr, EVEN_M: tl.constexpr, EVEN_N: tl.constexpr,
):
    eps = tl.cast(eps, tl.float32)
    # line 12: for tile_m in hl.tile(m):
    pid_m = tl.program_id(0).to(INDEX_DTYPE)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
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
    tl.store(
        out_ptrs, (normalized * weight_tile + bias_tile).to(out_ptr.dtype.element_ty),
        mask=mask_m_n,
    )


def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5
) -> torch.Tensor:
    check_rank("x", x, 2, "line 10 unpacks its sizes into 2 names")
    m, n = x.size()
    out = torch.empty_like(x)
    # line 12: for tile_m in hl.tile(m):
    check_number("eps", eps)
    require(isinstance(weight, torch.Tensor), "weight must be a tensor", TypeError)
    require(weight.dim() == 1, "weight must be 1-D: the kernel indexes it with 1 index")
    require(isinstance(bias, torch.Tensor), "bias must be a tensor", TypeError)
    require(bias.dim() == 1, "bias must be 1-D: the kernel indexes it with 1 index")
    refuse_bool_arithmetic(18, bias=bias, weight=weight)
    # a dimension of 1 broadcasts, as in torch: its lanes all read it
    bias = bias.expand(n) if bias.size(0) == 1 else bias
    weight = weight.expand(n) if weight.size(0) == 1 else weight
    require(
        bias.size(0) == n,
        "bias.size(0) and n must be equal: the kernel combines them element-wise",
    )
    require(
        weight.size(0) == n,
        "weight.size(0) and n must be equal: the kernel combines them element-wise",
    )
    INDEX_DTYPE = index_dtype(x, weight, bias, out)
    BLOCK_N = triton.next_power_of_2(max(n, 1))
    BLOCK_M = 4
    EVEN_M = m % BLOCK_M == 0  # whole tiles: no masks needed
    EVEN_N = n == BLOCK_N  # whole tiles: no masks needed
    grid = (triton.cdiv(m, BLOCK_M),)
    layer_norm_kernel[grid](
        x, weight, bias, out, m, n, eps, x.stride(0), x.stride(1), weight.stride(0), bias.stride(0),
        out.stride(0), out.stride(1), INDEX_DTYPE=INDEX_DTYPE, BLOCK_N=BLOCK_N, BLOCK_M=BLOCK_M,
        EVEN_M=EVEN_M, EVEN_N=EVEN_N,
    )
    return out


def check_number(name: str, value: object) -> None:
    """A parameter annotated int / float / bool: a Python number, not a tensor."""
    if isinstance(value, torch.Tensor):
        raise TypeError(f"{name} is a number parameter: pass a Python number ({name}.item())")


def check_rank(name: str, tensor: object, rank: int, why: str) -> None:
    """An argument the host code unpacks: a tensor of that rank, or an error naming it."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a tensor: {why}")
    if tensor.dim() != rank:
        shape = tuple(tensor.shape)
        raise ValueError(f"{name} must be {rank}-D: {why}, got a {tensor.dim()}-D tensor {shape}")


def index_dtype(*tensors: torch.Tensor) -> tl.dtype:
    """int64 offsets for a storage of 2**31 elements or more; what no kernel reads refused."""
    for t in tensors:
        if t.is_complex() or t.device.type == "meta":
            raise ValueError(f"Triton kernels cannot read {t.dtype} on the {t.device} device")
    largest = max(t.untyped_storage().nbytes() // t.element_size() for t in tensors)
    return tl.int64 if largest >= 2**31 else tl.int32


def refuse_bool_arithmetic(line: int, **tensors: torch.Tensor) -> None:
    """Triton's bool arithmetic wraps (True + True is False) where torch's promotes: refused."""
    for name, t in tensors.items():
        fix = f"pass {name}.to(torch.int32) or {name}.float(), or combine bools with & | ~"
        if t.dtype == torch.bool:
            raise TypeError(f"{name} is a bool tensor and line {line} does arithmetic: {fix}")


def require(condition: bool, message, error: type = RuntimeError) -> None:
    """torch._check, testing a plain bool here (torch._check's first call imports sympy)."""
    if isinstance(condition, bool):
        if not condition:
            raise error(message() if callable(message) else message)
    else:  # symbolic, while torch.compile traces
        check = torch._check_type if error is TypeError else torch._check
        check(condition, message if callable(message) else lambda: message)


@triton.jit
def upcast_half(x):  # torch computes float16 / bfloat16 (float8) arithmetic in float32; so do we
    return x.to(tl.float32) if x.dtype.is_fp16() or x.dtype.is_bf16() or x.dtype.is_fp8() else x
