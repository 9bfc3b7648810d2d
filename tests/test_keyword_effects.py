"""Every parameter the signature tables accept is honoured: giving it changes the generated code.

Each row is (function, parameter) → a kernel line without the argument and one with it; both
must transpile and differ. A parameter without a row needs an exemption that says why.
"""

from __future__ import annotations

import pytest

import transpiler
from transpiler.compile.frontend.signatures import HL_SIGNATURES
from transpiler.compile.frontend.torch_signatures import TORCH_SIGNATURES

HEAD = (
    "import torch\nimport torch.nn.functional as F\nimport helion\nimport helion.language as hl\n"
)
ROWS_KERNEL = """
@helion.kernel()
def k(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        LINE
    return out
"""
MATMUL_KERNEL = """
@helion.kernel()
def k(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, kk = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            LINE
        out[tile_m, tile_n] = acc
    return out
"""
LOOP_KERNEL = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for LOOP:
        out[i, :] = x[i, :] * 2
    return out
"""

TILE_KERNEL = ROWS_KERNEL.replace("hl.tile(m)", "TILE").replace(
    "LINE", "out[tile_m, :] = x[tile_m, :] * 2"
)
ROWS: dict[tuple[str, str], tuple[str, str, str]] = {}


def row(function: str, parameter: str, without: str, with_: str, kernel: str = ROWS_KERNEL):
    ROWS[(function, parameter)] = (kernel, without, with_)


for name in (
    "sum",
    "mean",
    "amax",
    "amin",
    "prod",
    "any",
    "all",
    "nansum",
    "nanmean",
    "count_nonzero",
):
    row(
        name,
        "dim",
        f"out[tile_m, 0] = x[tile_m, :].{name}()",
        f"out[tile_m, 0] = x[tile_m, :].{name}(dim=1)",
    )
    if name == "count_nonzero":  # torch's count_nonzero has no keepdim
        continue
    row(
        name,
        "keepdim",
        f"out[tile_m, :] = x[tile_m, :].{name}(1)[:, None]",
        f"out[tile_m, :] = x[tile_m, :].{name}(1, keepdim=True)",
    )
for name in ("sum", "mean", "prod", "nansum", "nanmean"):
    row(
        name,
        "dtype",
        f"out[tile_m, 0] = x[tile_m, :].{name}(1)",
        f"out[tile_m, 0] = x[tile_m, :].{name}(1, dtype=torch.float64)",
    )
for name in ("max", "min"):
    row(
        name,
        "dim",
        f"out[tile_m, 0] = x[tile_m, :].{name}()",
        f"out[tile_m, 0] = x[tile_m, :].{name}(dim=1)[0]",
    )
    row(
        name,
        "keepdim",
        f"out[tile_m, :] = x[tile_m, :].{name}(1)[0][:, None]",
        f"out[tile_m, :] = x[tile_m, :].{name}(1, keepdim=True)[0]",
    )
for name in ("argmax", "argmin"):
    base = "out[tile_m, :] = x[tile_m, :] + x[tile_m, :].{}[{}].float()"
    row(name, "dim", base.format(f"{name}(1)", ":, None"), base.format(f"{name}(dim=0)", "None, :"))
    row(
        name,
        "keepdim",
        f"out[tile_m, :] = x[tile_m, :].{name}(1)[:, None].float()",
        f"out[tile_m, :] = x[tile_m, :].{name}(1, keepdim=True).float()",
    )
for name in ("softmax", "log_softmax", "softmin"):
    module = "F" if name == "softmin" else "torch"
    row(
        name,
        "dim",
        f"out[tile_m, :] = {module}.{name}(x[tile_m, :], 1)",
        f"out[tile_m, :] = {module}.{name}(x[tile_m, :], dim=0)",
    )
    row(
        name,
        "dtype",
        f"out[tile_m, :] = {module}.{name}(x[tile_m, :], 1)",
        f"out[tile_m, :] = {module}.{name}(x[tile_m, :], 1, dtype=torch.float64)",
    )
row(
    "logsumexp",
    "keepdim",
    "out[tile_m, :] = torch.logsumexp(x[tile_m, :], 1)[:, None]",
    "out[tile_m, :] = torch.logsumexp(x[tile_m, :], 1, keepdim=True)",
)
for name in ("var", "std"):
    row(
        name,
        "dim",
        f"out[tile_m, 0] = x[tile_m, :].{name}(1) + x[tile_m, :].{name}(1)",
        f"out[tile_m, 0] = x[tile_m, :].{name}(1) + x[tile_m, :].{name}(dim=0).sum()",
    )
    row(
        name,
        "unbiased",
        f"out[tile_m, 0] = x[tile_m, :].{name}(1)",
        f"out[tile_m, 0] = x[tile_m, :].{name}(1, unbiased=False)",
    )
    row(
        name,
        "correction",
        f"out[tile_m, 0] = x[tile_m, :].{name}(1)",
        f"out[tile_m, 0] = x[tile_m, :].{name}(1, correction=0)",
    )
    row(
        name,
        "keepdim",
        f"out[tile_m, :] = x[tile_m, :].{name}(1)[:, None]",
        f"out[tile_m, :] = x[tile_m, :].{name}(1, keepdim=True)",
    )
VAR_MEAN = "v, mu = torch.var_mean(x[tile_m, :], 1{})\n        out[tile_m, {}] = v + mu"
for parameter, value in (("unbiased", ", unbiased=False"), ("correction", ", correction=0")):
    row("var_mean", parameter, VAR_MEAN.format("", "0"), VAR_MEAN.format(value, "0"))
row("var_mean", "keepdim", VAR_MEAN.format("", "0"), VAR_MEAN.format(", keepdim=True", ":"))
row(
    "var_mean",
    "dim",
    VAR_MEAN.format("", "0"),
    VAR_MEAN.format("", "0")
    .replace(", 1)", ", dim=1)")
    .replace("out[tile_m, 0] = v + mu", "out[tile_m, 0] = v + mu.sum() * 0"),
)
for name in ("cumsum", "cumprod"):
    row(
        name,
        "dtype",
        f"out[tile_m, :] = torch.{name}(x[tile_m, :], 1)",
        f"out[tile_m, :] = torch.{name}(x[tile_m, :], 1, dtype=torch.float64)",
    )
row(
    "size",
    "dim",
    "out[tile_m, 0] = x[tile_m, :].sum(1) * 2",
    "out[tile_m, 0] = x[tile_m, :].sum(1) * x[tile_m, :].size(1)",
)
row(
    "squeeze",
    "dim",
    "out[tile_m, :] = x[tile_m, :][:, None, :].squeeze(1)",
    "out[tile_m, :] = x[tile_m, :][None, :, :].squeeze(dim=0)",
)
row(
    "flatten",
    "start_dim",
    "out[tile_m, :] = x[tile_m, :] + x[tile_m, :][:, :, None].flatten(1)",
    "out[tile_m, :] = x[tile_m, :] + x[tile_m, :][:, :, None].flatten(start_dim=1)",
)
row(
    "flatten",
    "end_dim",
    "out[tile_m, :] = x[tile_m, :] + x[tile_m, :][:, :, None].flatten(1)",
    "out[tile_m, :] = x[tile_m, :] + x[tile_m, :][:, :, None].flatten(1, end_dim=2)",
)
for name in ("zeros_like", "ones_like"):
    row(
        name,
        "dtype",
        f"out[tile_m, :] = x[tile_m, :] + torch.{name}(x[tile_m, :])",
        f"out[tile_m, :] = x[tile_m, :] + torch.{name}(x[tile_m, :], dtype=torch.int32)",
    )
row(
    "full_like",
    "dtype",
    "out[tile_m, :] = x[tile_m, :] + torch.full_like(x[tile_m, :], 2)",
    "out[tile_m, :] = x[tile_m, :] + torch.full_like(x[tile_m, :], 2, dtype=torch.int32)",
)
for name in ("new_zeros", "new_ones"):
    row(
        name,
        "dtype",
        f"out[tile_m, :] = x[tile_m, :] + x[tile_m, :].{name}([tile_m, n])",
        f"out[tile_m, :] = x[tile_m, :] + x[tile_m, :].{name}([tile_m, n], dtype=torch.int32)",
    )
row(
    "new_full",
    "dtype",
    "out[tile_m, :] = x[tile_m, :] + x[tile_m, :].new_full([tile_m, n], 2)",
    "out[tile_m, :] = x[tile_m, :] + x[tile_m, :].new_full([tile_m, n], 2, dtype=torch.int32)",
)
row(
    "clamp",
    "min",
    "out[tile_m, :] = x[tile_m, :].clamp(max=1.0)",
    "out[tile_m, :] = x[tile_m, :].clamp(min=-1.0, max=1.0)",
)
row(
    "clamp",
    "max",
    "out[tile_m, :] = x[tile_m, :].clamp(min=-1.0)",
    "out[tile_m, :] = x[tile_m, :].clamp(min=-1.0, max=1.0)",
)
row(
    "gelu",
    "approximate",
    "out[tile_m, :] = F.gelu(x[tile_m, :])",
    'out[tile_m, :] = F.gelu(x[tile_m, :], approximate="tanh")',
)
# scalar parameters of the op table's math and activations: each default, then a value given
for function, parameter, given in (
    ("nan_to_num", "nan", "nan=1.0"),
    ("nan_to_num", "posinf", "posinf=1.0"),
    ("nan_to_num", "neginf", "neginf=-1.0"),
    ("softplus", "beta", "beta=2.0"),
    ("softplus", "threshold", "threshold=5.0"),
    ("elu", "alpha", "alpha=0.5"),
    ("celu", "alpha", "alpha=0.5"),
    ("leaky_relu", "negative_slope", "negative_slope=0.2"),
    ("hardtanh", "min_val", "min_val=-2.0"),
    ("hardtanh", "max_val", "max_val=2.0"),
    ("softshrink", "lambd", "lambd=1.0"),
    ("hardshrink", "lambd", "lambd=1.0"),
):
    row(
        function,
        parameter,
        f"out[tile_m, :] = F.{function}(x[tile_m, :])".replace("F.nan_to_num", "torch.nan_to_num"),
        f"out[tile_m, :] = F.{function}(x[tile_m, :], {given})".replace(
            "F.nan_to_num", "torch.nan_to_num"
        ),
    )
NORM = "out[tile_m, :] = x[tile_m, :] / torch.linalg.vector_norm(x[tile_m, :]{})"
row("vector_norm", "ord", NORM.format(", dim=1, keepdim=True"), NORM.format(", 1, 1, True"))
row("vector_norm", "dim", NORM.format(""), NORM.format(", dim=1, keepdim=True"))
row(
    "vector_norm",
    "keepdim",
    "out[tile_m, :] = x[tile_m, :] / torch.linalg.vector_norm(x[tile_m, :], 2, 1)[:, None]",
    NORM.format(", 2, 1, True"),
)
NORMED_ROWS = "out[tile_m, :] = x[tile_m, :] / x[tile_m, :].norm({})"
row("norm", "p", NORMED_ROWS.format("dim=1, keepdim=True"), NORMED_ROWS.format("1, 1, True"))
row("norm", "dim", NORMED_ROWS.format(""), NORMED_ROWS.format("dim=1, keepdim=True"))
row(
    "norm",
    "keepdim",
    NORMED_ROWS.format("2, 1") + "[:, None]",
    NORMED_ROWS.format("2, 1, True"),
)
EXTREMES = "out[tile_m, :] = x[tile_m, :] - torch.aminmax(x[tile_m, :]{})[0]"
row("aminmax", "dim", EXTREMES.format(""), EXTREMES.format(", dim=1, keepdim=True"))
row(
    "aminmax",
    "keepdim",
    EXTREMES.format(", dim=1") + "[:, None]",
    EXTREMES.format(", dim=1, keepdim=True"),
)
for parameter, given in (("p", "p=1.0"), ("dim", "dim=0"), ("eps", "eps=1e-6")):
    row(
        "normalize",
        parameter,
        "out[tile_m, :] = F.normalize(x[tile_m, :])",
        f"out[tile_m, :] = F.normalize(x[tile_m, :], {given})",
    )
# F.layer_norm / F.rms_norm over the row: weight and bias as rows of x, eps given
NORMED = "out[tile_m, :] = F.{}(x[tile_m, :], [n]{})"
for function, parameter, given in (
    ("layer_norm", "weight", ", x[0, :]"),
    ("layer_norm", "bias", ", None, x[1, :]"),
    ("layer_norm", "eps", ", eps=0.5"),
    ("rms_norm", "weight", ", x[0, :]"),
    ("rms_norm", "eps", ", eps=0.5"),
):
    row(function, parameter, NORMED.format(function, ""), NORMED.format(function, given))
row(
    "linear",
    "bias",
    "acc += F.linear(a[tile_m, tile_k], b[tile_k, tile_n].T)",
    "acc += F.linear(a[tile_m, tile_k], b[tile_k, tile_n].T, b[0, tile_n])",
    MATMUL_KERNEL,
)
for function in ("addcmul", "addcdiv"):
    row(
        function,
        "value",
        f"out[tile_m, :] = torch.{function}(x[tile_m, :], x[tile_m, :], x[tile_m, :])",
        f"out[tile_m, :] = torch.{function}(x[tile_m, :], x[tile_m, :], x[tile_m, :], value=0.5)",
    )

# hl
ROWS[("tile", "end_or_none")] = (
    TILE_KERNEL,
    "hl.tile(m)",
    "hl.tile(1, m)",
)
ROWS[("tile", "block_size")] = (
    TILE_KERNEL,
    "hl.tile(m)",
    "hl.tile(m, block_size=16)",
)
row(
    "arange",
    "dtype",
    "out[tile_m, :] = x[tile_m, :] + hl.arange(tile_m)[:, None]",
    "out[tile_m, :] = x[tile_m, :] + hl.arange(tile_m, dtype=torch.float64)[:, None]",
)
ROWS[("grid", "end_or_none")] = (
    LOOP_KERNEL.replace("LOOP", "i in GRID"),
    "hl.grid(m)",
    "hl.grid(1, m)",
)
row(
    "static_range",
    "end_or_none",
    "for j in hl.static_range(3):\n            out[tile_m, j] = x[tile_m, j]",
    "for j in hl.static_range(1, 3):\n            out[tile_m, j] = x[tile_m, j]",
)
row(
    "static_range",
    "step",
    "for j in hl.static_range(0, 4):\n            out[tile_m, j] = x[tile_m, j]",
    "for j in hl.static_range(0, 4, 2):\n            out[tile_m, j] = x[tile_m, j]",
)
for name in ("zeros",):
    row(
        name,
        "dtype",
        "out[tile_m, :] = x[tile_m, :] + hl.zeros([tile_m, n])",
        "out[tile_m, :] = x[tile_m, :] + hl.zeros([tile_m, n], dtype=torch.int32)",
    )
row(
    "full",
    "dtype",
    "out[tile_m, :] = x[tile_m, :] + hl.full([tile_m, n], 2)",
    "out[tile_m, :] = x[tile_m, :] + hl.full([tile_m, n], 2, dtype=torch.int32)",
)
row(
    "cumsum",
    "reverse",
    "out[tile_m, :] = hl.cumsum(x[tile_m, :], 1)",
    "out[tile_m, :] = hl.cumsum(x[tile_m, :], 1, reverse=True)",
)
row(
    "cumprod",
    "reverse",
    "out[tile_m, :] = hl.cumprod(x[tile_m, :], 1)",
    "out[tile_m, :] = hl.cumprod(x[tile_m, :], 1, reverse=True)",
)
row(
    "reduce",
    "dim",
    "out[tile_m, :] = x[tile_m, :] + hl.reduce(lambda a, b: a + b, x[tile_m, :], 1)[:, None]",
    "out[tile_m, :] = x[tile_m, :] + hl.reduce(lambda a, b: a + b, x[tile_m, :], dim=0)[None, :]",
)
row(
    "reduce",
    "other",
    "out[tile_m, 0] = hl.reduce(lambda a, b: a + b, x[tile_m, :], 1)",
    "out[tile_m, 0] = hl.reduce(lambda a, b: a + b, x[tile_m, :], 1, other=1.0)",
)
row(
    "reduce",
    "keep_dims",
    "out[tile_m, :] = hl.reduce(lambda a, b: a + b, x[tile_m, :], 1)[:, None]",
    "out[tile_m, :] = hl.reduce(lambda a, b: a + b, x[tile_m, :], 1, keep_dims=True)",
)
row(
    "dot",
    "acc",
    "acc = acc + hl.dot(a[tile_m, tile_k], b[tile_k, tile_n])",
    "acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc)",
    MATMUL_KERNEL,
)
row(
    "dot",
    "out_dtype",
    "acc += hl.dot(a[tile_m, tile_k], b[tile_k, tile_n])",
    "acc += hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], out_dtype=torch.float16)",
    MATMUL_KERNEL,
)
row(
    "load",
    "extra_mask",
    "out[tile_m, 0] = hl.load(x, [tile_m, 0])",
    "out[tile_m, 0] = hl.load(x, [tile_m, 0], extra_mask=tile_m.index < 5)",
)
row(
    "load",
    "eviction_policy",
    "out[tile_m, 0] = hl.load(x, [tile_m, 0])",
    'out[tile_m, 0] = hl.load(x, [tile_m, 0], eviction_policy="evict_last")',
)
row(
    "store",
    "extra_mask",
    "hl.store(out, [tile_m, 0], x[tile_m, 0])",
    "hl.store(out, [tile_m, 0], x[tile_m, 0], extra_mask=tile_m.index < 5)",
)
for name in ("atomic_add", "atomic_xchg", "atomic_max", "atomic_min"):
    call = f"hl.{name}(out, [tile_m, 0], x[tile_m, 0]"
    row(name, "sem", call + ")", call + ', sem="release")')
for name in ("atomic_and", "atomic_or", "atomic_xor"):
    call = f"hl.{name}(idx, [tile_m], idx[tile_m]"
    row(name, "sem", call + ")", call + ', sem="release")')
row(
    "atomic_cas",
    "sem",
    "hl.atomic_cas(idx, [tile_m], idx[tile_m], idx[tile_m] + 1)",
    'hl.atomic_cas(idx, [tile_m], idx[tile_m], idx[tile_m] + 1, sem="release")',
)

# Parameters with no row, and why giving them cannot change the code.
for name, parameter, call in (
    ("sort", "descending", "torch.sort(x[tile_m, :]{})[0]"),
    ("argsort", "descending", "torch.argsort(x[tile_m, :]{}).float()"),
    ("topk", "largest", "torch.topk(x[tile_m, :], 2{})[0]"),
):
    given = ", largest=False" if parameter == "largest" else ", descending=True"
    row(
        name,
        parameter,
        f"out[tile_m, :] = {call.format('')}",
        f"out[tile_m, :] = {call.format(given)}",
    )

_WHOLE_ROW = (
    "dim: these kernels have one whole-row dimension (test_orderings sorts dim=0 of x[:, tile])"
)
EXEMPT = {
    ("sort", "dim"): _WHOLE_ROW,
    ("argsort", "dim"): _WHOLE_ROW,
    ("topk", "dim"): _WHOLE_ROW,
    (
        "sort",
        "stable",
    ): "sorts here are always stable (each key holds its lane): True is what is given",
    (
        "argsort",
        "stable",
    ): "sorts here are always stable (each key holds its lane): True is what is given",
    ("topk", "sorted"): "results come sorted; sorted=False allows any order, sorted is one",
    ("zeros", "device"): "device code runs on the kernel's device: any device= names it",
    ("full", "device"): "device code runs on the kernel's device: any device= names it",
    ("arange", "device"): "device code runs on the kernel's device: any device= names it",
    ("rand", "device"): "device code runs on the kernel's device: any device= names it",
    ("randint", "device"): "device code runs on the kernel's device: any device= names it",
    **{
        (name, "device"): "device code runs on the kernel's device: any device= names it"
        for name in ("zeros_like", "ones_like", "full_like", "new_zeros", "new_ones", "new_full")
    },
    ("dropout", "p"): "training=False only (the identity): p is checked in [0, 1], no more",
    ("dropout", "training"): "refused unless False (tests/test_functional_composites.py)",
    ("dropout", "inplace"): "the identity either way: the block is the result",
    ("grid", "step"): "refused (test_bad_inputs): lowering has no stepped grid",
    ("rand", "offsets"): "refused: each element's offset is its linear index",
    ("register_block_size", "max_or_none"): "bounds the autotuner's choices, not the code",
    ("associative_scan", "reverse"): "reverse=True; along a masked axis each lane beside a "
    "flag, the lanes past the end left out of the combine (lower/scans.py)",
}


def _with_defaults() -> list[tuple[str, str]]:
    pairs = []
    for table in (HL_SIGNATURES, TORCH_SIGNATURES):
        for signature in table.values():
            for parameter, _ in signature.defaults:
                pairs.append((signature.name, parameter))
    return sorted(set(pairs))


def test_every_optional_parameter_has_a_row_or_a_reason() -> None:
    missing = [pair for pair in _with_defaults() if pair not in ROWS and pair not in EXEMPT]
    assert not missing, f"add a row (or an exemption saying why) for {missing}"


def _source(kernel: str, line: str) -> str:
    for placeholder in ("TILE", "GRID", "LINE"):
        if placeholder in kernel:
            return HEAD + kernel.replace(placeholder, line)
    return HEAD + kernel


@pytest.mark.parametrize("pair", sorted(ROWS), ids=[f"{f}-{p}" for f, p in sorted(ROWS)])
def test_giving_the_parameter_changes_the_generated_code(pair: tuple[str, str]) -> None:
    kernel, without, with_ = ROWS[pair]
    examples = {"k": _examples(kernel)}
    plain = transpiler.transpile_module(_source(kernel, without), example_args=examples).code
    given = transpiler.transpile_module(_source(kernel, with_), example_args=examples).code
    assert plain != given, f"{pair}: {with_!r} generates the same code as {without!r}"


def _examples(kernel: str) -> tuple:
    import torch

    if "a: torch.Tensor" in kernel:
        return (torch.randn(32, 16, dtype=torch.float16), torch.randn(16, 32, dtype=torch.float16))
    if "idx" in kernel:
        return (torch.randn(8, 6), torch.arange(8, dtype=torch.int32))
    return (torch.randn(8, 6),)
