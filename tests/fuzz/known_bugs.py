"""Open bugs the fuzzers found: what triggers them is not generated until they are fixed."""

# Each name stops the fuzzers from generating (or from failing on) one known bug, so that they
# keep looking for new ones. Each has an xfail regression test (tests/test_fuzz_regressions.py,
# tests/bad_inputs/); remove its name here when the fix lands. Fixed and removed:
# "long-statement-comment", "fractional-power", "constant-expression-fill",
# "invalid-python-passes-through", "form-feed-lines", "libcst-validation-error", "integer-amax",
# "scalar-and-block-condition", "scalar-bool-and-squeezed-tile-bool", "wrong-arity",
# "one-tuple-target", "module-as-size", "zero-dim-promotion".
OPEN_BUGS: set[str] = set()

# The messages of internal errors whose bug is open: the syntax fuzzer lets them pass.
KNOWN_INTERNAL_ERRORS: dict[str, str] = {}

# Characters str.splitlines() breaks lines at and Python does not ("form-feed-lines").
EXTRA_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def known_internal_error(message: str) -> bool:
    """Whether an InternalTranspilerError's message is that of an open bug."""
    import re

    return any(
        re.search(pattern, message)
        for name, pattern in KNOWN_INTERNAL_ERRORS.items()
        if name in OPEN_BUGS
    )
