"""Mistakes an outside tester makes (2026-12-06, mistakes19) inside a device loop and in the
names a kernel binds: each was an untrue hint or a traceback from the generated module before;
now a TranspileError at the user's line, its caret under the mistake and a hint naming the fix."""

from __future__ import annotations

from mistakes10 import X1, each_row, kernel, refused_as_the_row_says

HOST_CODE = "UnsupportedConstructError"

# (id, kernel source, the call, error class, line, the caret's text, message, hint)
MISTAKES = [
    # was: "name 'breakpoint' is not defined before this device loop; define it in the kernel"
    ("breakpoint", kernel("breakpoint()\n        out[tile] = x[tile]"), f"k({X1})", HOST_CODE, 10,
     "breakpoint", "Python's breakpoint() cannot run inside a device loop", ".reference(*args)"),
    ("type-of-a-block", kernel("out[tile] = x[tile] * (type(x[tile]) == float)"), f"k({X1})",
     HOST_CODE, 10, "type(", "Python's type() cannot run", "v.dtype"),
    ("input", kernel("scale = float(input())\n        out[tile] = x[tile] * scale"), f"k({X1})",
     HOST_CODE, 10, "input", "Python's input() cannot run", "host code"),
    ("getattr", kernel("out[tile] = x[tile] * getattr(x, 'scale')"), f"k({X1})", HOST_CODE, 10,
     "getattr", "Python's getattr() cannot run", "the attribute itself"),
    ("vars", kernel("out[tile] = x[tile] * len(vars(x))"), f"k({X1})", HOST_CODE, 10,
     "vars", "Python's vars() cannot run", "in host code"),
]  # fmt: skip


@each_row(MISTAKES)
def test_a_device_mistake_is_refused_at_its_line(source, call, kind, line, marker, message, hint):
    refused_as_the_row_says(source, call, kind, line, marker, message, hint)
