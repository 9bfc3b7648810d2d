"""The side-by-side view: cell source and generated Triton, lines linked by tint and on hover."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from typing import Any

from transpiler import Transpiled

from .highlight import colours_for, highlight_lines
from .linking import script_tag

SHOW_CHOICES = ("side", "triton", "source", "none")


def themed(prop: str, variable: str, fallback: str) -> str:
    """A declaration from a JupyterLab theme variable, after a plain one for sanitisers (an
    untrusted notebook's, GitHub's) that drop `var()`: the later one wins where it is kept."""
    return f"{prop}:{fallback};{prop}:var({variable},{fallback})"


MONOSPACE = "Menlo,Consolas,monospace"
BORDER = "border:1px solid #d0d7de;border:1px solid var(--jp-border-color1,#d0d7de)"  # as themed
PANE_STYLE = (
    f"flex:1 1 0;min-width:0;{BORDER};border-radius:4px;overflow:hidden;"
    "display:flex;flex-direction:column;"
    + themed("background", "--jp-layout-color0", "#ffffff")
    + ";"
    + themed("color", "--jp-content-font-color1", "#24292f")
)
TITLE_STYLE = (
    themed("font-family", "--jp-ui-font-family", "sans-serif")
    + ";font-size:12px;font-weight:600;padding:4px 8px;"
    + themed("background", "--jp-layout-color2", "#f6f8fa")
    + ";border-bottom:1px solid #d0d7de;border-bottom:1px solid var(--jp-border-color1,#d0d7de)"
)
# Both panes within a laptop's first screen, under the cell; each scrolls inside itself.
CODE_STYLE = (
    themed("font-family", "--jp-code-font-family", MONOSPACE)
    + ";font-size:12px;line-height:1.45;overflow:auto;max-height:36em;max-height:min(60vh,36em)"
)
ROW_STYLE = "display:flex;cursor:default"
GUTTER_STYLE = (
    "flex:none;width:3.2em;padding-right:0.8em;text-align:right;user-select:none;"
    + themed("color", "--jp-content-font-color3", "#8c959f")
)
# Long lines wrap inside the pane: nothing is cut, no horizontal scrollbar far below.
TEXT_STYLE = (
    "flex:1 1 auto;min-width:0;white-space:pre-wrap;overflow-wrap:break-word;overflow-wrap:anywhere"
)
FOLD_STYLE = (
    themed("font-family", "--jp-ui-font-family", "sans-serif")
    + ";font-size:11px;cursor:pointer;padding:2px 8px;"
    + themed("color", "--jp-content-font-color2", "#57606a")
)
HELPER_FOLD_MIN = 4  # shorter runs of helper lines are shown as they are
STAGE_LINE_LIMIT = 2000  # long PTX / SASS listings are cut


def helper_runs(cited: list[int | None], code_lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) line indices of each run of top-level functions no cell line made: the
    helpers, folded (the module's docstring and imports stay shown above the kernel)."""
    blocks: list[list[int]] = []  # a top-level statement with its decorators and blank lines
    for index, text in enumerate(code_lines):
        starts = bool(text) and not text[0].isspace() and text[0] not in ")]}"
        follows_decorator = bool(blocks) and code_lines[blocks[-1][-1]].startswith("@")
        if not blocks or (starts and not follows_decorator):
            blocks.append([])
        blocks[-1].append(index)
    runs: list[tuple[int, int]] = []
    for block in blocks:
        if any(cited[index] is not None for index in block) or not _is_function(code_lines, block):
            continue
        if runs and runs[-1][1] == block[0] - 1:
            runs[-1] = (runs[-1][0], block[-1])
        else:
            runs.append((block[0], block[-1]))
    return [(first, last) for first, last in runs if last - first + 1 >= HELPER_FOLD_MIN]


def _is_function(code_lines: list[str], block: list[int]) -> bool:
    first = next((code_lines[i] for i in block if code_lines[i]), "")
    return first.startswith(("def ", "@"))


def code_rows(code: str, cited: list[int | None], colours: dict[int, str]) -> list[str]:
    """One div per line: its number, its highlighted text, the tint of the cell line it cites."""
    rows = []
    for number, (fragment, source_line) in enumerate(zip(highlight_lines(code), cited), start=1):
        colour = colours.get(source_line) if source_line is not None else None
        style = ROW_STYLE + (f";background:{colour}" if colour else "")
        link = f' data-source-line="{source_line}" title="cell line {source_line}"'
        rows.append(
            f'<div data-line="{number}"{link if source_line is not None else ""} style="{style}">'
            f'<span style="{GUTTER_STYLE}">{number}</span>'
            f'<span style="{TEXT_STYLE}">{fragment or " "}</span></div>'
        )
    return rows


def fold(rows: list[str], runs: list[tuple[int, int]]) -> list[str]:
    """Each helper run in place, in a closed <details> of one summary line (the generated module
    puts its first kernel before the helpers; the gutter keeps the file's own line numbers)."""
    out = list(rows)
    for first, last in reversed(runs):
        count = last - first + 1
        summary = f"{count} lines of helpers (lines {first + 1}–{last + 1})"
        out[first : last + 1] = [
            f'<details data-helpers="{count}"><summary style="{FOLD_STYLE}">{summary}</summary>'
            + "".join(rows[first : last + 1])
            + "</details>"
        ]
    return out


def code_pane(
    pane: str,
    title: str,
    code: str,
    cited: list[int | None],
    colours: dict[int, str],
    *,
    fold_helpers: bool = False,
) -> str:
    """One pane: a title bar over its lines, which scroll inside a bounded height."""
    rows = code_rows(code, cited, colours)
    if fold_helpers:
        rows = fold(rows, helper_runs(cited, code.splitlines()))
    return (
        f'<div data-pane="{pane}" style="{PANE_STYLE}">'
        f'<div style="{TITLE_STYLE}">{html.escape(title)}</div>'
        f'<div data-code="{pane}" style="{CODE_STYLE}">{"".join(rows)}</div><!--/code--></div>'
    )


def stage_block(name: str, text: str) -> str:
    lines = text.splitlines()
    cut = len(lines) > STAGE_LINE_LIMIT
    shown = "\n".join(lines[:STAGE_LINE_LIMIT]) + (f"\n... ({len(lines)} lines)" if cut else "")
    return (
        f'<details data-stage="{html.escape(name)}" style="margin-top:4px">'
        f'<summary style="{FOLD_STYLE}">{html.escape(name)}</summary>'
        f'<div style="{CODE_STYLE};white-space:pre;{BORDER};padding:4px">'
        f"{html.escape(shown)}</div></details>"
    )


TAB_STYLE = (
    FOLD_STYLE.replace("font-size:11px", "font-size:12px")
    + ";display:inline-block;padding:3px 10px;margin-right:2px;border-radius:4px 4px 0 0;"
    + BORDER
)


def tabbed(tabs: list[tuple[str, str]]) -> str:
    """Tabs from radio inputs and labels, switched by a <style> of the view's own id: no
    script, no kernel. Where a sanitiser drops <style>, every tab's content shows in order."""
    # named by the code and the tabs' labels (not by compile times): the same in every run
    named_by = tabs[0][1] + "".join(label for label, _ in tabs)
    view = "hv" + hashlib.sha1(named_by.encode()).hexdigest()[:10]
    inputs = "".join(
        f'<input type="radio" name="{view}" id="{view}-{index}"{" checked" if index == 0 else ""}'
        f' aria-label="{html.escape(label)}">'
        for index, (label, _) in enumerate(tabs)
    )
    labels = "".join(
        f'<label for="{view}-{index}" data-tab-label="{index}" style="{TAB_STYLE}">'
        f"{html.escape(label)}</label>"
        for index, (label, _) in enumerate(tabs)
    )
    panels = "".join(
        f'<div data-tab="{index}" data-tab-label-text="{html.escape(label)}" class="{view}-panel">'
        f"{body}</div>"
        for index, (label, body) in enumerate(tabs)
    )
    rules = "".join(
        f'#{view}-{index}:checked~[data-tab="{index}"]{{display:block}}'
        f'#{view}-{index}:checked~[data-tabs] [data-tab-label="{index}"]'
        "{font-weight:700;border-bottom-color:transparent}"
        for index in range(len(tabs))
    )
    style = (
        f"<style>#{view}>input{{display:none}}#{view}>.{view}-panel{{display:none}}{rules}</style>"
    )
    return f'<div id="{view}">{style}{inputs}<div data-tabs>{labels}</div>{panels}</div>'


@dataclass
class HelionView:
    """What `%%helion` displays: HTML with inline styles and one inline script, and a line of
    plain text. No widget: a saved, converted or reopened notebook shows the same panes.

    `stages` maps a Triton kernel name to its compiled stages (ttir, ttgir, llir, ptx, sass);
    `assumption` says what the code was generated for when no call has bound the arguments.
    """

    source: str
    transpiled: Transpiled
    show: str = "side"
    stages: dict[str, dict[str, str]] = field(default_factory=dict)
    assumption: str | None = None
    tabs: list[tuple[str, str]] = field(default_factory=list)  # (label, HTML) after the code

    def plain(self) -> str:
        kernels = self.transpiled.kernels
        noun = "kernel" if len(kernels) == 1 else "kernels"
        lines = len(self.transpiled.code.splitlines())
        assumed = f", {self.assumption}" if self.assumption else ""
        tabs = f"; tabs: {', '.join(label for label, _ in self.tabs)}" if self.tabs else ""
        return (
            f"helion: {len(kernels)} {noun} ({', '.join(kernels)}) → {lines} lines of Triton"
            + assumed
            + tabs
        )

    def triton_title(self) -> str:
        lines = len(self.transpiled.code.splitlines())
        title = f"Generated Triton ({', '.join(self.transpiled.kernels)}) · {lines} lines"
        return title + (f" · {self.assumption}" if self.assumption else "")

    def cited(self) -> list[int | None]:
        """The cell line each generated line cites; None past the cell's end (the earlier
        cells' literals that follow the cell's text: `SCALE = 2.5  # bound by an earlier
        cell` is no line of the cell to link or tint)."""
        last = len(self.source.splitlines())
        return [n if n is not None and n <= last else None for n in self.transpiled.line_map]

    def panes(self) -> list[str]:
        cited = self.cited()
        colours = colours_for(cited)
        source_lines: list[int | None] = list(range(1, len(self.source.splitlines()) + 1))
        panes = []
        if self.show in ("side", "source"):
            panes.append(
                code_pane("source", "Helion source (cell)", self.source, source_lines, colours)
            )
        if self.show in ("side", "triton"):
            panes.append(
                code_pane(
                    "triton",
                    self.triton_title(),
                    self.transpiled.code,
                    cited,
                    colours,
                    fold_helpers=True,
                )
            )
        return panes

    def html(self) -> str:
        body = "".join(self.panes())
        row = f'<div style="display:flex;gap:8px;align-items:flex-start;width:100%">{body}</div>'
        stages = "".join(
            stage_block(f"{kernel} · {stage}", text)
            for kernel, texts in self.stages.items()
            for stage, text in texts.items()
        )
        content = row + stages
        if self.tabs:
            content = tabbed([("Source · Triton", content), *self.tabs])
        return (
            f'<div data-helion-view="{self.show}" style="width:100%">{content}</div>' + script_tag()
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html(), "text/plain": self.plain()}
