"""The magic line's values and combinations checked before the cell runs: each one a UsageError."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from IPython.core.error import UsageError

from .plot import datasheet_device, device_names
from .sweep import parse_sizes

# option → (the option it needs, what it does): given alone it would do nothing, so it is refused
NEEDS: tuple[tuple[str, str, str], ...] = (
    ("check", "run", "--check / --no-check compare the result of --run EXPR"),
    ("bench", "run", "--bench times --run EXPR"),
    ("sizes", "bench", "--sizes are the sizes --bench sweeps"),
    ("device", "roofline", "--device names the GPU --roofline predicts for"),
)
EXPORTS = ("export", "export_minimal")
# option → what it adds to the view: with --show none (no view) it would do nothing, silently
IN_THE_VIEW: tuple[tuple[str, str], ...] = (
    ("targets", "--targets adds a tab per target to the view"),
    ("annotate", "-a shades the view's lines"),
)


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def given(parser: argparse.ArgumentParser, options: argparse.Namespace, name: str) -> bool:
    return getattr(options, name) != parser.get_default(name)


def check_options(parser: argparse.ArgumentParser, options: argparse.Namespace) -> None:
    """Refuse, before anything runs, an option that would do nothing, a value that would fail
    after the cell has run (the --run expression, --sizes, --device, an --export path)."""
    for name, needed, what in NEEDS:
        if given(parser, options, name) and not given(parser, options, needed):
            example = " EXPR" if needed == "run" else ""
            raise UsageError(f"{what}: add {flag(needed)}{example}")
    for name, what in IN_THE_VIEW:
        if options.show == "none" and given(parser, options, name):
            raise UsageError(f"{what}, which --show none hides: drop one of them")
    if options.run is not None:
        check_expression(options.run)
    if options.sizes is not None:
        try:
            parse_sizes(options.sizes)
        except ValueError as error:
            raise UsageError(f"{error}, e.g. --sizes '2**12,2**16,2**20'") from None
    if options.device is not None and datasheet_device(options.device) is None:
        raise UsageError(f"--device: no datasheet entry {options.device!r} ({device_names()})")
    paths = {name: getattr(options, name) for name in EXPORTS}
    paths = {name: shown for name, shown in paths.items() if shown is not None}
    for name, shown in paths.items():
        check_export_path(flag(name), shown)
    if len(paths) == 2 and len({export_path(p).resolve() for p in paths.values()}) == 1:
        raise UsageError("--export and --export-minimal name the same file: give each its own")


def check_expression(expression: str) -> None:
    """--run takes one Python expression (it is evaluated, its value summarised and checked)."""
    try:
        compile(expression, "<helion --run>", "eval", dont_inherit=True)
    except SyntaxError as error:
        raise UsageError(
            f"--run {expression!r} is not a Python expression ({error.msg}); --run takes one, "
            "such as --run 'add(x, y)': assignments and imports go in a cell of their own"
        ) from None


def export_path(shown: str) -> Path:
    """The path as a shell reads it: `~` and `$VARIABLE` (the environment's) expanded."""
    return Path(os.path.expandvars(shown)).expanduser()


def check_export_path(option: str, shown: str) -> None:
    """A module's file: ending in .py (Python imports nothing else), not a folder; every
    `$VARIABLE` in it one the environment sets (else a folder named `$HOME` was made)."""
    unset = re.findall(r"\$\{?(\w+)", os.path.expandvars(shown))
    if unset:
        raise UsageError(
            f"{option} {shown}: ${unset[0]} is not set in the kernel's environment; write the "
            "folder out (IPython's own $name / {name} expansion reads the notebook's variables)"
        )
    path = export_path(shown)
    if path.is_dir():
        raise UsageError(
            f"{option} {shown}: that is a folder; name the module's file in it, e.g. "
            f"{option} {shown.rstrip('/')}/kernels.py"
        )
    blocking = next((parent for parent in path.parents if parent.is_file()), None)
    if blocking is not None:
        raise UsageError(f"{option} {shown}: {blocking} is a file, not a folder")
    if path.suffix != ".py":
        raise UsageError(
            f"{option} {shown}: a module's file name ends in .py (Python imports no other), "
            f"e.g. {option} {Path(shown).with_suffix('.py')}"
        )
