"""`python -m transpiler IN.py [-o OUT.py] [--export [--keep-autotune]]`: the CLI over `transpile`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import TranspileError
from .pipeline import transpile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m transpiler",
        description="Transpile Helion-style kernels into a standalone Triton module.",
    )
    parser.add_argument("source", type=Path, help="a Python file with @helion.kernel functions")
    parser.add_argument(
        "-o", "--output", type=Path, help="where to write the module (default: stdout)"
    )
    parser.add_argument(
        "--export",
        action="store_true",
        help="write a standalone, self-checking module (docstring, reference, __main__ check)",
    )
    parser.add_argument(
        "--example",
        metavar="SPEC",
        help="with --export: example inputs for the self-check, as a Python expression over "
        "torch, e.g. 'torch.randn(64, 128), torch.randn(128)' (one kernel) or "
        "\"{'softmax': (torch.randn(8, 16),)}\"",
    )
    parser.add_argument(
        "--keep-autotune",
        action="store_true",
        help="with --export: a @triton.autotune list (the kernels' candidate configs, keyed on "
        "their sizes) instead of one fixed config",
    )
    args = parser.parse_args(argv)
    try:
        text = args.source.read_text()
    except OSError as error:
        parser.exit(2, f"python -m transpiler: cannot read {args.source}: {error.strerror}\n")
    try:
        if args.export:
            generated = _export(text, str(args.source), args.example, args.keep_autotune)
        else:
            generated = transpile(text, filename=str(args.source))
    except TranspileError as error:
        print(error, file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(generated)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(generated)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _export(text: str, filename: str, example: str | None, keep_autotune: bool = False) -> str:
    import torch

    from .export import export_text

    examples = None
    if example:
        examples = eval(example, {"torch": torch})  # noqa: S307 - the user's own command line
        if isinstance(examples, torch.Tensor) or not isinstance(examples, (tuple, dict)):
            examples = (examples,)
    return export_text(text, example_args=examples, filename=filename, keep_autotune=keep_autotune)


if __name__ == "__main__":
    sys.exit(main())
