"""`--targets` and `-a`: the cell's kernels compiled per GPU target, a tab of each, lines shaded."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transpiler import BoundKernel, Transpiled
from transpiler.analysis.targets import (
    Target,
    TargetError,
    TargetResult,
    compile_launch,
    target_named,
)
from transpiler.analysis.targets.annotate import (
    LineCost,
    describe,
    generated_line_costs,
    source_line_costs,
)
from transpiler.analysis.targets.capture import record_launches
from transpiler.analysis.targets.report import COLUMNS

from .highlight import highlight_lines
from .view import (
    BORDER,
    CODE_STYLE,
    GUTTER_STYLE,
    PANE_STYLE,
    ROW_STYLE,
    TEXT_STYLE,
    TITLE_STYLE,
    fold,
    helper_runs,
)

ANNOTATED_BY_DEFAULT = "sm_90"  # `-a` without `--targets`
NEEDS_RUN = (
    "--targets / --annotate need --run EXPR: the kernels are compiled for the shapes, dtypes and "
    "strides of its calls"
)
RUN_FAILED = "--targets / --annotate: no tabs, as the --run call above failed"
CALLED_NO_KERNEL = "--targets / --annotate: no tabs, as --run EXPR called no kernel of the cell"
UNKNOWABLE = (
    "Compiled here by Triton for {name} without the GPU: instruction counts are static (a loop "
    "body counts once), blocks per SM is an estimate from the target's limits, and nothing is "
    "timed."
)
SHADE = (255, 183, 0)  # the yellow of `%%cython -a`; more opaque for costlier lines
CELL_STYLE = "padding:2px 8px;text-align:left;white-space:nowrap;" + BORDER
NOTE_STYLE = "font-size:12px;margin:4px 0"


@dataclass
class Compiled:
    """One launch compiled for a target, with the generated code it came from."""

    result: TargetResult
    path: str
    transpiled: Transpiled | None


@dataclass
class TargetTab:
    """Everything one target's tab shows: the results, the errors, the shading's costs."""

    target: Target
    compiled: list[Compiled] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def source_costs(self) -> dict[int, LineCost]:
        """Source line → its cost, summed over every compiled kernel."""
        total: dict[int, LineCost] = {}
        for one in self.compiled:
            if one.transpiled is None:
                continue
            for line, cost in source_line_costs(
                self.generated_costs(one), one.transpiled.line_map
            ).items():
                total.setdefault(line, LineCost()).add(cost)
        return total

    def generated_costs(self, one: Compiled) -> dict[int, LineCost]:
        cites = dict(enumerate(one.transpiled.line_map, start=1)) if one.transpiled else None
        return generated_line_costs(one.result, one.path, cites)


def target_names(options: Any) -> list[str]:
    """The targets asked for: `--targets a,b`, else the default one when `-a` alone."""
    names = [name.strip() for name in (options.targets or "").split(",") if name.strip()]
    return names or ([ANNOTATED_BY_DEFAULT] if options.annotate else [])


def compile_tabs(
    program: Any, launched: dict[str, BoundKernel], examples: dict[str, tuple], names: list[str]
) -> list[TargetTab]:
    """Each target's tab: every kernel call of `examples` (kernel → its first call's arguments,
    as meta tensors) recorded with the specialisation it ran (`launched`) and compiled. An
    unknown target raises UnknownTargetError first."""
    tabs = [TargetTab(target_named(name)) for name in names]
    files = program.files()
    for tab in tabs:
        for kernel, args in examples.items():
            try:
                launcher = launched[kernel].launcher
                for launch in record_launches(launcher, args, {}, tab.target):
                    result = compile_launch(launch, tab.target)
                    transpiled = files.get(Path(launch.path))
                    tab.compiled.append(Compiled(result, launch.path, transpiled))
            except TargetError as error:
                tab.errors.append(str(error))
    return tabs


def results_table(tab: TargetTab) -> str:
    """The per-kernel table of `python -m transpiler --targets`, as HTML."""
    head = "".join(f'<th style="{CELL_STYLE}">{html.escape(title)}</th>' for title in COLUMNS)
    rows = [
        "<tr>"
        + "".join(
            f'<td data-column="{html.escape(title)}" style="{CELL_STYLE}">'
            f"{html.escape(str(fill(one.result)))}</td>"  # type: ignore[operator]
            for title, fill in COLUMNS.items()
        )
        + "</tr>"
        for one in tab.compiled
    ]
    return (
        '<div style="overflow-x:auto"><table data-target-table style="border-collapse:collapse;'
        f'font-size:12px"><tr>{head}</tr>{"".join(rows)}</table></div>'
    )


def shade(cost: LineCost | None, most: int) -> str:
    """A line's background: none for lines that cost nothing, deeper for costlier ones."""
    if cost is None or not cost.instructions or most <= 0:
        return ""
    alpha = 0.12 + 0.58 * (cost.instructions / most) ** 0.5
    return f";background:rgba({SHADE[0]},{SHADE[1]},{SHADE[2]},{alpha:.2f})"


def annotated_rows(
    code: str, costs: dict[int, LineCost], name: str, cited: list[int | None] | None = None
) -> list[str]:
    """One div per line, shaded by its cost, the cost on hover (`title`), linked like the
    side-by-side panes through `data-source-line`."""
    most = max((cost.instructions for cost in costs.values()), default=0)
    rows = []
    for number, fragment in enumerate(highlight_lines(code), start=1):
        cost = costs.get(number)
        source_line = (
            number if cited is None else (cited[number - 1] if number <= len(cited) else None)
        )
        attributes = f' data-source-line="{source_line}"' if source_line is not None else ""
        if cost is not None and cost.instructions:
            detail = describe(cost, name)
            if cited is None:
                lines = sorted(cost.generated_lines)
                detail += f"; Triton lines {', '.join(map(str, lines))}"
            attributes += f' data-cost="{cost.instructions}" title="{html.escape(detail)}"'
        rows.append(
            f'<div data-line="{number}"{attributes} style="{ROW_STYLE}{shade(cost, most)}">'
            f'<span style="{GUTTER_STYLE}">{number}</span>'
            f'<span style="{TEXT_STYLE}">{fragment or " "}</span></div>'
        )
    return rows


def annotated_pane(pane: str, title: str, rows: list[str]) -> str:
    return (
        f'<div data-pane="{pane}" style="{PANE_STYLE}">'
        f'<div style="{TITLE_STYLE}">{html.escape(title)}</div>'
        f'<div data-code="{pane}" style="{CODE_STYLE}">{"".join(rows)}</div><!--/code--></div>'
    )


def annotated_panes(tab: TargetTab, source: str) -> str:
    """The cell shaded by what each line costs on the target, beside the generated code of
    its first kernel's module shaded the same way."""
    name = tab.target.name
    panes = [
        annotated_pane(
            f"source-{name}",
            f"Helion source · shaded by {name} instructions (hover a line for its cost)",
            annotated_rows(source, tab.source_costs(), name),
        )
    ]
    first = next((one for one in tab.compiled if one.transpiled is not None), None)
    if first is not None and first.transpiled is not None:
        cited = list(first.transpiled.line_map)
        same_module = [one for one in tab.compiled if one.path == first.path]
        generated: dict[int, LineCost] = {}
        for one in same_module:
            for line, cost in tab.generated_costs(one).items():
                generated.setdefault(line, LineCost()).add(cost)
        panes.append(
            annotated_pane(
                f"triton-{name}",
                f"Generated Triton · shaded by {name} instructions",
                fold(
                    annotated_rows(first.transpiled.code, generated, name, cited),
                    helper_runs(cited, first.transpiled.code.splitlines()),
                ),
            )
        )
    return f'<div style="display:flex;gap:8px;align-items:flex-start;width:100%">{"".join(panes)}</div>'


def tab_body(tab: TargetTab, source: str, annotate: bool) -> str:
    """A target's tab: what cannot be known here, the table, the errors, the shaded panes."""
    target = tab.target
    about = (
        f"<b>{html.escape(target.name)}</b> ({html.escape(target.gpu)}): warps of "
        f"{target.warp_size} threads, {target.shared_per_block // 1024} KiB shared memory per "
        f"block, {target.registers_per_sm // 1024}K registers per SM, matrix instructions: "
        f"{html.escape(target.tensor_cores)}. {html.escape(UNKNOWABLE.format(name=target.name))}"
    )
    errors = "".join(
        f'<pre data-target-error style="{NOTE_STYLE};white-space:pre-wrap">'
        f"{html.escape(error)}</pre>"
        for error in tab.errors
    )
    panes = annotated_panes(tab, source) if annotate else ""
    return f'<div style="{NOTE_STYLE}">{about}</div>{results_table(tab)}{errors}{panes}'
