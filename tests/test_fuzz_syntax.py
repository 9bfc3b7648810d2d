"""Syntax fuzzing: mutated kernels are transpiled or refused with a TranspileError at a real line."""

from __future__ import annotations

import pytest
from fuzz.mutations import mutants, seed_kernels, shuffled_kernels
from fuzz.syntax_checks import assert_clean_outcome
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

import transpiler
from transpiler.compile.frontend.errors import RankUnknownError, TranspileError

CI_EXAMPLES = 500
CI_SETTINGS = settings(
    max_examples=CI_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# seeds valid only once the call gives an argument's value (F.dropout's `training`: a bool
# argument the kernel is specialised on, refused while it may be True)
VALUE_SPECIALISED = ("def dropout_flag(",)


def test_the_seeds_are_valid_kernels() -> None:
    assert len(seed_kernels()) >= 20
    for source in seed_kernels():
        if any(marker in source for marker in VALUE_SPECIALISED):
            continue
        try:
            compile(transpiler.transpile(source), "generated.py", "exec")
        except RankUnknownError:
            pass  # hl.tile(x.size()): valid, specialised when called
        except TranspileError as error:
            pytest.fail(f"a seed kernel does not transpile: {error}")


@CI_SETTINGS
@given(mutants())
def test_mutated_kernels_fail_cleanly(mutant: tuple[str, str]) -> None:
    what, source = mutant
    note(f"mutation: {what}\n{source}")
    assert_clean_outcome(source)


@CI_SETTINGS
@given(st.text(max_size=200))
@example("")
@example("\n\n\n")
@example("@helion.kernel()\ndef f(:\n")
@example("import helion\n@helion.kernel\ndef k(x):\n    for t in hl.tile(x.size(0)):\n")
def test_arbitrary_text_fails_cleanly(text: str) -> None:
    assert_clean_outcome(text)


@CI_SETTINGS
@given(shuffled_kernels())
def test_shuffled_kernel_lines_fail_cleanly(source: str) -> None:
    assert_clean_outcome(source)
