"""`python -m transpiler IN.py [-o OUT.py]`: the command line over `transpile`."""

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
    args = parser.parse_args(argv)
    try:
        text = args.source.read_text()
    except OSError as error:
        parser.exit(2, f"python -m transpiler: cannot read {args.source}: {error.strerror}\n")
    try:
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


if __name__ == "__main__":
    sys.exit(main())
