"""Probes (round 18): a host name bound to a numpy scalar, read by device code.

Found in round 18: `s = np.float32(0.5)` in host code, then `x[tile] * s`, failed inside
Triton's launch ("cannot convert 0.5 of type numpy.float32"), naming no line of the user's.
Now device code's read of such a name (or of arithmetic on one, `1 / np.sqrt(d)`) is refused
at the name, its hint binding the Python number torch reads the numpy scalar as
(lower/numpy_values.py); that spelling computes as torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

CASES = {  # host binding of s, its fix, the dtype of x, torch's answer for x * s + 1
    "the_user_s_float32": ("np.float32(0.5)", "float(np.float32(0.5))", torch.float32),
    "a_root_of_a_size": ("1 / np.sqrt(x.size(0))", "float(1 / np.sqrt(x.size(0)))", torch.float32),
    "an_int32_scalar": ("np.int32(3)", "int(np.int32(3))", torch.int32),
}


def _source(binding: str) -> str:
    return "import numpy as np\n" + kernel(
        "x: torch.Tensor",
        f"    s = {binding}\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * s + 1\n"
        "    return out\n",
    )


def _inputs(dtype: torch.dtype):
    if dtype.is_floating_point:
        return [signed_rand(43).to(dtype).to(DEVICE)]
    values = torch.randint(-50, 50, (43,), dtype=dtype)
    values[values == 0] = 9
    return [values.to(DEVICE)]


@pytest.mark.parametrize("case", CASES)
def test_a_numpy_value_read_by_device_code_is_refused_with_its_python_number(case):
    binding, fix, _ = CASES[case]
    source = _source(binding)
    line = next(n for n, text in enumerate(source.splitlines(), 1) if "* s + 1" in text)
    assert_refused_at(source, line, "s + 1", "made by numpy", f"bind s = {fix}")


@pytest.mark.parametrize("case", CASES)
def test_the_python_number_the_hint_binds_computes_as_torch(case):
    binding, fix, dtype = CASES[case]
    value = eval(binding.replace("x.size(0)", "43"), {"np": np})  # noqa: S307 - a test's constant
    assert_computes_as_torch(_source(fix), lambda: _inputs(dtype), lambda x: x * value + 1)
