"""Extract Helion's top-level example programs from a pytorch/helion git snapshot (never committed).

    python benchmarks/helion_examples_fetch.py GIT_DIR [--commit REV] [--out .helion_examples]
        [--distributed | --tests]

Writes `examples/*.py` of the snapshot (without `__init__.py` and the two AOT examples, which
need a second process to compile ahead of time) into the git-ignored OUT folder, with a
`COMMIT` file naming the snapshot's commit; `--distributed` writes `examples/distributed/*.py`
into OUT/distributed instead (benchmarks/distributed_examples.py runs them under torchrun).
`--tests` writes Helion's own `test/test_*.py` into `.helion_tests/` instead (with `test/data/`),
less the files of other backends and of machinery we do not have (BACKEND_SPECIFIC: CuTe, Pallas,
TileIR, AMD, Metal, distributed, ahead-of-time compiles, benchmark workers, the examples' own
runner); benchmarks/helion_tests.py runs them. GIT_DIR may be a bare repository (a mirror).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {"__init__.py", "aot_example.py", "aot_compile_example.py"}
# file names of Helion's tests written for another backend or for its process machinery
BACKEND_SPECIFIC = re.compile(
    r"cute|pallas|tileir|amd|metal|mtia|distributed|_dist\b|remote_copy|aot_|benchmark"
    r"|test_examples"
)


def git(git_dir: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def example_paths(git_dir: Path, commit: str, folder: str = "examples/") -> list[str]:
    """The snapshot's `examples/*.py` (or another folder's), less those in SKIPPED."""
    names = git(git_dir, "ls-tree", "--name-only", commit, folder).split()
    return sorted(p for p in names if p.endswith(".py") and Path(p).name not in SKIPPED)


def test_paths(git_dir: Path, commit: str, folder: str = "test/") -> list[str]:
    """The snapshot's `test/test_*.py` less the backend-specific ones, and `test/data/*`."""
    names = git(git_dir, "ls-tree", "--name-only", commit, folder).split()
    data = git(git_dir, "ls-tree", "-r", "--name-only", commit, f"{folder}data/").split()
    return data + sorted(
        p
        for p in names
        if Path(p).name.startswith("test_")
        and p.endswith(".py")
        and not BACKEND_SPECIFIC.search(Path(p).stem)
    )


def extract(
    git_dir: Path, commit: str, out: Path, folder: str = "examples/", paths=example_paths
) -> list[Path]:
    commit = git(git_dir, "rev-parse", f"{commit}^{{commit}}").strip()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for path in paths(git_dir, commit, folder):
        target = out / Path(path).relative_to(folder)
        target.parent.mkdir(exist_ok=True)
        target.write_text(git(git_dir, "show", f"{commit}:{path}"))
        written.append(target)
    (out / "COMMIT").write_text(commit + "\n")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir", type=Path, help="a pytorch/helion clone or bare mirror")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, help="default: .helion_examples (.helion_tests)")
    parser.add_argument("--distributed", action="store_true", help="examples/distributed/")
    parser.add_argument("--tests", action="store_true", help="Helion's test files")
    args = parser.parse_args(argv)
    out = args.out or ROOT / (".helion_tests" if args.tests else ".helion_examples")
    if args.distributed:
        out = out / "distributed"
    folder = "examples/distributed/" if args.distributed else "examples/"
    if args.tests:
        written = extract(args.git_dir, args.commit, out, "test/", test_paths)
    else:
        written = extract(args.git_dir, args.commit, out, folder)
    commit = (out / "COMMIT").read_text().strip()
    print(f"{len(written)} files of {commit} in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
