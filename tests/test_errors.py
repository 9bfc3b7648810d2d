"""The error catalogue: each mistake gives its own error class, at the user's line and column."""

from __future__ import annotations

import textwrap

import pytest
import torch
from helpers import on_device

import transpiler
from transpiler.compile.frontend import errors
from transpiler.run.runtime import load_module

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n"  # 4 lines


def kernel(body: str, params: str = "x: torch.Tensor") -> str:
    """A kernel whose body starts on line 6 (the def is on line 5)."""
    return (
        HEADER
        + f"@helion.kernel()\ndef k({params}):\n"
        + textwrap.indent(textwrap.dedent(body), "    ")
    )


LOOP = """\
out = torch.empty_like(x)
for tile in hl.tile(x.size(0)):
    {line}
return out
"""  # {line} is on line 8


def in_loop(line: str, params: str = "x: torch.Tensor") -> str:
    return kernel(LOOP.format(line=line), params)


LOOPED_ROWS = (
    HEADER
    + "@helion.kernel(config=helion.Config(reduction_loops=[64]))\ndef k(x: torch.Tensor):\n"
    + "    m, n = x.size()\n    out = torch.empty_like(x)\n    for tile in hl.tile(m):\n"
    + "        out[tile, :] = torch.cumsum(x[tile, :], dim=1)\n    return out\n"
)

# (id, source, error class, marker): the error points at the first `marker` after the imports.
CATALOGUE = [
    ("scan-along-looped-row", LOOPED_ROWS, errors.ReductionLoopError, "torch.cumsum"),
    ("syntax-error", HEADER + "def broken(:\n    pass\n", errors.TranspileSyntaxError, ":"),
    (
        "unknown-torch-op",
        in_loop("out[tile] = torch.expp(x[tile])"),
        errors.UnsupportedOpError,
        "expp",
    ),
    (
        "unknown-method",
        in_loop("out[tile] = x[tile].sigmoidd()"),
        errors.UnsupportedOpError,
        "sigmoidd",
    ),
    (
        "misspelt-keyword",
        in_loop("out[tile] = torch.softmax(x[tile], dimm=0)"),
        errors.UnknownKeywordError,
        "dimm",
    ),
    (
        "for-else",
        in_loop("for i in range(3):\n        pass\n    else:\n        pass"),
        errors.DeviceLoopElseError,
        "else",
    ),
    ("host-rebind", in_loop("x = x[tile] * 2"), errors.HostVariableModifiedError, "x = x"),
    (
        "float-index",
        in_loop("out[tile] = x[x[tile] * 0.5]"),
        errors.IndexDtypeError,
        "x[tile] * 0.5",
    ),
    (
        "int-accumulator",
        in_loop("acc = hl.zeros([tile], dtype=torch.int32)\n    acc += x[tile].float()"),
        errors.DtypeMismatchError,
        "acc +=",
    ),
    ("store-race", in_loop("out[0] = x[tile].sum()"), errors.StoreRaceError, "out[0]"),
    (
        "if-on-tile-sum",
        in_loop("if x[tile].sum() > 0:\n        out[tile] = x[tile]"),
        errors.BlockDependentError,
        "x[tile].sum() >",
    ),
    (
        "config-field",
        in_loop("out[tile] = x[tile]").replace(
            "@helion.kernel()", "@helion.kernel(config=helion.Config(num_warp=4))"
        ),
        errors.ConfigError,
        "@helion",
    ),
    (
        "while-forever",
        in_loop("while True:\n        pass"),
        errors.UnsupportedConstructError,
        "True",
    ),
    (
        "try-block",
        in_loop("try:\n        pass\n    except Exception:\n        pass"),
        errors.UnsupportedConstructError,
        "try",
    ),
    (
        "list-comprehension",
        in_loop("out[tile] = [v for v in x[tile]]"),
        errors.UnsupportedConstructError,
        "[v for",
    ),
    ("return-in-loop", in_loop("return out"), errors.UnsupportedConstructError, "return out"),
    ("item-sync", in_loop("s = x[tile].sum().item()"), errors.HostSyncError, "item"),
    ("barrier-in-loop", in_loop("hl.barrier()"), errors.BarrierPlacementError, "hl.barrier"),
    (
        "barrier-as-value",
        kernel(LOOP.format(line="out[tile] = x[tile]") + "done = hl.barrier()\n"),
        errors.BarrierPlacementError,
        "hl.barrier",
    ),
    ("lambda", in_loop("f = lambda v: v"), errors.UnsupportedConstructError, "lambda"),
    (
        "with-block",
        in_loop("with torch.no_grad():\n        pass"),
        errors.UnsupportedConstructError,
        "with",
    ),
    (
        "tile-no-sizes",
        kernel("for tile in hl.tile():\n    pass\n"),
        errors.TileArgumentError,
        "hl.tile()",
    ),
    (
        "tile-outside-kernel",
        HEADER + "def f(x):\n    for tile in hl.tile(x.size(0)):\n        pass\n",
        errors.TileOutsideKernelError,
        "hl.tile",
    ),
    (
        "tile-at-module-level",
        HEADER + "for tile in hl.tile(8):\n    pass\n",
        errors.TileOutsideKernelError,
        "hl.tile",
    ),
    (
        "store-into-block",
        in_loop("values = x[tile]\n    values[tile] = 1.0"),
        errors.StoreTargetError,
        "values[tile] =",
    ),
    (
        "too-many-indices",
        kernel("(n,) = x.size()\nfor tile in hl.tile(n):\n    x[tile, 0] = 1.0\n"),
        errors.IndexRankError,
        "x[tile, 0]",
    ),
    (
        "unknown-hl-name",
        in_loop("out[tile] = hl.zeross([tile])"),
        errors.UnknownLanguageNameError,
        "hl.zeross",
    ),
    (
        "unknown-hl-loop",
        kernel("for tile in hl.tiles(x.size(0)):\n    pass\n"),
        errors.UnknownLanguageNameError,
        "hl.tiles",
    ),
    ("no-device-loop", kernel("return x + 1\n"), errors.NoDeviceLoopError, "k("),
    ("undefined-name", in_loop("out[tile] = x[tile] * scale"), errors.UndefinedNameError, "scale"),
    ("whole-tensor-as-value", in_loop("out[tile] = x + 1"), errors.ShapeError, "x + 1"),
    (
        "rank-from-arguments",
        kernel(
            "out = torch.empty_like(x)\nfor tile in hl.tile(x.size()):\n    out[tile] = x[tile]\nreturn out\n"
        ),
        errors.RankUnknownError,
        "x.size()",
    ),
    (
        "optional-tensor-test",
        in_loop(
            "out[tile] = x[tile] * 2 if w is None else x[tile] * w[tile]",
            params="x: torch.Tensor, w: torch.Tensor | None = None",
        ),
        errors.ArgumentUnknownError,
        "w is None",
    ),
    (
        "mismatched-tiles",
        kernel(
            "m, n = x.size()\nfor tile_m, tile_n in hl.tile([m, n]):\n    y = x[tile_m, 0] + x[0, tile_n]\n"
        ),
        errors.ShapeError,
        "x[tile_m, 0] +",
    ),
    (
        "if-on-block",
        in_loop("if x[tile] > 0:\n        pass"),
        errors.UnsupportedConstructError,
        "x[tile] > 0",
    ),
    (
        "partial-slice",
        in_loop("out[tile] = x[tile.begin:]"),
        errors.UnsupportedConstructError,
        "tile.begin:]",
    ),
    (
        "two-kernels-refused",
        in_loop("out[tile] = x[tile].item()")
        + "\n\n@helion.kernel()\ndef j(x):\n    for tile in hl.tile(x.size(0)):\n"
        + "        x[tile] = torch.expp(x[tile])\n",
        errors.KernelErrors,
        "item()",
    ),
    (
        "several-unsupported-ops",
        in_loop("y = torch.erfinv(x[tile])\n    out[tile] = torch.special.zeta(y, y)"),
        errors.UnsupportedOpsError,
        "erfinv",
    ),
    (
        "matmul-of-vectors",
        in_loop("out[tile] = x[tile] @ x[tile]"),
        errors.ShapeError,
        "x[tile] @",
    ),
    ("hl-tile-as-value", in_loop("t = hl.tile(4)"), errors.UnsupportedConstructError, "hl.tile(4)"),
    ("not-on-block", in_loop("out[tile] = not x[tile]"), errors.UnsupportedConstructError, "not x"),
    (
        "and-on-blocks",
        in_loop("out[tile] = x[tile] and x[tile]"),
        errors.UnsupportedConstructError,
        "x[tile] and",
    ),
    ("global-statement", in_loop("global counter"), errors.UnsupportedConstructError, "global"),
    ("break-statement", in_loop("break"), errors.UnsupportedConstructError, "break"),
    # hl.split needs a last dimension of two lanes; a tile's length is a block size
    ("split-of-a-tile", in_loop("a, b = hl.split(x[tile])"), errors.ShapeError, "x[tile])"),
    (
        "stack-of-three",  # Triton blocks have power-of-two sizes
        in_loop("out[tile] = torch.stack([x[tile], x[tile], x[tile]]).sum(0)"),
        errors.ShapeError,
        "[x[tile], x[tile], x[tile]]",
    ),
    (
        "cat-along-a-tile",  # the joined length is known only at run time
        in_loop("out[tile] = torch.cat([x[tile], x[tile]])"),
        errors.ShapeError,
        "[x[tile], x[tile]]",
    ),
    (
        "jagged-tile-outermost",  # its lengths need an enclosing tile
        kernel("for tile in hl.jagged_tile(x):\n    pass\nreturn x\n"),
        errors.UnsupportedConstructError,
        "hl.jagged_tile",
    ),
    (
        "vtile-outermost",  # hl.vtile: Helion's later name for hl.jagged_tile
        kernel("for tile in hl.vtile(x):\n    pass\nreturn x\n"),
        errors.UnsupportedConstructError,
        "hl.vtile",
    ),
    (
        "vtile-of-a-host-size",  # one length per lane of the enclosing tile, not one size
        in_loop("for tile_k in hl.vtile(x.size(0) * 2):\n        pass"),
        errors.UnsupportedConstructError,
        "x.size(0) * 2",
    ),
    (
        "jagged-tile-of-a-scalar",
        in_loop("for tile_k in hl.jagged_tile(x.size(0) + 1):\n        pass"),
        errors.UnsupportedConstructError,
        "x.size(0) + 1",
    ),
    (
        "jagged-tile-without-its-parent",  # the mask holds one length per lane of tile
        in_loop("for tile_k in hl.jagged_tile(x[tile]):\n        out[tile] = x[tile_k].sum(0)"),
        errors.ShapeError,
        "x[tile_k]",
    ),
    (
        "cat-not-a-list",
        in_loop("out[tile] = torch.cat(x[tile])"),
        errors.UnsupportedConstructError,
        "x[tile])",
    ),
    (
        "inline-triton-unparsable",
        in_loop('out[tile] = hl.inline_triton("{0} *", args=(x[tile],), output_like=x[tile])'),
        errors.InlineTritonError,
        '"{0} *"',
    ),
    (
        "callable-known-only-at-call",
        in_loop("out[tile] = act(x[tile])", params="x: torch.Tensor, act: Callable"),
        errors.CallableArgumentError,
        "act(x[tile])",
    ),
]


def position_of(source: str, marker: str) -> tuple[int, int]:
    """(line, 1-based column) of the first `marker` after the import header."""
    for number, text in enumerate(source.splitlines(), start=1):
        if number > 4 and marker in text:
            return number, text.index(marker) + 1
    raise AssertionError(f"marker {marker!r} not in the source")


@pytest.mark.parametrize(
    ("source", "kind", "marker"), [c[1:] for c in CATALOGUE], ids=[c[0] for c in CATALOGUE]
)
def test_error_catalogue(source, kind, marker):
    line, column = position_of(source, marker)
    with pytest.raises(errors.TranspileError) as caught:
        transpiler.transpile(source, filename="cell.py")
    error = caught.value
    assert type(error) is kind, str(error)
    assert (error.lineno, error.col_offset + 1) == (line, column), str(error)
    assert error.filename == "cell.py"
    text = str(error)
    assert text.startswith(f"cell.py:{line}:{column}: {kind.__name__}: ")
    source_line = source.splitlines()[line - 1]
    assert f"\n    {source_line.rstrip()}\n    {' ' * (column - 1)}^" in text


def test_unknown_op_names_near_alternatives():
    with pytest.raises(errors.UnsupportedOpError) as caught:
        transpiler.transpile(in_loop("out[tile] = torch.expp(x[tile])"))
    assert "'expp'" in str(caught.value)
    assert "did you mean exp" in caught.value.hint


def test_every_error_class_is_in_the_catalogue():
    tested = {c[2] for c in CATALOGUE}
    defined = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.TranspileError)
    }
    untested = (
        defined
        - tested
        - {errors.TranspileError, errors.UnsupportedDtypeError, errors.InternalTranspilerError}
    )
    assert not untested, f"add catalogue rows for {sorted(c.__name__ for c in untested)}"


def test_errors_carry_hints():
    for _, source, kind, _ in CATALOGUE:
        with pytest.raises(kind) as caught:
            transpiler.transpile(source)
        assert caught.value.hint, f"{kind.__name__} has no hint"


# --- hints that name the fix (issue 18, point 5) ------------------------------------------

TRANSPOSED = {  # id → (kernel body of x's tiles, the fix the hint names, the torch result)
    "2-d": (
        "m, n = x.size()\nout = torch.empty([n, m], dtype=x.dtype, device=x.device)\n"
        "for tile_m, tile_n in hl.tile([m, n]):\n    out[tile_n, tile_m] = {value}\nreturn out\n",
        "x[tile_m, tile_n]",
        ".T",
        lambda x: x.T,
    ),
    "2-d-computed": (
        "m, n = x.size()\nout = torch.empty([n, m], dtype=x.dtype, device=x.device)\n"
        "for tile_m, tile_n in hl.tile([m, n]):\n    out[tile_n, tile_m] = {value}\nreturn out\n",
        "(torch.relu(x[tile_m, tile_n]) * 2.0)",
        ".T",
        lambda x: (torch.relu(x) * 2.0).T,
    ),
    "3-d": (
        "a, b, c = x.size()\nout = torch.empty([c, a, b], dtype=x.dtype, device=x.device)\n"
        "for ta, tb, tc in hl.tile([a, b, c]):\n    out[tc, ta, tb] = {value}\nreturn out\n",
        "x[ta, tb, tc]",
        ".permute(2, 0, 1)",
        lambda x: x.permute(2, 0, 1),
    ),
}


@pytest.mark.parametrize("case", TRANSPOSED, ids=str)
def test_a_transposed_store_names_the_transpose_that_fixes_it(case):
    body, value, fix, expected = TRANSPOSED[case]
    with pytest.raises(errors.ShapeError) as caught:
        transpiler.transpile(kernel(body.format(value=value)), filename="cell.py")
    assert "transposed store" in caught.value.message
    assert f"`value{fix}`" in caught.value.hint
    # and the fix it names is right: the kernel with it matches torch
    fixed = kernel(body.format(value=value + fix))
    shape = (3, 5, 7)[: 2 if case.startswith("2") else 3]
    x = torch.randn(*shape) + 0.25
    assert torch.equal(_run(fixed, x), expected(x))


def test_tiles_that_differ_are_no_transpose():
    body = (
        "m, n = x.size()\nout = torch.empty([m, m], dtype=x.dtype, device=x.device)\n"
        "for tile_m, tile_n in hl.tile([m, n]):\n    out[tile_m, tile_m] = x[tile_m, tile_n]\n"
        "return out\n"
    )
    with pytest.raises(errors.ShapeError) as caught:
        transpiler.transpile(kernel(body))
    assert ".T" not in str(caught.value) and "transposed" not in str(caught.value)


@pytest.mark.parametrize(
    "line",
    [
        "print(x[tile])",
        'print("block", tile.begin, x[tile].sum())',
        "for k in range(2):\n        print(k)",
    ],
    ids=["value", "several", "inner-loop"],
)
def test_print_in_a_device_loop_names_device_print(line):
    source = in_loop(line + "\n    out[tile] = x[tile]")
    with pytest.raises(errors.HostSyncError) as caught:
        transpiler.transpile(source)
    assert 'hl.device_print("x = ", value)' in caught.value.hint
    printed = in_loop('hl.device_print("x = ", x[tile])\n    out[tile] = x[tile]')
    x = torch.randn(37)
    assert torch.equal(_run(printed, x), x)  # the spelling the hint names runs


UNSUPPORTED = {  # id → (loop body, the ops reported in order, their lines)
    "three-lines": (
        "a = torch.erfinv(x[tile])\n    b = torch.special.zeta(a, a)\n"
        "    out[tile] = torch.frobnicate(b)",
        ["erfinv", "zeta", "frobnicate"],
        [9, 10, 11],
    ),
    "nested-on-one-line": (
        "out[tile] = torch.special.zeta(torch.erfinv(x[tile]), x[tile])",
        ["erfinv", "zeta"],
        [9, 9],
    ),
    "methods-and-functions": (
        "a = x[tile].erfinv()\n    out[tile] = torch.sigmoid(a).frobnicate() + a.lgammaa()",
        ["erfinv", "frobnicate", "lgammaa"],
        [9, 10, 10],
    ),
}


@pytest.mark.parametrize("case", UNSUPPORTED, ids=str)
def test_every_unsupported_op_of_a_kernel_is_reported_at_once(case):
    body, names, lines = UNSUPPORTED[case]
    source = in_loop(body)
    with pytest.raises(errors.UnsupportedOpsError) as caught:
        transpiler.transpile(source, filename="cell.py")
    found = caught.value.errors
    assert [e.message.split("'")[1] for e in found] == names
    assert [e.lineno for e in found] == lines
    text = str(caught.value)
    for error in found:  # each at its column of the source as written, with its caret
        source_line = source.splitlines()[error.lineno - 1]
        assert source_line[error.col_offset :].startswith(error.message.split("'")[1])
        assert f"\n    {source_line.rstrip()}\n    {' ' * error.col_offset}^" in text
    assert all(f"hint: {e.hint}" in text for e in found)  # each op's own hint
    assert "lgammaa" not in names or "did you mean lgamma" in found[-1].hint


def test_one_unsupported_op_is_its_own_error():
    with pytest.raises(errors.UnsupportedOpError) as caught:
        transpiler.transpile(in_loop("out[tile] = torch.erfinv(x[tile]) + 1.0"))
    assert type(caught.value) is errors.UnsupportedOpError


def _run(source: str, *args: torch.Tensor) -> torch.Tensor:
    transpiled = transpiler.transpile_module(source, example_args={"k": args})
    return on_device(load_module(transpiled.code, stem="hinted").k)(*args)
