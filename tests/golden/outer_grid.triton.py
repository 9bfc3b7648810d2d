"""Triton kernels generated from outer_grid.py by transpiler: edit the source, not this file."""

import torch
import triton
import triton.language as tl


@triton.jit
def outer_scaled_kernel(a_ptr, b_ptr, out_ptr, m, n, scale, a_stride_0, b_stride_0, out_stride_0,
                        out_stride_1, INDEX_DTYPE: tl.constexpr, BLOCK_M: tl.constexpr,
                        BLOCK_N: tl.constexpr, EVEN_M: tl.constexpr, EVEN_N: tl.constexpr):
    scale = tl.cast(scale, tl.float32)
    # line 11: for tile_m, tile_n in hl.tile([m, n]):
    pid = tl.program_id(0).to(INDEX_DTYPE)
    pid_m = pid // tl.cdiv(n, BLOCK_N)
    pid_n = pid % tl.cdiv(n, BLOCK_N)
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    mask_m = (offs_m < m) | EVEN_M
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    mask_n = (offs_n < n) | EVEN_N
    # line 12: out[tile_m, tile_n] = torch.sigmoid(a[tile_m, None] * scale) + b[None, tile_n]
    a_ptrs = a_ptr + offs_m[:, None] * a_stride_0
    a_tile = upcast_half(tl.load(a_ptrs, mask=mask_m[:, None], other=0.0))
    b_ptrs = b_ptr + offs_n[None, :] * b_stride_0
    b_tile = upcast_half(tl.load(b_ptrs, mask=mask_n[None, :], other=0.0))
    out_ptrs = out_ptr + offs_m[:, None] * out_stride_0 + offs_n[None, :] * out_stride_1
    tl.store(out_ptrs, tl.sigmoid(a_tile * scale) + b_tile, mask=mask_m[:, None] & mask_n[None, :])


def outer_scaled(a: torch.Tensor, b: torch.Tensor, scale: float) -> torch.Tensor:
    m = a.size(0)
    n = b.size(0)
    out = torch.empty([m, n], dtype=a.dtype, device=a.device)
    # line 11: for tile_m, tile_n in hl.tile([m, n]):
    if not isinstance(scale, (int, float, torch.SymInt, torch.SymFloat)):
        raise TypeError(
            f"scale must be a number, not {type(scale).__name__} (a tensor: scale.item())")
    INDEX_DTYPE = check_tensors({"a": a, "b": b, "out": out}, ranks={"a": 1, "b": 1},
                                floats={"a": (12, scale)}, float_math={("a",): 12})
    BLOCK_M, BLOCK_N = 32, 32
    EVEN_M, EVEN_N = m % BLOCK_M == 0, n % BLOCK_N == 0  # whole tiles: no masks
    grid = (triton.cdiv(m, BLOCK_M) * triton.cdiv(n, BLOCK_N),)
    outer_scaled_kernel[grid](a, b, out, m, n, scale, a.stride(0), b.stride(0), out.stride(0),
                              out.stride(1), INDEX_DTYPE, BLOCK_M, BLOCK_N, EVEN_M, EVEN_N)
    return out


def check_tensors(tensors, ranks=None, floats=None, float_math=None, why=""):
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
    for name, (line, number) in (floats or {}).items():  # Triton passes it as float32
        if tensors[name].dtype == torch.float64 and isinstance(number, float):
            fix = "annotate the argument hl.constexpr, or write the number in the kernel"
            raise TypeError(f"line {line} computes with float64 {name} and a float argument: {fix}")
    for names, line in (float_math or {}).items():  # a float function of these tensors
        if not any(tensors[name].is_floating_point() for name in names):
            fix = f"pass {names[0]}.float(): torch computes it in float32"
            what = f"line {line} takes a float function of integer {' and '.join(names)}"
            raise TypeError(f"{' or '.join(names)} must hold floats: {what}: {fix}")
    largest = max(t.untyped_storage().nbytes() // t.element_size() for t in tensors.values())
    return tl.int64 if largest >= 2**31 else tl.int32


@triton.jit
def int64_if_integer(x):  # torch sums and multiplies integers in int64 (Triton: int32, wrapping)
    return x.to(tl.int64) if x.dtype.is_int() else x


@triton.jit
def upcast_half(x):  # torch computes float16 / bfloat16 (float8) arithmetic in float32; so do we
    return x.to(tl.float32) if x.dtype.is_fp16() or x.dtype.is_bf16() or x.dtype.is_fp8() else x


@triton.jit
def row_cumsum_kernel(x_ptr, out_ptr, m, n, x_stride_0, x_stride_1, out_stride_0, out_stride_1,
                      INDEX_DTYPE: tl.constexpr, BLOCK_N: tl.constexpr, EVEN_N: tl.constexpr):
    # line 20: for i in hl.grid(m):
    i = tl.program_id(0).to(INDEX_DTYPE)
    offs_n = tl.arange(0, BLOCK_N).to(INDEX_DTYPE)
    mask_n = (offs_n < n) | EVEN_N
    # line 21: out[i, :] = torch.cumsum(x[i, :], dim=0)
    x_ptrs = x_ptr + i * x_stride_0 + offs_n * x_stride_1
    x_tile = upcast_half(tl.load(x_ptrs, mask=mask_n, other=0.0))
    out_ptrs = out_ptr + i * out_stride_0 + offs_n * out_stride_1
    out_cumsum = tl.cumsum(int64_if_integer(x_tile), axis=0)
    tl.store(out_ptrs, tl.cast(out_cumsum, out_ptr.dtype.element_ty), mask=mask_n)


def row_cumsum(x: torch.Tensor) -> torch.Tensor:
    check_tensors({"x": x}, ranks={"x": 2}, why="line 18 unpacks its sizes into 2 names")
    m, n = x.size()
    out = torch.empty_like(x)
    # line 20: for i in hl.grid(m):
    INDEX_DTYPE = check_tensors({"x": x, "out": out})
    BLOCK_N = triton.next_power_of_2(max(n, 1))
    EVEN_N = n == BLOCK_N  # whole tiles: no masks
    grid = (m,)
    row_cumsum_kernel[grid](x, out, m, n, x.stride(0) if x.size(0) != 1 else 0, x.stride(1),
                            out.stride(0) if out.size(0) != 1 else 0, out.stride(1), INDEX_DTYPE,
                            BLOCK_N, EVEN_N)
    return out
