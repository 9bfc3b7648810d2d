"""Two runs of benchmarks/helion_examples.py side by side: ours and real Helion's, one row each.

python benchmarks/helion_examples_compare.py OURS.json HELION.json [--markdown]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def load(path: Path) -> dict[str, dict]:
    return {r["example"]: r for r in json.loads(path.read_text())["results"]}


def rows(ours: dict[str, dict], helion: dict[str, dict]) -> list[tuple[str, dict, dict]]:
    missing = {"outcome": "-", "seconds": 0.0, "error": ""}
    return [(name, ours.get(name, missing), helion.get(name, missing))
            for name in sorted({*ours, *helion})]  # fmt: skip


def summary(ours: dict[str, dict], helion: dict[str, dict]) -> list[str]:
    passed = {name for name, r in ours.items() if r["outcome"] == "ok"}
    helion_passed = {name for name, r in helion.items() if r["outcome"] == "ok"}
    return [
        f"ours: {len(passed)} of {len(ours)} ok; Helion: {len(helion_passed)} of {len(helion)} ok",
        "Helion passes, ours does not: " + (", ".join(sorted(helion_passed - passed)) or "none"),
        "ours passes, Helion does not: " + (", ".join(sorted(passed - helion_passed)) or "none"),
    ]


def text_table(ours: dict[str, dict], helion: dict[str, dict]) -> str:
    table = rows(ours, helion)
    width = max([len(name) for name, _, _ in table] + [7])
    lines = [f"{'example':<{width}}  {'ours':<15} {'s':>6}  {'helion':<15} {'s':>6}  ours' error"]
    for name, mine, theirs in table:
        lines.append(
            f"{name:<{width}}  {mine['outcome']:<15} {mine['seconds']:>6.1f}  "
            f"{theirs['outcome']:<15} {theirs['seconds']:>6.1f}  {mine['error'][:90]}"
        )
    return "\n".join([*lines, "", *summary(ours, helion)])


def markdown_table(ours: dict[str, dict], helion: dict[str, dict]) -> str:
    lines = [
        "| example | ours | s | Helion 1.5.0 | s | ours' error (first line) |",
        "|---|---|---|---|---|---|",
    ]
    for name, mine, theirs in rows(ours, helion):
        error = mine["error"].replace("|", "\\|")[:140]
        lines.append(
            f"| {name} | {mine['outcome']} | {mine['seconds']:.0f} | {theirs['outcome']} "
            f"| {theirs['seconds']:.0f} | {error} |"
        )
    return "\n".join([*lines, "", *summary(ours, helion)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ours", type=Path)
    parser.add_argument("helion", type=Path)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    ours, helion = load(args.ours), load(args.helion)
    print(markdown_table(ours, helion) if args.markdown else text_table(ours, helion))
    return 0


if __name__ == "__main__":
    sys.exit(main())
