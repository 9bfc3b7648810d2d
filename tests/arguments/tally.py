"""The tally of arguments checked: `cd tests && python -m arguments.tally` prints one table."""

from __future__ import annotations

from collections import Counter

from transpiler.compile.frontend.config_check import HELION_FIELDS, HONOURED
from transpiler.compile.frontend.kernel_settings import SETTINGS
from transpiler.compile.frontend.signatures import HL_SIGNATURES
from transpiler.compile.frontend.torch_signatures import (
    torch_parameters,
    torch_refusals,
    torch_signature,
)
from transpiler.compile.lower.elementwise import arity
from transpiler.compile.ops.hl import HL_BY_NAME
from transpiler.compile.ops.table import ELEMENTWISE, REDUCTIONS
from transpiler.compile.ops.table_orderings import ORDERING_OPS

from .cases import bad_cases, value_cases


def torch_rows() -> tuple[int, int, int, int]:
    """(functions, parameters torch has, honoured, refused) over the op table's torch names."""
    arities = {op.name: arity(op.template) for op in ELEMENTWISE}
    names = set(arities) | {op.name for op in REDUCTIONS} | {op.name for op in ORDERING_OPS}
    honoured = refused = known = 0
    for name in sorted(names):
        signature = torch_signature(name, arities.get(name))
        if signature is None:
            continue
        taken = set(signature.parameters) - {"input"}
        honoured += len(taken)
        refused += len(torch_refusals(name, signature))
        known += len((torch_parameters(name) - {"input"}) | taken)
    return len(names), known, honoured, refused


def hl_rows() -> tuple[int, int, int]:
    parameters = sum(len(s.parameters) for s in HL_SIGNATURES.values())
    refused = sum(len(op.refused) for op in HL_BY_NAME.values())
    return len(HL_SIGNATURES), parameters - refused, refused


def main() -> None:
    functions, known, honoured, refused = torch_rows()
    hl_functions, hl_honoured, hl_refused = hl_rows()
    statuses = Counter(setting.status for setting in SETTINGS.values())
    bad = Counter(case.what for case in bad_cases())
    rows = [
        ("torch ops (op table)", functions, known, honoured, refused, "-"),
        ("hl functions", hl_functions, hl_honoured + hl_refused, hl_honoured, hl_refused, "-"),
        (
            "@helion.kernel keywords",
            1,
            len(SETTINGS),
            statuses["honoured"],
            statuses["refused"],
            statuses["no effect on results"],
        ),
        (
            "helion.Config fields",
            1,
            len(HELION_FIELDS),
            len(HONOURED),
            0,
            len(HELION_FIELDS) - len(HONOURED),
        ),
    ]
    print("| table | functions | parameters | honoured | refused | accepted, no effect |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()
    print(
        f"generated kernels: {len(value_cases())} with a non-default value (run three ways), "
        f"{sum(bad.values())} refused at their column ({dict(bad)})"
    )


if __name__ == "__main__":
    main()
