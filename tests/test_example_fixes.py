"""Generated-code failures Helion's examples met on the H100, each pinned by a kernel of ours."""

from __future__ import annotations

import pytest
import torch
from helpers import (
    CPU_INTERPRETER_ONLY,
    assert_matches,
    both_truths,
    generated,
    kernel_source,
)

import transpiler

DTYPES = [torch.float16, torch.float32]


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


def rms_norm_grad_input_f64(grad_out, x, weight, inv_rms):
    grad_out, x, weight, inv_rms = (t.double() for t in (grad_out, x, weight, inv_rms))
    scaled_grad = weight[None, :] * grad_out
    projection = (scaled_grad * x).mean(-1)[:, None]
    return scaled_grad * inv_rms - x * inv_rms**3 * projection


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("inv_rms_width", [1, "n"], ids=["one_a_row", "full_rows"])
def test_a_dimension_of_one_broadcasts_against_a_whole_dimension(dtype, inv_rms_width):
    m, n = 13, 37
    x, grad_out, weight = rand(m, n, dtype=dtype), rand(m, n, dtype=dtype), rand(n, dtype=dtype)
    inv_rms = (torch.rand(m, n if inv_rms_width == "n" else 1, dtype=torch.float64) + 0.5).to(dtype)
    ours, reference = both_truths(
        "example_fixes.py", "rms_norm_grad_input", grad_out, x, weight, inv_rms
    )
    assert_matches(ours, rms_norm_grad_input_f64(grad_out, x, weight, inv_rms))
    assert_matches(ours, reference)


def test_the_broadcast_is_a_stride_0_view_in_the_launcher():
    args = (rand(3, 5), rand(3, 5), rand(5), rand(3, 1))
    code = transpiler.transpile_module(
        kernel_source("example_fixes.py"),
        only=("rms_norm_grad_input",),
        example_args={"rms_norm_grad_input": args},
    ).code
    assert "inv_rms = inv_rms.expand(-1, n) if inv_rms.size(1) == 1 else inv_rms" in code
    assert "grad_x = grad_x.expand" not in code  # an output is never broadcast
    assert "x = x.expand" not in code  # x's size is grad_x's: stores would run past grad_x


def test_no_broadcast_where_host_code_reads_the_tensor_again():
    x, scale = rand(6, 9), rand(6, 9)
    ours = generated(kernel_source("example_fixes.py"), "scaled_rows_then_sum", x, scale)
    assert_matches(ours(x, scale), (x.double() * scale.double()) * scale.double().sum())
    with pytest.raises(RuntimeError, match="must be equal"):
        ours(x, rand(6, 1))  # rebinding `scale` would change what the host code sums


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_identity_epilogue_inside_an_if(dtype):
    x, y = rand(21, 50, dtype=dtype), rand(50, 19, dtype=dtype)
    ours, reference = both_truths("example_fixes.py", "split_k_with_epilogue", x, y)
    expected = x.double() @ y.double()
    torch.testing.assert_close(ours.double(), expected, atol=2e-2, rtol=2e-2)
    torch.testing.assert_close(ours.double(), reference.double(), atol=2e-2, rtol=2e-2)


@CPU_INTERPRETER_ONLY
def test_epilogue_inside_an_if_runs_once_per_tile():
    x, y, bias = rand(21, 50), rand(50, 19), rand(19)
    epilogue = lambda acc, tile: acc + bias[tile[1]]  # noqa: E731
    ours, reference = both_truths("example_fixes.py", "split_k_with_epilogue", x, y, epilogue)
    expected = x.double() @ y.double() + bias.double()
    torch.testing.assert_close(ours.double(), expected, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(ours.double(), reference.double(), atol=1e-4, rtol=1e-4)


def test_an_if_whose_body_inlines_to_nothing_gets_pass():
    x, y = rand(4, 6), rand(6, 5)
    code = transpiler.transpile_module(
        kernel_source("example_fixes.py"),
        only=("split_k_with_epilogue",),
        example_args={"split_k_with_epilogue": (x, y)},
    ).code
    lines = code.splitlines()
    branch = next(i for i, line in enumerate(lines) if line.strip().startswith("if pid_outer_k"))
    body = [line.strip() for line in lines[branch + 1 : branch + 4]]
    assert body[0].startswith("# line") and body[0].endswith(
        "acc = epilogue(acc, (tile_m, tile_n))"
    )
    assert body[1:] == ["# epilogue: lambda acc, tile: acc", "pass"]


@CPU_INTERPRETER_ONLY
def test_float8_tiles_load_and_multiply():
    m, k, n = 19, 45, 23
    x = (torch.randn(m, k) * 2).to(torch.float8_e4m3fn)
    y = (torch.randn(k, n) * 2).to(torch.float8_e4m3fn)
    ours = generated(kernel_source("example_fixes.py"), "float8_matmul", x, y)(x, y)
    assert ours.dtype == torch.float16
    assert_matches(ours, x.double() @ y.double())


def test_masked_loads_read_a_float_zero():
    """Triton casts `other` to the element type and has no int → float8 cast."""
    x = rand(4, 6).to(torch.float8_e4m3fn)
    code = transpiler.transpile_module(
        kernel_source("example_fixes.py"),
        only=("float8_matmul",),
        example_args={"float8_matmul": (x, x.T)},
    ).code
    assert "other=0.0)" in code and "other=0)" not in code


def test_a_comment_above_the_future_import_does_not_keep_it():
    source = '"""A module."""\n\n# %%\nfrom __future__ import annotations\n\n' + kernel_source(
        "example_fixes.py"
    )
    code = transpiler.transpile(source)
    assert "from __future__" not in code
    compile(code, "generated.py", "exec")


@pytest.mark.parametrize("causal", [1, 0])  # ints: Triton 3.6's interpreter refuses bool args
def test_a_name_both_branches_assign_bounds_an_inner_loop(causal):
    x = rand(13, 21)
    ours, reference = both_truths("example_fixes.py", "causal_row_sums", x, causal)
    expected = (x.double().tril() if causal else x.double()).sum(-1)
    assert ours.dtype == reference.dtype == torch.float16
    assert_matches(ours, expected)
    assert_matches(ours, reference)


def test_a_name_only_one_branch_assigns_is_undefined_after_the_if():
    source = kernel_source("example_fixes.py").replace(
        "            high = n\n", "            pass\n"
    )
    with pytest.raises(transpiler.TranspileError, match="'high'"):
        transpiler.transpile(source)


def test_aot_kernel_is_a_kernel_with_the_default_config():
    x = rand(7, 10)
    ours, reference = both_truths("example_fixes.py", "scale_rows_ahead_of_time", x, 1.5)
    assert_matches(ours, x.double() * 1.5)
    assert_matches(ours, reference)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_loads_in_a_dot_loop_with_a_fixed_chunk(dtype):
    k, v = rand(3, 37, 13, dtype=dtype), rand(3, 37, 21, dtype=dtype)
    ours, reference = both_truths("example_fixes.py", "chunked_outer_products", k, v, 16)
    expected = torch.einsum("btd,bte->bde", k.double(), v.double())
    torch.testing.assert_close(ours.double(), expected, atol=2e-2, rtol=2e-2)
    torch.testing.assert_close(ours.double(), reference.double(), atol=2e-2, rtol=2e-2)


def stage_lines(chunk: int, **settings: object) -> list[str]:
    k, v = rand(2, 8, 4), rand(2, 8, 4)
    source = kernel_source("example_fixes.py")
    if settings:
        source = source.replace(
            "@helion.kernel()\ndef chunked_outer_products",
            f"@helion.kernel(config=helion.Config(**{settings!r}))\ndef chunked_outer_products",
        )
    code = transpiler.transpile_module(
        source,
        only=("chunked_outer_products",),
        example_args={"chunked_outer_products": (k, v, chunk)},
    ).code
    lines = [line.strip() for line in code.splitlines()]
    return [line for line in lines if line.startswith(("loop_bytes", "num_stages ="))]


@pytest.mark.parametrize(
    ("chunk", "d", "e", "stages"),
    [(16, 64, 64, 3), (256, 64, 64, 2), (512, 64, 64, 1), (256, 128, 64, 1)],
)
def test_default_stages_keep_the_loop_loads_in_shared_memory(chunk, d, e, stages):
    """gdn_fwd_h (a 256-row chunk, float16) asked for 297 KB of shared memory with 3 stages."""
    namespace = {
        "BLOCK_T": chunk,
        "BLOCK_D": d,
        "BLOCK_E": e,
        "k": torch.empty(1, dtype=torch.float16),
        "v": torch.empty(1, dtype=torch.float16),
    }
    exec("\n".join(stage_lines(chunk)), namespace)
    assert namespace["num_stages"] == stages


def test_stages_the_config_names_are_kept():
    assert stage_lines(256, block_sizes=[64], num_stages=4) == []


def test_a_load_of_what_the_program_stored_waits_for_a_barrier():
    # squeeze_and_excitation_net's forward on the H100: c and d were read back by other
    # threads of the program before every thread had stored them (32% of the outputs wrong)
    source = kernel_source("example_fixes.py")
    code = transpiler.transpile_module(source, only=("gated_two_layer",)).code
    lines = [line.strip() for line in code.splitlines()]
    for stored, loaded in (("hidden", "hidden_tile ="), ("gate", "gate_tile =")):
        store = next(i for i, line in enumerate(lines) if line.startswith(f"{stored}_ptrs"))
        load = next(i for i, line in enumerate(lines) if line.startswith(loaded))
        assert store < load and "tl.debug_barrier()" in lines[store:load], stored


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_a_hidden_layer_stored_and_read_back_by_the_program(dtype):
    x, w_in, w_out = (
        rand(150, 70, dtype=dtype),
        rand(70, 90, dtype=dtype),
        rand(90, 70, dtype=dtype),
    )
    ours, reference = both_truths("example_fixes.py", "gated_two_layer", x, w_in, w_out)
    hidden = torch.tanh(x.double() @ w_in.double()).to(dtype).double()
    expected = x.double() * torch.sigmoid(hidden @ w_out.double()).to(dtype).double()
    assert_matches(ours, expected, dtype, dots=True)
    assert_matches(reference, expected, dtype, dots=True)
