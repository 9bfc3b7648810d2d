"""Fail closed: arguments once dropped are honoured, and Helion's device-code rules refuse only
what is wrong (the refusals themselves are cases of tests/bad_inputs/)."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import DEVICE, assert_matches, dot_tolerance, generated, reference

import transpiler
from transpiler.compile.frontend import errors

HEAD = "import torch\nimport helion\nimport helion.language as hl\n\n"

# hl.dot's accumulator by position, by keyword, and torch.addmm's: each K step must add to it.
MATMULS = {
    "positional_acc": "acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc)",
    "keyword_acc": "acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc)",
    "keyword_mats": "acc = hl.dot(mat1=a[tile_m, tile_k], mat2=b[tile_k, tile_n], acc=acc)",
    "addmm": "acc = torch.addmm(acc, a[tile_m, tile_k], b[tile_k, tile_n])",
}
MATMUL = (
    HEAD
    + """
@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))
def mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            STEP
        out[tile_m, tile_n] = acc
    return out
"""
)


@pytest.mark.parametrize("step", MATMULS.values(), ids=MATMULS.keys())
def test_every_spelling_of_the_accumulator_accumulates(step: str) -> None:
    source = MATMUL.replace("STEP", step)
    a, b = torch.randn(37, 70), torch.randn(70, 29)  # K = 70: five K steps, the last ragged
    got = generated(source, "mm", a, b)(a, b)
    torch.testing.assert_close(got.double(), a.double() @ b.double(), **dot_tolerance(a.dtype))


SCANS = {
    "reverse_keyword": ("hl.cumsum(x[tile_m, :], 1, reverse=True)", True),
    "reverse_positional": ("hl.cumsum(x[tile_m, :], 1, True)", True),
    "dim_keyword_forward": ("hl.cumsum(x[tile_m, :], dim=1)", False),
    "torch_cumsum": ("torch.cumsum(x[tile_m, :], dim=-1)", False),
}


@pytest.mark.parametrize(("scan", "reverse"), SCANS.values(), ids=SCANS.keys())
@pytest.mark.parametrize("width", [33, 64])  # a masked and an unmasked row
def test_cumsum_honours_reverse(scan: str, reverse: bool, width: int) -> None:
    source = (
        HEAD
        + f"""
@helion.kernel()
def scan(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m, :] = {scan}
    return out
"""
    )
    x = torch.randn(7, width)
    expected = x.double().flip(1).cumsum(1).flip(1) if reverse else x.double().cumsum(1)
    got = generated(source, "scan", x)(x)
    torch.testing.assert_close(got.double(), expected, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(
        reference(source, "scan")(x).double(), expected, atol=1e-4, rtol=1e-4
    )


# Near misses of each rule: valid kernels that must still transpile and match the reference.
ALLOWED = {
    # a partial sum per program, each program its own slot: what the user means
    "partials_by_tile_id": (
        """
@helion.kernel(config=helion.Config(block_sizes=[32]))
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([helion.cdiv(x.size(0), 32)], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile.id] = x[tile].sum()
    return out
""",
        lambda x: torch.nn.functional.pad(x.double(), (0, 28)).reshape(-1, 32).sum(1),
    ),
    # the tile sum into hl.atomic_add: the total, in any block size
    "atomic_total": (
        """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([1], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [0], x[tile].sum())
    return out
""",
        lambda x: x.double().sum().reshape(1),
    ),
    # only the first program writes: its guard names the tile
    "guarded_by_tile": (
        """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    first = torch.empty([1], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2
        if tile.begin == 0:
            first[0] = x[0]
    return out, first
""",
        None,
    ),
    # rows stored by every column program, the same values each time: no race
    "same_value_every_program": (
        """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    rows = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n] + 1
        rows[tile_m] = x[tile_m, 0]
    return out, rows
""",
        None,
    ),
    # an index computed from the tile through names
    "index_through_names": (
        """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        where = tile.index
        shifted = where
        out[shifted] = x[shifted] * 3
    return out
""",
        lambda x: x.double() * 3,
    ),
    # a branch on a whole-row reduction (one row per program): the same in the kernel and reference
    "if_on_whole_row": (
        """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for row in hl.grid(x.size(0)):
        total = x[row, :].sum()
        if total > 0:
            out[row, :] = x[row, :]
        else:
            out[row, :] = -x[row, :]
    return out
""",
        lambda x: torch.where(x.double().sum(1, keepdim=True) > 0, x.double(), -x.double()),
    ),
    # a host scalar rebound to another host value inside the loop (Helion allows it)
    "host_scalar_from_host": (
        """
@helion.kernel()
def k(x: torch.Tensor, scale: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        factor = scale * 2
        out[tile] = x[tile] * factor
    return out
""",
        None,
    ),
}


# reference mode sums a tile over its whole range: per-block partials are checked against float64
WITH_REFERENCE = {name: case for name, case in ALLOWED.items() if name != "partials_by_tile_id"}


@pytest.mark.parametrize(
    "source", [s for s, _ in WITH_REFERENCE.values()], ids=WITH_REFERENCE.keys()
)
def test_near_misses_of_the_rules_still_transpile_and_match(source: str) -> None:
    source = HEAD + source
    x = torch.randn(40, 3) if "tile_m, tile_n" in source or "row" in source else torch.randn(100)
    args = (x, 1.5) if "scale" in source else (x,)
    got = generated(source, "k", *args)(*args)
    want = reference(source, "k")(*args)
    for g, w in zip(
        got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)
    ):
        torch.testing.assert_close(g.double(), w.double(), atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("name", [n for n, (_, truth) in ALLOWED.items() if truth is not None])
def test_near_misses_against_float64(name: str) -> None:
    source, truth = ALLOWED[name]
    source = HEAD + source
    x = torch.randn(40, 3) if "row" in source else torch.randn(100)
    got = generated(source, "k", x)(x)
    torch.testing.assert_close(got.double(), truth(x), atol=1e-4, rtol=1e-4)


def test_the_kernel_decorator_refuses_a_misspelt_config_field_at_the_call() -> None:
    @transpiler.kernel(config=transpiler.Config(block_sizez=[64]))  # (block_size: Helion's too)
    def copy(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in transpiler.language.tile(x.size(0)):
            out[tile] = x[tile]
        return out

    with pytest.raises(errors.ConfigError, match="block_sizez"):
        copy(torch.randn(10, device=DEVICE))


# Arguments the source cannot check: the launcher refuses them before any launch, naming them.
CALL_TIME = {
    "block_size_48": (
        """
@helion.kernel()
def k(x: torch.Tensor, block: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=block):
        out[tile] = x[tile]
    return out
""",
        lambda: (torch.randn(100), 48),
        ValueError,
        "block=48 is used as a block size",
    ),
    "block_size_0": (
        """
@helion.kernel()
def k(x: torch.Tensor, rows: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([x.size(0), x.size(1)], block_size=[rows, 16]):
        out[tile_m, tile_n] = x[tile_m, tile_n]
    return out
""",
        lambda: (torch.randn(9, 20), 0),
        ValueError,
        "rows=0 is used as a block size",
    ),
    "tensor_for_float": (
        """
@helion.kernel()
def k(x: torch.Tensor, scale: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * scale
    return out
""",
        lambda: (torch.randn(100), torch.tensor(2.0)),
        TypeError,
        "scale must be a number, not Tensor",
    ),
    "float_index_tensor": (
        """
@helion.kernel()
def k(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.empty([idx.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(idx.size(0)):
        out[tile] = x[idx[tile]]
    return out
""",
        lambda: (torch.randn(50), torch.rand(20) * 40),
        TypeError,
        "idx must hold integers (its values index another tensor)",
    ),
    "rank_3_for_unpacked_2": (
        """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n] + 1
    return out
""",
        lambda: (torch.randn(3, 4, 5),),
        ValueError,
        "x must be 2-D, not 3-D: line 8 unpacks its sizes into 2 names",
    ),
    "rank_1_for_two_tiles": (
        """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n] + 1
    return out
""",
        lambda: (torch.randn(30),),
        errors.TileArgumentError,
        "x is 1-D in this call, and the loop names 2 tiles",
    ),
    "int_accumulator_of_floats": (
        """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.int32, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.int32)
        for tile_n in hl.tile(n):
            acc += x[tile_m, tile_n].sum(-1)
        out[tile_m] = acc
    return out
""",
        lambda: (torch.randn(9, 17),),
        TypeError,
        "x must hold integers (line 13 adds its values into the integer acc)",
    ),
}


@pytest.mark.parametrize(
    ("source", "make_args", "error", "message"), CALL_TIME.values(), ids=CALL_TIME.keys()
)
def test_the_launcher_refuses_bad_arguments_by_name(tmp_path, source, make_args, error, message):
    module_path = tmp_path / "call_time_kernels.py"
    module_path.write_text(
        HEAD.replace("import helion\n", "import transpiler as helion\n").replace(
            "helion.language", "transpiler.language"
        )
        + source
    )
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"call_time_{abs(hash(source))}", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = [a.to(DEVICE) if isinstance(a, torch.Tensor) else a for a in make_args()]
    with pytest.raises(error, match=re.escape(message)):
        module.k(*args)


def test_an_integer_accumulator_of_integers_still_runs() -> None:
    source = HEAD + CALL_TIME["int_accumulator_of_floats"][0]
    x = torch.randint(-5, 5, (9, 17), dtype=torch.int32)
    got = generated(source, "k", x)(x)
    torch.testing.assert_close(got, x.sum(1, dtype=torch.int32))


WHOLE_DIMENSIONS = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def doubled_heads(k: torch.Tensor) -> torch.Tensor:
    batch, heads, seq, d = k.size()
    out = torch.empty_like(k)
    for tile_b, tile_t in hl.tile([batch, seq]):
        out[tile_b, :, tile_t, :] = (k[tile_b, :, tile_t, :] * 2.0).to(k.dtype)
    return out


@helion.kernel()
def rotated_pair(q: torch.Tensor, k: torch.Tensor, w: torch.Tensor):
    batch, q_heads, seq, d = q.size()
    q_out = torch.empty_like(q)
    k_out = torch.empty_like(k)
    for tile_b, tile_t in hl.tile([batch, seq]):
        scale = w[tile_b, tile_t, :].to(torch.float32)
        q_out[tile_b, :, tile_t, :] = (q[tile_b, :, tile_t, :] * scale[:, None, :, :]).to(q.dtype)
        k_out[tile_b, :, tile_t, :] = (k[tile_b, :, tile_t, :] * scale.unsqueeze(1)).to(k.dtype)
    return q_out, k_out


@helion.kernel()
def middle_tiles(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(1)):
        out[:, tile_m, :] = x[:, tile_m, :] + 1.0
    return out
"""


@pytest.mark.parametrize(
    ("name", "shapes", "expected"),
    [
        ("doubled_heads", [(2, 3, 5, 8)], lambda k: k * 2),
        ("rotated_pair", [(2, 4, 5, 8), (2, 2, 5, 8), (2, 5, 8)],
         lambda q, k, w: (q * w[:, None], k * w[:, None])),
        ("middle_tiles", [(3, 7, 5)], lambda x: x + 1),
    ],
)  # fmt: skip
def test_whole_dimensions_of_different_sizes_stay_apart(name, shapes, expected):
    """Two `:` of one access (k[b, :, t, :]) or of two tensors stored side by side are
    separate dimensions: found by Helion's rope example (grouped-query heads), where the check
    for a transposed store tied them together and the launcher refused the example's inputs."""
    torch.manual_seed(3)
    args = tuple(torch.randn(*shape) for shape in shapes)
    ours = generated(WHOLE_DIMENSIONS, name, *args)(*args)
    exact = expected(*(a.double() for a in args))
    for got, want in zip(ours if isinstance(ours, tuple) else (ours,),
                         exact if isinstance(exact, tuple) else (exact,)):  # fmt: skip
        assert_matches(got, want.float(), torch.float32)
