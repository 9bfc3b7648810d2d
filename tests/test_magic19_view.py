"""The view of a cell that reads an earlier cell's literal (`SCALE = 2.5` run before it): the
generated `SCALE = 2.5  # bound by an earlier cell` cited cell line 12 of a 10-line cell (its
tooltip named a line the cell does not have); and an edited cell's view shows the edit."""

from __future__ import annotations

import html as markup
import re

import torch
from helpers import DEVICE
from magic_shell import ADD_CELL, fresh_shell, put, run_magic

SCALED = ADD_CELL.replace("x[tile] + y[tile]", "x[tile] * SCALE + y[tile]")


def text_of(html: str) -> str:
    return markup.unescape(re.sub(r"<[^>]+>", "", html))


def cited_lines(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-source-line="(\d+)"', html)}


def test_an_earlier_cells_literal_links_to_no_cell_line() -> None:
    with fresh_shell(DEVICE) as shell:
        put(shell, x=torch.randn(1001) + 0.5, y=torch.randn(1001) - 0.5)
        shell.run_cell("SCALE = 2.5")
        shown = run_magic(shell, "--run 'add(x, y)'", SCALED)
    assert "  PASS  float32 (1001,)" in shown.stdout
    html = shown.html()
    assert cited_lines(html) == set(range(1, len(SCALED.splitlines()) + 1))  # was also 12
    literal = re.search(r'<div data-line="\d+"([^>]*)>(?:(?!</div>).)*# bound by an earlier', html)
    assert literal is not None and "data-source-line" not in literal.group(1)


def test_an_edited_cell_shows_its_new_code() -> None:
    with fresh_shell(DEVICE) as shell:
        put(shell, x=torch.randn(1001) + 0.5, y=torch.randn(1001) - 0.5)
        first = run_magic(shell, "--run 'add(x, y)'", ADD_CELL)
        edited = run_magic(shell, "--run 'add(x, y)'", ADD_CELL.replace("+ y[tile]", "- y[tile]"))
    before, after = text_of(first.html()), text_of(edited.html())
    assert "x_tile + y_tile" in before and "x_tile - y_tile" not in before
    assert "x_tile - y_tile" in after and "x_tile + y_tile" not in after
    assert "  PASS  float32 (1001,)" in edited.stdout
