"""`python -m transpiler IN.py [-o OUT.py] [--example SPEC | --assume-rank N] [--export] [--targets LIST]`: the CLI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .analysis.targets.report import targets_report
from .compile.frontend.assumed import assumed_args
from .compile.frontend.errors import TranspileError
from .compile.pipeline import transpile, transpile_module
from .export.build import export_text


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
        help="example inputs, as a Python expression over torch, e.g. 'torch.randn(64, 128), "
        "torch.randn(128)' (one kernel) or \"{'softmax': (torch.randn(8, 16),)}\": the "
        "kernels specialise on their ranks (hl.tile(x.size()) needs them)",
    )
    parser.add_argument(
        "--assume-rank",
        metavar="N",
        type=int,
        choices=range(1, 7),
        help="without --example: every tensor argument is taken as N-dimensional (sizes stay "
        "run-time arguments; int/float/bool-annotated parameters are scalars), so "
        "hl.tile(x.size()) kernels transpile; the module's launcher refuses other ranks",
    )
    parser.add_argument(
        "--targets",
        metavar="LIST",
        help="compile each kernel, called with --example, for GPU targets (sm_80, sm_90, sm_100, "
        "sm_120, gfx90a, gfx942, gfx950; comma-separated) and print a table per kernel: "
        "registers, spills, shared memory, occupancy, instruction mix",
    )
    parser.add_argument(
        "--minimal",
        action="store_true",
        help="with --export: the kernels and launchers only (no reference, no self-check)",
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
    if args.example and args.assume_rank:
        parser.error("give --example or --assume-rank, not both")
    if args.targets:
        return _targets(parser, text, str(args.source), args.example, args.targets)
    status = 0
    try:
        examples = _examples(args.example) if args.example else None
        if args.assume_rank:
            examples = assumed_args(text, str(args.source), args.assume_rank)
        if args.export:
            generated = export_text(
                text,
                example_args=examples,
                filename=str(args.source),
                keep_autotune=args.keep_autotune,
                minimal=args.minimal,
            )
        else:
            generated = transpile(text, filename=str(args.source), example_args=examples)
    except TranspileError as error:
        print(error, file=sys.stderr)
        partial = getattr(error, "partial", None)
        if partial is None or not partial.kernels or args.export:
            return 1
        # the kernels that could be transpiled are written; each failed one is a function that
        # raises its error when called (docs/architecture.md, "Errors")
        failed = [getattr(e, "kernel", "?") for e in getattr(error, "errors", [error])]
        print(
            f"python -m transpiler: {len(failed)} kernel(s) not transpiled ({', '.join(failed)});"
            f" written: {', '.join(partial.kernels)}",
            file=sys.stderr,
        )
        generated, status = partial.code, 1
    if args.output is None:
        sys.stdout.write(generated)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(generated)
        print(f"wrote {args.output}", file=sys.stderr)
    return status


def _examples(spec: str) -> tuple | dict:
    """--example's expression over torch: one tuple of arguments, or a dict by kernel name."""
    import torch

    examples = eval(spec, {"torch": torch})  # noqa: S307 - the user's own command line
    if isinstance(examples, torch.Tensor) or not isinstance(examples, (tuple, dict)):
        examples = (examples,)
    return examples


def _targets(
    parser: argparse.ArgumentParser, text: str, filename: str, example: str | None, names: str
) -> int:
    """`--targets`: the per-kernel table of each target; 1 if a kernel does not compile."""
    import torch

    if not example:
        parser.error("--targets needs --example: the kernels compile for argument shapes")
    examples = eval(example, {"torch": torch})  # noqa: S307 - the user's own command line
    if not isinstance(examples, dict):
        examples = examples if isinstance(examples, tuple) else (examples,)
        try:
            kernels = transpile_module(text, filename=filename).kernels
        except TranspileError as error:
            print(error, file=sys.stderr)
            return 1
        if len(kernels) != 1:
            parser.error(f"{filename} has kernels {', '.join(kernels)}: give --example as a "
                         "dict, {'name': (arguments,)}")  # fmt: skip
        examples = {kernels[0]: examples}
    examples = {k: v if isinstance(v, tuple) else (v,) for k, v in examples.items()}
    try:
        table, errors = targets_report(text, filename, examples, names.split(","))
    except TranspileError as error:
        print(error, file=sys.stderr)
        return 1
    print(table)
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
