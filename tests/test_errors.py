"""The error catalogue: each mistake gives its own error class, at the user's line and column."""

from __future__ import annotations

import textwrap

import pytest

import transpiler
from transpiler.frontend import errors

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
    ("while-loop", in_loop("while True:\n        pass"), errors.UnsupportedConstructError, "while"),
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
