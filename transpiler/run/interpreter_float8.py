"""Float8 conversions in Triton's CPU interpreter done by torch (Triton 3.6's own round wrongly)."""

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
_TORCH_DTYPES = {  # Triton dtype name → (torch dtype, the numpy dtype the interpreter stores)
    "fp8e4nv": (torch.float8_e4m3fn, np.uint8),
    "fp8e5": (torch.float8_e5m2, np.uint8),
    "bf16": (torch.bfloat16, np.uint16),
    "fp16": (torch.float16, np.float16),
    "fp32": (torch.float32, np.float32),
    "fp64": (torch.float64, np.float64),
}
_FLOAT8 = ("fp8e4nv", "fp8e5")
_installed = False


def install() -> None:
    """Replace the interpreter's float-to-float conversion where float8 is involved (once)."""
    global _installed
    if _installed:
        return
    from triton.runtime import interpreter  # only a process that interprets needs it

    original = interpreter.InterpreterBuilder.create_fp_to_fp
    original_dot = interpreter.InterpreterBuilder.create_dot

    def create_fp_to_fp(self: Any, src: Any, dst_type: Any, rounding_mode: Any) -> Any:
        source, target = src.dtype.scalar.name, dst_type.scalar.name
        if (source in _FLOAT8 or target in _FLOAT8) and {source, target} <= set(_TORCH_DTYPES):
            data = _convert(np.ascontiguousarray(src.data), source, target)
            return interpreter.TensorHandle(data, dst_type.scalar)
        return original(self, src, dst_type, rounding_mode)

    def create_dot(self: Any, a: Any, b: Any, acc: Any, precision: Any, imprecise: Any) -> Any:
        names = (a.dtype.scalar.name, b.dtype.scalar.name)
        if not set(names) & set(_FLOAT8) or not set(names) <= set(_TORCH_DTYPES):
            return original_dot(self, a, b, acc, precision, imprecise)
        left, right = (
            _convert(np.ascontiguousarray(h.data), n, "fp32") for h, n in zip((a, b), names)
        )
        product = np.matmul(left, right, dtype=acc.data.dtype) + acc.data
        return interpreter.TensorHandle(product, acc.dtype.scalar)

    interpreter.InterpreterBuilder.create_fp_to_fp = create_fp_to_fp
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
