"""Probes (round 17) of element-wise and row ops as model code writes them, grouped one kernel per
inputs (probe_groups.py): torch's keyword arguments (softplus's beta and threshold, elu / celu's
alpha, gelu's tanh, hardtanh's bounds, addcmul / addcdiv's value, lerp, nan_to_num, fmod and
remainder by a negative), lanes past the end of rows of 37 in blocks of 64 in values derived from
the loads (`1 / x`, `torch.where(x < 0, 1.0, -1.0)`, `x - 5`, counts, sorts, topk, flips,
reverse cumsums, cummin, softmax and layer norm of shifted rows) on all-negative and
all-positive rows, bool and int ops (`~m`, `m ^ True`, shifts of negatives, bitwise functions,
`//` / `%` / fmod by negatives, `.long()`, `.bool()`), and NaN, ±inf through clamps, activations,
rounding and comparisons. Each against torch in float64 (integers and bools exactly), each kernel
also compiled for sm_90 (conftest). All computed as torch in round 17 (the spellings it refused,
`torch.add(..., alpha=)`, `torch.erfinv`, `torch.isclose`, ..., are refused with a hint naming
the fix, as before)."""

from __future__ import annotations

import probe_kernels
import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE, signed_rand
from probe_groups import assert_each_as_torch

M, N = 13, 37
FL, I32, I64, BO = "torch.float32", "torch.int32", "torch.int64", "torch.bool"


@pytest.fixture(autouse=True)
def _functional_imported(monkeypatch):
    """The kernels' module imports torch.nn.functional as F, as model code does."""
    monkeypatch.setattr(
        probe_kernels, "HEADER", probe_kernels.HEADER + "import torch.nn.functional as F\n"
    )


def f(*shape):
    return signed_rand(*shape).to(DEVICE)


def with_edges():
    """Fresh values with NaN at every fifth place, +inf and -inf."""
    x = signed_rand(N)
    x[::5], x[1], x[2] = float("nan"), float("inf"), -float("inf")
    return x.to(DEVICE)


KEYWORDS = {
    "softplus_beta": ("F.softplus(x[tile] * 4, beta=2.0, threshold=3.0)", FL, lambda x, y: F.softplus(x * 4, beta=2.0, threshold=3.0)),
    "elu_alpha": ("F.elu(x[tile], alpha=0.5)", FL, lambda x, y: F.elu(x, alpha=0.5)),
    "celu_alpha": ("F.celu(x[tile], alpha=0.5)", FL, lambda x, y: F.celu(x, alpha=0.5)),
    "leaky_slope_pos": ("F.leaky_relu(x[tile], 0.3)", FL, lambda x, y: F.leaky_relu(x, 0.3)),
    "gelu_tanh": ("F.gelu(x[tile], approximate='tanh')", FL, lambda x, y: F.gelu(x, approximate='tanh')),
    "hardtanh_kw": ("F.hardtanh(x[tile], min_val=-0.5, max_val=0.25)", FL, lambda x, y: F.hardtanh(x, min_val=-0.5, max_val=0.25)),
    "addcmul_value": ("torch.addcmul(x[tile], x[tile], y[tile], value=0.5)", FL, lambda x, y: torch.addcmul(x, x, y, value=0.5)),
    "addcdiv_value": ("torch.addcdiv(x[tile], x[tile], y[tile], value=-1.5)", FL, lambda x, y: torch.addcdiv(x, x, y, value=-1.5)),
    "lerp_scalar": ("torch.lerp(x[tile], y[tile], 0.3)", FL, lambda x, y: torch.lerp(x, y, 0.3)),
    "lerp_tensor": ("torch.lerp(x[tile], y[tile], x[tile].abs())", FL, lambda x, y: torch.lerp(x, y, x.abs())),
    "nan_to_num_kw": ("torch.nan_to_num(torch.log(x[tile]), nan=-9.0, posinf=1.0, neginf=-1.0)", FL, lambda x, y: torch.nan_to_num(torch.log(x), nan=-9.0)),
    "rsub": ("torch.rsub(x[tile], 2.0)", FL, lambda x, y: torch.rsub(x, 2.0)),
    "pow_scalar_base": ("torch.pow(2.0, x[tile] * 3)", FL, lambda x, y: torch.pow(2.0, x * 3)),
    "xlogy": ("torch.xlogy(x[tile], y[tile].abs())", FL, lambda x, y: torch.xlogy(x, y.abs())),
    "hypot": ("torch.hypot(x[tile], y[tile])", FL, lambda x, y: torch.hypot(x, y)),
    "logaddexp": ("torch.logaddexp(x[tile] * 30, y[tile] * 30)", FL, lambda x, y: torch.logaddexp(x * 30, y * 30)),
    "threshold": ("F.threshold(x[tile], 0.2, -3.0)", FL, lambda x, y: F.threshold(x, 0.2, -3.0)),
    "softshrink": ("F.softshrink(x[tile], 0.3)", FL, lambda x, y: F.softshrink(x, 0.3)),
    "hardshrink": ("F.hardshrink(x[tile], lambd=0.3)", FL, lambda x, y: F.hardshrink(x, lambd=0.3)),
    "hardsigmoid": ("F.hardsigmoid(x[tile] * 5)", FL, lambda x, y: F.hardsigmoid(x * 5)),
    "relu6": ("F.relu6(x[tile] * 10)", FL, lambda x, y: F.relu6(x * 10)),
    "selu": ("F.selu(x[tile])", FL, lambda x, y: F.selu(x)),
    "logsigmoid": ("F.logsigmoid(x[tile] * 20)", FL, lambda x, y: F.logsigmoid(x * 20)),
    "softsign": ("F.softsign(x[tile])", FL, lambda x, y: F.softsign(x)),
    "clamp_tensor_min": ("torch.clamp(x[tile], min=y[tile])", FL, lambda x, y: torch.clamp(x, min=y)),
    "where_zeros_like": ("torch.where(x[tile] > 0, x[tile], torch.zeros_like(x[tile]))", FL, lambda x, y: x.clamp(min=0)),
    "full_like_int": ("torch.full_like(x[tile], 3, dtype=torch.int32) * 2", "torch.int32", lambda x, y: torch.full_like(x, 3, dtype=torch.int32) * 2),
    "ones_like_plus": ("torch.ones_like(x[tile]) - x[tile]", FL, lambda x, y: 1 - x),
    "dropout_eval": ("F.dropout(x[tile], p=0.5, training=False)", FL, lambda x, y: x),
    "true_divide": ("torch.true_divide(x[tile], 3)", FL, lambda x, y: x / 3),
    "mul_int": ("torch.mul(x[tile], -2)", FL, lambda x, y: x * -2),
    "fmod_neg": ("torch.fmod(x[tile] * 7, -2.5)", FL, lambda x, y: torch.fmod(x * 7, -2.5)),
    "remainder_neg": ("torch.remainder(x[tile] * 7, -2.5)", FL, lambda x, y: torch.remainder(x * 7, -2.5)),
    "frac": ("torch.frac(x[tile] * 7)", FL, lambda x, y: torch.frac(x * 7)),
    "exp2_log2": ("torch.exp2(x[tile]) + torch.log2(y[tile].abs()) + torch.log10(y[tile].abs()) + torch.log1p(x[tile].abs())", FL, lambda x, y: torch.exp2(x) + torch.log2(y.abs()) + torch.log10(y.abs()) + torch.log1p(x.abs())),
    "square_rsqrt": ("torch.square(x[tile]) + torch.rsqrt(y[tile].abs()) + torch.reciprocal(x[tile])", FL, lambda x, y: x * x + torch.rsqrt(y.abs()) + 1 / x),
    "sinc": ("torch.sinc(x[tile] * 3)", FL, lambda x, y: torch.sinc(x * 3)),
    "lt_ge_sum": ("(x[tile] < y[tile]).to(torch.int32) + (x[tile] >= 0).to(torch.int32) * 2", "torch.int32", lambda x, y: (x < y).int() + (x >= 0).int() * 2),
    "logical_xor": ("torch.logical_xor(x[tile] > 0, y[tile])", "torch.bool", lambda x, y: torch.logical_xor(x > 0, y)),
    "signbit": ("torch.signbit(x[tile])", "torch.bool", lambda x, y: torch.signbit(x)),
    "heaviside_like": ("torch.where(x[tile] > 0, 1.0, 0.0)", FL, lambda x, y: (x > 0).double()),
    "trunc_int_out": ("torch.trunc(x[tile] * 10)", "torch.int32", lambda x, y: torch.trunc(x.float() * 10).int()),
}  # fmt: skip
ROWS = {
    "recip_amax": ("(1 / x[tile, :]).amax(-1)", FL, lambda x: (1 / x).amax(-1)),
    "where_amin": ("torch.where(x[tile, :] < 0, 1.0, -1.0).amin(-1)", FL, lambda x: torch.where(x < 0, 1.0, -1.0).amin(-1)),
    "shift_amax": ("(x[tile, :] - 5).amax(-1)", FL, lambda x: (x - 5).amax(-1)),
    "neg_argmax": ("(x[tile, :] - 5).argmax(-1)", "torch.int64", lambda x: (x - 5).argmax(-1)),
    "all_neg": ("(x[tile, :] < 0).all(-1)", "torch.bool", lambda x: (x < 0).all(-1)),
    "any_zero": ("(x[tile, :] == 0).any(-1)", "torch.bool", lambda x: (x == 0).any(-1)),
    "exp_sum": ("(x[tile, :] + 1).exp().sum(-1)", FL, lambda x: (x + 1).exp().sum(-1)),
    "softmax_shift": ("torch.softmax(x[tile, :] * 2 + 1, -1)", FL, lambda x: torch.softmax(x * 2 + 1, -1), "x.shape"),
    "prod_plus": ("(x[tile, :] + 2).prod(-1)", FL, lambda x: (x + 2).prod(-1)),
    "ones_count": ("torch.ones_like(x[tile, :]).sum(-1)", FL, lambda x: torch.ones_like(x).sum(-1)),
    "full_like_count": ("torch.full_like(x[tile, :], 2.0).sum(-1)", FL, lambda x: torch.full_like(x, 2.0).sum(-1)),
    "zeros_like_plus_count": ("(torch.zeros_like(x[tile, :]) + 1).sum(-1)", FL, lambda x: (torch.zeros_like(x) + 1).sum(-1)),
    "count_nonzero_like": ("(x[tile, :] != 0).sum(-1)", "torch.int64", lambda x: (x != 0).sum(-1)),
    "min_of_recip": ("torch.min(1 / x[tile, :], dim=-1).values", FL, lambda x: torch.min(1 / x, dim=-1).values),
    "logsumexp_shift": ("torch.logsumexp(x[tile, :] + 3, dim=-1)", FL, lambda x: torch.logsumexp(x + 3, dim=-1)),
    "mean_plus": ("(x[tile, :] + 1).mean(-1)", FL, lambda x: (x + 1).mean(-1)),
    "var_plus": ("(x[tile, :] + 1).var(-1)", FL, lambda x: (x + 1).var(-1)),
    "norm_plus": ("torch.linalg.vector_norm(x[tile, :] + 1, dim=-1)", FL, lambda x: torch.linalg.vector_norm(x + 1, dim=-1)),
    "sort_first": ("torch.sort(x[tile, :], dim=-1, descending=True).values", FL, lambda x: torch.sort(x, dim=-1, descending=True).values, "x.shape"),
    "sort_asc_idx": ("torch.sort(x[tile, :], dim=-1).indices", "torch.int64", lambda x: torch.sort(x, dim=-1).indices, "x.shape"),
    "argsort_desc": ("torch.argsort(x[tile, :], dim=-1, descending=True)", "torch.int64", lambda x: torch.argsort(x, dim=-1, descending=True), "x.shape"),
    "topk_first": ("torch.topk(x[tile, :], 4, dim=-1).values", FL, lambda x: torch.topk(x, 4, dim=-1).values, "[m, 4]"),
    "topk_small_idx": ("torch.topk(x[tile, :], 4, dim=-1, largest=False).indices", "torch.int64", lambda x: torch.topk(x, 4, dim=-1, largest=False).indices, "[m, 4]"),
    "flip_first": ("torch.flip(x[tile, :], [-1])", FL, lambda x: torch.flip(x, [-1]), "x.shape"),
    "rev_cumsum_first": ("torch.flip(torch.cumsum(torch.flip(x[tile, :] + 1, [-1]), -1), [-1])", FL, lambda x: torch.flip(torch.cumsum(torch.flip(x + 1, [-1]), -1), [-1]), "x.shape"),
    "cummin_last": ("torch.cummin(x[tile, :] + 1, -1).indices", "torch.int64", lambda x: torch.cummin(x + 1, -1).indices, "x.shape"),
    "cumprod_last": ("torch.cumprod(x[tile, :] * 0 + 1.1, -1)", FL, lambda x: torch.cumprod(x * 0 + 1.1, -1), "x.shape"),
    "max_no_dim_row": ("(x[tile, :] - 1).max(-1)[0]", FL, lambda x: (x - 1).max(-1)[0]),
    "argmin_pos": ("(x[tile, :] + 1).argmin(-1)", "torch.int64", lambda x: (x + 1).argmin(-1)),
    "std_of_const": ("(x[tile, :] * 0 + 3).std(-1)", FL, lambda x: (x * 0 + 3).std(-1)),
    "log_softmax_last": ("torch.log_softmax(x[tile, :] + 2, -1)", FL, lambda x: torch.log_softmax(x + 2, -1), "x.shape"),
    "sigmoid_sum": ("torch.sigmoid(x[tile, :]).sum(-1)", FL, lambda x: torch.sigmoid(x).sum(-1)),
    "cos_sum": ("torch.cos(x[tile, :]).sum(-1)", FL, lambda x: torch.cos(x).sum(-1)),
    "layer_norm_last": ("F.layer_norm(x[tile, :], [x.size(1)])", FL, lambda x: torch.nn.functional.layer_norm(x, [N]), "x.shape"),
    "normalize_p1": ("F.normalize(x[tile, :] + 1, p=1.0, dim=-1)", FL, lambda x: torch.nn.functional.normalize(x + 1, p=1.0, dim=-1), "x.shape"),
    "amax_keepdim_squeeze": ("(x[tile, :] - 1).amax(-1, keepdim=True).squeeze(-1)", FL, lambda x: (x - 1).amax(-1)),
    "sum_of_indices_col": ("(x[tile, :] * 0 + 1).cumsum(-1).amax(-1)", FL, lambda x: (x * 0 + 1).cumsum(-1).amax(-1)),
}  # fmt: skip
INTS_AND_BOOLS = {
    "invert_bool": ("~m[tile]", BO, lambda x, m, i: ~m),
    "xor_true": ("m[tile] ^ True", BO, lambda x, m, i: m ^ True),
    "and_cmp": ("m[tile] & (x[tile] > 0)", BO, lambda x, m, i: m & (x > 0)),
    "not_eq_false": ("m[tile] == False", BO, lambda x, m, i: m == False),  # noqa: E712
    "bool_times_3": ("m[tile] * 3", I64, lambda x, m, i: m * 3),
    "bool_to_float_store": ("m[tile]", FL, lambda x, m, i: m.double()),
    "bool_sum_like": ("m[tile].to(torch.int32) - (~m[tile]).to(torch.int32)", I32, lambda x, m, i: m.int() - (~m).int()),
    "bool_lt_float": ("m[tile] < x[tile]", BO, lambda x, m, i: m < x),
    "bool_where": ("torch.where(m[tile], x[tile], -x[tile])", FL, lambda x, m, i: torch.where(m, x, -x)),
    "type_int32": ("(x[tile] * 10).type(torch.int32)", I32, lambda x, m, i: (x.float() * 10).int()),
    "to_dtype_kw": ("(x[tile] * 10).to(dtype=torch.int8)", "torch.int8", lambda x, m, i: (x.float() * 10).to(torch.int8)),
    "long_method": ("(x[tile] * 1000).long() // 7", I64, lambda x, m, i: (x.float() * 1000).long() // 7),
    "int_method_neg_mod": ("(x[tile] * 1000).int() % 7", I32, lambda x, m, i: (x.float() * 1000).int() % 7),
    "bool_method": ("(x[tile] * 2).int().bool()", BO, lambda x, m, i: (x.float() * 2).int().bool()),
    "double_method": ("x[tile].double() * 0.1", "torch.float64", lambda x, m, i: x * 0.1),
    "half_then_float": ("x[tile].half().float()", FL, lambda x, m, i: x.float().half().double()),
    "int_bitand_neg": ("i[tile] & -8", I32, lambda x, m, i: i & -8),
    "int_invert": ("~i[tile]", I32, lambda x, m, i: ~i),
    "int_xor_neg": ("i[tile] ^ -1", I32, lambda x, m, i: i ^ -1),
    "int_rshift_neg": ("i[tile] >> 2", I32, lambda x, m, i: i >> 2),
    "int_lshift_overflow": ("i[tile] << 28", I32, lambda x, m, i: (i.int() << 28)),
    "bitwise_fns": ("torch.bitwise_and(i[tile], 0xF0) | torch.bitwise_xor(i[tile], 5)", I32, lambda x, m, i: torch.bitwise_and(i, 0xF0) | torch.bitwise_xor(i, 5)),
    "bitwise_shift_fns": ("torch.bitwise_left_shift(i[tile], 3) + torch.bitwise_right_shift(i[tile], 1)", I32, lambda x, m, i: torch.bitwise_left_shift(i, 3) + torch.bitwise_right_shift(i, 1)),
    "int_floordiv_neg_lit": ("i[tile] // -7 + i[tile] % -7", I32, lambda x, m, i: i // -7 + i % -7),
    "int_true_div": ("i[tile] / 7", FL, lambda x, m, i: i.float() / 7),
    "int_pow": ("i[tile] ** 2", I32, lambda x, m, i: i ** 2),
    "int_abs_neg": ("torch.abs(i[tile]) - i[tile].neg()", I32, lambda x, m, i: i.abs() + i),
    "int_clamp": ("torch.clamp(i[tile], -50, 50)", I32, lambda x, m, i: i.clamp(-50, 50)),
    "int_max_float": ("torch.maximum(i[tile], x[tile])", FL, lambda x, m, i: torch.maximum(i.double(), x)),
    "int_where_float": ("torch.where(m[tile], i[tile], 0.5)", FL, lambda x, m, i: torch.where(m, i.double(), 0.5)),
    "int_mul_bool": ("i[tile] * m[tile]", I32, lambda x, m, i: i * m),
    "int_sign": ("torch.sign(i[tile])", I32, lambda x, m, i: torch.sign(i)),
    "int_fmod_neg": ("torch.fmod(i[tile], -7)", I32, lambda x, m, i: torch.fmod(i, -7)),
    "int_remainder_tensor": ("torch.remainder(i[tile], (i[tile] % 5) - 6)", I32, lambda x, m, i: torch.remainder(i, (i % 5) - 6)),
    "float_floordiv_int": ("x[tile] * 10 // 3", FL, lambda x, m, i: (x.float() * 10 // 3).double()),
}  # fmt: skip
EDGES = {
    "clamp_min_gt_max": ("torch.clamp(x[tile], min=0.5, max=-0.5)", FL, lambda x, y: torch.clamp(x, min=0.5, max=-0.5)),
    "clamp_tensor_min_gt_max": ("torch.clamp(x[tile], min=y[tile].abs(), max=-y[tile].abs())", FL, lambda x, y: torch.clamp(x, min=y.abs(), max=-y.abs())),
    "clamp_nan": ("torch.clamp(x[tile], -0.5, 0.5)", FL, lambda x, y: torch.clamp(x, -0.5, 0.5)),
    "clamp_min_only_nan": ("x[tile].clamp(min=0.0)", FL, lambda x, y: x.clamp(min=0.0)),
    "clamp_nan_bound": ("torch.clamp(y[tile], min=x[tile])", FL, lambda x, y: torch.clamp(y, min=x)),
    "relu_nan": ("torch.relu(x[tile])", FL, lambda x, y: torch.relu(x)),
    "hardtanh_nan": ("F.hardtanh(x[tile])", FL, lambda x, y: F.hardtanh(x)),
    "relu6_nan": ("F.relu6(x[tile])", FL, lambda x, y: F.relu6(x)),
    "leaky_nan": ("F.leaky_relu(x[tile], 0.1)", FL, lambda x, y: F.leaky_relu(x, 0.1)),
    "max_nan_y": ("torch.max(x[tile], y[tile])", FL, lambda x, y: torch.max(x, y)),
    "fmax_nan": ("torch.fmax(x[tile], y[tile])", FL, lambda x, y: torch.fmax(x, y)),
    "fmin_nan": ("torch.fmin(x[tile], y[tile])", FL, lambda x, y: torch.fmin(x, y)),
    "where_nan_cmp": ("torch.where(x[tile] > 0, 1.0, 0.0)", FL, lambda x, y: torch.where(x > 0, 1.0, 0.0)),
    "sign_nan": ("torch.sign(x[tile])", FL, lambda x, y: torch.sign(x)),
    "nan_to_num_default": ("torch.nan_to_num(x[tile])", FL, lambda x, y: torch.nan_to_num(x.float()).double()),
    "isnan_isinf": ("torch.isnan(x[tile]) | torch.isinf(x[tile])", "torch.bool", lambda x, y: torch.isnan(x) | torch.isinf(x)),
    "isfinite": ("torch.isfinite(x[tile])", "torch.bool", lambda x, y: torch.isfinite(x)),
    "isposinf": ("torch.isposinf(x[tile]) | torch.isneginf(y[tile])", "torch.bool", lambda x, y: torch.isposinf(x) | torch.isneginf(y)),
    "ne_nan": ("x[tile] != x[tile]", "torch.bool", lambda x, y: x != x),
    "sigmoid_inf": ("torch.sigmoid(x[tile])", FL, lambda x, y: torch.sigmoid(x)),
    "silu_inf": ("F.silu(x[tile])", FL, lambda x, y: F.silu(x)),
    "softplus_inf": ("F.softplus(x[tile])", FL, lambda x, y: F.softplus(x)),
    "gelu_inf": ("F.gelu(x[tile])", FL, lambda x, y: F.gelu(x)),
    "elu_inf": ("F.elu(x[tile])", FL, lambda x, y: F.elu(x)),
    "mish_inf": ("F.mish(x[tile])", FL, lambda x, y: F.mish(x)),
    "logsigmoid_inf": ("F.logsigmoid(x[tile])", FL, lambda x, y: F.logsigmoid(x)),
    "tanh_inf": ("torch.tanh(x[tile])", FL, lambda x, y: torch.tanh(x)),
    "erf_inf": ("torch.erf(x[tile])", FL, lambda x, y: torch.erf(x)),
    "exp_neg_inf": ("torch.exp(x[tile])", FL, lambda x, y: torch.exp(x)),
    "log1p_inf": ("torch.log1p(x[tile].abs())", FL, lambda x, y: torch.log1p(x.abs())),
    "rsqrt_inf": ("torch.rsqrt(x[tile].abs())", FL, lambda x, y: torch.rsqrt(x.abs())),
    "floor_inf": ("torch.floor(x[tile]) + torch.ceil(x[tile]) + torch.round(x[tile])", FL, lambda x, y: torch.floor(x) + torch.ceil(x) + torch.round(x)),
    "trunc_frac_inf": ("torch.trunc(x[tile] * 3)", FL, lambda x, y: torch.trunc(x * 3)),
    "xlogy_zero_nan": ("torch.xlogy(x[tile] * 0, y[tile])", FL, lambda x, y: torch.xlogy(x * 0, y)),
    "sqrt_neg": ("torch.sqrt(x[tile])", FL, lambda x, y: torch.sqrt(x)),
    "pow_nan": ("torch.pow(x[tile], 0)", FL, lambda x, y: torch.pow(x, 0)),
    "hardswish_inf": ("F.hardswish(x[tile])", FL, lambda x, y: F.hardswish(x)),
    "softsign_inf": ("F.softsign(x[tile])", FL, lambda x, y: F.softsign(x)),
    "selu_inf": ("F.selu(x[tile])", FL, lambda x, y: F.selu(x)),
    "celu_inf": ("F.celu(x[tile])", FL, lambda x, y: F.celu(x)),
    "tanhshrink_inf": ("F.tanhshrink(x[tile])", FL, lambda x, y: F.tanhshrink(x)),
    "softshrink_inf": ("F.softshrink(x[tile])", FL, lambda x, y: F.softshrink(x)),
    "logit_edge": ("torch.logit(x[tile])", FL, lambda x, y: torch.logit(x)),
    "atan2_inf": ("torch.atan2(x[tile], y[tile])", FL, lambda x, y: torch.atan2(x, y)),
    "hypot_inf": ("torch.hypot(x[tile], y[tile])", FL, lambda x, y: torch.hypot(x, y)),
    "logaddexp_inf": ("torch.logaddexp(x[tile], y[tile])", FL, lambda x, y: torch.logaddexp(x, y)),
    "remainder_inf": ("torch.remainder(y[tile], x[tile])", FL, lambda x, y: torch.remainder(y, x)),
    "lerp_inf": ("torch.lerp(x[tile], y[tile], 0.5)", FL, lambda x, y: torch.lerp(x, y, 0.5)),
}  # fmt: skip


def test_keyword_arguments_compute_as_torch():
    assert_each_as_torch("x: torch.Tensor, y: torch.Tensor", KEYWORDS, [f(N), f(N)])


@pytest.mark.parametrize("sign", [-1, 1])
def test_rows_past_the_end_of_their_block_compute_as_torch(sign):
    rows = ((signed_rand(M, N).abs() + 0.5) * sign).to(DEVICE)
    assert_each_as_torch("x: torch.Tensor", ROWS, [rows], rows=True)


def test_ints_and_bools_compute_as_torch():
    mask = torch.rand(N, device=DEVICE) < 0.5
    ints = torch.randint(-1000, 1000, (N,), dtype=torch.int32, device=DEVICE)
    assert_each_as_torch(
        "x: torch.Tensor, m: torch.Tensor, i: torch.Tensor", INTS_AND_BOOLS, [f(N), mask, ints]
    )


@pytest.mark.parametrize("edges", ["both", "x", "y"])
def test_nan_and_infinities_compute_as_torch(edges):
    x = with_edges() if edges in ("both", "x") else f(N)
    y = with_edges() if edges in ("both", "y") else f(N)
    assert_each_as_torch("x: torch.Tensor, y: torch.Tensor", EDGES, [x, y])
