"""The side-by-side view: cell source and generated Triton, lines linked by colour."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from transpiler.pipeline import Transpiled

from .highlight import colours_for, highlight_lines

SHOW_CHOICES = ("side", "triton", "source", "none")
MONOSPACE = "SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace"
PANE_STYLE = (
    "flex:1 1 0;min-width:0;border:1px solid #d0d7de;border-radius:4px;overflow:hidden;"
    "background:#ffffff;color:#24292f"
)
TITLE_STYLE = (
    "font-family:sans-serif;font-size:12px;font-weight:600;padding:4px 8px;"
    "background:#f6f8fa;border-bottom:1px solid #d0d7de"
)
CODE_STYLE = f"font-family:{MONOSPACE};font-size:12px;line-height:1.45;overflow-x:auto"
GUTTER_STYLE = (
    "display:inline-block;width:3.2em;padding-right:0.8em;text-align:right;color:#8c959f;"
    "user-select:none"
)
STAGE_LINE_LIMIT = 2000  # long PTX / SASS listings are cut in the HTML fallback


def code_pane(
    pane: str,
    title: str,
    code: str,
    cited: list[int | None],
    colours: dict[int, str],
) -> str:
    """One pane: a title bar, then one div per line, tinted by the colour of its source line."""
    rows = []
    for number, (fragment, source_line) in enumerate(zip(highlight_lines(code), cited), start=1):
        colour = colours.get(source_line) if source_line is not None else None
        style = "white-space:pre;padding-right:8px" + (f";background:{colour}" if colour else "")
        link = f' data-source-line="{source_line}"' if source_line is not None else ""
        hover = f' title="cell line {source_line}"' if pane == "triton" and link else ""
        rows.append(
            f'<div data-line="{number}"{link}{hover} style="{style}">'
            f'<span style="{GUTTER_STYLE}">{number}</span>{fragment}</div>'
        )
    return (
        f'<div data-pane="{pane}" style="{PANE_STYLE}">'
        f'<div style="{TITLE_STYLE}">{html.escape(title)}</div>'
        f'<div data-code="{pane}" style="{CODE_STYLE}">'
        f'<div style="display:inline-block;min-width:100%">{"".join(rows)}</div>'
        "</div><!--/code--></div>"
    )


def stage_block(name: str, text: str, *, opened: bool = False) -> str:
    lines = text.splitlines()
    cut = len(lines) > STAGE_LINE_LIMIT
    shown = "\n".join(lines[:STAGE_LINE_LIMIT]) + (f"\n... ({len(lines)} lines)" if cut else "")
    return (
        f'<details data-stage="{html.escape(name)}"{" open" if opened else ""} style="margin-top:4px">'
        f'<summary style="font-family:sans-serif;font-size:12px;cursor:pointer">'
        f"{html.escape(name)}</summary>"
        f'<div style="{CODE_STYLE};white-space:pre;max-height:30em;overflow:auto;'
        f'border:1px solid #d0d7de;padding:4px">{html.escape(shown)}</div></details>'
    )


@dataclass
class HelionView:
    """What `%%helion` displays: ipywidgets where a frontend runs them, inline HTML elsewhere.

    `stages` maps a Triton kernel name to its compiled stages (ttir, ttgir, llir, ptx, sass).
    """

    source: str
    transpiled: Transpiled
    show: str = "side"
    stages: dict[str, dict[str, str]] = field(default_factory=dict)

    def plain(self) -> str:
        kernels = self.transpiled.kernels
        noun = "kernel" if len(kernels) == 1 else "kernels"
        lines = len(self.transpiled.code.splitlines())
        return f"helion: {len(kernels)} {noun} ({', '.join(kernels)}) → {lines} lines of Triton"

    def panes(self) -> list[str]:
        colours = colours_for(list(self.transpiled.line_map))
        source_lines: list[int | None] = list(range(1, len(self.source.splitlines()) + 1))
        panes = []
        if self.show in ("side", "source"):
            panes.append(
                code_pane("source", "Helion source (cell)", self.source, source_lines, colours)
            )
        if self.show in ("side", "triton"):
            title = "Generated Triton (" + ", ".join(self.transpiled.kernels) + ")"
            cited = list(self.transpiled.line_map)
            panes.append(code_pane("triton", title, self.transpiled.code, cited, colours))
        return panes

    def html(self) -> str:
        body = "".join(self.panes())
        row = f'<div style="display:flex;gap:12px;align-items:flex-start;width:100%">{body}</div>'
        stages = "".join(
            stage_block(f"{kernel} · {stage}", text)
            for kernel, texts in self.stages.items()
            for stage, text in texts.items()
        )
        return f'<div data-helion-view="{self.show}" style="width:100%">{row}{stages}</div>'

    def widget(self) -> Any | None:
        """An HBox of the two panes (in a Tab with the compiled stages on a GPU)."""
        try:
            import ipywidgets as widgets
        except ImportError:
            return None
        layout = widgets.Layout(flex="1 1 0", min_width="0")
        # width:0 + min-width:100% keeps long lines from widening the widget's flex item.
        boxes = [
            widgets.HTML(value=f'<div style="width:0;min-width:100%">{pane}</div>', layout=layout)
            for pane in self.panes()
        ]
        side = widgets.HBox(boxes, layout=widgets.Layout(width="100%", align_items="flex-start"))
        if not self.stages:
            return side
        children, titles = [side], ["Helion ↔ Triton"]
        for kernel, texts in self.stages.items():
            for stage, text in texts.items():
                children.append(
                    widgets.HTML(value=stage_block(f"{kernel} · {stage}", text, opened=True))
                )
                titles.append(
                    f"{stage.upper()} · {kernel}" if len(self.stages) > 1 else stage.upper()
                )
        return widgets.Tab(children=children, titles=titles)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {}
        widget = self.widget()
        if widget is not None:
            bundle.update(widget._repr_mimebundle_() or {})
        bundle["text/html"] = self.html()
        bundle["text/plain"] = self.plain()
        return bundle
