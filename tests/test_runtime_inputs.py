"""What generated launchers do with awkward arguments: the right result or a clear early error."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
import torch
from helpers import DEVICE, kernel_source

import transpiler
from transpiler.reference.mode import reference_function
from transpiler.run.runtime import DeviceError, load_module

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n\n"
ADD = HEADER + textwrap.dedent(
    """\
    @helion.kernel()
    def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile] + y[tile]
        return out
    """
)
ADD_2D = HEADER + textwrap.dedent(
    """\
    @helion.kernel()
    def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        m, n = x.size()
        out = torch.empty_like(x)
        for tile_m, tile_n in hl.tile([m, n]):
            out[tile_m, tile_n] = x[tile_m, tile_n] + y[tile_m, tile_n]
        return out
    """
)
FILL = HEADER + textwrap.dedent(
    """\
    @helion.kernel()
    def fill(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        for tile in hl.tile(out.size(0)):
            out[tile] = x[tile] * 2
        return out
    """
)
# What Triton raises from inside a launch: an error from there came too late.
LAUNCH_ERRORS = ("InterpreterError", "CompilationError", "OutOfResources")


def launcher(source: str, name: str):
    """The standalone module's function (no transpiler.kernel wrapper, no device checks)."""
    return getattr(load_module(transpiler.transpile(source), stem=name), name)


def on(*tensors: torch.Tensor) -> list[torch.Tensor]:
    return [t.to(DEVICE) for t in tensors]


@pytest.fixture
def kernel_module(tmp_path: Path):
    """ADD as a user's module file, decorated with transpiler.kernel (imported as helion)."""
    path = tmp_path / "runtime_kernels.py"
    path.write_text(
        ADD.replace("import helion\n", "import transpiler as helion\n").replace(
            "import helion.language", "import transpiler.language"
        )
    )
    sys.path.insert(0, str(tmp_path))
    try:
        __import__("runtime_kernels")
        yield sys.modules.pop("runtime_kernels")
    finally:
        sys.path.remove(str(tmp_path))


# -- devices ------------------------------------------------------------------------------------


def test_tensors_on_two_devices_are_refused_before_launch(kernel_module):
    other = "cpu" if DEVICE == "cuda" else "meta"
    with pytest.raises(DeviceError, match="several devices"):
        kernel_module.add(torch.ones(4, device=DEVICE), torch.ones(4, device=other))


def test_meta_tensors_are_refused_before_launch(kernel_module):
    with pytest.raises(DeviceError):
        kernel_module.add(torch.ones(4, device="meta"), torch.ones(4, device="meta"))


@pytest.mark.gpu
def test_cpu_tensors_to_a_gpu_launch_are_refused(kernel_module):
    with pytest.raises(DeviceError, match="CPU tensors on a GPU machine"):
        kernel_module.add(torch.ones(4), torch.ones(4))


def test_standalone_launcher_refuses_meta_tensors_before_launch():
    add = launcher(ADD, "add")
    with pytest.raises((DeviceError, ValueError, RuntimeError), match="device"):
        add(torch.ones(4, device="meta"), torch.ones(4, device="meta"))


# -- shapes and ranks ---------------------------------------------------------------------------

# y is a view into a larger buffer, so that while the bug is open the read beyond y stays
# inside memory this process owns (a read past an allocation can crash the interpreter).
SHORTER = [
    pytest.param(ADD, (8,), (slice(0, 5),), id="1-D y shorter"),
    pytest.param(ADD_2D, (4, 3), (slice(0, 2), slice(0, 3)), id="2-D y fewer rows"),
    pytest.param(ADD_2D, (4, 3), (slice(0, 4), slice(0, 2)), id="2-D y fewer columns"),
]


@pytest.mark.parametrize(("source", "x_shape", "y_part"), SHORTER)
def test_an_argument_too_small_for_the_tiles_is_refused(source, x_shape, y_part):
    add = launcher(source, "add")
    buffer = torch.full([2 * size for size in x_shape], 100.0)
    x, y = torch.ones(x_shape, device=DEVICE), buffer.to(DEVICE)[y_part]
    with pytest.raises(RuntimeError, match="y"):
        add(x, y)  # today: ones + 100s read from beyond y


def test_too_few_labels_are_refused():
    source = kernel_source("reductions.py")
    module = load_module(transpiler.transpile(source), stem="reductions")
    logits, labels = on(torch.randn(4, 5), torch.tensor([0, 1, 2, 3]))
    labels = labels[:2]  # a view: the read beyond it stays inside the buffer
    with pytest.raises(RuntimeError, match="labels"):
        module.cross_entropy(logits, labels)


def test_a_longer_argument_is_read_where_the_tiles_reach_like_reference_mode():
    add = launcher(ADD, "add")
    x, y = on(torch.randn(5), torch.randn(8))
    torch.testing.assert_close(add(x, y), x + y[:5])
    torch.testing.assert_close(add(x, y), reference_function(ADD, "add")(x, y))


def test_whole_dimensions_of_different_sizes_are_refused_before_launch():
    source = kernel_source("reductions.py")
    module = load_module(transpiler.transpile(source), stem="reductions")
    x, weight, bias = on(torch.randn(2, 5), torch.ones(3), torch.zeros(5))
    for wrong in ((x, weight, bias), (x, bias, weight)):  # a short weight, then a short bias
        with pytest.raises(
            RuntimeError, match="bias.size\\(0\\) and weight.size\\(0\\) must equal n"
        ):
            module.layer_norm(*wrong)


@pytest.mark.parametrize("shape", [(2, 3), (), (2, 3, 4)], ids=["2-D", "0-D", "3-D"])
def test_wrong_rank_is_refused_before_launch(shape):
    add = launcher(ADD, "add")
    with pytest.raises(ValueError, match="x must be 1-D"):
        add(*on(torch.ones(shape), torch.ones(shape)))


def test_kernel_decorator_specialises_on_rank_instead(kernel_module):
    x, y = on(torch.randn(2, 3), torch.randn(2, 3))
    torch.testing.assert_close(kernel_module.add(x, y), x + y)  # x[tile] takes whole rows


# -- dtypes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "a", "b"),
    [
        (torch.float64, 1.25, 2.5),
        (torch.uint8, 250, 10),  # wraps like torch
        (torch.int8, 120, 10),
    ],
    ids=str,
)
def test_dtypes_torch_adds_give_torch_results(dtype, a, b):
    add = launcher(ADD, "add")
    x, y = on(torch.full((5,), a, dtype=dtype), torch.full((5,), b, dtype=dtype))
    ours = add(x, y)
    assert ours.dtype == dtype and torch.equal(ours, x + y)


def test_complex_inputs_are_refused_clearly():
    add = launcher(ADD, "add")
    x = torch.ones(4, dtype=torch.complex64, device=DEVICE)
    with pytest.raises((TypeError, ValueError, RuntimeError), match="complex"):
        add(x, x)


BOOL_REFUSED = "x is a bool tensor and line 10 does arithmetic"


@pytest.mark.parametrize(
    ("expression", "refused"),
    [
        # torch: logical or; Triton's i1 addition wraps (True + True: False)
        ("x[tile] + y[tile]", BOOL_REFUSED),
        ("x[tile] - y[tile]", BOOL_REFUSED),  # torch refuses it
        # torch computes it in float; a float function of x alone needs floats (float_math=),
        # which refuses a bool x too
        ("torch.exp(x[tile]) + y[tile]", "x must hold floats: line 10 takes a float function"),
        ("x[tile] * y[tile] + y[tile]", BOOL_REFUSED),  # bool beside bool: Triton's i1 sum wraps
    ],
)
def test_bool_arithmetic_is_refused_before_launch_naming_the_line(expression, refused):
    add = launcher(ADD.replace("x[tile] + y[tile]", expression), "add")
    x = torch.tensor([True, False, True], device=DEVICE)
    with pytest.raises(TypeError, match=refused):
        add(x, x)


def test_bool_tensors_combined_as_masks_are_computed():
    expression = "torch.where(x[tile] & ~y[tile] | (x[tile] ^ y[tile]), 1.5, -2.0)"
    add = launcher(
        ADD.replace(
            "out = torch.empty_like(x)", "out = torch.empty(x.shape, device=x.device)"
        ).replace("x[tile] + y[tile]", expression),
        "add",
    )
    x = torch.rand(37, device=DEVICE) > 0.5
    y = torch.rand(37, device=DEVICE) > 0.3
    expected = torch.where(x & ~y | (x ^ y), 1.5, -2.0)
    torch.testing.assert_close(add(x, y), expected.to(DEVICE))


def test_bool_tensors_cast_before_arithmetic_are_computed():
    add = launcher(
        ADD.replace("x[tile] + y[tile]", "x[tile].int() + y[tile].int()").replace(
            "out = torch.empty_like(x)",
            "out = torch.empty(x.shape, dtype=torch.int32, device=x.device)",
        ),
        "add",
    )
    x = torch.rand(37, device=DEVICE) > 0.5
    y = torch.rand(37, device=DEVICE) > 0.3
    torch.testing.assert_close(add(x, y), x.int() + y.int())


# -- memory layouts -----------------------------------------------------------------------------


def test_expanded_and_strided_inputs_are_read_correctly():
    add = launcher(ADD_2D, "add")
    x = torch.randn(1, 7, device=DEVICE).expand(5, 7)  # stride 0 along rows
    y = torch.randn(10, 7, device=DEVICE)[::2]  # every other row
    z = torch.randn(7, 5, device=DEVICE).T  # transposed
    torch.testing.assert_close(add(x, y), x + y)
    torch.testing.assert_close(add(z, x), z + x)


def test_an_output_that_aliases_an_input_is_computed_in_place():
    fill = launcher(FILL, "fill")
    x = torch.arange(6.0, device=DEVICE)
    result = fill(x, x)
    assert result.data_ptr() == x.data_ptr()
    torch.testing.assert_close(x, torch.arange(6.0, device=DEVICE) * 2)


def test_an_overlapping_output_is_refused():
    fill = launcher(FILL, "fill")
    out = torch.zeros(1, device=DEVICE).expand(4)
    with pytest.raises(RuntimeError, match="overlap|memory location"):
        fill(out, torch.arange(4.0, device=DEVICE))


# -- empty tensors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shape", "expected"),
    [
        ("row_sum", (3, 0), torch.zeros(3)),
        ("row_sum", (0, 4), torch.zeros(0)),
        ("softmax_builtin", (3, 0), torch.zeros(3, 0)),  # (`torch.amax` of no columns raises)
        ("softmax", (0, 5), torch.zeros(0, 5)),
    ],
    ids=str,
)
def test_empty_tensors_give_empty_or_identity_results(name, shape, expected):
    module = load_module(transpiler.transpile(kernel_source("reductions.py")), stem="reductions")
    ours = getattr(module, name)(*on(torch.randn(shape)))
    assert ours.shape == expected.shape
    torch.testing.assert_close(ours.cpu(), expected)


def test_empty_elementwise_launches_nothing():
    add = launcher(ADD, "add")
    ours = add(*on(torch.ones(0), torch.ones(0)))
    assert ours.shape == (0,)


# -- Python values where tensors are expected ---------------------------------------------------


def test_a_scalar_for_the_first_tensor_fails_before_launch():
    add = launcher(ADD, "add")
    with pytest.raises(TypeError, match="must be Tensor"):
        add(1.0, torch.ones(4, device=DEVICE))


def test_a_zero_dim_tensor_for_a_tiled_one_is_refused():
    add = launcher(ADD, "add")
    with pytest.raises(ValueError, match="y must be 1-D"):
        add(*on(torch.ones(4), torch.tensor(2.0)))


@pytest.mark.parametrize("value", [1.0, None, [1.0, 2.0, 3.0, 4.0]], ids=["float", "None", "list"])
def test_a_python_value_for_a_tensor_parameter_is_a_clear_type_error(value):
    add = launcher(ADD, "add")
    with pytest.raises(TypeError, match="y"):
        add(torch.ones(4, device=DEVICE), value)


# -- sizes beyond int32 offsets (GPU memory) ----------------------------------------------------


@pytest.mark.gpu
def test_more_than_two_to_the_31_elements():
    add = launcher(ADD, "add")
    count = 2**31 + 17
    x = torch.ones(count, dtype=torch.int8, device="cuda")
    y = torch.full((count,), 2, dtype=torch.int8, device="cuda")
    out = add(x, y)
    assert (
        out[-17:].eq(3).all() and out[:17].eq(3).all() and out.sum(dtype=torch.int64) == 3 * count
    )
