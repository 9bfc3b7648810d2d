"""Docs that are generated stay equal to their source."""

from pathlib import Path

from transpiler.compile.ops.doc import render

DOCS = Path(__file__).parents[1] / "docs"


def test_ops_page_matches_the_op_table():
    assert (DOCS / "ops.md").read_text() == render(), (
        "run: python -m transpiler.compile.ops.doc > docs/ops.md"
    )
