"""The syntax fuzzer's property: a clean refusal at a real place, or output that compiles."""

from __future__ import annotations

import libcst

import transpiler
from transpiler.compile.frontend.errors import InternalTranspilerError, TranspileError

from .known_bugs import EXTRA_LINE_BREAKS, OPEN_BUGS, known_internal_error


def python_lines(source: str) -> list[str]:
    """The lines as Python counts them (\n, \r\n or \r end a line; nothing else)."""
    return source.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def assert_clean_outcome(source: str) -> None:
    """Transpiles to a module that compiles, or raises a TranspileError inside the input."""
    try:
        code = transpiler.transpile(source, filename="mutant.py")
    except InternalTranspilerError as error:
        if known_internal_error(str(error)):
            return  # an open bug (tests/test_fuzz_regressions.py)
        raise  # the safety net caught a bug of ours: a failure of this test
    except libcst.CSTValidationError:
        if "libcst-validation-error" in OPEN_BUGS:
            return  # an open bug: a libcst exception escapes (tests/test_fuzz_regressions.py)
        raise
    except TranspileError as error:
        lines = python_lines(source)
        assert 1 <= error.lineno <= len(lines), f"line {error.lineno} outside the input"
        line = lines[error.lineno - 1]
        assert 0 <= error.col_offset <= len(line), f"column {error.col_offset + 1} outside {line!r}"
        assert error.filename == "mutant.py"
        assert str(error).startswith(f"mutant.py:{error.lineno}:{error.col_offset + 1}: ")
        odd_breaks = any(c in source for c in EXTRA_LINE_BREAKS)
        if not (odd_breaks and "form-feed-lines" in OPEN_BUGS):
            assert error.source_line == line, "the excerpt is not the error's line"
        return
    try:
        compile(source, "mutant.py", "exec")
    except SyntaxError:  # parses, but Python refuses it (`return` outside a function, ...)
        if "invalid-python-passes-through" in OPEN_BUGS:
            return
        raise AssertionError("invalid Python accepted") from None
    compile(code, "generated.py", "exec")  # accepted: the output must at least parse
