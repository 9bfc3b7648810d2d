"""An exception the kernel's own host code raises in the generated launcher (`n = x.size(1)` on a
1-D x, the user's `assert`): a note naming the user's line, which the generated file's traceback
frame does not (the file is the cache's, its line numbers the generated module's)."""

from __future__ import annotations

import re
import traceback
from pathlib import Path

from ..compile.frontend.errors import TranspileError
from ..compile.pipeline import Transpiled

# torch's words for a mistake of the caller's, seen from the host code → the fix a note adds
CALLERS_MISTAKES = {
    # `k([1.0] * n)` for an unannotated x that `torch.empty_like(x)` reads first
    re.compile(r"must be Tensor, not (list|tuple)"): "a {0} is no tensor: pass torch.tensor(...) "
    "of it (or annotate the parameter torch.Tensor: the call then names it)",
}


def note_users_line(
    error: BaseException, module_file: Path, transpiled: Transpiled, filename: str, source: str
) -> None:
    """Add `line N of FILE: <source line>` to `error` when its innermost frame in the generated
    module is a line of the user's host code (the launcher's own checks name their line)."""
    if isinstance(error, TranspileError) or not hasattr(error, "add_note"):
        return
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename) == module_file
    ]
    if not frames or frames[-1].lineno is None:
        return
    line = transpiled.source_line(frames[-1].lineno)
    lines = source.splitlines()
    if line is None or not 0 < line <= len(lines) or frames[-1].line is None:
        return
    written = lines[line - 1].strip()
    if written != frames[-1].line.strip():  # a generated line of the launcher: not the user's
        return
    note = f"raised by the kernel's host code, {filename}:{line}: {written}"
    for words, fix in CALLERS_MISTAKES.items():
        if isinstance(error, TypeError) and (found := words.search(str(error))):
            note += f"; {fix.format(*found.groups())}"
    error.add_note(note)
