"""Plain-text tables of the benchmark scripts: columns as data, one line a row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """A column: its title, its width (0: the free last column, after two spaces), the cell's
    text for a row (None: `missing` stands there) and whether it is aligned left (names) or
    right (numbers)."""

    title: str
    width: int
    cell: Callable[[dict], str | None]
    missing: str = "—"
    left: bool = False

    def text(self, value: str) -> str:
        if not self.width:
            return value
        return value.ljust(self.width) if self.left else value.rjust(self.width)


def text_table(columns: list[Column], rows: Iterable[dict]) -> str:
    """A title line, a rule as long, then a line a row."""

    def line(texts: list[str]) -> str:
        cells = [column.text(text) for column, text in zip(columns, texts)]
        fixed = [cell for column, cell in zip(columns, cells) if column.width]
        free = [cell for column, cell in zip(columns, cells) if not column.width]
        return " ".join(fixed) + "".join(f"  {cell}" for cell in free)

    header = line([column.title for column in columns])
    lines = [header, "-" * len(header)]
    for row in rows:
        values = [column.cell(row) for column in columns]
        lines.append(line([c.missing if v is None else v for c, v in zip(columns, values)]))
    return "\n".join(lines)
