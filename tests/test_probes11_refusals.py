"""Evaluator-style probes of a kernel's structure (round 11), refused: a name an `if` on a scalar
leaves an int on one path and a float on the other (`s = 2.0` / `s = 3`), and a value carried
across a loop whose kind of number an iteration changes (`scale = 1` ... `scale *= 0.5`).
Triton gives a name one type after an `if` and across a loop: before round 11 the first was an
UndefinedNameError that said the name was never defined, or Triton's GPU compiler refusing the
kernel ("Mismatched type", "Loop-carried variable"), which the CPU interpreter runs. Beside
each, the same construct in one dtype, run against torch in float64."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

import transpiler as helion
import transpiler.language as hl
from transpiler.analysis.targets import GPUCompileError

N = 301


def floats(*shape):
    return torch.randn(*shape, device=DEVICE) * 3


def branches(first: str, second: str, use: str = "x[tile] * s") -> str:
    """A kernel whose runtime `if k > 0` assigns `first` to s, else `second`, then stores use."""
    return kernel(
        "x: torch.Tensor, k: int",
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        if k > 0:\n"
        f"            s = {first}\n"
        "        else:\n"
        f"            s = {second}\n"
        f"        out[tile] = {use}\n"
        "    return out\n",
    )


USE_LINE = 15  # the store after the if, in branches()'s source

KINDS_APART = {
    "float_then_int": ("2.0", "3"),
    "int_then_float": ("-1", "0.5"),
    "bool_then_int": ("True", "2"),
    "cast_then_float_number": ("(x[tile] * 4).to(torch.int32)", "x[tile].to(torch.float32)"),
}


@pytest.mark.parametrize("case", KINDS_APART)
def test_a_name_an_if_leaves_an_int_and_a_float_is_refused_where_it_is_used(case):
    """was: 'name s is not defined before this device loop' (numbers), or Triton's GPU compile
    error "Mismatched type for s" (blocks)."""
    first, second = KINDS_APART[case]
    assert_refused_at(branches(first, second), USE_LINE, "s", "DtypeMismatchError", "'s'")


def test_the_refusal_names_both_kinds_and_the_fix():
    source = branches("2.0", "3")
    with pytest.raises(Exception) as caught:
        assert_computes_as_torch(source, lambda: [floats(N), 1], lambda x, k: x)
    text = str(caught.value)
    for words in ("a float after the if branch on line 11", "an int after the other path",
                  "write 's' as a float on its int path too"):  # fmt: skip
        assert words in text, text


SAME_KIND = {
    "numbers": ("2.0", "3.0", lambda x, k: x * (2.0 if k > 0 else 3.0)),
    "ints": ("2", "-3", lambda x, k: x * (2 if k > 0 else -3)),
    "blocks": ("x[tile] * 2", "x[tile] - 1", lambda x, k: x * 2 if k > 0 else x - 1),
}


@pytest.mark.parametrize("k", [1, -1])
@pytest.mark.parametrize("case", SAME_KIND)
def test_a_name_an_if_leaves_one_kind_on_both_paths_computes_as_torch(case, k):
    first, second, truth = SAME_KIND[case]
    use = "s" if case == "blocks" else "x[tile] * s"
    assert_computes_as_torch(
        branches(first, second, use), lambda: [floats(N), k], lambda x, k_: truth(x, k)
    )


def carried(start: str, update: str, loop: str = "for j in range(x.size(1)):") -> str:
    """Rows of x: acc sums x[rows, j] * scale, scale starting at `start` and set by `update`."""
    return kernel(
        "x: torch.Tensor",
        "    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)\n"
        "    for rows in hl.tile(x.size(0)):\n"
        "        acc = hl.zeros([rows], dtype=torch.float32)\n"
        f"        scale = {start}\n"
        f"        {loop}\n"
        "            acc = acc + x[rows, j] * scale\n"
        f"            scale = {update}\n"
        "        out[rows] = acc\n"
        "    return out\n",
    )


LOOP_LINE = 13


@pytest.mark.parametrize(
    ("start", "update"),
    [("1", "scale * 0.5"), ("0", "scale + 0.25"), ("2", "scale / 2"), ("-3", "scale * 1.5")],
)
def test_a_carried_number_whose_kind_a_loop_changes_is_refused_at_the_loop(start, update):
    """was: Triton's GPU compile error 'Loop-carried variable scale has initial type int32 but
    is re-assigned to fp32' (the CPU interpreter ran it)."""
    assert_refused_at(
        carried(start, update), LOOP_LINE, "for j", "DtypeMismatchError", "'scale'", "keeps"
    )


def weighted(x, start, step):
    acc, scale = torch.zeros(x.shape[0], dtype=x.dtype), start
    for j in range(x.shape[1]):
        acc, scale = acc + x[:, j] * scale, step(scale)
    return acc


@pytest.mark.parametrize(
    ("start", "update", "step"),
    [
        ("1.0", "scale * 0.5", lambda s: s * 0.5),
        ("3", "scale - 1", lambda s: s - 1),
        ("0.0", "scale + 0.25", lambda s: s + 0.25),
    ],
)
def test_a_carried_number_of_one_kind_computes_as_torch(start, update, step):
    assert_computes_as_torch(
        carried(start, update),
        lambda: [floats(37, 9)],
        lambda x: weighted(x, float(start) if "." in start else int(start), step),
    )


# Where only the tensors' dtypes tell two paths apart (a load's dtype is the launch's), Triton's
# GPU compiler refuses the kernel the interpreter ran; its reason is said as the source's, with
# the fix (was: Triton's assertion text and "the generated Triton is wrong: report it").


@helion.kernel()
def widened_in_one_branch(x: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.float64, device=x.device)
    for tile in hl.tile(x.size(0)):
        if k > 0:
            y = x[tile].to(torch.float64) * 2
        else:
            y = x[tile]
        out[tile] = y
    return out


@helion.kernel()
def narrowed_after_a_load(x: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        y = x[tile]
        if k > 0:
            y = (y * 4).to(torch.int16)
        out[tile] = y / 3
    return out


@helion.kernel()
def widened_in_a_loop(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=torch.float64, device=x.device)
    for rows in hl.tile(x.size(0)):
        acc = x[rows, 0]
        for j in range(1, x.size(1)):
            acc = acc + x[rows, j].to(torch.float64)
        out[rows] = acc
    return out


GPU_REFUSED = {
    "branches": (
        widened_in_one_branch,
        (floats(N), 2),
        r"'y' has another dtype after each branch of this if: fp64 and fp32",
    ),
    "one_branch": (narrowed_after_a_load, (floats(N), 2), r"'y' is fp32 before this if and int16"),
    "loop": (widened_in_a_loop, (floats(37, 9),), r"'acc' is fp32 before this loop and fp64"),
}


@pytest.mark.parametrize("case", GPU_REFUSED)
def test_a_dtype_only_the_launch_knows_apart_says_why_and_the_fix(case):
    kernel_object, args, said = GPU_REFUSED[case]
    with pytest.raises(GPUCompileError, match=said) as caught:
        kernel_object.bind(args).compile_for("sm_90")
    assert "report it" not in str(caught.value)
    assert caught.value.hint.startswith(("convert y to", "give acc the loop's dtype"))


def test_a_compile_error_of_the_lowering_still_asks_for_a_report():
    """A Triton message the table does not know keeps the hint that asks for a report."""
    error = GPUCompileError.from_triton("sm_90", "k_kernel", "at 3:4: something else", "", None)
    assert "report it" in error.hint


def test_an_int_accumulator_rebound_to_a_sum_of_a_float_tensor_is_not_said_an_integer_sum():
    """was: "line 14 makes it the int64 of an integer sum" for a sum of a float32 tensor (whose
    dtype only the launch knows), hinting dtype=torch.int64 where float32 is the fix."""
    source = carried("1.0", "scale").replace(
        "acc = acc + x[rows, j] * scale", "acc = acc + x[rows, :].sum(-1)"
    )
    source = source.replace(
        "hl.zeros([rows], dtype=torch.float32)", "hl.zeros([rows], dtype=torch.int32)"
    )
    with pytest.raises(Exception) as caught:
        assert_computes_as_torch(source, lambda: [floats(37, 9)], lambda x: x.sum(-1))
    text = str(caught.value)
    assert "integer sum" not in text and "a sum's dtype" in text, text
    assert "torch.float32" in text, text


SHADOWING = {  # the if's name is also a parameter's: its use is refused, not the parameter read
    "float_and_int": ("2.0", "3", "DtypeMismatchError"),
    "bool_and_float": ("True", "1.5", "DtypeMismatchError"),
}


@pytest.mark.parametrize("case", SHADOWING)
def test_a_name_the_branches_leave_apart_is_refused_where_a_parameter_has_its_name(case):
    """was: the use after the if fell through to the parameter of that name (the generated
    kernel read the if's Triton variable, which Triton's GPU compiler then refused). A block
    assigned to a parameter's name is refused where it is assigned (HostVariableModifiedError)."""
    first, second, error = SHADOWING[case]
    source = branches(first, second).replace("k: int", "s: float, k: int")
    assert_refused_at(source, USE_LINE, "s", error, "'s'")
