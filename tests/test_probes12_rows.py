"""Evaluator-style probes of rows (round 12), grouped one kernel per inputs: reductions with a
negative or tuple `dim` and `keepdim`, var / std with `correction` / `unbiased`, argmax / argmin
ties and NaN, max(dim) as (values, indices), integer sums and products that torch widens to
int64 (int8, uint8, bool, int32 past its range), cumsum / cumprod and reverse spellings, rows
broadcast against a column through [:, None], unsqueeze, reshape, expand; reductions over a
partial slice `x[tile, 2:9]`, and over several dimensions of a 3-D block. Each probe against
torch in float64; each kernel also compiled for sm_90 (conftest).

Found silently wrong in round 12: a mean, var or std of a slice shorter than its lanes
(`x[tile, 2:9].mean(-1)`: 7 indices in 8 lanes) divided by the lanes, not the slice's length;
its `.size(1)` and `.shape[-1]` were the lanes too."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from helpers import DEVICE
from probe_groups import assert_each_as_torch

M, N = 37, 53
F32, F64, I64, BOOL = "torch.float32", "torch.float64", "torch.int64", "torch.bool"
BLOCK = "x.shape"  # an output shaped as x, stored as out[tile, :]


def floats(*shape):
    return torch.randn(*shape, device=DEVICE) * 3


def ints(*shape, low, high, dtype=torch.int32):
    values = torch.randint(low, high, shape, device=DEVICE)
    values[values == 0] = 3
    return values.to(dtype)


def lse(x):
    return torch.logsumexp(x, -1)


REDUCTIONS = {  # x: [M, N] floats
    "sum_negative_dim": ("x[tile, :].sum(-1)", "x.dtype", lambda x: x.sum(-1)),
    "sum_tuple_dim": ("x[tile, :].sum(dim=(1,))", "x.dtype", lambda x: x.sum(1)),
    "sum_to_float64": ("x[tile, :].sum(-1, dtype=torch.float64)", F64, lambda x: x.sum(-1)),
    "var_correction_0": ("x[tile, :].var(-1, correction=0)", "x.dtype", lambda x: x.var(-1, correction=0)),
    "var_correction_2": ("torch.var(x[tile, :], dim=-1, correction=2)", "x.dtype", lambda x: x.var(-1, correction=2)),
    "std_not_unbiased": ("x[tile, :].std(-1, unbiased=False)", "x.dtype", lambda x: x.std(-1, unbiased=False)),
    "var_minus_mean": ("torch.var_mean(x[tile, :], dim=-1, correction=0)[0] - torch.var_mean(x[tile, :], -1, correction=0)[1]", "x.dtype", lambda x: x.var(-1, correction=0) - x.mean(-1)),
    "max_of_nan": ("torch.log(x[tile, :]).max(-1).values", "x.dtype", lambda x: torch.log(x).max(-1).values),
    "amax_of_nan": ("torch.amax(torch.log(x[tile, :]), -1)", "x.dtype", lambda x: torch.log(x).amax(-1)),
    "argmax_of_nan": ("torch.log(x[tile, :]).argmax(-1)", I64, lambda x: torch.log(x).argmax(-1)),
    "count_over_n": ("(x[tile, :] > 0).sum(-1) / n", F32, lambda x: (x > 0).sum(-1) / N),
    "any": ("torch.any(x[tile, :] > 5, dim=-1)", BOOL, lambda x: (x > 5).any(-1)),
    "logsumexp_of_all_minus_inf": ("torch.logsumexp(torch.where(x[tile, :] > 100, x[tile, :], float('-inf')), dim=-1)", "x.dtype", lambda x: lse(torch.where(x > 100, x, float("-inf")))),
    "logsumexp_with_inf": ("torch.logsumexp(torch.where(x[tile, :] > 5, float('inf'), x[tile, :]), dim=-1)", "x.dtype", lambda x: lse(torch.where(x > 5, float("inf"), x))),

}  # fmt: skip


def test_row_reductions_compute_as_torch():
    assert_each_as_torch("x: torch.Tensor", REDUCTIONS, [floats(M, N)], rows=True)


SLICES = {  # x: [M, N] floats; slices shorter than their lanes, past the end, from the end
    "mean_of_slice": ("x[tile, 2:9].mean(-1)", "x.dtype", lambda x: x[:, 2:9].mean(-1)),
    "var_of_slice": ("x[tile, 2:9].var(-1)", "x.dtype", lambda x: x[:, 2:9].var(-1)),
    "std_of_slice_to_end": ("torch.std(x[tile, 40:n], dim=-1, correction=0)", "x.dtype", lambda x: x[:, 40:].std(-1, correction=0)),
    "mean_of_slice_past_end": ("x[tile, 50:57].mean(-1)", "x.dtype", lambda x: x[:, 50:57].mean(-1)),
    "mean_of_head": ("x[tile, :5].mean(-1)", "x.dtype", lambda x: x[:, :5].mean(-1)),
    "mean_of_tail": ("x[tile, 40:].mean(-1)", "x.dtype", lambda x: x[:, 40:].mean(-1)),
    "mean_from_end": ("x[tile, -7:].mean(-1)", "x.dtype", lambda x: x[:, -7:].mean(-1)),
    "mean_between_ends": ("x[tile, -9:-2].mean(-1)", "x.dtype", lambda x: x[:, -9:-2].mean(-1)),
    "var_minus_mean_of_slice": ("torch.var_mean(x[tile, 1:12], dim=-1)[0] - torch.var_mean(x[tile, 1:12], dim=-1)[1]", "x.dtype", lambda x: x[:, 1:12].var(-1) - x[:, 1:12].mean(-1)),
    "means_of_two_slices": ("x[tile, 0:3].mean(-1) * x[tile, 10:15].mean(-1)", "x.dtype", lambda x: x[:, 0:3].mean(-1) * x[:, 10:15].mean(-1)),
    "rms_of_slice": ("torch.rsqrt(x[tile, 2:9].pow(2).mean(-1) + 1e-5)", "x.dtype", lambda x: torch.rsqrt(x[:, 2:9].pow(2).mean(-1) + 1e-5)),
    "amax_of_negative_slice": ("(-x[tile, 2:9].abs()).amax(-1)", "x.dtype", lambda x: (-x[:, 2:9].abs()).amax(-1)),
    "min_of_positive_slice": ("x[tile, 2:9].abs().min(-1).values", "x.dtype", lambda x: x[:, 2:9].abs().min(-1).values),
    "argmin_of_positive_slice": ("x[tile, 2:9].abs().argmin(-1)", I64, lambda x: x[:, 2:9].abs().argmin(-1)),
    "prod_of_slice": ("x[tile, 2:9].prod(-1)", "x.dtype", lambda x: x[:, 2:9].prod(-1)),
    "all_of_slice": ("(x[tile, 2:9] > -4).all(-1)", BOOL, lambda x: (x[:, 2:9] > -4).all(-1)),
    "sum_over_size_of_slice": ("x[tile, 2:9].sum(-1) / x[tile, 2:9].size(1)", "x.dtype", lambda x: x[:, 2:9].mean(-1)),
    "sum_over_shape_of_slice": ("x[tile, 2:9].sum(-1) / x[tile, 2:9].shape[-1]", "x.dtype", lambda x: x[:, 2:9].mean(-1)),
    "zeros_of_slice_size": ("(hl.zeros([tile, x[tile, 2:9].size(1)], dtype=torch.float32) + x[tile, 2:9]).sum(-1)", "x.dtype", lambda x: x[:, 2:9].sum(-1)),
    "reshaped_by_slice_size": ("x[tile, 2:9].reshape([tile.block_size, x[tile, 2:9].size(1)]).sum(-1)", "x.dtype", lambda x: x[:, 2:9].sum(-1)),
    "ones_like_slice_summed": ("torch.ones_like(x[tile, 2:9]).sum(-1)", "x.dtype", lambda x: x[:, 0] * 0 + 7),
    "logsumexp_of_slice": ("torch.logsumexp(x[tile, 2:9], -1)", "x.dtype", lambda x: lse(x[:, 2:9])),
    "size_of_slice_past_end": ("x[tile, 50:58].sum(-1) / x[tile, 50:58].size(1)", "x.dtype", lambda x: x[:, 50:58].mean(-1)),
    "shape_of_slice_past_end": ("x[tile, 0] * x[tile, 48:64].shape[1]", "x.dtype", lambda x: x[:, 0] * x[:, 48:64].shape[1]),
    "zeros_of_slice_past_end": ("(hl.zeros([tile, x[tile, 50:58].size(1)], dtype=torch.float32) + x[tile, 50:58]).sum(-1)", "x.dtype", lambda x: x[:, 50:58].sum(-1)),
}  # fmt: skip


def test_reductions_over_partial_slices_compute_as_torch():
    """was: the mean, var and std of x[tile, 2:9] divided by 8 lanes (tl.minimum(n - 2, 8)),
    and its .size(1) / .shape[-1] was 8."""
    assert_each_as_torch("x: torch.Tensor", SLICES, [floats(M, N)], rows=True)


INTEGERS = {  # x: [M, N] int32 in [-4, 4) (ties); b: int8; u: uint8; w: int32 near its limits
    "argmax_of_ties": ("x[tile, :].argmax(-1)", I64, lambda x, b, u, w: x.argmax(-1)),
    "argmin_of_ties": ("torch.argmin(x[tile, :], dim=1)", I64, lambda x, b, u, w: x.argmin(1)),
    "max_values_and_indices": ("torch.max(x[tile, :], dim=1)[0] * 100 + torch.max(x[tile, :], dim=1)[1]", I64, lambda x, b, u, w: x.max(1)[0] * 100 + x.max(1)[1]),
    "argmax_of_slice": ("x[tile, 2:9].argmax(-1)", I64, lambda x, b, u, w: x[:, 2:9].argmax(-1)),
    "argmax_between_ends": ("x[tile, -9:-2].argmax(-1)", I64, lambda x, b, u, w: x[:, -9:-2].argmax(-1)),
    "int_product": ("x[tile, :5].prod(-1)", I64, lambda x, b, u, w: x[:, :5].prod(-1)),
    "int8_sum_to_int64": ("b[tile, :].sum(-1)", I64, lambda x, b, u, w: b.sum(-1)),
    "int8_sum_stored_int8": ("b[tile, :].sum(-1)", "torch.int8", lambda x, b, u, w: b.sum(-1).to(torch.int8)),
    "int8_product": ("b[tile, :9].prod(-1)", I64, lambda x, b, u, w: b[:, :9].prod(-1)),
    "uint8_sum": ("u[tile, :].sum(-1)", I64, lambda x, b, u, w: u.sum(-1)),
    "int32_sum_past_its_range": ("w[tile, :].sum(-1)", I64, lambda x, b, u, w: w.sum(-1)),
    "int32_sum_stored_int32": ("w[tile, :].sum(-1).to(torch.int32)", "torch.int32", lambda x, b, u, w: w.sum(-1).int()),
    "int32_sum_plus_int32": ("w[tile, :].sum(-1) + w[tile, 0]", I64, lambda x, b, u, w: w.sum(-1) + w[:, 0]),
    "int32_sum_over_n": ("w[tile, :].sum(-1) / n", F32, lambda x, b, u, w: w.sum(-1) / N),
    "int32_product_past_its_range": ("(w[tile, :4] // 1000000).prod(-1)", I64, lambda x, b, u, w: (w[:, :4] // 1000000).prod(-1)),
}  # fmt: skip


def test_integer_reductions_widen_and_break_ties_as_torch():
    args = [
        ints(M, N, low=-4, high=4),
        ints(M, N, low=-128, high=127, dtype=torch.int8),
        ints(M, N, low=1, high=255, dtype=torch.uint8),
        ints(M, N, low=-(2**31), high=2**31 - 1),
    ]
    signature = "x: torch.Tensor, b: torch.Tensor, u: torch.Tensor, w: torch.Tensor"
    assert_each_as_torch(signature, INTEGERS, args, rows=True)


BLOCKS = {  # x, y: [M, N] floats; c: [M] a column, r: [N] a row
    "minus_keepdim_sum": ("x[tile, :] - x[tile, :].sum(-1, keepdim=True)", "x.dtype", lambda x, y, c, r: x - x.sum(-1, keepdim=True), BLOCK),
    "over_keepdim_std": ("x[tile, :] / x[tile, :].std(dim=1, keepdim=True)", "x.dtype", lambda x, y, c, r: x / x.std(1, keepdim=True), BLOCK),
    "cumsum_to_float64": ("x[tile, :].cumsum(-1, dtype=torch.float64)", F64, lambda x, y, c, r: x.cumsum(-1), BLOCK),
    "cumprod": ("torch.cumprod(x[tile, :] * 0.1 + 1, dim=-1)", "x.dtype", lambda x, y, c, r: (x * 0.1 + 1).cumprod(-1), BLOCK),
    "cumsum_flipped_twice": ("x[tile, :].flip(-1).cumsum(-1).flip(-1)", "x.dtype", lambda x, y, c, r: x.flip(-1).cumsum(-1).flip(-1), BLOCK),
    "cumsum_from_the_end": ("x[tile, :].sum(-1, keepdim=True) - x[tile, :].cumsum(-1) + x[tile, :]", "x.dtype", lambda x, y, c, r: x.flip(-1).cumsum(-1).flip(-1), BLOCK),
    "mask_cumsum": ("(x[tile, :] > 0).cumsum(1)", I64, lambda x, y, c, r: (x > 0).cumsum(1), BLOCK),
    "softmax_of_all_minus_inf": ("torch.softmax(torch.where(x[tile, :] > 100, x[tile, :], float('-inf')), dim=-1)", "x.dtype", lambda x, y, c, r: torch.where(x > 100, x, float("-inf")).softmax(-1), BLOCK),
    "softmax_to_float64": ("torch.softmax(x[tile, :], dim=-1, dtype=torch.float64)", F64, lambda x, y, c, r: x.softmax(-1), BLOCK),
    "softplus_beta_threshold": ("torch.nn.functional.softplus(x[tile, :], beta=2.0, threshold=3.0)", "x.dtype", lambda x, y, c, r: F.softplus(x, beta=2.0, threshold=3.0), BLOCK),
    "hardtanh": ("torch.nn.functional.hardtanh(x[tile, :], -2.0, 1.5)", "x.dtype", lambda x, y, c, r: F.hardtanh(x, -2.0, 1.5), BLOCK),
    "column_through_none": ("x[tile, :] + c[tile][:, None]", "x.dtype", lambda x, y, c, r: x + c[:, None], BLOCK),
    "column_unsqueezed_negative": ("x[tile, :] * c[tile].unsqueeze(-1)", "x.dtype", lambda x, y, c, r: x * c[:, None], BLOCK),
    "column_reshaped": ("x[tile, :] - c[tile].reshape([tile.block_size, 1])", "x.dtype", lambda x, y, c, r: x - c[:, None], BLOCK),
    "column_expanded_as": ("x[tile, :] - c[tile][:, None].expand_as(x[tile, :])", "x.dtype", lambda x, y, c, r: x - c[:, None], BLOCK),
    "column_indexed_none": ("x[tile, :] - c[tile, None]", "x.dtype", lambda x, y, c, r: x - c[:, None], BLOCK),
    "row_through_none": ("x[tile, :] - r[None, :]", "x.dtype", lambda x, y, c, r: x - r, BLOCK),
    "row_times_matrix_summed": ("(x[tile, :] * r[None, :]).sum(-1)", "x.dtype", lambda x, y, c, r: x @ r, "[m]"),
    "column_of_a_matrix": ("x[tile, :] - y[tile, 2][:, None]", "x.dtype", lambda x, y, c, r: x - y[:, 2:3], BLOCK),
}  # fmt: skip


def test_blocks_scans_and_broadcast_columns_compute_as_torch():
    args = [floats(M, N), floats(M, N), floats(M), floats(N)]
    signature = "x: torch.Tensor, y: torch.Tensor, c: torch.Tensor, r: torch.Tensor"
    assert_each_as_torch(signature, BLOCKS, args, rows=True)


THREE_D = {  # x: [M, 5, 7] floats
    "sum_of_two_dims": ("x[tile, :, :].sum(dim=(1, 2))", "x.dtype", lambda x: x.sum((1, 2))),
    "sum_of_two_negative_dims": ("x[tile, :, :].sum(dim=(-2, -1))", "x.dtype", lambda x: x.sum((-2, -1))),
    "mean_of_a_list_of_dims": ("torch.mean(x[tile, :, :], dim=[1, 2])", "x.dtype", lambda x: x.mean((1, 2))),
    "var_of_two_dims": ("torch.var(x[tile, :, :], dim=(1, 2))", "x.dtype", lambda x: x.var((1, 2))),
    "std_of_dims_out_of_order": ("x[tile, :, :].std(dim=(2, 1), correction=0)", "x.dtype", lambda x: x.std((1, 2), correction=0)),
    "amax_of_two_dims": ("torch.amax(x[tile, :, :], dim=(1, 2))", "x.dtype", lambda x: x.amax((1, 2))),
    "sum_of_middle_dim": ("x[tile, :, :].sum(1)", "x.dtype", lambda x: x.sum(1), "[m, 7]"),
    "argmax_of_middle_dim": ("(x[tile, :, :] * 0.5).round().argmax(1)", I64, lambda x: (x * 0.5).round().argmax(1), "[m, 7]"),
}  # fmt: skip


def test_reductions_over_several_dims_of_a_3d_block_compute_as_torch():
    assert_each_as_torch("x: torch.Tensor", THREE_D, [floats(M, 5, 7)], rows=True)
