"""Probes (round 19) of values as model code computes them, which compute as torch: clamps of
integers by floats and with a min above the max, torch.where of an int and a float branch (and
int32 with int64), true division of ints, bool rows reduced by any / all and count_nonzero,
cumprod and an uint8 cumsum along a row, int32 and float16 outputs of float32 math, NaN-skipping
sums, a masked softmax, int8 row quantisation and its dequantisation by float16 scales, float
floor division and remainder by a negative, int8's -128 through abs, nan_to_num, integer and
float powers, KL divergence and a label-smoothed cross entropy with ignored rows. Each against
torch in float64 on odd sizes (and torch's dtype for the result), each launch also compiled for
sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE, generated
from torch_answers import HEADER, assert_computes_as_torch


def rand(*shape):
    return torch.randn(*shape, device=DEVICE)


def ints(*shape, dtype=torch.int32, low=-50, high=50):
    values = torch.randint(low, high, shape, dtype=dtype)
    values[values == 0] = 7
    return values.to(DEVICE)


def one_loop(expression: str, out: str = "torch.empty_like(x)") -> str:
    return (
        f"    out = {out}\n    for t in hl.tile(x.size(0)):\n"
        f"        out[t] = {expression}\n    return out\n"
    )


def rows(*stores: str, outs: str = "out") -> str:
    """A loop over rows `tm` storing each line of `stores`, returning `outs`."""
    lines = "".join(f"        {line}\n" for line in stores)
    return f"    for tm in hl.tile(x.size(0)):\n{lines}    return {outs}\n"


F32 = "torch.empty(x.shape, dtype=torch.float32, device=x.device)"
ROW = "torch.empty([x.size(0)], dtype={}, device=x.device)"
VALUES = {  # signature, body, inputs, torch's answer
    "an_int_clamped_by_a_float": ("x", one_loop("torch.clamp(x[t], min=0.5, max=20.5) / 2", F32),
                                  lambda: [ints(57)], lambda x: torch.clamp(x, min=0.5, max=20.5) / 2),
    "a_min_above_the_max": ("x", one_loop("torch.clamp(x[t], min=0.5, max=-0.5)"),
                            lambda: [rand(61)], lambda x: torch.clamp(x, min=0.5, max=-0.5)),
    "tensor_bounds_crossing": ("x, lo, hi", one_loop("torch.clamp(x[t], lo[t], hi[t])"),
                               lambda: [rand(61), rand(61), rand(61)], torch.clamp),
    "where_of_an_int_and_a_float": ("x, y", one_loop("torch.where(y[t] > 0, x[t], y[t]) * 0.5", F32),
                                    lambda: [ints(67), rand(67)],
                                    lambda x, y: torch.where(y > 0, x, y) * 0.5),
    "where_of_an_int_and_a_number": ("x", one_loop("torch.where(x[t] > 0, x[t], 0.1)",
                                                   F32.replace("float32", "float64")),
                                     lambda: [ints(67)],
                                     lambda x: torch.where(x > 0, x, 0.1).float().double()),
    "where_of_int32_and_int64": ("x, y", one_loop("torch.where(x[t] > 0, x[t], y[t]) * 100000",
                                                  "torch.empty_like(y)"),
                                 lambda: [ints(67, low=-2**31, high=2**31 - 1),
                                          ints(67, dtype=torch.int64, low=-2**40, high=2**40)],
                                 lambda x, y: torch.where(x > 0, x, y) * 100000),
    "true_division_of_ints": ("x, y", one_loop("x[t] / y[t]", F32), lambda: [ints(67), ints(67)],
                              lambda x, y: x / y),
    "an_int32_out_of_float_math": ("x", one_loop("x[t] * 100", F32.replace("float32", "int32")),
                                   lambda: [rand(67)], lambda x: (x.float() * 100).int()),
    "floor_division_and_remainder_by_a_negative": (
        "x", "    q = torch.empty_like(x)\n    r = torch.empty_like(x)\n"
        "    for t in hl.tile(x.size(0)):\n        q[t] = torch.floor_divide(x[t], -0.7)\n"
        "        r[t] = torch.remainder(x[t], -0.7)\n    return q, r\n",
        lambda: [rand(73) * 3],
        lambda x: (torch.floor_divide(x.float(), -0.7), torch.remainder(x.float(), -0.7))),
    "abs_of_int8_extremes": ("x", one_loop("x[t].abs()"),
                             lambda: [torch.tensor([-128, -5, 127, 3, -1] * 7, dtype=torch.int8,
                                                   device=DEVICE)], torch.abs),
    "nan_to_num_with_its_keywords": ("x", one_loop("torch.nan_to_num(x[t], nan=0.5, posinf=2.0, neginf=-3.0)"),
                                     lambda: [torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5, -2.5] * 9,
                                                           device=DEVICE)],
                                     lambda x: torch.nan_to_num(x, nan=0.5, posinf=2.0, neginf=-3.0)),
    "int_and_float_powers": ("x", "    a = torch.empty_like(x)\n    b = " + F32 + "\n"
                             "    for t in hl.tile(x.size(0)):\n        a[t] = x[t] ** 2\n"
                             "        b[t] = x[t] ** 2.0 + x[t] ** 0.5\n    return a, b\n",
                             lambda: [ints(71, low=1, high=300)], lambda x: (x ** 2, x ** 2.0 + x ** 0.5)),
    "any_and_all_of_rows": ("x", "    anyo = " + ROW.format("torch.bool") + "\n    allo = "
                            + ROW.format("torch.bool") + "\n"
                            + rows("anyo[tm] = (x[tm, :] > 1.5).any(-1)",
                                   "allo[tm] = torch.all(x[tm, :] > -1.5, dim=1)", outs="anyo, allo"),
                            lambda: [rand(43, 19)], lambda x: ((x > 1.5).any(-1), (x > -1.5).all(1))),
    "count_nonzero_of_rows": ("x", "    out = " + ROW.format("torch.int64") + "\n"
                              + rows("out[tm] = torch.count_nonzero(x[tm, :] > 0.3, dim=1)"),
                              lambda: [rand(19, 23)], lambda x: torch.count_nonzero(x > 0.3, dim=1)),
    "cumprod_of_a_row": ("x", "    out = torch.empty_like(x)\n"
                         + rows("out[tm, :] = torch.cumprod(x[tm, :], dim=1)"),
                         lambda: [torch.rand(9, 23, device=DEVICE) + 0.5], lambda x: torch.cumprod(x, 1)),
    "cumsum_of_uint8_into_int64": ("x", "    out = torch.empty(x.shape, dtype=torch.int64, device=x.device)\n"
                                   + rows("out[tm, :] = x[tm, :].cumsum(1)"),
                                   lambda: [torch.randint(1, 255, (5, 31), dtype=torch.uint8, device=DEVICE)],
                                   lambda x: x.cumsum(1)),
    "nansum_and_nanmean": ("x", "    s = " + ROW.format("x.dtype") + "\n    mu = " + ROW.format("x.dtype") + "\n"
                           + rows("s[tm] = torch.nansum(x[tm, :], dim=-1)", "mu[tm] = x[tm, :].nanmean(-1)",
                                  outs="s, mu"),
                           lambda: [torch.where(torch.rand(9, 23) > 0.7, float("nan"), torch.randn(9, 23)).to(DEVICE)],
                           lambda x: (torch.nansum(x, -1), x.nanmean(-1))),
    "softmax_of_a_masked_row": ("x, mask", "    out = torch.empty_like(x)\n"
                                + rows("s = x[tm, :].masked_fill(mask[tm, :], float('-inf'))",
                                       "out[tm, :] = torch.softmax(s, dim=-1)"),
                                lambda: [rand(9, 19), torch.rand(9, 19, device=DEVICE) > 0.6],
                                lambda x, m: torch.softmax(x.masked_fill(m, float("-inf")), -1)),
    "float16_out_of_a_float32_accumulator": ("x", """
    m, n = x.shape
    out = torch.empty([m], dtype=torch.float16, device=x.device)
    for tm in hl.tile(m):
        acc = hl.zeros([tm], dtype=torch.float32)
        for tn in hl.tile(n):
            acc += x[tm, tn].float().sum(1)
        out[tm] = acc
    return out
""", lambda: [rand(31, 99).half()], lambda x: x.sum(1)),
    "int8_quantised_rows": ("x", """
    m, n = x.shape
    q = torch.empty([m, n], dtype=torch.int8, device=x.device)
    scales = torch.empty([m], dtype=torch.float32, device=x.device)
    for tm in hl.tile(m):
        row = x[tm, :]
        scale = row.abs().amax(-1, keepdim=True) / 127
        q[tm, :] = torch.clamp(torch.round(row / scale), -128, 127).to(torch.int8)
        scales[tm] = scale.squeeze(-1)
    return q, scales
""", lambda: [rand(13, 77)], lambda x: (torch.clamp(torch.round(x.float() / (x.float().abs().amax(-1, keepdim=True) / 127)),
                                                     -128, 127).to(torch.int8), x.abs().amax(-1) / 127)),
    "dequantised_by_float16_scales": ("q, scale", """
    out = torch.empty(q.shape, dtype=scale.dtype, device=q.device)
    for tm, tn in hl.tile(q.size()):
        out[tm, tn] = q[tm, tn] * scale[tm][:, None]
    return out
""", lambda: [ints(13, 37, dtype=torch.int8, low=-128, high=127), (torch.rand(13, device=DEVICE) * 0.01).half()],
        lambda q, s: q * s[:, None]),
    "kl_divergence_of_log_targets": ("p, q", """
    m, n = p.shape
    out = torch.empty([m], dtype=p.dtype, device=p.device)
    for tm in hl.tile(m):
        lp = torch.log_softmax(p[tm, :], dim=-1)
        lq = torch.log_softmax(q[tm, :], dim=-1)
        out[tm] = (torch.exp(lq) * (lq - lp)).sum(-1)
    return out
""", lambda: [rand(9, 33), rand(9, 33)],
        lambda p, q: F.kl_div(torch.log_softmax(p, -1), torch.log_softmax(q, -1), reduction="none",
                              log_target=True).sum(-1)),
    "cross_entropy_smoothed_with_ignored_rows": ("logits, labels", """
    m, v = logits.shape
    losses = torch.empty([m], dtype=torch.float32, device=logits.device)
    for tm in hl.tile(m):
        row = logits[tm, :].float()
        lse = torch.logsumexp(row, dim=-1)
        lab = labels[tm]
        valid = lab != -100
        safe = torch.where(valid, lab, 0)
        picked = torch.gather(row, 1, safe[:, None]).squeeze(1)
        loss = lse - 0.9 * picked - 0.1 * row.mean(-1)
        losses[tm] = torch.where(valid, loss, 0.0)
    return losses
""", lambda: [rand(23, 41), torch.where(torch.rand(23) > 0.8, -100, torch.randint(0, 41, (23,))).to(DEVICE)],
        lambda lg, lb: F.cross_entropy(lg, lb, ignore_index=-100, label_smoothing=0.1, reduction="none")),
}  # fmt: skip
# results whose dtype torch's own inputs give (the float64 answer says only the values)
DTYPES = {
    "an_int_clamped_by_a_float": torch.float32,
    "true_division_of_ints": torch.float32,
    "int_and_float_powers": (torch.int32, torch.float32),
    "float16_out_of_a_float32_accumulator": torch.float16,
    "dequantised_by_float16_scales": torch.float16,
    "int8_quantised_rows": (torch.int8, torch.float32),
}
TOLERANCES = {
    "float16_out_of_a_float32_accumulator": {"rtol": 2e-3, "atol": 2e-3},
    "floor_division_and_remainder_by_a_negative": {"rtol": 1e-4, "atol": 1e-5},
    "cumprod_of_a_row": {"rtol": 1e-4, "atol": 1e-5},
}


def source(signature: str, body: str) -> str:
    annotated = ", ".join(f"{name}: torch.Tensor" for name in signature.split(", "))
    return HEADER + f"\n@helion.kernel()\ndef k({annotated}):\n{body}"


@pytest.mark.parametrize("case", VALUES)
def test_the_values_compute_as_torch(case):
    signature, body, make, truth = VALUES[case]
    inputs = make()
    assert_computes_as_torch(
        source(signature, body), lambda: inputs, truth, bound=TOLERANCES.get(case)
    )
    if case in DTYPES:
        got = generated(source(signature, body), "k", *inputs)(*inputs)
        dtypes = tuple(g.dtype for g in got) if isinstance(got, tuple) else got.dtype
        assert dtypes == DTYPES[case]
