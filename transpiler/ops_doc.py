"""Renders docs/ops.md from the op table: `python -m transpiler.ops_doc > docs/ops.md`."""

from __future__ import annotations

from .op_table import (
    BINARY_OPERATORS,
    CAST_METHODS,
    DTYPES,
    ELEMENTWISE,
    FUNCTIONAL,
    METHOD,
    REDUCTIONS,
    TORCH,
)

_SPELLING = {TORCH: "`torch.{}`", METHOD: "`x.{}()`", FUNCTIONAL: "`F.{}`"}


def spellings(name: str, kinds: tuple[str, ...]) -> str:
    return ", ".join(_SPELLING[kind].format(name) for kind in kinds)


def render() -> str:
    lines = [
        "# Supported ops",
        "",
        "Generated from `transpiler/op_table.py` by `python -m transpiler.ops_doc > docs/ops.md`;",
        "a test keeps this page equal to the table. `F` is `torch.nn.functional`. In templates,",
        "`a`, `b`, `c` stand for the operands; helpers are `@triton.jit` functions the generated",
        "module defines when a kernel uses them.",
        "",
        "## Element-wise functions",
        "",
        "| op | spellings | Triton | helpers | FLOPs/element | notes |",
        "|---|---|---|---|---|---|",
    ]
    for op in ELEMENTWISE:
        helpers = ", ".join(f"`{h}`" for h in op.helpers) or "—"
        notes = op.note + (
            "; integer tile indices become float32 first (cast loaded integers with .float())"
            if op.float_args
            else ""
        )
        lines.append(
            f"| {op.name} | {spellings(op.name, op.spellings)} | `{op.template}` | {helpers} | "
            f"{op.flops} | {notes.strip('; ') or '—'} |"
        )
    lines += [
        "",
        "## Reductions (with `dim=`, `keepdim=`)",
        "",
        "Lanes outside the tensor hold the identity before reducing (`tl.where(mask, x, identity)`);",
        "for values that may be integers, `-inf` / `inf` are the dtype's extremes instead",
        "(`fill_lowest(x, mask)` / `fill_highest(x, mask)`), so the result keeps its integer dtype.",
        "",
        "| op | spellings | Triton | identity | FLOPs/element | notes |",
        "|---|---|---|---|---|---|",
    ]
    for op in REDUCTIONS:
        lines.append(
            f"| {op.name} | {spellings(op.name, op.spellings)} | `{op.triton}` | `{op.identity}` | "
            f"{op.flops} | {op.note or '—'} |"
        )
    lines += ["", "## Operators on device values", "", "| operator | Triton |", "|---|---|"]
    for symbol, template, _ in BINARY_OPERATORS.values():
        lines.append(f"| `{symbol}` | `{template}` |")
    lines += [
        "| comparisons `< <= > >= == !=` | the same (chains become `&`) |",
        "| unary `-` `+` `~` | the same |",
        "",
        "## Casts and dtypes",
        "",
        "`x.to(dtype)` and " + ", ".join(f"`x.{m}()`" for m in CAST_METHODS) + ". Half-precision",
        "values are computed in float32 (`upcast_half`), as torch does internally; stores cast to",
        "the output's dtype.",
        "",
        "| torch | Triton |",
        "|---|---|",
    ]
    lines += [f"| `torch.{name}` | `{triton}` |" for name, triton in DTYPES.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
