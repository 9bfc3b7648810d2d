"""Callable kernel arguments: Helion's matmul epilogue, inlined into the device loop."""

from __future__ import annotations

import pytest
import torch
from helpers import CPU_INTERPRETER_ONLY, assert_matches, both_truths, generated, kernel_source

import transpiler
from transpiler.compile.frontend.errors import CallableArgumentError


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


def relative(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return ((actual.double() - expected.double()).norm() / expected.double().norm()).item()


DTYPES = [torch.float16, torch.float32]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_default_epilogue(dtype):
    x, y = rand(37, 29, dtype=dtype), rand(29, 45, dtype=dtype)
    ours, reference = both_truths("examples.py", "matmul", x, y)
    assert ours.dtype == dtype
    assert relative(ours, x.double() @ y.double()) < 2e-3
    assert relative(ours, reference) < 2e-3


@CPU_INTERPRETER_ONLY
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_bias_relu_epilogue(dtype):
    x, y, bias = rand(37, 29, dtype=dtype), rand(29, 45, dtype=dtype), rand(45, dtype=dtype)
    epilogue = lambda acc, tile: torch.relu(acc + bias[tile[1]])  # noqa: E731
    ours, reference = both_truths("examples.py", "matmul", x, y, epilogue)
    expected = torch.relu(x.double() @ y.double() + bias.double())
    assert relative(ours, expected) < 2e-3
    assert relative(ours, reference) < 2e-3
    assert (ours == 0).any() and (ours > 0).any()  # the relu did something


def test_generated_code_keeps_the_users_names():
    x, y, bias = rand(5, 6), rand(6, 7), rand(7)
    epilogue = lambda acc, tile: torch.relu(acc + bias[tile[1]])  # noqa: E731
    code = transpiler.transpile_module(
        kernel_source("examples.py"), only=("matmul",), example_args={"matmul": (x, y, epilogue)}
    ).code
    assert "    # epilogue: lambda acc, tile: torch.relu(acc + bias[tile[1]])\n" in code
    assert "bias_ptr + offs_n * bias_stride_0" in code
    assert "    bias = closure_value(epilogue, 'bias')\n" in code
    assert "tl.maximum(acc + bias_tile, 0, propagate_nan=tl.PropagateNan.ALL)" in code


@CPU_INTERPRETER_ONLY
def test_through_the_kernel_decorator_each_callable_its_own_specialisation():
    from kernels.epilogues import matmul

    x, y = rand(33, 20), rand(20, 19)
    product = x.double() @ y.double()
    assert_matches(matmul(x, y), product)
    bias, scale = rand(19), 0.5

    def scaled_bias(acc, tile):
        """A def works too: one return statement."""
        return (acc + bias[tile[1]]) * scale

    assert_matches(matmul(x, y, scaled_bias), (product + bias.double()) * scale)
    assert_matches(matmul(x, y, epilogue=lambda acc, tile: torch.sigmoid(acc)), product.sigmoid())
    bias = rand(19)  # the closure is read at each call: a new tensor, the same kernel
    assert_matches(matmul(x, y, scaled_bias), (product + bias.double()) * scale)
    rows = rand(33)
    by_row = lambda acc, tile: acc - rows[tile[0]][:, None]  # noqa: E731
    assert_matches(matmul(x, y, by_row), product - rows.double()[:, None])


@CPU_INTERPRETER_ONLY
def test_a_module_for_one_epilogue_refuses_another():
    x, y, bias = rand(9, 8), rand(8, 7), rand(7)
    launcher = generated(kernel_source("examples.py"), "matmul", x, y)  # the default inlined
    assert_matches(launcher(x, y), x.double() @ y.double())
    with pytest.raises(ValueError, match="this module inlines 'lambda acc, tile: acc'"):
        launcher(x, y, lambda acc, tile: acc + bias[tile[1]])


SPLIT_LAMBDA = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def scale_rows(
    x: torch.Tensor,
    finish=lambda v,
    tile: v  # a default lambda broken over lines, as a formatter leaves it
    * 2,
) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = finish(x[tile, :], tile)
    return out
"""


@CPU_INTERPRETER_ONLY
def test_a_default_lambda_over_several_lines_is_checked_at_launch():
    x = rand(11, 6)
    launcher = generated(SPLIT_LAMBDA, "scale_rows", x)
    assert_matches(launcher(x), x.double() * 2)
    assert_matches(launcher(x, lambda v, tile: v * 2), x.double() * 2)  # the same code
    with pytest.raises(ValueError, match="this module inlines"):
        launcher(x, lambda v, tile: v * 3)


def test_callables_that_cannot_be_inlined_are_named_errors():
    x, y = rand(9, 8), rand(8, 7)
    source = kernel_source("examples.py")
    offsets = [1.0, 2.0]
    closes_over_a_list = lambda acc, tile: acc + offsets[0]  # noqa: E731

    def two_statements(acc, tile):
        shifted = acc + 1
        return shifted

    def reads_a_kernel_name(acc, tile):
        return acc + m  # noqa: F821 - not defined: the kernel's m must not leak in

    cases = [
        (closes_over_a_list, "closes over 'offsets', a list"),
        (two_statements, "single `return <expression>`"),
        (reads_a_kernel_name, "reads 'm', which it neither takes nor closes over"),
        (torch.relu, "not a Python function or lambda"),
    ]
    for epilogue, message in cases:
        with pytest.raises(CallableArgumentError, match=message):
            transpiler.transpile_module(
                source, only=("matmul",), example_args={"matmul": (x, y, epilogue)}
            )


def test_a_callable_known_only_at_the_call():
    source = kernel_source("examples.py").replace(
        "epilogue: Epilogue = lambda acc, tile: acc,", "epilogue: Callable,"
    )
    with pytest.raises(CallableArgumentError, match="known only when the kernel is called"):
        transpiler.transpile_module(source, only=("matmul",))


HELPERS = """
import torch
import helion
import helion.language as hl

SHIFT = 0.25


def softplus_shifted(v, beta):
    \"\"\"A module's own helper: one return, inlined where the loop calls it.\"\"\"
    return torch.log(1 + torch.exp(v * beta)) / beta + SHIFT


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = softplus_shifted(x[tile], 2.0)
    return out
"""


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_a_module_function_called_in_the_loop_is_inlined(dtype):
    x = rand(1000, dtype=dtype) * 3
    ours = generated(HELPERS, "k", x)(x)
    expected = torch.log(1 + torch.exp(x.double() * 2)) / 2 + 0.25
    assert_matches(ours, expected, dtype)
    assert "    # softplus_shifted: def softplus_shifted(v, beta):" in transpiler.transpile(HELPERS)


def test_the_cost_model_follows_the_epilogue():
    from transpiler.analysis.perf.walk import kernel_cost

    x, y, bias = rand(64, 32), rand(32, 48), rand(48)
    source = kernel_source("examples.py")
    plain = kernel_cost(source, "matmul", (x, y))
    epilogue = lambda acc, tile: torch.relu(acc + bias[tile[1]])  # noqa: E731
    fused = kernel_cost(source, "matmul", (x, y, epilogue))
    assert plain.flops == 2 * 64 * 32 * 48
    assert fused.flops - plain.flops == 64 * 48  # the add (the op table counts relu as 0)
    assert fused.min_bytes - plain.min_bytes == 48 * 4  # the bias, read once


@CPU_INTERPRETER_ONLY
def test_the_magic_specialises_on_a_callable_from_an_earlier_cell(device):
    pytest.importorskip("IPython")
    from magic_shell import fresh_shell, put, run_magic

    source = kernel_source("examples.py")
    matmul = source[
        source.index("@helion.kernel()\ndef matmul(") : source.index(
            "\n\n\n@helion.kernel()\ndef low"
        )
    ]
    cell = (
        "from collections.abc import Callable\n\nimport torch\nimport helion\n"
        "import helion.language as hl\n\n"
        "Epilogue = Callable[[torch.Tensor, tuple[torch.Tensor, ...]], torch.Tensor]\n\n\n"
        + matmul
        + "\n"
    )
    with fresh_shell(device) as shell:
        put(shell, x=rand(21, 30), y=rand(30, 17), bias=rand(17))
        shell.run_cell("relu_bias = lambda acc, tile: torch.relu(acc + bias[tile[1]])")
        shown = run_magic(shell, "--run 'matmul(x, y, relu_bias)' --show none", cell)
        assert "PASS" in shown.stdout, shown.stdout + shown.stderr
        shown = run_magic(shell, "--run 'matmul(x, y)' --show none", cell)
        assert "PASS" in shown.stdout, shown.stdout + shown.stderr
        expected = torch.relu(
            shell.user_ns["x"].double() @ shell.user_ns["y"].double()
            + shell.user_ns["bias"].double()
        )
        result = shell.user_ns["matmul"](
            shell.user_ns["x"], shell.user_ns["y"], shell.user_ns["relu_bias"]
        )
        assert_matches(result.cpu(), expected.cpu())


@CPU_INTERPRETER_ONLY
def test_the_kernel_decorator_brings_a_module_helper_along():
    from kernels.epilogues import leaky_rows

    x = rand(13, 40)
    expected = torch.where(x.double() > 0, x.double(), x.double() * 0.125)
    assert_matches(leaky_rows(x), expected)
    assert "# leaky: def leaky(v, slope):" in leaky_rows.bind((x,)).triton_source


def test_a_host_value_shadows_a_module_helper_of_its_name():
    source = HELPERS.replace(
        "        out[tile] = softplus_shifted(x[tile], 2.0)",
        "        out[tile] = x[tile] * softplus_shifted",
    ).replace(
        "    out = torch.empty_like(x)\n",
        "    out = torch.empty_like(x)\n    softplus_shifted = 2.0\n",
    )
    x = rand(33)
    assert_matches(generated(source, "k", x)(x), x.double() * 2)
