"""Extract Helion's own test files from a pytorch/helion git snapshot (never committed).

    python benchmarks/helion_tests_fetch.py GIT_DIR [--commit REV] [--out .helion_tests]

Writes the snapshot's `test/test_*.py` into the git-ignored OUT folder, less the files of other
backends and of machinery we do not have (BACKEND_SPECIFIC: CuTe, Pallas, TileIR, AMD, Metal,
distributed, ahead-of-time compiles, benchmark workers, the examples' own runner), with a
`COMMIT` file naming the snapshot's commit; benchmarks/helion_tests.py runs them. GIT_DIR may be
a bare repository (a mirror).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from helion_examples_fetch import git

ROOT = Path(__file__).resolve().parents[1]
# file names of tests written for another backend or for Helion's process machinery
BACKEND_SPECIFIC = re.compile(
    r"cute|pallas|tileir|amd|metal|mtia|distributed|_dist\b|remote_copy|aot_|benchmark"
    r"|test_examples"
)


def test_paths(git_dir: Path, commit: str) -> list[str]:
    """The snapshot's `test/test_*.py`, less the backend-specific ones."""
    names = git(git_dir, "ls-tree", "--name-only", commit, "test/").split()
    return sorted(
        p
        for p in names
        if Path(p).name.startswith("test_")
        and p.endswith(".py")
        and not BACKEND_SPECIFIC.search(Path(p).stem)
    )


def extract(git_dir: Path, commit: str, out: Path) -> list[Path]:
    commit = git(git_dir, "rev-parse", f"{commit}^{{commit}}").strip()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for path in test_paths(git_dir, commit):
        target = out / Path(path).name
        target.write_text(git(git_dir, "show", f"{commit}:{path}"))
        written.append(target)
    for path in git(git_dir, "ls-tree", "-r", "--name-only", commit, "test/data/").split():
        target = out / "data" / Path(path).name  # kernels some tests import by path
        target.parent.mkdir(exist_ok=True)
        target.write_text(git(git_dir, "show", f"{commit}:{path}"))
    (out / "COMMIT").write_text(commit + "\n")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir", type=Path, help="a pytorch/helion clone or bare mirror")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=ROOT / ".helion_tests")
    args = parser.parse_args(argv)
    written = extract(args.git_dir, args.commit, args.out)
    commit = (args.out / "COMMIT").read_text().strip()
    print(f"{len(written)} test files of {commit} in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
