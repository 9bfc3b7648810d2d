"""Arguments a kernel is specialised on: None or a tensor, strings, bools, hl.constexpr values.
Their tests inside device loops are decided while transpiling; the launcher checks them."""

from __future__ import annotations

import sys
import textwrap

import pytest
import torch
from helpers import DEVICE, assert_matches, generated, load_module, reference

import transpiler
from transpiler.compile.frontend import errors

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def masked_rows(
    x: torch.Tensor,
    labels: torch.Tensor | None = None,
    mode: str = "scale",
    ignore_index: int = -1,
) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        value = x[tile_m, tile_n]
        if labels is not None:
            keep = labels[tile_m] != ignore_index
            value = torch.where(keep[:, None], value, 0.0)
        if mode == "scale":
            factor = 2.0
        elif mode == "shift":
            factor = 1.0
            value = value + 1.0
        else:
            factor = 0.5
        out[tile_m, tile_n] = value * factor
    return out


@helion.kernel()
def flagged(x: torch.Tensor, squared: bool, offset: hl.constexpr) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        value = x[tile]
        if squared:
            power = value * value
        else:
            power = value
        out[tile] = power + offset
    return out


@helion.kernel()
def scaled_when(x: torch.Tensor, limit: float, mode: str) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        value = x[tile]
        if limit > 0:
            if mode == "double":
                value = value * 2.0
        else:
            if mode == "double":
                value = value * 4.0
        out[tile] = value
    return out
"""


def masked_rows_float64(x, labels, mode, ignore_index=-1):
    value = x.double()
    if labels is not None:
        value = torch.where((labels != ignore_index)[:, None], value, 0.0)
    if mode == "scale":
        return value * 2.0
    if mode == "shift":
        return (value + 1.0) * 1.0
    return value * 0.5


def inputs(m: int, n: int):
    x = torch.rand(m, n, dtype=torch.float64).mul(2).sub(1).float()
    labels = torch.randint(-1, 3, (m,))
    return x, labels


@pytest.mark.parametrize("mode", ["scale", "shift", "half"])
@pytest.mark.parametrize("with_labels", [False, True])
@pytest.mark.parametrize("shape", [(37, 45), (1, 3)], ids=str)
def test_optional_tensor_and_string_match_float64(shape, with_labels, mode):
    x, labels = inputs(*shape)
    labels = labels if with_labels else None
    args = (x, labels, mode)
    actual = generated(SOURCE, "masked_rows", *args)(*args)
    assert_matches(actual, masked_rows_float64(x, labels, mode))
    fresh = (x.clone(), None if labels is None else labels.clone(), mode)
    assert_matches(actual, reference(SOURCE, "masked_rows")(*fresh))


def kernel_code(name: str, *args: object) -> str:
    return transpiler.transpile_module(SOURCE, example_args={name: args}, only=(name,)).code


def test_only_the_branch_taken_is_lowered():
    x, labels = inputs(3, 4)
    without = kernel_code("masked_rows", x, None, "shift")
    kernel = without[without.index("def masked_rows_kernel") : without.index("\ndef masked_rows(")]
    code_lines = [line.strip() for line in kernel.splitlines() if not line.strip().startswith("#")]
    assert "labels_ptr" not in kernel and not any(line.startswith("if ") for line in code_lines)
    assert "factor = 1.0" in kernel and "factor = 2.0" not in kernel
    compact = "".join(without.split())  # the launcher's checks, however they are wrapped
    assert "iflabelsisnotNone:raise" in compact and "ifmode!='shift':raise" in compact
    with_labels = kernel_code("masked_rows", x, labels, "scale")
    assert "labels_ptr" in with_labels
    assert "iflabelsisNone:raise" in "".join(with_labels.split())


def test_the_launcher_refuses_other_arguments():
    x, labels = inputs(3, 4)
    module = transpiler.transpile_module(
        SOURCE, example_args={"masked_rows": (x, None, "scale")}, only=("masked_rows",)
    )
    masked_rows = load_module(module.code, stem="masked_rows_generated").masked_rows
    with pytest.raises(RuntimeError, match="transpiled for labels = None"):
        masked_rows(x.to(DEVICE), labels.to(DEVICE), "scale")
    with pytest.raises(RuntimeError, match="transpiled for mode = 'scale'"):
        masked_rows(x.to(DEVICE), None, "shift")


def test_without_the_call_an_optional_tensor_test_is_a_clear_error():
    with pytest.raises(errors.ArgumentUnknownError) as caught:
        transpiler.transpile(SOURCE.split("@helion.kernel()\ndef flagged")[0])
    assert "whether 'labels' is None is known only when the kernel is called" in str(caught.value)
    assert caught.value.lineno == SOURCE.splitlines().index("        if labels is not None:") + 1


@pytest.mark.parametrize("squared", [False, True])
def test_bool_and_constexpr_arguments_are_constants(squared):
    x = torch.rand(53, dtype=torch.float64).float()
    code = kernel_code("flagged", x, squared, 3)
    kernel = code[code.index("def flagged_kernel") : code.index("\ndef flagged(")]
    code_lines = [line.strip() for line in kernel.splitlines() if not line.strip().startswith("#")]
    assert not any(line.startswith("if ") for line in code_lines)
    assert "squared" not in kernel.split("):", 1)[0] and "power + 3" in kernel
    assert ("power = value * value" in kernel) == squared
    actual = generated(SOURCE, "flagged", x, squared, 3)(x, squared, 3)
    expected = (x.double() ** 2 if squared else x.double()) + 3
    assert_matches(actual, expected)
    assert_matches(actual, reference(SOURCE, "flagged")(x.clone(), squared, 3))


def test_the_kernel_decorator_transpiles_once_per_choice(tmp_path):
    path = tmp_path / "specialised_kernels.py"
    path.write_text(
        textwrap.dedent(SOURCE)
        .replace("import helion.language as hl", "import transpiler.language as hl")
        .replace("import helion\n", "import transpiler as helion\n")
    )
    sys.path.insert(0, str(tmp_path))
    try:
        module = __import__("specialised_kernels")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("specialised_kernels", None)
    x, labels = inputs(19, 21)
    kernel = module.masked_rows
    calls = [
        ((x,), {}, masked_rows_float64(x, None, "scale")),
        ((x, labels), {}, masked_rows_float64(x, labels, "scale")),
        ((x,), {"labels": labels, "mode": "shift"}, masked_rows_float64(x, labels, "shift")),
        ((x, None, "half"), {}, masked_rows_float64(x, None, "half")),
        ((x, labels), {}, masked_rows_float64(x, labels, "scale")),  # bound already
    ]
    for args, kwargs, expected in calls:
        moved = [a.to(DEVICE) if isinstance(a, torch.Tensor) else a for a in args]
        keywords = {
            k: v.to(DEVICE) if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()
        }
        assert_matches(kernel(*moved, **keywords).cpu(), expected)
    assert len(kernel._bound) == 4


@pytest.mark.parametrize("mode", ["double", "keep"])
@pytest.mark.parametrize("limit", [1.5, -1.0])
def test_a_branch_left_empty_by_a_decided_if_still_runs(limit, mode):
    x = torch.rand(29, dtype=torch.float64).float()
    actual = generated(SOURCE, "scaled_when", x, limit, mode)(x, limit, mode)
    factor = (2.0 if limit > 0 else 4.0) if mode == "double" else 1.0
    assert_matches(actual, x.double() * factor)
    assert_matches(actual, reference(SOURCE, "scaled_when")(x.clone(), limit, mode))
