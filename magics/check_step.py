"""`--check`: EXPR's result against EXPR run again with every kernel eager, or why there is
nothing to compare."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from transpiler import runtime
from transpiler.language import ReferenceUnsupportedError

from . import checking, reference_runs

if TYPE_CHECKING:
    from .cell_run import CellRun  # annotations only: the cell run calls this step

# (why nothing is compared, when): the first that holds is printed instead of a comparison
NOTHING_TO_COMPARE: tuple[tuple[str, Callable[[CellRun, Any], bool]], ...] = (
    ("the cell defines no kernel", lambda run, result: not run.program.kernels),
    (
        "it calls none of the cell's kernels: {kernels}",
        lambda run, result: not run.program.calls,
    ),
    (
        "it returns None; return the tensors to compare, e.g. --run '{call}(...) or out' for a "
        "kernel that writes into out",
        lambda run, result: all(leaf is None for _, leaf in checking.leaves(result)),
    ),
)


def check(run: CellRun, expression: str, result: Any) -> bool:
    """Print the comparison (or why there is none); False when the reference run failed."""
    program = run.program
    assert program is not None and run.start is not None
    returned = result
    result = checking.snapshot(result)  # EXPR may return a tensor the reference writes into
    for why, holds in NOTHING_TO_COMPARE:
        if holds(run, result):
            call = program.calls[0].kernel.name if program.calls else ""
            said = why.format(kernels=", ".join(program.kernels), call=call)
            print(f"check {expression}: nothing to compare ({said})")
            return True
    references = {name: kernel.reference for name, kernel in program.kernels.items()}
    references.update(reference_runs.eager_kernels(run.namespace))
    outcome: dict[str, Any] = {}

    def run_reference() -> None:
        try:
            outcome["reference"] = run.evaluate_again(expression, references)
        except ReferenceUnsupportedError as error:  # inline Triton has no eager meaning
            outcome["skipped"] = str(error)

    if run.failed(f"the reference run of {expression}", run_reference):
        return False
    if "skipped" in outcome:
        print(f"check {expression}: skipped ({outcome['skipped']})")
        return True
    tf32 = not runtime.interpreting() and any(  # Triton's default for float32 tl.dot
        "tl.dot(" in bound.transpiled.code for bound in program.ran
    )
    comparisons = checking.compare(result, outcome["reference"], tf32)
    print(checking.check_report(expression, comparisons))
    written = [run.start.written(leaf) for _, leaf in checking.leaves(returned)]
    if any(written):
        names = ", ".join(name for name in written if name)
        print(f"  float64 reference: skipped (EXPR returns {names}, which the kernels write "
              "into; the float64 run writes into float64 copies)")  # fmt: skip
        return True
    upcasting = {name: _upcasting(reference) for name, reference in references.items()}
    try:
        print(checking.float64_report(result, run.evaluate_again(expression, upcasting)))
    except Exception as error:
        print(f"  float64 reference: skipped ({type(error).__name__}: {error})")
    return True


def _upcasting(reference: Any) -> Any:
    """The reference, called with float tensors promoted to float64."""

    def run_in_float64(*args: Any, **kwargs: Any) -> Any:
        return reference(*checking.upcast(args), **checking.upcast(kwargs))

    return run_in_float64
