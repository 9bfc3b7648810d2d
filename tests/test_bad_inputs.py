"""The bad-input corpus: each tests/bad_inputs/*.py names the error it must raise, and where."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import transpiler
from transpiler.compile.frontend import errors

CORPUS = Path(__file__).parent / "bad_inputs"
HEADER = re.compile(
    r"# case: (?P<case>.+)\n# expect: (?P<kind>\w+) (?P<line>\d+):(?P<column>\d+)\n"
    r"(?:# message: (?P<message>.+)\n)?(?:# xfail: (?P<xfail>.+)\n)?"
)


def read_case(path: Path) -> dict[str, str | None]:
    match = HEADER.match(path.read_text())
    assert match, f"{path.name}: header must be '# case:', '# expect: Class L:C' [, message, xfail]"
    return match.groupdict()


def corpus_params() -> list:
    params = []
    for path in sorted(CORPUS.glob("*.py")):
        xfail = read_case(path)["xfail"]
        marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
        params.append(pytest.param(path, marks=marks, id=path.stem))
    return params


@pytest.mark.parametrize("path", corpus_params())
def test_bad_input_raises_its_error_at_its_place(path: Path) -> None:
    case = read_case(path)
    source = path.read_text()
    if case["kind"] == "TranspileSyntaxError" and _python_accepts(source):
        # e.g. a name with a Unicode 15 letter: Python 3.12 takes it, 3.11 refuses it
        pytest.skip(f"this Python ({sys.version.split()[0]}) compiles the case: nothing to refuse")
    with pytest.raises(errors.TranspileError) as caught:
        transpiler.transpile(source, filename=path.name)
    error = caught.value
    expected = getattr(errors, case["kind"])
    assert type(error) is expected, f"{case['case']}: got {error}"
    assert (error.lineno, error.col_offset + 1) == (int(case["line"]), int(case["column"])), str(
        error
    )
    assert str(error).startswith(f"{path.name}:{case['line']}:{case['column']}: ")
    assert error.source_line == source.split("\n")[error.lineno - 1]
    if case["message"]:
        assert case["message"].lower() in error.message.lower(), str(error)


def _python_accepts(source: str) -> bool:
    try:
        compile(source, "<case>", "exec")
    except SyntaxError:
        return False
    return True


def test_the_corpus_is_large_and_covers_every_error_class() -> None:
    cases = [read_case(path) for path in CORPUS.glob("*.py")]
    assert len(cases) >= 50
    working = {case["kind"] for case in cases if not case["xfail"]}
    user_errors = {
        value.__name__
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.TranspileError)
    } - {"TranspileError", "InternalTranspilerError"}
    missing = user_errors - working
    assert not missing, f"add passing corpus cases for {sorted(missing)}"


def test_the_corpus_names_helion_features_as_unsupported_not_as_mistakes() -> None:
    for path in CORPUS.glob("helion_*.py"):
        case = read_case(path)
        assert case["kind"] in ("UnsupportedConstructError", "UnsupportedOpError"), path.name
