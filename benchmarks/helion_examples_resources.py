"""What each kernel of Helion's examples needs of a GPU, on any machine: every kernel an example
calls, at the example's own sizes, compiled for a target (sm_90 by default) with its default
configuration: shared memory, registers, spills, whether it fits (issue 15's se_block).

    python benchmarks/helion_examples_resources.py --examples .helion_examples \\
        [--target sm_90] se_block squeeze_and_excitation_net

The example runs in transpile-only mode on the meta device (nothing launched; the eager
reference stands in for results), so only the compiles cost time: minutes for a spilling one.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import helion_shim  # noqa: E402


def calls_of(path: Path) -> list[tuple[object, tuple]]:
    """(kernel, arguments as meta tensors) of each kernel's first call in the example's main."""
    seen: dict[str, tuple[object, tuple]] = {}
    original = helion_shim._transpile_only_call

    def recording(kernel, *args, **kwargs):
        if kernel.name not in seen:
            seen[kernel.name] = (kernel, args)
        return original(kernel, *args, **kwargs)

    helion_shim._transpile_only_call = recording
    try:
        with helion_shim.installed(transpile_only=True, target="meta"):
            runpy.run_path(str(path), run_name="__main__")
    finally:
        helion_shim._transpile_only_call = original
    return list(seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=Path(".helion_examples"))
    parser.add_argument("--target", default="sm_90")
    parser.add_argument("names", nargs="+", help="example file stems")
    options = parser.parse_args()
    rows = []
    for name in options.names:
        for kernel, args in calls_of(options.examples / f"{name}.py"):
            for result in kernel.bind(args).compile_for(options.target):
                flags = {k: v for k, v in result.constexprs.items() if k.startswith("SPLIT_")}
                rows.append((name, result, flags))
                print(f"compiled {result.kernel} in {result.compile_seconds:.1f} s", flush=True)
    print(f"\n{'example':28} {'kernel':40} {'shared B':>9} {'regs':>5} {'spills':>6}  fits  split")
    for name, result, flags in rows:
        fits = "yes" if result.fits else "NO: " + "; ".join(result.exceeded)
        split = ", ".join(f"{k}={v}" for k, v in flags.items()) or "-"
        print(
            f"{name:28} {result.kernel:40} {result.shared_bytes:>9} {result.registers:>5} "
            f"{result.spills:>6}  {fits}  {split}"
        )


if __name__ == "__main__":
    main()
