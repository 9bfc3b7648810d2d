"""Float8 and bfloat16 conversions in Triton's CPU interpreter done by torch (Triton 3.6's own
are wrong)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

# Triton 3.6's interpreter converts float32 → float8 bit by bit and drops the carry when
# rounding up crosses a power of two (0.49 becomes 0.25, not 0.5: 2.7% of uniform [0, 1)
# values), and rounds subnormals wrongly. A GPU converts with round-to-nearest-even, as torch
# does, so conversions to or from float8 run through torch here, and so do the float8 factors
# of its tl.dot (read through the same conversion, subnormals wrong): the interpreter then
# gives the GPU's float8 values (tests/test_float8.py checks both directions and products).
# Its float64 → bfloat16 conversion is garbage (-0.1455 becomes 0.0, 1.5 a subnormal; found by
# tests/test_probes_dtypes.py, `out_bf16[tile] += x_f64[tile]`), and its tl.dot of bfloat16
# multiplied the stored bits as integers (Helion's bf16xint16_gemm off by 3e11): bfloat16 casts
# and products go through torch too.
_TORCH_DTYPES = {  # Triton dtype name → (torch dtype, the numpy dtype the interpreter stores)
    "fp8e4nv": (torch.float8_e4m3fn, np.uint8),
    "fp8e5": (torch.float8_e5m2, np.uint8),
    "bf16": (torch.bfloat16, np.uint16),
    "fp16": (torch.float16, np.float16),
    "fp32": (torch.float32, np.float32),
    "fp64": (torch.float64, np.float64),
}
_FLOAT8 = ("fp8e4nv", "fp8e5")
_THROUGH_TORCH = (*_FLOAT8, "bf16")
_installed = False


def install() -> None:
    """Replace the interpreter's float-to-float conversion where float8 or bfloat16 is involved
    (once)."""
    global _installed
    if _installed:
        return
    from triton.runtime import interpreter  # only a process that interprets needs it

    original = interpreter.InterpreterBuilder.create_fp_to_fp
    original_cast = interpreter.InterpreterBuilder.cast_impl
    original_dot = interpreter.InterpreterBuilder.create_dot

    def create_fp_to_fp(self: Any, src: Any, dst_type: Any, rounding_mode: Any) -> Any:
        source, target = src.dtype.scalar.name, dst_type.scalar.name
        through_torch = source in _THROUGH_TORCH or target in _THROUGH_TORCH
        if through_torch and {source, target} <= set(_TORCH_DTYPES):
            data = _convert(np.ascontiguousarray(src.data), source, target)
            return interpreter.TensorHandle(data, dst_type.scalar)
        return original(self, src, dst_type, rounding_mode)

    def create_dot(self: Any, a: Any, b: Any, acc: Any, precision: Any, imprecise: Any) -> Any:
        names = (a.dtype.scalar.name, b.dtype.scalar.name)
        if not set(names) & set(_THROUGH_TORCH) or not set(names) <= set(_TORCH_DTYPES):
            return original_dot(self, a, b, acc, precision, imprecise)
        left, right = (
            _convert(np.ascontiguousarray(h.data), n, "fp32") for h, n in zip((a, b), names)
        )
        product = np.matmul(left, right, dtype=acc.data.dtype) + acc.data
        return interpreter.TensorHandle(product, acc.dtype.scalar)

    def cast_impl(self: Any, src: Any, dst_type: Any) -> Any:  # `.to()`, a store's cast
        source, target = src.dtype.scalar.name, dst_type.scalar.name
        if "bf16" not in (source, target) or source == target:
            return original_cast(self, src, dst_type)
        storage = interpreter._get_np_dtype(dst_type)
        data = _cast(np.ascontiguousarray(src.data), source, target, storage)
        return interpreter.TensorHandle(data, dst_type.scalar)

    interpreter.InterpreterBuilder.create_fp_to_fp = create_fp_to_fp
    interpreter.InterpreterBuilder.cast_impl = cast_impl
    interpreter.InterpreterBuilder.create_dot = create_dot
    _installed = True


def _convert(data: np.ndarray, source: str, target: str) -> np.ndarray:
    """`data` (the interpreter's storage of `source` values) as `target` values, via torch."""
    source_dtype, _ = _TORCH_DTYPES[source]
    target_dtype, storage = _TORCH_DTYPES[target]
    values = torch.from_numpy(data.reshape(-1).copy())
    if values.dtype != source_dtype:  # bits stored as unsigned integers: same width
        values = values.view(source_dtype)
    converted = values.to(target_dtype)
    if converted.dtype.itemsize == 1 or target_dtype == torch.bfloat16:
        converted = converted.view(torch.uint8 if storage == np.uint8 else torch.int16)
    return converted.numpy().view(storage).reshape(data.shape)


def _cast(data: np.ndarray, source: str, target: str, storage: np.dtype) -> np.ndarray:
    """A cast to or from bfloat16 (from or to a float or an integer), via torch."""
    if source in _TORCH_DTYPES and target in _TORCH_DTYPES:
        return _convert(data, source, target)
    values = torch.from_numpy(data.reshape(-1).copy())
    if source == "bf16":
        values = values.view(torch.bfloat16)
        integers = torch.from_numpy(np.zeros(0, dtype=storage)).dtype
        return values.to(integers).numpy().reshape(data.shape)
    converted = values.to(torch.bfloat16).view(torch.int16)
    return converted.numpy().view(np.uint16).reshape(data.shape)
