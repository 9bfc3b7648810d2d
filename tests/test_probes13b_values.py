"""Probes (round 13b) of the torch op surface inside device loops as ML code writes it, grouped
one kernel per inputs (probe_groups.py): dtype promotion of int / float / half mixes and Python
numbers, integer `//` `%` of int32 with int64, bit ops, pow with int and tensor exponents,
masked_fill / where with numbers of another kind, logical ops of floats and ints, NaN, inf and
-0.0 through activations and rounding, small arguments of tanh, rows (max / min with keepdim,
argmax / argmin ties, NaN and infinities, cumsum of int32 to int64, softmax spellings, gathers,
transposes) and max / min of two row blocks. Each against torch in float64; each kernel also
compiled for sm_90 (conftest).

Found in round 13b:
- tanh (and what is built on it: tanhshrink, mish, gelu's tanh form) was `2 * sigmoid(2x) -
  1`, which loses the digits of a small x: `torch.tanh(x * 1e-5) * 1e5` came out 3.5% off,
  `torch.tanh(x * 1e-3) * 1e3` 1e-4 off (silently). Now tanh's series near 0 (float32) or
  expm1 (float64) (emit/prelude.py).
- `torch.max(x[tile, :], y[tile, :])` (and min, and the method `a.max(b)`) of two row blocks
  was an InternalTranspilerError: the shape analysis read the second tensor as a `dim`
  (lower/shape_torch.py); now element-wise, as torch.maximum."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from helpers import DEVICE
from probe_groups import assert_each_as_torch

N, M, COLUMNS = 53, 37, 29
F32, F16, I32, I64 = "torch.float32", "torch.float16", "torch.int32", "torch.int64"
BOOL = "torch.bool"
BLOCK = "x.shape"


def ints(low, high, dtype=torch.int32, shape=(N,)):
    values = torch.randint(low, high, shape, device=DEVICE)
    values[values == 0] = 7  # never zero: a divisor, and no zeros as inputs
    return values.to(dtype)


def floats(*shape):
    return torch.randn(*shape or (N,), device=DEVICE) * 3


MIXES = {  # x, y: float32; i: int32 in [-50, 50); w: int64 in [-9, 9)
    "float_times_int": ("x[tile] * i[tile]", F32, lambda x, y, i, w: x * i),
    "int_plus_number": ("i[tile] + 2.5", F32, lambda x, y, i, w: i + 2.5),
    "long_times_number": ("w[tile] * 1.5", F32, lambda x, y, i, w: w * 1.5),
    "int_floordiv_long": ("i[tile] // w[tile]", I64, lambda x, y, i, w: i // w),
    "int_mod_long": ("i[tile] % w[tile]", I64, lambda x, y, i, w: i % w),
    "wide_floordiv": ("(w[tile] * 1000000007) // 13", I64, lambda x, y, i, w: (w * 1000000007) // 13),
    "wide_mod_negative": ("(w[tile] * 1000000007) % -13", I64, lambda x, y, i, w: (w * 1000000007) % -13),
    "int_mod_number": ("i[tile] % 2.5", F32, lambda x, y, i, w: i % 2.5),
    "negated_int_floordiv": ("-i[tile] // 3", I32, lambda x, y, i, w: -i // 3),
    "int_and_long": ("i[tile] & w[tile]", I64, lambda x, y, i, w: i & w),
    "int_xor_minus_one": ("i[tile] ^ -1", I32, lambda x, y, i, w: i ^ -1),
    "int_shift_31": ("i[tile] << 31", I32, lambda x, y, i, w: i << 31),
    "power_minus_two": ("x[tile] ** -2", F32, lambda x, y, i, w: x**-2),
    "power_of_int_exponents": ("torch.pow(x[tile], i[tile] % 4)", F32, lambda x, y, i, w: torch.pow(x, i % 4)),
    "int_cubed": ("i[tile] ** 3", I32, lambda x, y, i, w: i**3),
    "clamp_int_by_floats": ("torch.clamp(i[tile], min=y[tile])", F32, lambda x, y, i, w: torch.clamp(i, min=y)),
    "where_int_or_float": ("torch.where(x[tile] > 0, i[tile], y[tile])", F32, lambda x, y, i, w: torch.where(x > 0, i, y)),
    "masked_fill_int_by_float": ("i[tile].masked_fill(y[tile] > 0, 2.7)", I32, lambda x, y, i, w: i.masked_fill(y > 0, 2.7)),
    "logical_and_of_numbers": ("torch.logical_and(x[tile], i[tile] % 2)", BOOL, lambda x, y, i, w: torch.logical_and(x, i % 2)),
    "logical_xor_float": ("torch.logical_xor(x[tile] > 0, y[tile])", BOOL, lambda x, y, i, w: torch.logical_xor(x > 0, y)),
    "masks_combined": ("((x[tile] > 0) & (y[tile] < 0)) | ~(x[tile] > 1)", BOOL, lambda x, y, i, w: ((x > 0) & (y < 0)) | ~(x > 1)),
    "long_past_float_digits": ("(w[tile] * 100000000001).float()", F32, lambda x, y, i, w: (w * 100000000001).double()),
    "bool_times_int": ("(x[tile] > 0) * 2", I64, lambda x, y, i, w: (x > 0) * 2),
    "int_equals_float": ("i[tile] == 3.0", BOOL, lambda x, y, i, w: i == 3.0),
    "reciprocal_of_int": ("torch.reciprocal(i[tile])", F32, lambda x, y, i, w: torch.reciprocal(i.double())),
}  # fmt: skip


def test_dtype_mixes_compute_as_torch():
    args = [floats(), floats(), ints(-50, 50), ints(-9, 9, torch.int64)]
    signature = "x: torch.Tensor, y: torch.Tensor, i: torch.Tensor, w: torch.Tensor"
    assert_each_as_torch(signature, MIXES, args)


HALVES = {  # x: float32; h: float16 in (-0.5, 0.5); i: int32 in [-50, 50), never meeting h
    "half_plus_float": ("h[tile] + x[tile]", F32, lambda x, h, i: h + x),
    "where_half_or_number": ("torch.where(x[tile] > 0, h[tile], 2.0)", F16, lambda x, h, i: torch.where(x > 0, h, 2.0)),
    "half_times_past_its_range": ("h[tile] * 70000.0", F16, lambda x, h, i: h.half() * 70000.0),
    "float_times_int": ("x[tile] * i[tile]", F32, lambda x, h, i: x * i),
    "int_converted_to_half": ("i[tile].to(torch.float16) * h[tile]", F16, lambda x, h, i: (i.half() * h.half())),
}  # fmt: skip


def test_halves_and_ints_on_lines_of_their_own_compute_as_torch():
    """was: refused at the launch ("torch.int32 i meets torch.float16 h (lines [..])"): the
    check joined every line's tensors; now the tensors one line combines."""
    args = [floats(), (torch.rand(N, device=DEVICE) - 0.5).half(), ints(-50, 50)]
    assert_each_as_torch("x: torch.Tensor, h: torch.Tensor, i: torch.Tensor", HALVES, args)


SMALL = {  # x: float32; tanh and what is built on it, of arguments near 0
    "tanh_of_1e-5": ("torch.tanh(x[tile] * 1e-5) * 1e5", F32, lambda x: torch.tanh(x * 1e-5) * 1e5),
    "tanh_of_1e-3": ("torch.tanh(x[tile] * 1e-3) * 1e3", F32, lambda x: torch.tanh(x * 1e-3) * 1e3),
    "method_tanh": ("(x[tile] * 1e-4).tanh() * 1e4", F32, lambda x: (x * 1e-4).tanh() * 1e4),
    "softcap": ("30.0 * torch.tanh(x[tile] / 30.0)", F32, lambda x: 30.0 * torch.tanh(x / 30.0)),
    "tanh_of_large": ("torch.tanh(x[tile] * 40.0)", F32, lambda x: torch.tanh(x * 40.0)),
    "mish_of_small": ("F.mish(x[tile] * 1e-4) * 1e4", F32, lambda x: F.mish(x * 1e-4) * 1e4),
    "gelu_tanh_of_small": ("F.gelu(x[tile] * 1e-5, approximate='tanh') * 1e5", F32, lambda x: F.gelu(x * 1e-5, approximate="tanh") * 1e5),
}  # fmt: skip


def test_tanh_of_small_arguments_keeps_its_digits():
    """was: tanh(x * 1e-5) * 1e5 3.5% off, tanh(x * 1e-3) * 1e3 1e-4 off."""
    import probe_kernels

    header = probe_kernels.HEADER
    probe_kernels.HEADER = header + "import torch.nn.functional as F\n"
    try:
        assert_each_as_torch("x: torch.Tensor", SMALL, [floats()])
    finally:
        probe_kernels.HEADER = header


ROWS = {  # x, y: [M, COLUMNS] floats; i: int32 in [-4, 4) (ties); c: [M] floats
    "max_keepdim_values": ("x[tile, :] - x[tile, :].max(dim=-1, keepdim=True).values", F32, lambda x, y, i, c: x - x.max(-1, keepdim=True).values, BLOCK),
    "max_by_position_keepdim": ("x[tile, :] - torch.max(x[tile, :], 1, True)[0]", F32, lambda x, y, i, c: x - x.max(1, True)[0], BLOCK),
    "max_indices_keepdim": ("torch.max(i[tile, :], dim=1, keepdim=True)[1].squeeze(1)", I64, lambda x, y, i, c: i.max(1, keepdim=True)[1].squeeze(1)),
    "min_indices_of_ties": ("torch.min(i[tile, :], -1).indices", I64, lambda x, y, i, c: i.min(-1).indices),
    "argmin_of_nan": ("torch.log(x[tile, :]).argmin(-1)", I64, lambda x, y, i, c: torch.log(x).argmin(-1)),
    "argmax_of_infinities": ("torch.where(x[tile, :] > 2, float('inf'), x[tile, :]).argmax(-1)", I64, lambda x, y, i, c: torch.where(x > 2, float("inf"), x).argmax(-1)),
    "argmax_of_a_mask": ("(x[tile, :] > 4).argmax(-1)", I64, lambda x, y, i, c: (x > 4).int().argmax(-1)),
    "min_of_nan_indices": ("torch.log(x[tile, :]).min(-1).indices", I64, lambda x, y, i, c: torch.log(x).min(-1).indices),
    "int_sum_to_float": ("i[tile, :].sum(1, dtype=torch.float32)", F32, lambda x, y, i, c: i.sum(1).double()),
    "nansum": ("torch.nansum(torch.log(x[tile, :]), -1)", F32, lambda x, y, i, c: torch.nansum(torch.log(x), -1)),
    "count_nonzero": ("torch.count_nonzero(i[tile, :], dim=-1)", I64, lambda x, y, i, c: torch.count_nonzero(i, dim=-1)),
    "int_cumsum_past_int32": ("(i[tile, :] * 300000000).cumsum(-1)", I64, lambda x, y, i, c: (i * 300000000).cumsum(-1), BLOCK),
    "int_cumprod": ("(i[tile, :] % 3 + 1).cumprod(1)", I64, lambda x, y, i, c: (i % 3 + 1).cumprod(1), BLOCK),
    "log_softmax_functional": ("F.log_softmax(x[tile, :], dim=-1)", F32, lambda x, y, i, c: F.log_softmax(x, -1), BLOCK),
    "softmax_of_nan": ("torch.log(x[tile, :]).softmax(-1)", F32, lambda x, y, i, c: torch.log(x).softmax(-1), BLOCK),
    "softmax_of_ints": ("torch.softmax(i[tile, :], -1, dtype=torch.float32)", F32, lambda x, y, i, c: torch.softmax(i.double(), -1), BLOCK),
    "gather_by_column": ("torch.gather(x[tile, :], 1, (i[tile, 0] + 4).long()[:, None]).squeeze(1)", F32, lambda x, y, i, c: torch.gather(x, 1, (i[:, :1] + 4).long()).squeeze(1)),
    "transposed_sum": ("torch.transpose(x[tile, :], 0, 1).sum(0)", F32, lambda x, y, i, c: x.sum(1)),
    "max_of_two_rows": ("torch.max(x[tile, :], y[tile, :]).sum(-1)", F32, lambda x, y, i, c: torch.max(x, y).sum(-1)),
    "min_of_two_rows": ("torch.min(x[tile, :], y[tile, :])", F32, lambda x, y, i, c: torch.min(x, y), BLOCK),
    "method_max_of_rows": ("x[tile, :].max(torch.log(y[tile, :]))", F32, lambda x, y, i, c: x.max(torch.log(y)), BLOCK),
    "max_of_row_and_column": ("torch.max(x[tile, :], c[tile][:, None]).amax(-1)", F32, lambda x, y, i, c: torch.max(x, c[:, None]).amax(-1)),
    "tanh_of_small_rows": ("torch.tanh(x[tile, :] * 1e-4).sum(-1) * 1e4", F32, lambda x, y, i, c: torch.tanh(x * 1e-4).sum(-1) * 1e4),
}  # fmt: skip


def test_rows_compute_as_torch():
    """was: max / min of two row blocks an InternalTranspilerError."""
    import probe_kernels

    header = probe_kernels.HEADER
    probe_kernels.HEADER = header + "import torch.nn.functional as F\n"
    args = [floats(M, COLUMNS), floats(M, COLUMNS), ints(-4, 4, shape=(M, COLUMNS)), floats(M)]
    signature = "x: torch.Tensor, y: torch.Tensor, i: torch.Tensor, c: torch.Tensor"
    try:
        assert_each_as_torch(signature, ROWS, args, rows=True)
    finally:
        probe_kernels.HEADER = header
