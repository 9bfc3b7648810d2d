"""Result summaries and the generated-vs-reference comparison that `--check` prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

# (rtol, atol) per result dtype: what rounding differences between two float programs allow.
TOLERANCES: dict[torch.dtype, tuple[float, float]] = {
    torch.float64: (1e-7, 1e-7),
    torch.float32: (1e-4, 1e-4),
    torch.float16: (1e-2, 1e-2),
    torch.bfloat16: (2e-2, 2e-2),
    # one step of the mantissa (3 bits, 2 bits): a value rounded once on either side
    torch.float8_e4m3fn: (0.125, 0.125),
    torch.float8_e5m2: (0.25, 0.25),
}
# float32 products on a GPU: Triton's tl.dot runs TF32 (10-bit mantissa), torch's matmul not
TF32 = (2e-2, 2e-2)
EXACT = (0.0, 0.0)
# Python floats (`.item()`, `.tolist()`): most come from float32 tensors, so float32's bound
PYTHON_FLOATS = TOLERANCES[torch.float32]
SHOWN_VALUES = 3


def is_numbers(value: Any) -> bool:
    """A Python number, or a non-empty list or tuple of them (`.tolist()` of a 1-D tensor)."""
    if isinstance(value, (tuple, list)):
        return bool(value) and all(is_numbers(item) and not isinstance(item, (tuple, list))
                                   for item in value)  # fmt: skip
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(path, leaf) pairs of a result: tensors and other values inside tuples, lists, dicts (a
    list of numbers is one leaf)."""
    if isinstance(value, (tuple, list)) and not is_numbers(value):
        return [pair for i, item in enumerate(value) for pair in leaves(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in leaves(item, f"{path}[{key!r}]")]
    return [(path, value)]


def _shape(tensor: torch.Tensor) -> str:
    return "(" + ", ".join(str(d) for d in tensor.shape) + ("," if tensor.dim() == 1 else "") + ")"


def describe(value: Any) -> str:
    """A short, stable description: type, dtype, shape, device and a few values."""
    if isinstance(value, torch.Tensor):
        flat = value.detach().flatten()[:SHOWN_VALUES].tolist()
        shown = ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in flat)
        more = ", ..." if value.numel() > SHOWN_VALUES else ""
        dtype = str(value.dtype).removeprefix("torch.")
        return f"Tensor {dtype} {_shape(value)} on {value.device.type}: [{shown}{more}]"
    if value is None:
        return "None"
    if isinstance(value, (tuple, list)) and is_numbers(value):
        shown = ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in value[:3])
        more = ", ..." if len(value) > SHOWN_VALUES else ""
        kind = "floats" if any(isinstance(v, float) for v in value) else "ints"
        return f"{type(value).__name__} of {len(value)} {kind}: [{shown}{more}]"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def summary(expression: str, result: Any) -> str:
    pairs = leaves(result)
    if len(pairs) == 1 and not pairs[0][0]:
        return f"{expression} → {describe(result)}"
    lines = [f"{expression} → {type(result).__name__} of {len(pairs)}:"]
    lines += [f"  {path} {describe(leaf)}" for path, leaf in pairs]
    return "\n".join(lines)


@dataclass(frozen=True)
class Comparison:
    """One leaf of the result compared: generated vs reference."""

    path: str
    passed: bool
    detail: str


def _errors(actual: torch.Tensor, expected: torch.Tensor, atol: float) -> tuple[float, float]:
    """Max absolute error, and max relative error over elements with |expected| >= atol."""
    if actual.numel() == 0:
        return 0.0, 0.0
    difference = (actual.double() - expected.double()).abs()
    magnitude = expected.double().abs()
    same = (actual.double() == expected.double()) | (actual.isnan() & expected.isnan())  # inf too
    difference = torch.where(same, torch.zeros_like(difference), difference)
    significant = magnitude >= max(atol, 1e-30)
    relative = difference[significant] / magnitude[significant]
    return float(difference.max()), float(relative.max()) if relative.numel() else 0.0


def compare_numbers(path: str, actual: Any, expected: Any) -> Comparison:
    """Python floats (or a list with some): within float32's bound, their rounding a tensor's."""
    got, want = (torch.tensor(v, dtype=torch.float64) for v in (actual, expected))
    if got.shape != want.shape:
        return Comparison(path, False, f"{describe(actual)} vs {describe(expected)}")
    rtol, atol = PYTHON_FLOATS
    max_abs, max_rel = _errors(got, want, atol)
    passed = torch.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    bounds = f"(rtol {rtol:.0e}, atol {atol:.0e}: Python floats)"
    return Comparison(
        path,
        bool(passed),
        f"{describe(actual)}  max abs err {max_abs:.3g}  max rel err {max_rel:.3g}  {bounds}",
    )


def is_float(value: Any) -> bool:
    return isinstance(value, float)


def leaves_of_numbers(*values: Any) -> list[Any]:
    return [v for value in values for v in (value if isinstance(value, (tuple, list)) else [value])]


def compare_leaf(path: str, actual: Any, expected: Any, tf32: bool = False) -> Comparison:
    if (
        is_numbers(actual)
        and is_numbers(expected)
        and type(actual) is type(expected)
        and any(map(is_float, leaves_of_numbers(actual, expected)))
    ):
        return compare_numbers(path, actual, expected)
    if not isinstance(expected, torch.Tensor) or not isinstance(actual, torch.Tensor):
        same = type(actual) is type(expected) and actual == expected
        return Comparison(path, bool(same), f"{describe(actual)} vs {describe(expected)}")
    if actual.shape != expected.shape:
        return Comparison(path, False, f"shape {_shape(actual)} vs {_shape(expected)}")
    if actual.dtype != expected.dtype:
        return Comparison(path, False, f"dtype {actual.dtype} vs {expected.dtype}")
    tf32 = tf32 and expected.dtype == torch.float32
    rtol, atol = TF32 if tf32 else TOLERANCES.get(expected.dtype, EXACT)
    expected = expected.to(actual.device)
    max_abs, max_rel = _errors(actual, expected, atol)
    if expected.is_floating_point():
        passed = torch.allclose(  # in float64: float8 has no arithmetic of its own in torch
            actual.double(), expected.double(), rtol=rtol, atol=atol, equal_nan=True
        )
        bounds = f"(rtol {rtol:.0e}, atol {atol:.0e}{': TF32 products' if tf32 else ''})"
    else:
        passed = torch.equal(actual, expected)
        bounds = "(exact)"
    dtype = str(expected.dtype).removeprefix("torch.")
    detail = f"{dtype} {_shape(expected)}  max abs err {max_abs:.3g}  max rel err {max_rel:.3g}  {bounds}"
    if not passed:
        detail += where_they_differ(actual, expected, rtol, atol)
    return Comparison(path, passed, detail)


def where_they_differ(
    actual: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float
) -> str:
    """How many elements are outside the bound and the first of them (index, both values)."""
    if expected.is_floating_point():
        close = torch.isclose(actual.double(), expected.double(), rtol, atol, equal_nan=True)
    else:
        close = actual == expected
    wrong = (~close).nonzero()
    if not len(wrong):
        return ""
    index = tuple(wrong[0].tolist())
    got, want = (describe_number(t[index].item()) for t in (actual, expected))
    return (
        f"; {len(wrong)} of {actual.numel()} elements differ, the first at {list(index)}: "
        f"{got} vs {want}"
    )


def describe_number(value: float | int | bool) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def compare(actual: Any, expected: Any, tf32: bool = False) -> list[Comparison]:
    """Each leaf of the result against the reference's; `tf32`: the kernels' float32 products
    ran as TF32 (a GPU's tl.dot), so float32 results get TF32's bound."""
    got, want = leaves(actual), leaves(expected)
    if [p for p, _ in got] != [p for p, _ in want]:
        return [Comparison("", False, f"result structure differs: {len(got)} vs {len(want)} parts")]
    return [compare_leaf(path, a, e, tf32) for (path, a), (_, e) in zip(got, want)]


def check_report(expression: str, comparisons: list[Comparison]) -> str:
    lines = [f"check {expression} against the reference (the same source, eager PyTorch):"]
    for item in comparisons:
        where = f"result{item.path} " if item.path else ""
        lines.append(f"  {'PASS' if item.passed else 'FAIL'}  {where}{item.detail}")
    return "\n".join(lines)


def float64_report(actual: Any, expected: Any) -> str:
    """Max absolute error of the generated result against the float64 reference (information)."""
    errors = []
    for (path, a), (_, e) in zip(leaves(actual), leaves(expected)):
        if is_numbers(a) and is_numbers(e) and any(map(is_float, leaves_of_numbers(a))):
            a, e = (torch.tensor(v, dtype=torch.float64) for v in (a, e))
        if isinstance(a, torch.Tensor) and isinstance(e, torch.Tensor) and a.shape == e.shape:
            if a.is_floating_point():
                max_abs, _ = _errors(a, e.to(a.device), 0.0)
                errors.append(f"{'result' + path + ' ' if path else ''}max abs err {max_abs:.3g}")
    return "  float64 reference: " + ("; ".join(errors) if errors else "no float results")


def snapshot(value: Any) -> Any:
    """The result with its tensors copied (inside tuples, lists and dicts too): what the run
    returned, before a reference run can write into a tensor it shares (an input EXPR returns)."""
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, (tuple, list)):
        items = [snapshot(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return {key: snapshot(item) for key, item in value.items()}
    return value


def upcast(value: Any) -> Any:
    """Float tensors → float64 (inside tuples, lists and dicts too)."""
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.double()
    if isinstance(value, (tuple, list)):
        return type(value)(upcast(item) for item in value)
    if isinstance(value, dict):
        return {key: upcast(item) for key, item in value.items()}
    return value


def all_passed(comparisons: list[Comparison]) -> bool:
    return all(item.passed for item in comparisons)
