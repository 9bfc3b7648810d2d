"""Reference mode: the rewrite tables, the eager `hl` names, and kernels run eagerly."""

import operator
import textwrap
import traceback
import types

import libcst as cst
import pytest
import torch
from libcst.metadata import MetadataWrapper

from transpiler import language as hl
from transpiler.reference.mode import (
    INDEX_IMPORT,
    HelionImportRewriter,
    KernelDecoratorRemover,
    TileIndexRewriter,
    reference_function,
    reference_source,
    run_reference,
)


def apply_pass(transformer: type[cst.CSTTransformer], source: str) -> str:
    module = cst.parse_module(textwrap.dedent(source))
    return MetadataWrapper(module).visit(transformer()).code


# --- the subscript rewrite ------------------------------------------------------------------

INDEX_NOOP = {
    "outside_kernel": """
        import helion
        def plain(x, i):
            return x[i, i + 1]
    """,
    "other_decorator": """
        import functools
        @functools.cache
        def cached(x, tile):
            return x[tile]
    """,
    "unrelated_kernel_decorator": """
        import mylib
        @mylib.kernel
        def not_helion(x, tile):
            return x[tile]
    """,
    # `helion` bound locally, not imported: its `.kernel` is not ours.
    "local_name_helion": """
        helion = object()
        @helion.kernel
        def shadowed(x, tile):
            return x[tile]
    """,
    "slices_and_literals": """
        import helion
        @helion.kernel
        def literals(x):
            return x[:, 1:2, ::2, None, ..., 0, -1, "key"]
    """,
    "annotations": """
        import helion
        @helion.kernel
        def typed(x: dict[str, int]) -> list[int]:
            y: tuple[int, ...] = ()
            return y
    """,
}


@pytest.mark.parametrize("source", INDEX_NOOP.values(), ids=INDEX_NOOP.keys())
def test_index_rewrite_noop(source: str) -> None:
    assert apply_pass(TileIndexRewriter, source) == textwrap.dedent(source)


INDEX_REWRITE = {
    # a store casts to the target's dtype, as generated code does (index_put would refuse)
    "load_and_store": (
        "import helion\n@helion.kernel()\ndef k(x, out):\n    out[tile] = x[tile]\n",
        "import helion\n@helion.kernel()\ndef k(x, out):\n"
        "    out[_reference_hl.index(tile)] = _reference_hl.stored(out, x[_reference_hl.index(tile)])\n",
    ),
    "augmented_store": (
        "import helion\n@helion.kernel\ndef k(out):\n    out[tile] += 1\n",
        "import helion\n@helion.kernel\ndef k(out):\n    out[_reference_hl.index(tile)] += 1\n",
    ),
    # Only the plain expressions are wrapped; slices and literals stay as they are.
    "mixed_elements": (
        "import helion\n@helion.kernel\ndef k(x):\n    return x[tile_m, :, None, 0, t.index]\n",
        "import helion\n@helion.kernel\ndef k(x):\n    return x[_reference_hl.index(tile_m), "
        ":, None, 0, _reference_hl.index(t.index)]\n",
    ),
    "nested_subscript": (
        "import helion\n@helion.kernel\ndef k(x, idx):\n    return x[idx[tile]]\n",
        "import helion\n@helion.kernel\ndef k(x, idx):\n"
        "    return x[_reference_hl.index(idx[_reference_hl.index(tile)])]\n",
    ),
    "nested_function_in_kernel": (
        "import helion\n@helion.kernel\ndef k(x):\n    def f(i):\n        return x[i]\n",
        "import helion\n@helion.kernel\ndef k(x):\n    def f(i):\n"
        "        return x[_reference_hl.index(i)]\n",
    ),
    "from_import_alias": (
        "from helion import kernel as kern\n@kern\ndef k(x):\n    return x[t]\n",
        "from helion import kernel as kern\n@kern\ndef k(x):\n"
        "    return x[_reference_hl.index(t)]\n",
    ),
    "transpiler_alias": (
        "import transpiler as th\n@th.kernel(config=None)\ndef k(x):\n    return x[t]\n",
        "import transpiler as th\n@th.kernel(config=None)\ndef k(x):\n"
        "    return x[_reference_hl.index(t)]\n",
    ),
    # A notebook cell may rely on `import helion` from an earlier cell.
    "unbound_helion_name": (
        "@helion.kernel\ndef k(x):\n    return x[t]\n",
        "@helion.kernel\ndef k(x):\n    return x[_reference_hl.index(t)]\n",
    ),
}


@pytest.mark.parametrize(("source", "expected"), INDEX_REWRITE.values(), ids=INDEX_REWRITE.keys())
def test_index_rewrite(source: str, expected: str) -> None:
    assert apply_pass(TileIndexRewriter, source) == expected


# --- the import rewrite ---------------------------------------------------------------------

IMPORT_NOOP = {
    "transpiler_package": "import transpiler as helion\n",
    "transpiler_language": "import transpiler.language as hl\n",
    "transpiler_from_import": "from transpiler import language as hl\n",
    "similar_name": "import helionx\nfrom helion_utils import x\n",
    "relative_import": "from .helion import language\n",
    "other_modules": "import os.path, torch\n",
}


@pytest.mark.parametrize("source", IMPORT_NOOP.values(), ids=IMPORT_NOOP.keys())
def test_import_rewrite_noop(source: str) -> None:
    assert apply_pass(HelionImportRewriter, source) == source


IMPORT_REWRITE = {
    "package": ("import helion\n", "import transpiler as helion\n"),
    "package_alias": ("import helion as h\n", "import transpiler as h\n"),
    "language_alias": ("import helion.language as hl\n", "import transpiler.language as hl\n"),
    # Binds `helion` and loads the submodule, as the original did.
    "language_no_alias": (
        "import helion.language\n",
        "import transpiler as helion, transpiler.language as _reference_module\n",
    ),
    "from_package": (
        "from helion import language as hl\n",
        "from transpiler import language as hl\n",
    ),
    "from_language": (
        "from helion.language import tile, zeros\n",
        "from transpiler.language import tile, zeros\n",
    ),
    "among_others": ("import os, helion, torch\n", "import os, transpiler as helion, torch\n"),
}


@pytest.mark.parametrize(("source", "expected"), IMPORT_REWRITE.values(), ids=IMPORT_REWRITE.keys())
def test_import_rewrite(source: str, expected: str) -> None:
    assert apply_pass(HelionImportRewriter, source) == expected


# --- the decorator removal and the whole source ---------------------------------------------

DECORATOR_REMOVAL = {
    "bare": ("import helion\n@helion.kernel\ndef k():\n    pass\n", "import helion\n\ndef k():\n"),
    # Each removed line becomes a blank line: the body keeps its line numbers.
    "multi_line_call": (
        "import helion\n@helion.kernel(\n    config=None,\n)\ndef k():\n    pass\n",
        "import helion\n\n\n\ndef k():\n",
    ),
    "keeps_other_decorators": (
        "import helion\n@staticmethod\n@helion.kernel()\n@other\ndef k():\n    pass\n",
        "import helion\n@staticmethod\n\n@other\ndef k():\n",
    ),
}


@pytest.mark.parametrize(
    ("source", "expected_head"), DECORATOR_REMOVAL.values(), ids=DECORATOR_REMOVAL.keys()
)
def test_kernel_decorator_removal(source: str, expected_head: str) -> None:
    rewritten = apply_pass(KernelDecoratorRemover, source)
    assert rewritten == expected_head + "    pass\n"


SOFTMAX = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def softmax(x: torch.Tensor) -> torch.Tensor:
    n, m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        values = x[tile_n, :]
        amax = torch.amax(values, dim=1, keepdim=True)
        exp = torch.exp(values - amax)
        out[tile_n, :] = exp / exp.sum(dim=1, keepdim=True)
    return out
"""


def test_reference_source_keeps_line_numbers() -> None:
    source_lines = SOFTMAX.splitlines()
    rewritten_lines = reference_source(SOFTMAX).splitlines()
    assert rewritten_lines[len(source_lines) :] == [INDEX_IMPORT.strip()]
    assert rewritten_lines[4] == ""  # the decorator line
    assert rewritten_lines[9] == "        values = x[_reference_hl.index(tile_n), :]"
    unchanged = [i for i in range(len(source_lines)) if i not in (1, 2, 4, 9, 12)]
    assert [rewritten_lines[i] for i in unchanged] == [source_lines[i] for i in unchanged]


def test_a_source_is_rewritten_once_per_text_and_blocks(monkeypatch) -> None:
    """reference_source is text in, text out: the same text (and config blocks) is not
    rewritten again, another text or other blocks are, and the memo returns what a fresh
    rewrite writes."""
    from transpiler.reference import mode

    mode._rewritten.cache_clear()
    calls = []
    real = mode.rewrite_for_reference
    monkeypatch.setattr(mode, "rewrite_for_reference", lambda *a: calls.append(a) or real(*a))
    first = reference_source(SOFTMAX)
    assert reference_source(SOFTMAX) == first and len(calls) == 1
    reference_source(SOFTMAX, {"softmax": [8]})
    reference_source(SOFTMAX, {"softmax": (8,)})
    assert len(calls) == 2 and calls[1][1] == {"softmax": (8,)}
    reference_source(SOFTMAX + "\n")
    assert len(calls) == 3
    mode._rewritten.cache_clear()
    assert reference_source(SOFTMAX) == first and len(calls) == 4


def test_traceback_points_at_user_line() -> None:
    source = (
        "import helion\n\n@helion.kernel\ndef broken(x):\n    y = x + 1\n    raise ValueError(y)\n"
    )
    with pytest.raises(ValueError) as caught:
        run_reference(source, "broken", torch.ones(1))
    last_frame = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert (last_frame.filename, last_frame.lineno) == ("<reference>", 6)
    assert last_frame.line == "raise ValueError(y)"


@pytest.mark.parametrize("filename", ["<reference>", "kernels_nowhere_on_disk.py"])
def test_a_triton_helper_in_a_source_without_a_file_compiles_for_a_gpu(monkeypatch, filename):
    """Outside the interpreter `@triton.jit` reads its function's source through inspect when
    the reference defines it: a source named after no file on disk had none to read (on the
    H100, `ValueError: @jit functions should be defined in a Python file`)."""
    import triton

    monkeypatch.setattr(triton.knobs.runtime, "interpret", False)  # what a GPU machine does
    source = (
        "import torch\nimport triton\nimport helion\nimport helion.language as hl\n\n\n"
        "@triton.jit\ndef halved(a):\n    return a / 2\n\n\n"
        "@helion.kernel()\ndef k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * 3\n    return out\n"
    )
    x = torch.rand(13, dtype=torch.float64) + 0.5
    torch.testing.assert_close(reference_function(source, "k", filename=filename)(x), x * 3)


def test_missing_function_is_reported() -> None:
    with pytest.raises(NameError, match="no function named 'absent'"):
        reference_function(SOFTMAX, "absent")


def test_namespace_modules_of_helion_are_swapped() -> None:
    fake_language = types.ModuleType("helion.language")
    source = "def count(n):\n    return sum(1 for _ in hl.grid(n))\n"
    count = reference_function(source, "count", namespace={"hl": fake_language})
    assert count(5) == 5


# --- the eager `hl` names ------------------------------------------------------------------


def test_tile_covers_whole_range() -> None:
    (tile,) = hl.tile(torch.tensor(7))
    assert (tile.begin, tile.end, tile.block_size, tile.id, tile.count) == (0, 7, 7, 0, 1)
    assert tile.slice == slice(0, 7)
    assert tile.index.dtype == torch.int64
    assert tile.index.tolist() == list(range(7))
    assert operator.index(tile) == 7  # as a size (`v.view(tile_m, 1)`): its length
    assert hl.index(tile) == slice(0, 7)  # as a subscript, rewritten first: a slice


def test_tile_forms() -> None:
    assert list(hl.tile(3, 8)) == [hl.Tile(3, 8)]
    # a fixed block size: one block at a time (tile.id as on the GPU: begin // block_size)
    assert list(hl.tile(3, 8, block_size=4)) == [hl.Tile(3, 7, 0, 2), hl.Tile(7, 8, 1, 2)]
    assert list(hl.tile([2, 5])) == [(hl.Tile(0, 2), hl.Tile(0, 5))]
    assert list(hl.tile(torch.Size([4]))) == [(hl.Tile(0, 4),)]
    assert list(hl.tile([1, 2], [3, 4])) == [(hl.Tile(1, 3), hl.Tile(2, 4))]
    assert list(hl.tile(0)) == []
    assert list(hl.tile([3, 0])) == []
    with pytest.raises(TypeError):
        list(hl.tile([1, 2], 3))


def test_grid_forms() -> None:
    assert list(hl.grid(3)) == [0, 1, 2]
    assert list(hl.grid(2, 4)) == [2, 3]
    assert list(hl.grid([2, 2])) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert list(hl.grid(0)) == []


def test_index_conversion() -> None:
    tile_m, tile_n = hl.Tile(0, 2), hl.Tile(1, 3)
    assert hl.index(tile_m) == slice(0, 2)
    assert hl.index((tile_m, tile_n)) == (slice(0, 2), slice(1, 3))
    assert hl.index((tile_m,)) == slice(0, 2)
    assert hl.index([0, 2]) == [0, 2]  # an advanced index stays a list
    assert hl.index(3) == 3


def test_allocations_take_tile_sizes() -> None:
    tile_m, tile_n = hl.Tile(0, 3), hl.Tile(2, 7)
    assert hl.zeros([tile_m, 4]).shape == (3, 4)
    assert hl.zeros((tile_m, tile_n)).shape == (3, 5)
    assert hl.zeros([(tile_m, tile_n), 2], dtype=torch.int32).dtype == torch.int32
    filled = hl.full([tile_n], float("-inf"))
    assert filled.dtype == torch.float32 and filled.shape == (5,) and filled.isinf().all()
    assert hl.arange(tile_n).tolist() == list(range(5))


def test_masked_store_skips_lanes_outside_the_tensor() -> None:
    """hl.store with extra_mask: masked-out lanes may index past the end; they write nothing."""
    out = torch.full((2, 5), -1.0)
    rows = torch.tensor([[0], [1]])
    columns = torch.tensor([[3, 4, 5, 6]])  # 5 and 6 lie outside
    values = torch.arange(8.0).view(2, 4) + 10
    hl.store(out, [rows, columns], values, extra_mask=columns < 5)
    expected = torch.full((2, 5), -1.0)
    expected[:, 3:] = torch.tensor([[10.0, 11.0], [14.0, 15.0]])
    assert torch.equal(out, expected)
    tile = hl.Tile(0, 2)
    hl.store(out, [tile, 0], torch.tensor([7.0, 8.0]), extra_mask=torch.tensor([True, False]))
    assert out[:, 0].tolist() == [7.0, -1.0]


def test_split_and_join() -> None:
    pairs = torch.arange(6.0).view(3, 2)
    first, second = hl.split(pairs)
    assert first.tolist() == [0.0, 2.0, 4.0] and second.tolist() == [1.0, 3.0, 5.0]
    assert torch.equal(hl.join(first, second), pairs)
    assert hl.join(first, 9.0)[:, 1].tolist() == [9.0, 9.0, 9.0]
    with pytest.raises(ValueError, match="size 2"):
        hl.split(torch.zeros(3, 4))


def test_tunables_and_markers() -> None:
    class MethodDefault:
        def default(self) -> int:
            return 64

    assert hl.register_tunable("block", MethodDefault()) == 64
    assert hl.register_tunable("block", types.SimpleNamespace(default=32)) == 32
    assert hl.register_tunable("block", 16) == 16
    assert hl.register_block_size(16, 128) == 128
    assert hl.register_block_size(torch.tensor(9)) == 9
    assert hl.constexpr(5) == 5
    assert hl.specialize(torch.Size([2])) == (2,)
    assert list(hl.static_range(1, 4)) == [1, 2, 3]
    assert hl.cumsum(torch.tensor([1, 2, 3]), 0, reverse=True).tolist() == [6, 5, 3]


def test_reference_device_context() -> None:
    assert hl.current_device() is None
    with hl.reference_device("cpu"):
        assert hl.current_device() == torch.device("cpu")
        assert hl.zeros([2]).device == torch.device("cpu")
    assert hl.current_device() is None


# --- kernels run eagerly, against plain torch in float64 -----------------------------------

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n"

ADD = """
@helion.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out
"""

ROW_SUM = """
@helion.kernel
def row_sum(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile([m]):
        out[tile] = x[tile, :].sum(-1)
    return out
"""

ONLINE_SOFTMAX = """
@helion.kernel()
def online_softmax(x: torch.Tensor) -> torch.Tensor:
    n, m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        row_max = hl.full([tile_n], float('-inf'), dtype=torch.float32)
        row_sum = hl.zeros([tile_n], dtype=torch.float32)
        for tile_m in hl.tile(m):
            values = x[tile_n, tile_m].to(torch.float32)
            new_max = torch.maximum(row_max, torch.amax(values, dim=1))
            scale = torch.exp(row_max - new_max)
            row_sum = row_sum * scale + torch.exp(values - new_max[:, None]).sum(dim=1)
            row_max = new_max
        for tile_m in hl.tile(m):
            values = x[tile_n, tile_m].to(torch.float32)
            out[tile_n, tile_m] = torch.exp(values - row_max[:, None]) / row_sum[:, None]
    return out
"""

GRID_ROWS = """
@helion.kernel
def scale_rows(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for i in hl.grid(x.size(0)):
        out[i, :] = x[i, :] * (i + 1)
    return out
"""

MATMUL = """
@helion.kernel
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out
"""

ADD_INDEX = """
@helion.kernel
def add_index(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + tile.index.to(x.dtype)
    return out
"""

TAIL_DOUBLE = """
@helion.kernel
def tail_double(x: torch.Tensor, start: int) -> torch.Tensor:
    out = torch.zeros_like(x)
    for tile in hl.tile(start, x.size(0)):
        out[tile] = x[tile] * 2
    return out
"""


def run(kernel_source: str, name: str, *args: object) -> torch.Tensor:
    return run_reference(HEADER + kernel_source, name, *args)


def assert_matches(actual: torch.Tensor, expected_float64: torch.Tensor) -> None:
    torch.testing.assert_close(actual, expected_float64.to(actual.dtype), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(7,), (7, 13), (3, 5, 2)], ids=["1d", "2d", "3d"])
def test_add_over_any_rank(device: str, shape: tuple[int, ...]) -> None:
    x, y = torch.randn(shape, device=device), torch.randn(shape, device=device)
    assert_matches(run(ADD, "add", x, y), x.double() + y.double())


def test_softmax(device: str) -> None:
    x = torch.randn(7, 13, device=device)
    assert_matches(run_reference(SOFTMAX, "softmax", x), torch.softmax(x.double(), dim=1))


def test_row_sum_with_tile_list(device: str) -> None:
    x = torch.randn(7, 13, device=device)
    assert_matches(run(ROW_SUM, "row_sum", x), x.double().sum(-1))


def test_online_softmax_nested_loops(device: str) -> None:
    x = torch.randn(7, 13, device=device) * 4
    assert_matches(run(ONLINE_SOFTMAX, "online_softmax", x), torch.softmax(x.double(), dim=1))


def test_grid_rows(device: str) -> None:
    x = torch.randn(7, 13, device=device)
    factors = torch.arange(1, 8, device=device, dtype=torch.float64)[:, None]
    assert_matches(run(GRID_ROWS, "scale_rows", x), x.double() * factors)


def test_matmul_tile_pairs(device: str) -> None:
    x, y = torch.randn(7, 11, device=device), torch.randn(11, 13, device=device)
    assert_matches(run(MATMUL, "matmul", x, y), x.double() @ y.double())


def test_tile_index_on_argument_device(device: str) -> None:
    x = torch.randn(9, device=device)
    expected = x.double() + torch.arange(9, device=device, dtype=torch.float64)
    assert_matches(run(ADD_INDEX, "add_index", x), expected)


def test_tile_begin_end(device: str) -> None:
    x = torch.randn(9, device=device)
    expected = x.double() * 2
    expected[:3] = 0
    assert_matches(run(TAIL_DOUBLE, "tail_double", x, 3), expected)


def test_empty_input_runs_no_tile(device: str) -> None:
    x = torch.randn(0, 13, device=device)
    assert run(ROW_SUM, "row_sum", x).shape == (0,)
    assert_matches(run(GRID_ROWS, "scale_rows", x), x.double())
    assert run(TAIL_DOUBLE, "tail_double", torch.randn(4, device=device), 4).eq(0).all()
