"""Triton kernels generated from add.py by transpiler: edit the source, not this file."""

import torch
import triton
import triton.language as tl


@triton.jit
def add_kernel(
    x_ptr, y_ptr, out_ptr, x_size_0, x_stride_0, y_stride_0, out_stride_0,
    INDEX_DTYPE: tl.constexpr, BLOCK_SIZE: tl.constexpr, EVEN_OFFSETS: tl.constexpr,
):
    # line 9: for tile in hl.tile(x.size(0)):
    pid = tl.program_id(0).to(INDEX_DTYPE)
    offsets = pid * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
    mask = (offsets < x_size_0) | EVEN_OFFSETS
    # line 10: out[tile] = x[tile] + y[tile]
    x_ptrs = x_ptr + offsets * x_stride_0
    x_tile = upcast_half(tl.load(x_ptrs, mask=mask, other=0.0))
    y_ptrs = y_ptr + offsets * y_stride_0
    y_tile = upcast_half(tl.load(y_ptrs, mask=mask, other=0.0))
    out_ptrs = out_ptr + offsets * out_stride_0
    tl.store(out_ptrs, x_tile + y_tile, mask=mask)


def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    # line 9: for tile in hl.tile(x.size(0)):
    require(isinstance(x, torch.Tensor), "x must be a tensor", TypeError)
    require(x.dim() == 1, "x must be 1-D: the kernel indexes it with 1 index")
    require(isinstance(y, torch.Tensor), "y must be a tensor", TypeError)
    require(y.dim() == 1, "y must be 1-D: the kernel indexes it with 1 index")
    refuse_bool_arithmetic(10, x=x, y=y)
    require(
        y.size(0) >= x.size(0), "y.size(0) must be at least x.size(0): the tiles reach that far",
    )
    INDEX_DTYPE = index_dtype(x, y, out)
    BLOCK_SIZE = 1024
    EVEN_OFFSETS = x.size(0) % BLOCK_SIZE == 0  # whole tiles: no masks needed
    grid = (triton.cdiv(x.size(0), BLOCK_SIZE),)
    add_kernel[grid](
        x, y, out, x.size(0), x.stride(0), y.stride(0), out.stride(0), INDEX_DTYPE=INDEX_DTYPE,
        BLOCK_SIZE=BLOCK_SIZE, EVEN_OFFSETS=EVEN_OFFSETS,
    )
    return out


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
