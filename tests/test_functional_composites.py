"""torch.nn.functional's composite ops in device loops: layer_norm, rms_norm, normalize, linear
and dropout, each in three kernels of tests/kernels/composites.py, against float64 torch and
the reference mode; and what they refuse, at the user's line."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import assert_matches, generated, kernel_source, reference

import transpiler
from transpiler.analysis.perf import kernel_cost
from transpiler.compile.frontend.errors import TranspileError

SOURCE = "composites.py"


def _x(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Fresh values, none of them zero."""
    values = torch.randn(*shape, dtype=torch.float64)
    return (values + torch.sign(values) * 0.1).to(dtype)


def _d(t: torch.Tensor) -> torch.Tensor:
    return t.double()


# name → (arguments, float64 torch of those arguments, whether a product is inside)
CASES = {
    "layer_norm_host_weights": (
        lambda dt: (_x(37, 29, dtype=dt), _x(29, dtype=dt), _x(29, dtype=dt)),
        lambda x, w, b: F.layer_norm(_d(x), [29], _d(w), _d(b), eps=1e-5),
    ),
    "layer_norm_plain": (
        lambda dt: (_x(23, 45, dtype=dt),),
        lambda x: F.layer_norm(_d(x), (45,)) * 2.0 + 1.0,
    ),
    "layer_norm_planes": (
        lambda dt: (_x(5, 6, 11, dtype=dt), _x(6, 11, dtype=dt), _x(6, 11, dtype=dt)),
        lambda x, w, b: F.layer_norm(_d(x), [6, 11], _d(w), _d(b), eps=1e-3),
    ),
    "layer_norm_rows_3d": (
        lambda dt: (_x(3, 7, 19, dtype=dt), _x(19, dtype=dt)),
        lambda x, w: F.layer_norm(_d(x), [19], _d(w)),
    ),
    "rms_norm_host_weight": (
        lambda dt: (_x(37, 29, dtype=dt), _x(29, dtype=dt)),
        lambda x, w: F.rms_norm(_d(x), [29], _d(w), eps=1e-6),
    ),
    "rms_norm_default_eps": (
        lambda dt: (_x(13, 31, dtype=dt) * 1e-4,),  # small rows: eps's value shows
        lambda x: F.rms_norm(_d(x), [31], eps=torch.finfo(torch.float32).eps),
    ),
    "rms_norm_rows_3d": (
        lambda dt: (_x(3, 5, 21, dtype=dt), _x(21, dtype=torch.float32)),
        lambda x, w: F.rms_norm(_d(x), (21,), _d(w), eps=torch.finfo(torch.float32).eps) + _d(x),
    ),
    "normalize_rows": (
        lambda dt: (_x(37, 29, dtype=dt),),
        lambda x: F.normalize(_d(x), dim=-1),
    ),
    "normalize_l1": (
        lambda dt: (_x(19, 33, dtype=dt),),
        lambda x: F.normalize(_d(x), p=1.0, dim=1, eps=1e-3) - 0.5,
    ),
    "normalize_middle": (
        lambda dt: (_x(3, 9, 13, dtype=dt),),
        lambda x: F.normalize(_d(x), dim=1),
    ),
    "linear_k_loop": (
        lambda dt: (_x(37, 29, dtype=dt), _x(23, 29, dtype=dt), _x(23, dtype=dt)),
        lambda x, w, b: F.linear(_d(x), _d(w)) + _d(b),
    ),
    "linear_bias": (
        lambda dt: (_x(37, 29, dtype=dt), _x(23, 29, dtype=dt), _x(23, dtype=dt)),
        lambda x, w, b: torch.relu(F.linear(_d(x), _d(w), _d(b))),
    ),
    "linear_host_weight": (
        lambda dt: (_x(21, 17, dtype=dt), _x(19, 17, dtype=dt)),
        lambda x, w: F.linear(_d(x), _d(w)),
    ),
    "linear_batched": (
        lambda dt: (_x(3, 19, 24, dtype=dt), _x(21, 24, dtype=dt)),
        lambda x, w: F.linear(_d(x), _d(w)),
    ),
    "norms_meet_a_row": (
        lambda dt: (_x(11, 27, dtype=dt), _x(27, dtype=dt)),
        lambda x, b: (
            F.normalize(_d(x), dim=1) * _d(b) + _d(x) / torch.linalg.vector_norm(_d(x), 1, 1, True)
        ),
    ),
    "matmul_then_layer_norm": (
        # the accumulator is float32: so are weight and bias (torch refuses mixed dtypes here)
        lambda dt: (_x(37, 29, dtype=dt), _x(29, 40, dtype=dt), _x(40), _x(40)),
        lambda x, y, w, b: F.layer_norm(_d(x) @ _d(y), [40], _d(w), _d(b)),
    ),
    "dropout_off": (
        lambda dt: (_x(37, 29, dtype=dt),),
        lambda x: _d(x) * 2,
    ),
    "dropout_flag": (
        lambda dt: (_x(37, 29, dtype=dt), False),
        lambda x, training: torch.sigmoid(_d(x)),
    ),
    "dropout_after_norm": (
        lambda dt: (_x(17, 40, dtype=dt), _x(40, dtype=dt)),
        lambda x, w: F.rms_norm(_d(x), [40], _d(w), eps=torch.finfo(torch.float32).eps),
    ),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
@pytest.mark.parametrize("name", sorted(CASES))
def test_against_float64_torch_and_the_reference(name: str, dtype: torch.dtype):
    make, exact = CASES[name]
    args = make(dtype)
    source = kernel_source(SOURCE)
    ours = generated(source, name, *args)(*args)
    eager = reference(source, name)(
        *[a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    )
    expected = exact(*args)
    assert ours.dtype == eager.dtype  # torch's dtype rules: output dtype as the kernel's torch
    assert_matches(ours, expected, dtype, dots=name.startswith(("linear", "matmul")))
    assert_matches(eager, expected, dtype, dots=name.startswith(("linear", "matmul")))


def test_float64_rms_norm_takes_float64s_eps():
    """eps=None is torch.finfo of the computation's dtype: float64's for float64 rows."""
    x = _x(9, 31, dtype=torch.float64) * 1e-6
    ours = generated(kernel_source(SOURCE), "rms_norm_default_eps", x)(x)
    torch.testing.assert_close(ours, F.rms_norm(x, [31]), rtol=1e-12, atol=0)


def test_host_weights_read_along_the_row():
    code = transpiler.transpile_module(
        kernel_source(SOURCE),
        filename="composites.py",
        example_args={"layer_norm_host_weights": (_x(4, 6), _x(6), _x(6))},
        only=("layer_norm_host_weights",),
    ).code
    assert "w_ptr + offs_n * w_stride_0" in code and "b_ptr + offs_n * b_stride_0" in code
    assert "b.size(0) and w.size(0) must equal n" in code  # a wrong weight is refused at launch


KERNEL = """
import torch
import torch.nn.functional as F
import helion
import helion.language as hl

@helion.kernel({config})
def k(x: torch.Tensor, w: torch.Tensor, flag: bool) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        {body}
    return out
"""

# (id, statement in the loop, config, words of the error, the column's text)
REFUSED = [
    (
        "tile_not_whole",
        "for tile_n in hl.tile(n):\n            out[tile_m, tile_n] = F.layer_norm(x[tile_m, tile_n], [n])",
        "",
        "must be whole in the block",
        "F.layer_norm(",
    ),
    (
        "wrong_size",
        "out[tile_m, :] = F.rms_norm(x[tile_m, :], [m])",
        "",
        "not known to be the size",
        "m]",
    ),
    (
        "more_dims_than_the_block",
        "out[tile_m, :] = F.layer_norm(x[tile_m, :], [m, n, n])",
        "",
        "normalises 3 dimension(s) of a 2-D block",
        "[m, n, n]",
    ),
    (
        "unknown_keyword",
        "out[tile_m, :] = F.layer_norm(x[tile_m, :], [n], elementwise_affine=False)",
        "",
        "no parameter 'elementwise_affine'",
        "elementwise_affine",
    ),
    (
        "dropout_default_training",
        "out[tile_m, :] = F.dropout(x[tile_m, :], 0.1)",
        "",
        "training=True (its default)",
        "F.dropout(",
    ),
    (
        "dropout_training_true",
        "out[tile_m, :] = F.dropout(x[tile_m, :], 0.1, training=True)",
        "",
        "may be True",
        "True",
    ),
    (
        "dropout_flag_true",
        "out[tile_m, :] = F.dropout(x[tile_m, :], 0.1, training=flag)",
        "",
        "may be True",
        "flag",
    ),
    (
        "dropout_p_out_of_range",
        "out[tile_m, :] = F.dropout(x[tile_m, :], 1.5, training=False)",
        "",
        "not in [0, 1]",
        "1.5",
    ),
    (
        "weight_of_another_rank",
        "out[tile_m, :] = F.layer_norm(x[tile_m, :], [n], x[tile_m, :])",
        "",
        "weight must be a 1-D block",
        "x[tile_m, :])",
    ),
]


@pytest.mark.parametrize(
    ("body", "config", "words", "column"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_refused_at_the_users_line(body: str, config: str, words: str, column: str):
    source = KERNEL.format(body=body, config=config)
    args = (_x(8, 12), _x(12), True)
    with pytest.raises(TranspileError) as caught:
        generated(source, "k", *args)(*args)
    error = caught.value
    assert words in str(error), str(error)
    line = source.splitlines()[error.lineno - 1]
    assert line[error.col_offset :].startswith(column), str(error)
    assert error.hint


LOOPED = """
import torch
import torch.nn.functional as F
import helion
import helion.language as hl

@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[16]))
def k(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = {call}
    return out
"""


@pytest.mark.parametrize(
    ("call", "exact"),
    [
        (
            "F.layer_norm(x[tile_m, :], [n], w[:], b[:])",
            lambda x, w, b: F.layer_norm(x, [45], w, b),
        ),
        (
            "F.rms_norm(x[tile_m, :], [n], w, eps=1e-4)",
            lambda x, w, b: F.rms_norm(x, [45], w, 1e-4),
        ),
        ("F.normalize(x[tile_m, :], dim=1) + b[:]", lambda x, w, b: F.normalize(x, dim=1) + b),
    ],
    ids=["layer_norm", "rms_norm", "normalize"],
)
def test_rows_walked_in_chunks(call: str, exact):
    """reduction_loops=[16]: a 45-lane row in chunks of 16 (the mean and variance accumulated,
    then the row read again to normalise it)."""
    x, w, b = _x(7, 45), _x(45), _x(45)
    ours = generated(LOOPED.format(call=call), "k", x, w, b)(x, w, b)
    assert_matches(ours, exact(*map(_d, (x, w, b))), torch.float32)


# kernel → (arguments, FLOPs, minimum bytes): each row's FLOPs per element (ops/composites.py)
# over the input; weight and bias read once (host tensors named whole too); float32 throughout
COSTS = {
    "layer_norm_host_weights": ((_x(37, 29), _x(29), _x(29)), 37 * 29 * 8, 4 * (2 * 37 * 29 + 58)),
    "layer_norm_planes": ((_x(5, 6, 11), _x(6, 11), _x(6, 11)), 5 * 66 * 8, 4 * (2 * 330 + 132)),
    "rms_norm_host_weight": ((_x(37, 29), _x(29)), 37 * 29 * 5, 4 * (2 * 37 * 29 + 29)),
    "linear_host_weight": (
        (_x(21, 17), _x(19, 17)),
        2 * 21 * 19 * 17,
        4 * (21 * 17 + 19 * 17 + 21 * 19),
    ),
}


@pytest.mark.parametrize("name", sorted(COSTS))
def test_the_cost_model_counts_their_work_and_bytes(name: str):
    args, flops, min_bytes = COSTS[name]
    cost = kernel_cost(kernel_source(SOURCE), name, args)
    assert (cost.flops, cost.min_bytes) == (flops, min_bytes)
