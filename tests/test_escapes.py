"""The escape hatches: hl.device_print, hl.inline_triton, hl.triton_kernel."""

from __future__ import annotations

import pytest
import torch
from helpers import CPU_INTERPRETER_ONLY, generated, reference

import transpiler
from transpiler.compile.frontend.errors import InlineTritonError, UnsupportedConstructError
from transpiler.language import ReferenceUnsupportedError

ESCAPES = '''
import torch
import triton
import triton.language as tl
import helion
import helion.language as hl


@triton.jit
def add_pairs(a, b):
    return a + b


@helion.kernel()
def printed(x: torch.Tensor, scale: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        hl.device_print("scaled: ", x[tile] * scale)
        out[tile] = x[tile] * scale
    return out


@helion.kernel()
def inline_axpy(x: torch.Tensor, y: torch.Tensor, alpha: float) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        x_val = x[tile_m, tile_n]
        out[tile_m, tile_n] = hl.inline_triton(
            """
            scaled = {0} * {2}
            scaled + {1}
            """,
            args=(x_val, y[tile_m, tile_n], alpha),
            output_like=x_val,
        )
    return out


@helion.kernel()
def inline_sorted_pair(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        low, high = hl.inline_triton(
            "tl.minimum({a}, {b}), tl.maximum({a}, {b})",
            args={"a": x[tile], "b": y[tile]},
            output_like=(x[tile], x[tile]),
        )
        out[tile] = high - low
    return out


@helion.kernel()
def jit_function(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.triton_kernel(add_pairs, args=(x[tile], y[tile]), output_like=x[tile])
    return out


@helion.kernel()
def jit_function_by_name(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.triton_kernel("add_pairs", args=(x[tile], y[tile]), output_like=x[tile])
    return out


@helion.kernel()
def jit_source(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.triton_kernel(
            """
            def scaled_difference(a, b, scale):
                return (a - b) * scale
            """,
            args=(x[tile], y[tile], 3.0),
            output_like=x[tile],
        )
    return out
'''


def values(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) + 0.25).to(dtype)


@CPU_INTERPRETER_ONLY
def test_device_print(capfd):
    x = values(5)
    out = generated(ESCAPES, "printed", x, 2.0)(x, 2.0)
    torch.testing.assert_close(out.double(), x.double() * 2)
    printed = capfd.readouterr().out
    assert "scaled: " in printed
    assert f"{x[0].item() * 2:.4g}"[:4] in printed
    reference(ESCAPES, "printed")(x, 2.0)
    assert capfd.readouterr().out.startswith("scaled:  tensor(")


def test_device_print_is_tl_device_print():
    code = transpiler.transpile(ESCAPES)
    assert 'tl.device_print("scaled: ", x_tile * scale)' in code


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_inline_triton(dtype):
    x, y = values(19, 33, dtype=dtype), values(19, 33, dtype=dtype)
    out = generated(ESCAPES, "inline_axpy", x, y, 0.5)(x, y, 0.5)
    expected = x.double() * 0.5 + y.double()
    tolerance = 1e-2 if dtype == torch.float16 else 1e-6
    torch.testing.assert_close(out.double(), expected, atol=tolerance, rtol=tolerance)
    code = transpiler.transpile(ESCAPES, example_args={"inline_axpy": (x, y, 0.5)})
    assert "    scaled = x_val * alpha\n" in code  # the snippet, placeholders filled


def test_inline_triton_with_named_args_and_two_results():
    x, y = values(77) - 0.75, values(77)
    out = generated(ESCAPES, "inline_sorted_pair", x, y)(x, y)
    torch.testing.assert_close(out.double(), (x.double() - y.double()).abs())


@pytest.mark.parametrize("name", ["jit_function", "jit_function_by_name"])
def test_triton_kernel_calls_the_users_jit_function(name):
    x, y = values(1001), values(1001)
    out = generated(ESCAPES, name, x, y)(x, y)
    torch.testing.assert_close(out.double(), x.double() + y.double())


def test_triton_kernel_writes_a_source_function_into_the_module():
    x, y = values(45), values(45)
    out = generated(ESCAPES, "jit_source", x, y)(x, y)
    torch.testing.assert_close(out.double(), (x.double() - y.double()) * 3, atol=1e-6, rtol=1e-6)
    code = transpiler.transpile(ESCAPES)
    assert code.count("def scaled_difference(a, b, scale):") == 1
    assert "@triton.jit\ndef scaled_difference(" in code


@CPU_INTERPRETER_ONLY
def test_kernel_decorator_copies_an_imported_jit_function():
    """Through transpiler.kernel the jit function lives in the caller's module: copied in."""
    import kernels.jit_helpers as helpers

    x, y = values(50), values(50)
    out = helpers.uses_jit_helper(x, y)
    torch.testing.assert_close(out.double(), x.double() * y.double() + 1)
    assert "def multiply_add_one(a, b):" in helpers.uses_jit_helper.triton_source


@CPU_INTERPRETER_ONLY
@pytest.mark.parametrize("name", ["inline_axpy", "jit_function"])
def test_reference_mode_says_it_cannot_run_inline_triton(name):
    x, y = values(3, 8), values(3, 8)
    args = (x, y, 0.5) if name == "inline_axpy" else (x[0], y[0])
    with pytest.raises(ReferenceUnsupportedError, match="reference mode does not run"):
        reference(ESCAPES, name)(*args)


def test_magic_check_is_skipped_for_inline_triton(device):
    pytest.importorskip("IPython")
    from magic_shell import fresh_shell, put, run_magic

    cell = (
        ESCAPES.split("@helion.kernel()\ndef printed")[0]
        + "@helion.kernel()\ndef jit_function"
        + (ESCAPES.split("@helion.kernel()\ndef jit_function")[1].split("@helion.kernel()")[0])
    )
    with fresh_shell(device) as shell:
        put(shell, x=values(33), y=values(33))
        shown = run_magic(shell, "--run 'jit_function(x, y)' --show none", cell)
    assert "check jit_function(x, y): skipped (reference mode does not run" in shown.stdout
    assert "Traceback" not in shown.stdout + shown.stderr


BAD_SNIPPETS = [
    ('hl.inline_triton("{0} +", args=(x[tile],), output_like=x[tile])', "does not parse"),
    ('hl.inline_triton("{1}", args=(x[tile],), output_like=x[tile])', "placeholders"),
    ('hl.inline_triton("y = {0}", args=(x[tile],), output_like=x[tile])', "last line"),
    ("hl.inline_triton(snippet, args=(x[tile],), output_like=x[tile])", "string literal"),
    ('hl.triton_kernel("missing", args=(x[tile],), output_like=x[tile])', "no function"),
    ("hl.triton_kernel(len, args=(x[tile],), output_like=x[tile])", "not a @triton.jit"),
]


@pytest.mark.parametrize(("call", "message"), BAD_SNIPPETS, ids=[m for _, m in BAD_SNIPPETS])
def test_bad_inline_triton_is_a_named_error(call, message):
    source = f"""
import torch
import helion
import helion.language as hl

snippet = "{{0}}"


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = {call}
    return out
"""
    with pytest.raises(InlineTritonError, match=message) as caught:
        transpiler.transpile(source)
    assert caught.value.lineno == 13


def test_device_print_needs_a_prefix():
    source = ESCAPES.replace('hl.device_print("scaled: ", ', "hl.device_print(")
    with pytest.raises(UnsupportedConstructError, match="string prefix"):
        transpiler.transpile(source)
