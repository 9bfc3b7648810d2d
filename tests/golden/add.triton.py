"""Triton kernels generated from add.py by transpiler: edit the source, not this file."""

import torch
import triton
import triton.language as tl


@triton.jit
def add_kernel(x_ptr, y_ptr, out_ptr, x_size_0, x_stride_0, y_stride_0, out_stride_0,
               INDEX_DTYPE: tl.constexpr, BLOCK_SIZE: tl.constexpr, EVEN_OFFSETS: tl.constexpr):
    # line 9: for tile in hl.tile(x.size(0)):
    offsets = tl.program_id(0).to(INDEX_DTYPE) * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
    mask = (offsets < x_size_0) | EVEN_OFFSETS
    # line 10: out[tile] = x[tile] + y[tile]
    x_tile = upcast_half(tl.load(x_ptr + offsets * x_stride_0, mask=mask, other=0.0))
    y_tile = upcast_half(tl.load(y_ptr + offsets * y_stride_0, mask=mask, other=0.0))
    out_ptrs = out_ptr + offsets * out_stride_0
    tl.store(out_ptrs, tl.cast(x_tile + y_tile, out_ptr.dtype.element_ty), mask=mask)


def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    # line 9: for tile in hl.tile(x.size(0)):
    INDEX_DTYPE = check_tensors({"x": x, "y": y, "out": out}, ranks={"x": 1, "y": 1},
                                arithmetic={"x": (10, "y")}, integers={10: ((("x",), ("y",)),)})
    if y.size(0) < x.size(0):
        raise RuntimeError("y.size(0) must be at least x.size(0): the tiles reach that far")
    BLOCK_SIZE = 1024
    EVEN_OFFSETS = x.size(0) % BLOCK_SIZE == 0  # whole tiles: no masks
    grid = (triton.cdiv(x.size(0), BLOCK_SIZE),)
    add_kernel[grid](x, y, out, x.size(0), x.stride(0), y.stride(0), out.stride(0), INDEX_DTYPE,
                     BLOCK_SIZE, EVEN_OFFSETS)
    return out


def check_tensors(tensors, ranks=None, arithmetic=None, integers=None):
    for name, t in tensors.items():  # each refusal names the tensor and the fix
        if not isinstance(t, torch.Tensor):
            got = f"{name} must be a tensor, not {type(t).__name__}: the kernel reads it"
            raise TypeError(f"{got}; pass torch.tensor({name}), or allocate it with torch.empty")
        if (rank := (ranks or {}).get(name)) is not None and t.dim() != rank:
            raise ValueError(f"{name} must be {rank}-D, not {t.dim()}-D: the kernel indexes it so")
        if t.dtype == torch.bool and (line := (arithmetic or {}).get(name)):
            line, *beside = line if isinstance(line, tuple) else (line, name)  # (line, *names)
            if any(tensors[other].dtype == torch.bool for other in beside):  # wrong beside bools
                fix = f"pass {name}.to(torch.int32) or {name}.float(), or combine bools with & | ~"
                raise TypeError(f"{name} is a bool tensor and line {line} does arithmetic: {fix}")
        if t.is_complex() or t.is_meta:
            raise ValueError(f"{name} is {t.dtype} on the {t.device} device: Triton cannot read it")
        if t.is_cpu and not triton.knobs.runtime.interpret:
            raise RuntimeError(f"{name} is on the CPU: move it to a GPU ({name}.cuda()), or with "
                               "none set TRITON_INTERPRET=1 before triton is imported")
    ints, halves = (torch.int16, torch.int32, torch.int64), (torch.float16, torch.bfloat16)
    for line, operation in ((n, o) for n, ops in (integers or {}).items() for o in ops):
        met = {}  # each operand's dtype (torch.promote_types of its tensors') → their names
        for names in operation:
            dtype = tensors[names[0]].dtype
            for name in names[1:]:
                dtype = torch.promote_types(dtype, tensors[name].dtype)
            met.setdefault(dtype, " and ".join(names))
        for a, b in [(torch.uint8, torch.int8), *((i, h) for i in ints for h in halves)]:
            if a in met and b in met:  # torch: int16 (Triton: uint8); the int rounded to b first
                fix = f"torch promotes them apart from Triton: convert one first, .to({b})"
                raise TypeError(f"{a} {met[a]} meets {b} {met[b]} (line {line}): {fix}")
    largest = max(t.untyped_storage().nbytes() // t.element_size() for t in tensors.values())
    return tl.int64 if largest >= 2**31 else tl.int32


@triton.jit
def upcast_half(x):  # torch computes float16 / bfloat16 (float8) arithmetic in float32; so do we
    return x.to(tl.float32) if x.dtype.is_fp16() or x.dtype.is_bf16() or x.dtype.is_fp8() else x
