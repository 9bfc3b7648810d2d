"""Extract Helion's top-level example programs from a pytorch/helion git snapshot (never committed).

    python benchmarks/helion_examples_fetch.py GIT_DIR [--commit REV] [--out .helion_examples]
        [--distributed]

Writes `examples/*.py` of the snapshot (without `__init__.py` and the two AOT examples, which
need a second process to compile ahead of time) into the git-ignored OUT folder, with a
`COMMIT` file naming the snapshot's commit; `--distributed` writes `examples/distributed/*.py`
into OUT/distributed instead (benchmarks/distributed_examples.py runs them under torchrun).
GIT_DIR may be a bare repository (a mirror).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {"__init__.py", "aot_example.py", "aot_compile_example.py"}


def git(git_dir: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def example_paths(git_dir: Path, commit: str, folder: str = "examples/") -> list[str]:
    """The snapshot's `examples/*.py` (or another folder's), less those in SKIPPED."""
    names = git(git_dir, "ls-tree", "--name-only", commit, folder).split()
    return sorted(p for p in names if p.endswith(".py") and Path(p).name not in SKIPPED)


def extract(git_dir: Path, commit: str, out: Path, folder: str = "examples/") -> list[Path]:
    commit = git(git_dir, "rev-parse", f"{commit}^{{commit}}").strip()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for path in example_paths(git_dir, commit, folder):
        target = out / Path(path).name
        target.write_text(git(git_dir, "show", f"{commit}:{path}"))
        written.append(target)
    (out / "COMMIT").write_text(commit + "\n")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir", type=Path, help="a pytorch/helion clone or bare mirror")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=ROOT / ".helion_examples")
    parser.add_argument("--distributed", action="store_true", help="examples/distributed/")
    args = parser.parse_args(argv)
    if args.distributed:
        args.out = args.out / "distributed"
    folder = "examples/distributed/" if args.distributed else "examples/"
    written = extract(args.git_dir, args.commit, args.out, folder)
    commit = (args.out / "COMMIT").read_text().strip()
    print(f"{len(written)} examples of {commit} in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
