"""Mistakes users make, as they make them: each kernel defined and called as in a notebook cell
(`kernels_from_source`), and what the user sees: the error class, a fragment of its message,
and, for a TranspileError, the line and column of the mistake with a caret and a hint. Rows
marked `was:` were silently wrong, crashed or pointed elsewhere before (docs/testing.md)."""

from __future__ import annotations

import numpy
import pytest
import torch
import triton
from helpers import DEVICE

import transpiler
from transpiler.errors import TranspileError
from transpiler.run.cache import load_module

FILE = "<mistake>"
HEAD = "import torch\nimport helion\nimport helion.language as hl\n\n"  # lines 1-4

GRID = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        BODY
    return out
"""  # BODY on line 11
ADD = """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out
"""
SCALED = """
@helion.kernel()
def k(x: torch.Tensor, scale: float, shift: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * scale + shift
    return out
"""
COPY = """
DECORATOR
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile]
    return out
"""


def grid(body: str) -> str:
    return GRID.replace("BODY", body)


def copy(decorator: str) -> str:
    return COPY.replace("DECORATOR", decorator)


X2 = "torch.randn(37, 19)"
X1 = "torch.randn(37)"

# (id, kernel source, the call, error class, message fragment, the marker the caret is under
# (its first place after the imports; None: a launcher error, which names no source place))
MISTAKES = [
    # --- indexing ---------------------------------------------------------------------------
    ("same-tile-twice", grid("out[tile_m, tile_n] = x[tile_m, tile_m]"), f"k({X2})",
     "ShapeError", "where the target has tile_n", "out[tile_m, tile_n] ="),
    ("three-indices-2d", grid("out[tile_m, tile_n] = x[tile_m, tile_n, 0]"), f"k({X2})",
     "IndexRankError", "3 indices for 'x'", "x[tile_m, tile_n, 0]"),
    ("tile-after-its-loop",  # was: NameError from the generated module
     "\n@helion.kernel()\ndef k(x: torch.Tensor) -> torch.Tensor:\n    out = torch.empty_like(x)"
     "\n    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile]\n    out[tile] = 0\n"
     "    return out\n", f"k({X1})", "UndefinedNameError", "device loop's tile", "tile] = 0"),
    ("tile-of-another-loop",
     "\n@helion.kernel()\ndef k(x: torch.Tensor) -> torch.Tensor:\n    out = torch.empty_like(x)"
     "\n    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile]\n"
     "    for tile2 in hl.tile(x.size(0)):\n        out[tile2] = out[tile] + 1\n    return out\n",
     f"k({X1})", "UndefinedNameError", "'tile' is not defined", "tile] + 1"),
    ("tile-method-call", grid("out[tile_m, tile_n] = x[tile_m, tile_n] + tile_m.begin()"),
     f"k({X2})", "ShapeError", "a tile is a range of indices", "tile_m.begin()"),
    ("tile-unknown-attribute", grid("out[tile_m, tile_n] = x[tile_m, tile_n] + tile_m.start"),
     f"k({X2})", "UnsupportedConstructError", "no attribute .start", "tile_m.start"),
    ("len-of-a-tile", grid("out[tile_m, tile_n] = x[tile_m, tile_n] * len(tile_m)"),
     f"k({X2})", "UnsupportedConstructError", "len() inside", "len(tile_m)"),
    # --- shapes -----------------------------------------------------------------------------
    ("broadcast-other-tile", grid("out[tile_m, tile_n] = x[tile_m, tile_n] + x[tile_n, :]"),
     f"k({X2})", "ShapeError", "cannot broadcast", "x[tile_m, tile_n] +"),
    ("store-a-reduced-row", grid("out[tile_m, tile_n] = x[tile_m, tile_n].sum(1)"), f"k({X2})",
     "ShapeError", "spans tile_m where the target has tile_n", "out[tile_m"),
    ("store-a-whole-row", grid("out[tile_m, tile_n] = x[tile_m, :]"), f"k({X2})",
     "ShapeError", "spans ':'", "out[tile_m"),
    ("dot-of-the-same-block", grid("out[tile_m, tile_n] = hl.dot(x[tile_m, tile_n], "
     "x[tile_m, tile_n])"), f"k({X2})", "ShapeError", "inner dimensions differ", "hl.dot"),
    ("sum-past-the-rank", grid("out[tile_m, tile_n] = x[tile_m, tile_n].sum(2, keepdim=True)"),
     f"k({X2})", "ShapeError", "dim 2 is out of range", "2, keepdim"),
    ("hl-zeros-of-a-block", grid("out[tile_m, tile_n] = hl.zeros(x[tile_m, tile_n], "
     "dtype=torch.float32)"), f"k({X2})", "ShapeError", "sizes of a block", "x[tile_m, tile_n],"),
    ("hl-zeros-of-host-sizes", grid("out[tile_m, tile_n] = hl.zeros(x.size())[tile_m, tile_n]"),
     f"k({X2})", "UnsupportedConstructError", "x.size() on a whole host tensor", "x.size())["),
    # --- host code in the loop --------------------------------------------------------------
    ("torch-zeros-in-loop",
     grid("t = torch.zeros(16)\n        out[tile_m, tile_n] = x[tile_m, tile_n]"), f"k({X2})",
     "UnsupportedOpError", "'zeros' is not supported", "zeros(16)"),
    ("list-append-in-loop",
     grid("vals = []\n        vals.append(x[tile_m, tile_n])\n        out[tile_m, tile_n] = 1"),
     f"k({X2})", "UnsupportedConstructError", "a list cannot grow", "append("),
    ("numpy-in-loop", grid("out[tile_m, tile_n] = x[tile_m, tile_n].numpy()"), f"k({X2})",
     "HostSyncError", ".numpy()", "numpy()"),
    ("to-a-device-in-loop", grid("out[tile_m, tile_n] = x[tile_m, tile_n].to('cuda')"),
     f"k({X2})", "UnsupportedConstructError", "must be a dtype", "'cuda'"),
    ("resize-in-loop", grid("out.resize_(3, 3)\n        out[tile_m, tile_n] = x[tile_m, tile_n]"),
     f"k({X2})", "UnsupportedConstructError", "on a whole host tensor", "out.resize_"),
    ("raise-in-loop", grid("raise ValueError('negative')"), f"k({X2})",
     "UnsupportedConstructError", "raise is not supported", "raise"),
    ("lambda-called-in-place", grid("out[tile_m, tile_n] = (lambda v: v * 2)(x[tile_m, "
     "tile_n])"), f"k({X2})", "UnsupportedConstructError", "a lambda", "lambda v"),
    # --- names ------------------------------------------------------------------------------
    ("misspelt-torch-function", grid("out[tile_m, tile_n] = torch.sigmod(x[tile_m, tile_n])"),
     f"k({X2})", "UnsupportedOpError", "'sigmod'", "sigmod"),
    ("misspelt-torch-module", grid("out[tile_m, tile_n] = troch.exp(x[tile_m, tile_n])"),
     f"k({X2})", "UndefinedNameError", "'troch'", "troch"),
    ("F-not-imported", grid("out[tile_m, tile_n] = F.relu(x[tile_m, tile_n])"), f"k({X2})",
     "UndefinedNameError", "'F'", "F.relu"),
    ("misspelt-hl-keyword", grid("out[tile_m, tile_n] = hl.zeros([tile_m, tile_n], "
     "dtyp=torch.float32)"), f"k({X2})", "UnknownKeywordError", "'dtyp'", "dtyp"),
    ("misspelt-hl-in-host-code",  # was: "in host code", with no did-you-mean
     copy("@helion.kernel()").replace("    out = torch", "    n = hl.specialise(x.size(0))\n"
                                      "    out = torch"),
     f"k({X1})", "UnknownLanguageNameError", "'specialise'", "hl.specialise"),
    ("unknown-hl-parameter-annotation",  # was: accepted silently
     copy("@helion.kernel()").replace("k(x: torch.Tensor)", "k(x: hl.Foo)"), f"k({X1})",
     "UnknownLanguageNameError", "no name 'Foo' (in an annotation)", "hl.Foo"),
    ("unknown-hl-return-annotation",  # was: accepted silently
     copy("@helion.kernel()").replace("-> torch.Tensor", "-> hl.Tensor"), f"k({X1})",
     "UnknownLanguageNameError", "no name 'Tensor' (in an annotation)", "hl.Tensor"),
    ("unknown-hl-local-annotation",  # was: accepted silently
     grid("v: hl.Block = x[tile_m, tile_n]\n        out[tile_m, tile_n] = v"), f"k({X2})",
     "UnknownLanguageNameError", "no name 'Block' (in an annotation)", "hl.Block"),
    ("misspelt-hl-annotation-in-a-helper",  # was: accepted silently
     "\ndef twice(t: hl.Tiles, v):\n    return v * 2\n" + copy("@helion.kernel()").replace(
         "x[tile]\n", "twice(tile, x[tile])\n"), f"k({X1})",
     "UnknownLanguageNameError", "did you mean Tile", "hl.Tiles"),
    # --- loops and their tiles ----------------------------------------------------------------
    ("inner-loop-reuses-the-tile",  # was: silently wrong (the outer tile's offsets replaced)
     grid("for tile_m in hl.tile(m):\n            pass\n        out[tile_m, tile_n] = 1.0"),
     f"k({X2})", "UnsupportedConstructError", "an inner loop takes its name", "tile_m in hl"),
    ("tile-reassigned",  # was: silently wrong (only diagonal blocks stored)
     grid("tile_m = tile_n\n        out[tile_m, tile_n] = x[tile_m, tile_n]"), f"k({X2})",
     "UnsupportedConstructError", "it is assigned here", "tile_m = tile_n"),
    ("tile-over-a-tensor",  # was: an InterpreterError from inside Triton
     copy("@helion.kernel()").replace("hl.tile(x.size(0))", "hl.tile(x)"), f"k({X1})",
     "TileArgumentError", "not the tensor x", "x):"),
    ("range-instead-of-tile",
     copy("@helion.kernel()").replace("hl.tile(x.size(0))", "range(x.size(0))"), f"k({X1})",
     "NoDeviceLoopError", "no hl.tile / hl.grid loop", "k("),
    ("store-races-a-read",  # was: silently wrong (other programs read the zeros)
     grid("out[tile_m, tile_n] = x[tile_m, tile_n]\n        x[tile_m, :] = 0"), f"k({X2})",
     "StoreRaceError", "also reads 'x'", "x[tile_m, :] = 0"),
    ("augmented-store-races",
     grid("out[tile_m, tile_n] = x[tile_m, tile_n]\n        x[tile_m, 0] += 1"), f"k({X2})",
     "StoreRaceError", "also reads 'x'", "x[tile_m, 0] +="),
    # --- calls inside the loop --------------------------------------------------------------
    ("kernel-calls-itself",  # was: an InternalTranspilerError (RecursionError)
     grid("out[tile_m, tile_n] = k(x)[tile_m, tile_n]"), f"k({X2})",
     "UnsupportedConstructError", "k() is a kernel", "k(x)"),
    ("recursive-helper",  # was: an InternalTranspilerError (RecursionError)
     "\ndef twice(v, n):\n    return twice(v, n - 1) * 2\n" + grid(
         "out[tile_m, tile_n] = twice(x[tile_m, tile_n], 3)"), f"k({X2})",
     "UnsupportedConstructError", "twice() calls itself", "twice(v, n - 1)"),
    # --- the kernel function itself -----------------------------------------------------------
    ("async-kernel", copy("@helion.kernel()").replace("def k", "async def k"), f"k({X1})",
     "UnsupportedConstructError", "async def", "async"),  # was: ran as a plain function
    ("generator-kernel", copy("@helion.kernel()").replace("return out", "yield out"),
     f"k({X1})", "UnsupportedConstructError", "`yield`", "yield"),
    ("kernel-in-a-class",  # was: "decorate the enclosing function with @helion.kernel()"
     "\nclass Model:\n    @helion.kernel()\n    def k(self, x: torch.Tensor) -> torch.Tensor:\n"
     "        out = torch.empty_like(x)\n        for tile in hl.tile(x.size(0)):\n"
     "            out[tile] = x[tile]\n        return out\n", f"Model().k({X1})",
     "UnsupportedConstructError", "defined in class Model", "k(self"),
    # --- decorator settings and configs -------------------------------------------------------
    ("misspelt-setting", copy("@helion.kernel(static_shape=True)"), f"k({X1})", "ConfigError",
     "no setting 'static_shape'", "static_shape"),
    ("misspelt-config-key", copy('@helion.kernel(config={"block_sizes": [32], "num_warp": 4})'),
     f"k({X1})", "ConfigError", "no field 'num_warp'", "@helion"),
    ("misspelt-key-in-configs",
     copy("@helion.kernel(configs=[helion.Config(block_sizes=[32], num_stage=2)])"), f"k({X1})",
     "ConfigError", "no field 'num_stage'", "@helion"),
    ("block-sizes-not-a-list",  # was: silently dropped (BLOCK_SIZE = 1024)
     copy("@helion.kernel(config=helion.Config(block_sizes=32))"), f"k({X1})", "ConfigError",
     "is not a list", "@helion"),
    ("num-warps-three", copy("@helion.kernel(config=helion.Config(block_sizes=[32], "
     "num_warps=3))"), f"k({X1})", "ConfigError", "num_warps=3", "@helion"),
    ("config-by-position",  # was: an AttributeError ('Config' object has no '__name__')
     copy("@helion.kernel(helion.Config(block_sizes=[32]))"), f"k({X1})", "ConfigError",
     "by keyword", "helion.Config("),
    # --- calls with the wrong arguments (launcher errors, torch-like) ---------------------------
    ("one-argument-short", ADD, f"k({X1})", "TypeError", "missing a required argument: 'y'",
     None),
    ("one-argument-too-many", ADD, f"k({X1}, {X1}, {X1})", "TypeError",
     "too many positional arguments", None),
    ("misspelt-keyword-argument", ADD, f"k({X1}, yy={X1})", "TypeError",
     "unexpected keyword argument 'yy' (did you mean 'y'?)", None),
    ("argument-twice", ADD, f"k({X1}, x={X1})", "TypeError", "multiple values for argument 'x'",
     None),
    ("list-for-a-tensor", ADD, "k([1.0, 2.0], torch.randn(2))", "TypeError",  # was: RankUnknown
     "'x' must be a torch.Tensor, not list: torch.tensor(value)", None),
    ("numpy-for-a-tensor", ADD, "k(numpy.ones(3, dtype='float32'), torch.randn(3))",
     "TypeError", "not ndarray: torch.from_numpy(value)", None),
    ("none-for-a-tensor", ADD, f"k({X1}, None)", "TypeError",  # was: "indexing this value"
     "'y' must be a torch.Tensor, not NoneType", None),
    ("number-for-a-tensor", ADD, "k(3, 4)", "TypeError", "not int", None),
    ("shorter-second-tensor", ADD, "k(torch.randn(37), torch.randn(36))", "RuntimeError",
     "y.size(0) must be at least", None),
    ("ranks-differ", ADD, "k(torch.randn(37, 3), torch.randn(37))", "IndexRankError",
     "2 indices for 'y'", "y[tile]"),
    ("complex-tensors", ADD, "k(torch.randn(5, dtype=torch.complex64), "
     "torch.randn(5, dtype=torch.complex64))", "ValueError", "Triton cannot read it", None),
    ("int-past-int64", SCALED, f"k({X1}, 2.0, 2**70)", "OverflowError",  # was: Triton's own
     "=1180591620717411303424 does not fit in int64", None),
    ("negative-int-past-int64", SCALED.replace("shift: int", "shift"), f"k({X1}, 2.0, -2**64)",
     "OverflowError", "does not fit in int64", None),
    ("string-for-a-float", SCALED, f"k({X1}, '2.0', 1)", "TypeError",  # was: InterpreterError
     "scale must be a number, not str", None),
    ("tensor-for-a-float", SCALED, f"k({X1}, torch.tensor(2.0), 1)", "TypeError",
     "scale must be a number, not Tensor (a tensor: scale.item())", None),
]  # fmt: skip


def _errors() -> dict[str, type]:
    found = {
        name: value for name, value in vars(transpiler.errors).items() if isinstance(value, type)
    }
    return {**found, "TypeError": TypeError, "ValueError": ValueError,
            "RuntimeError": RuntimeError, "OverflowError": OverflowError,
            "IndexError": IndexError}  # fmt: skip


def attempt(source: str, call: str) -> object:
    """Define the kernels as a notebook cell does, then make the call."""
    namespace: dict = {"numpy": numpy}
    transpiler.kernels_from_source(HEAD + source, filename=FILE, namespace=namespace)
    with torch.device(DEVICE):  # the call's tensors where kernels run
        return eval(call, namespace)


def place(source: str, marker: str) -> tuple[int, int]:
    """(line, 1-based column) of the first `marker` after the imports."""
    for number, text in enumerate((HEAD + source).splitlines(), start=1):
        if number > 4 and marker in text:
            return number, text.index(marker) + 1
    raise AssertionError(f"{marker!r} is not in the source")


@pytest.mark.parametrize(
    ("source", "call", "kind", "fragment", "marker"),
    [row[1:] for row in MISTAKES],
    ids=[row[0] for row in MISTAKES],
)
def test_a_mistake_says_what_and_where(source, call, kind, fragment, marker):
    with pytest.raises(Exception) as caught:
        attempt(source, call)
    error = caught.value
    assert type(error) is _errors()[kind], f"{type(error).__name__}: {error}"
    text = str(error)
    assert fragment in text, text
    if marker is None:
        assert not isinstance(error, TranspileError)
        return
    line, column = place(source, marker)
    assert (error.lineno, error.col_offset + 1) == (line, column), text
    source_line = (HEAD + source).splitlines()[line - 1]
    assert f"\n    {source_line.rstrip()}\n    {' ' * (column - 1)}^" in text
    assert "\nhint: " in text and len(error.hint) > 10


def test_the_table_is_large():
    assert len(MISTAKES) >= 40
    assert len({row[0] for row in MISTAKES}) == len(MISTAKES)


# --- the decorator in a module of the user's (the library path) ------------------------------

MODULE = """\
import torch
import transpiler as helion
import transpiler.language as hl


class Model:
    @helion.kernel()
    def k(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile]
        return out


def typo():
    @helion.kernel(static_shape=True)
    def k(x: torch.Tensor) -> torch.Tensor:
        return x
"""


def _module(tmp_path, text: str):
    import importlib.util

    path = tmp_path / "users_kernels.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("users_kernels", path)
    module = importlib.util.module_from_spec(spec)
    return path, spec, module


def test_a_kernel_method_is_refused_at_its_decorator(tmp_path):
    path, spec, module = _module(tmp_path, MODULE)
    with pytest.raises(transpiler.errors.UnsupportedConstructError) as caught:
        spec.loader.exec_module(module)  # was: `Model().k(x)` passed x as self
    error = caught.value
    assert (error.filename, error.lineno, error.col_offset) == (str(path), 7, 4)
    assert "defined in class Model" in str(error)
    assert "\n        @helion.kernel()\n        ^" in str(error)


def test_a_misspelt_setting_has_its_caret_under_the_keyword(tmp_path):
    typo = "\n\n\ndef typo" + MODULE.split("\n\n\ndef typo")[1]
    path, spec, module = _module(tmp_path, MODULE.split("\n\n\nclass")[0] + typo)
    spec.loader.exec_module(module)
    with pytest.raises(transpiler.errors.ConfigError) as caught:
        module.typo()
    text = str(caught.value)
    assert f"{path}:7:20: ConfigError: @helion.kernel() has no setting 'static_shape'" in text
    assert f"\n        @helion.kernel(static_shape=True)\n{' ' * 23}^" in text
    assert "did you mean static_shapes?" in text


def test_a_kernel_in_a_class_without_self_is_a_function(tmp_path):
    text = MODULE.replace("def k(self, x", "def k(x").split("\n\ndef typo")[0]
    path, spec, module = _module(tmp_path, text)
    spec.loader.exec_module(module)
    x = torch.randn(37, device=DEVICE) + 0.5
    assert torch.equal(module.Model().k(x), x)  # a Kernel is no descriptor: x is x


def test_the_decorator_takes_no_config_by_position():
    with pytest.raises(TypeError, match=r"by keyword.*config=helion.Config"):
        transpiler.kernel(transpiler.Config(block_sizes=[32]))


# --- the generated module alone (an export), without transpiler's runtime --------------------


def _standalone(source: str) -> dict:
    """The exported module's names, loaded from a file (Triton's GPU compiler reads it)."""
    return vars(load_module(transpiler.transpile(HEAD + source), stem="exported"))


def test_an_exported_launcher_refuses_what_the_runtime_refuses():
    k = _standalone(SCALED)["k"]
    x = torch.randn(37, device=DEVICE) + 0.5
    torch.testing.assert_close(k(x, 2.5, 3).double(), x.double() * 2.5 + 3, rtol=1e-5, atol=1e-5)
    with pytest.raises(TypeError, match="scale must be a number, not str"):
        k(x, "2.5", 3)  # was: an InterpreterError (AttributeError) inside Triton
    with pytest.raises(TypeError, match=r"scale must be a number, not list"):
        k(x, [2.5], 3)
    with pytest.raises(OverflowError, match="shift = 18446744073709551616 does not fit int64"):
        k(x, 2.5, 2**64)  # was: Triton's "integer to be specialized too large to represent"
    with pytest.raises(OverflowError, match="does not fit int64"):
        k(x, 2.5, -(2**63) - 1)
    torch.testing.assert_close(
        k(x, 2.5, 2**40).double(), x.double() * 2.5 + 2**40, rtol=1e-5, atol=1e-3
    )


def test_an_exported_module_without_a_gpu_or_the_interpreter_says_how_to_run():
    k = _standalone(SCALED)["k"]
    x = torch.randn(37) + 0.5  # on the CPU, where Triton's interpreter is off
    with (
        triton.knobs.runtime.scope(),
        pytest.raises(RuntimeError, match=r"x is on the CPU: .*TRITON_INTERPRET=1"),
    ):
        triton.knobs.runtime.interpret = False  # (the environment's too; a test may have set it)
        k(x, 2.5, 3)  # was: "0 active drivers ([]). There should only be one." inside Triton


# --- what looks like a mistake and is not: these run and match torch ------------------------

ACCEPTED = {  # id → (kernel source, arguments, torch's answer in float64)
    "transposed-view": (ADD, lambda: (torch.randn(8, 37).t(), torch.randn(37, 8)),
                        lambda x, y: x + y),
    "empty-tensors": (ADD, lambda: (torch.randn(0), torch.randn(0)), lambda x, y: x + y),
    "no-columns": (ADD, lambda: (torch.randn(5, 0), torch.randn(5, 0)), lambda x, y: x + y),
    "float-for-an-int": (SCALED, lambda: (torch.randn(37), 2.5, 1.5),
                         lambda x, s, t: x * s + t),
    "int-past-int32": (SCALED, lambda: (torch.randn(37), 0.5, 2**40),
                       lambda x, s, t: x * s + t),
    "known-hl-annotations": (SCALED.replace("shift: int", "shift: hl.constexpr").replace(
        "        out[tile]", "        v: hl.Tile = tile\n        out[v]"),
        lambda: (torch.randn(37), 0.5, 3), lambda x, s, t: x * s + t),
}  # fmt: skip


@pytest.mark.parametrize("case", ACCEPTED)
def test_what_is_no_mistake_runs_and_matches_torch(case):
    source, make, truth = ACCEPTED[case]
    namespace: dict = {}
    kernels = transpiler.kernels_from_source(HEAD + source, filename=FILE, namespace=namespace)
    args = tuple(a.to(DEVICE) + 0.5 if isinstance(a, torch.Tensor) else a for a in make())
    got = namespace["k"](*args)
    wide = [a.double() if isinstance(a, torch.Tensor) else a for a in args]
    torch.testing.assert_close(got.double(), truth(*wide), atol=1e-3, rtol=1e-5)
    reference = kernels["k"].reference(*args)
    torch.testing.assert_close(reference.double(), truth(*wide), atol=1e-3, rtol=1e-5)
    if got.numel():
        results = kernels["k"].bind(args).compile_for("sm_90")
        assert results and all(r.registers > 0 for r in results)
