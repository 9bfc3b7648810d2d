"""Probes (round 19) refused at the user's line with a true hint, as ML engineers write them:
torch's in-place methods on a loaded block (`v.mul_(2).add_(1)`, `x[t].mul_(2)`, valid torch:
refused naming the out-of-place spelling), torch functions the transpiler does not lower
(`torch.fix`, `torch.float_power`, `F.glu`, `torch.logit(..., eps=)`) each naming what to write,
a store every program of another tile makes to the same elements (a race); and at the
launch: a neighbour read past the end (`x[t.index + 1]` under a `torch.where`, which torch
refuses too) and a float function of an integer tensor (`torch.sigmoid(x_int64[t])`: valid
torch, refused naming `x.float()`). The hints' spellings compute as torch.

Found in round 19: a chunk tiled by its size (`a, b = x.chunk(2, dim=1)`, `hl.tile(a.size())`)
was refused with a hint naming `a, b = a.size()`, which rebinds the user's tensors; the hint
now names sizes no host name uses."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE, generated
from torch_answers import HEADER, assert_computes_as_torch, assert_refused_at

import transpiler


def source(signature: str, body: str) -> str:
    return HEADER + f"\n@helion.kernel()\ndef k({signature}):\n{body}"


def one_loop(*lines: str) -> str:
    body = "".join(f"        {line}\n" for line in lines)
    return (
        f"    out = torch.empty_like(x)\n    for t in hl.tile(x.size(0)):\n{body}    return out\n"
    )


def _line_of(text: str, part: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if part in row)


X = "x: torch.Tensor"
REFUSED = {  # signature, body, the refused text (the caret's place), words of the message
    "in_place_methods_on_a_block": (X, one_loop("v = x[t]", "v.mul_(2).add_(1)", "out[t] = v"),
                                    "mul_", ("'mul_'", "v = v.mul(...)")),
    "an_in_place_method_on_a_load": (X, "    for t in hl.tile(x.size(0)):\n        x[t].mul_(2)\n"
                                        "    return x\n", "mul_", ("'mul_'", "assign the result of mul")),
    "fix": (X, one_loop("out[t] = torch.fix(x[t] * 3)"), "fix", ("'fix'", "torch.trunc(x)")),
    "float_power": (X, one_loop("out[t] = torch.float_power(x[t], 2)"), "float_power",
                    ("'float_power'", "torch.pow(x.double(), y)")),
    "glu": (X, "    m, n = x.shape\n    out = torch.empty([m, n // 2], dtype=x.dtype, device=x.device)\n"
               "    for tm in hl.tile(m):\n        out[tm, :] = F.glu(x[tm, :], dim=-1)\n    return out\n",
            "glu", ("'glu'", "a * torch.sigmoid(b)")),
    "logit_eps": (X, one_loop("out[t] = torch.logit(x[t], eps=1e-3)"), "eps=",
                  ("eps= of torch.logit()", "torch.logit(torch.clamp(x, eps, 1 - eps))")),
    "a_row_stored_by_every_column_tile": (X, "    m, n = x.shape\n    out = torch.empty([m], dtype=x.dtype, device=x.device)\n"
                                             "    for tm, tn in hl.tile([m, n]):\n        out[tm] = x[tm, tn].amax(1)\n"
                                             "    return out\n",
                                          "out[tm]", ("every program of the 'tn' loop", "hl.atomic_add")),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_refused_at_the_user_s_line_with_the_fix(case):
    signature, body, caret, words = REFUSED[case]
    text = source(signature, body)
    line = next(
        n for n, row in enumerate(text.splitlines(), 1) if caret in row and "def " not in row
    )
    assert_refused_at(text, line, caret, *words)


HINTED = {  # what the hints spell, computing as torch
    "mul_assigned": (one_loop("v = x[t]", "v = v.mul(2).add(1)", "out[t] = v"), lambda x: x * 2 + 1),
    "trunc_for_fix": (one_loop("out[t] = torch.trunc(x[t] * 3)"), lambda x: torch.fix(x * 3)),
    "clamped_logit": (one_loop("out[t] = torch.logit(torch.clamp(x[t], 1e-3, 1 - 1e-3))"),
                      lambda x: torch.logit(x, eps=1e-3)),
    "glu_halves": ("    m, n = x.shape\n    h = n // 2\n    out = torch.empty([m, h], dtype=x.dtype, device=x.device)\n"
                   "    for tm in hl.tile(m):\n        out[tm, :] = x[tm, :h] * torch.sigmoid(x[tm, h:])\n    return out\n",
                   lambda x: F.glu(x, dim=-1)),
}  # fmt: skip


@pytest.mark.parametrize("case", HINTED)
def test_the_hint_s_spelling_computes_as_torch(case):
    body, truth = HINTED[case]
    shape = (9, 26) if case == "glu_halves" else (71,)
    make = lambda: [torch.rand(*shape, device=DEVICE) * 0.998 + 0.001]  # noqa: E731 (logit's domain)
    assert_computes_as_torch(source(X, body), make, truth, bound={"rtol": 1e-4, "atol": 1e-5})


def test_a_neighbour_read_past_the_end_is_refused_at_the_launch():
    """`torch.where(t.index + 1 < n, x[t.index + 1], 0.0)`: torch reads x[n] first (an
    IndexError); the launcher names the line and hl.load's extra_mask."""
    body = one_loop(
        "nxt = torch.where(t.index + 1 < n, x[t.index + 1], 0.0)", "out[t] = nxt - x[t]"
    )
    text = source(X, body.replace("    out = ", "    n = x.size(0)\n    out = ", 1))
    x = torch.randn(67, device=DEVICE)
    line = _line_of(text, "x[t.index + 1]")
    with pytest.raises(
        IndexError, match=rf"line {line}: x\[t.index \+ 1\] reaches index 67.*extra_mask"
    ):
        generated(text, "k", x)(x)


def test_a_float_function_of_an_integer_tensor_is_refused_at_the_launch():
    """torch computes `torch.sigmoid(x_int64)` in float32; Triton's sigmoid refuses integers,
    so the launcher names the line and `x.float()`, which computes as torch."""
    body = one_loop("out[t] = torch.sigmoid(x[t])").replace(
        "torch.empty_like(x)", "torch.empty(x.shape, dtype=torch.float32, device=x.device)"
    )
    x = torch.randint(-20, 20, (63,), device=DEVICE)
    x[x == 0] = 5
    line = _line_of(source(X, body), "torch.sigmoid")
    with pytest.raises(
        TypeError, match=rf"line {line} takes a float function of integer x: pass x.float\(\)"
    ):
        generated(source(X, body), "k", x)(x)
    assert_computes_as_torch(source(X, body), lambda: [x.float()], torch.sigmoid)


CHUNKED = """    a, b = x.chunk(2, dim=1)
    out = torch.empty_like(a)
    for tm, tn in hl.tile(TILED):
        out[tm, tn] = a[tm, tn] * torch.sigmoid(b[tm, tn])
    return out
"""


def test_a_chunk_tiled_by_its_size_is_refused_naming_sizes_the_host_code_does_not_bind():
    """`a, b = x.chunk(2, dim=1)`, then `hl.tile(a.size())`: the rank of a chunk is not followed;
    the hint named `a, b = a.size()` until round 19, which rebinds the user's tensors."""
    text = source(X, CHUNKED.replace("TILED", "a.size()"))
    x = torch.randn(9, 26, device=DEVICE)
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile_module(text, example_args={"k": (x,)}, only=("k",))
    message = str(caught.value)
    assert f":{_line_of(text, 'a.size()')}:" in message, message
    assert "`m, n = a.size()`" in message and "hl.tile([m, n])" in message, message


def test_the_chunk_s_named_sizes_compute_as_torch():
    text = source(
        X,
        CHUNKED.replace("TILED", "[m, n]").replace(
            "    out =", "    m, n = a.size()\n    out =", 1
        ),
    )
    make = lambda: [torch.randn(9, 26, device=DEVICE)]  # noqa: E731
    assert_computes_as_torch(text, make, lambda x: x[:, :13] * torch.sigmoid(x[:, 13:]))
