"""%%helion --targets and -a: a tab per GPU target, each source line shaded by what it costs."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, Shown, fresh_shell, put, run_magic

from transpiler.analysis.targets import TARGETS, TargetResult
from transpiler.analysis.targets.annotate import generated_line_costs, source_line_costs
from transpiler.analysis.targets.result import estimate_occupancy

# The config pinned (the CPU's defaults): a GPU would tune, and tiles under 64 rows compile to
# mma.sync, not the wgmma the sm_90 tab's table and shading are checked for.
MATMUL_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel(config=helion.Config(block_sizes=[64, 64, 32]))
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out
"""
PRODUCT_LINE = 13  # the addmm
STORE_LINE = 14

# Two kernels in one cell, one without tensor cores: a row softmax and a scaled copy.
TWO_KERNELS_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def softmax(x: torch.Tensor) -> torch.Tensor:
    n, m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        values = x[tile_n, :]
        exp = torch.exp(values - torch.amax(values, dim=1, keepdim=True))
        out[tile_n, :] = exp / torch.sum(exp, dim=1, keepdim=True)
    return out

@helion.kernel()
def scaled(x: torch.Tensor, scale: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile] * scale
    return out
"""
EXP_LINE = 11


@dataclass
class Tab:
    label: str
    body: str

    def costs(self, pane: str) -> dict[int, tuple[int, str]]:
        """Line → (instructions, hover text) of the shaded rows of one annotated pane."""
        start = self.body.index(f'data-pane="{pane}')
        end = self.body.find("data-pane=", start + 10)
        rows = re.findall(
            r'<div data-line="(\d+)"[^>]*? data-cost="(\d+)" title="([^"]*)"',
            self.body[start : end if end > 0 else None],
        )
        return {int(line): (int(cost), title) for line, cost, title in rows}

    def table_rows(self) -> list[list[str]]:
        table = re.search(r"<table data-target-table.*?</table>", self.body, re.S)
        assert table is not None
        rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)
        return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in rows]


def tabs_of(shown: Shown) -> list[Tab]:
    page = shown.html()
    labels = re.findall(r'data-tab-label="\d+"[^>]*>([^<]*)</label>', page)
    bodies = re.split(r'<div data-tab="\d+"[^>]*>', page)[1:]
    return [Tab(label, body) for label, body in zip(labels, bodies)]


@pytest.fixture(scope="module")
def matmul_view() -> Iterator[tuple[Shown, InteractiveShell]]:
    with fresh_shell(DEVICE) as shell:  # the GPU where there is one: launchers refuse CPU tensors
        x = torch.randn(67, 40, dtype=torch.float16)
        y = torch.randn(40, 35, dtype=torch.float16)
        put(shell, x=x, y=y)
        yield run_magic(shell, '--run "matmul(x, y)" --targets sm_90,gfx942 -a', MATMUL_CELL), shell


def test_a_tab_per_target_after_the_code(matmul_view) -> None:
    shown, _ = matmul_view
    tabs = tabs_of(shown)
    assert [tab.label for tab in tabs] == [
        "Source · Triton",
        "sm_90 · H100 / H200",
        "gfx942 · MI300X",
    ]
    assert "PASS" in shown.stdout and "Traceback" not in shown.stdout + shown.stderr
    assert "tabs: sm_90 · H100 / H200, gfx942 · MI300X" in shown.plain()
    page = shown.html()
    assert page.count('type="radio"') == 3 and page.count(" checked") == 1
    # without its <style> (a sanitiser), every tab still shows: nothing hidden inline
    assert 'data-tab="1"' in page and "display:none" not in re.sub(r"<style>.*?</style>", "", page)


@pytest.mark.parametrize(
    "index, tensor_core, warp",
    [(1, "wgmma", "warps of 32 threads"), (2, "mfma", "warps of 64 threads")],
)
def test_each_tab_has_the_table_of_its_target(matmul_view, index, tensor_core, warp) -> None:
    tab = tabs_of(matmul_view[0])[index]
    header, *rows = tab.table_rows()
    assert header[:3] == ["kernel", "target", "warps"] and len(rows) == 1
    row = dict(zip(header, rows[0]))
    assert row["kernel"] == "matmul_kernel" and row["fits"] == "yes"
    assert tensor_core in row["tensor core"]
    assert int(row["regs"]) > 0
    assert warp in tab.body and "nothing is timed" in tab.body


@pytest.mark.parametrize("index, tensor_core", [(1, "wgmma"), (2, "mfma")])
def test_annotation_shades_the_product_and_the_store(matmul_view, index, tensor_core) -> None:
    tab = tabs_of(matmul_view[0])[index]
    costs = tab.costs("source-")
    assert tensor_core in costs[PRODUCT_LINE][1]
    assert "global_stores" in costs[STORE_LINE][1]
    assert not {1, 2, 3, 4, 5, 15} & set(costs)  # imports, decorator, return: no device code
    assert "Triton lines" in costs[PRODUCT_LINE][1]  # the hover says where it comes from
    # the generated pane is shaded too, and its lines add up to the source pane's
    generated = tab.costs("triton-")
    assert sum(cost for cost, _ in generated.values()) >= sum(c for c, _ in costs.values())


def test_two_kernels_two_rows_and_a_line_without_tensor_cores(device: str) -> None:
    with fresh_shell(device) as shell:
        put(shell, x=torch.randn(9, 77) + 0.5)
        shown = run_magic(
            shell,
            '--run "softmax(x), scaled(x[0], 1.5)" --targets sm_100 --annotate',
            TWO_KERNELS_CELL,
        )
    (tab,) = tabs_of(shown)[1:]
    kernels = [row[0] for row in tab.table_rows()[1:]]
    assert kernels == ["softmax_kernel", "scaled_kernel"]
    costs = tab.costs("source-")
    assert costs[EXP_LINE][0] > 0 and "tcgen05" not in costs[EXP_LINE][1]
    assert {EXP_LINE, 19} <= set(costs) and 20 not in costs  # the scaled store; its return


def test_annotate_alone_chooses_sm_90_and_needs_a_run(device: str) -> None:
    with fresh_shell(device) as shell:
        put(shell, x=torch.randn(300) + 0.5, y=torch.randn(300) + 0.5)
        shown = run_magic(shell, "-a", ADD_CELL)
        assert "need --run EXPR" in shown.stdout
        assert "data-tab=" not in shown.html()  # the plain view
        shown = run_magic(shell, '--run "add(x, y)" -a', ADD_CELL)
    labels = [tab.label for tab in tabs_of(shown)]
    assert labels == ["Source · Triton", "sm_90 · H100 / H200"]


@pytest.mark.parametrize(
    "run, said",
    [
        ("add(x, missing)", "no tabs, as the --run call above failed"),  # was: "need --run"
        ("x + y", "no tabs, as --run EXPR called no kernel of the cell"),
    ],
)
def test_a_run_without_a_kernel_call_says_why_there_are_no_tabs(
    device: str, run: str, said: str
) -> None:
    with fresh_shell(device) as shell:
        put(shell, x=torch.randn(300) + 0.5, y=torch.randn(300) + 0.5)
        shown = run_magic(shell, f'--run "{run}" --targets sm_90', ADD_CELL)
    assert said in shown.stdout and "need --run" not in shown.stdout
    assert "data-tab=" not in shown.html()


@pytest.mark.parametrize("line", ["--targets sm_91", "--targets sm_90,mi300x -a"])
def test_an_unknown_target_runs_nothing(device: str, line: str) -> None:
    with fresh_shell(device) as shell:
        shown = run_magic(shell, f'--run "add(x, y)" {line}', ADD_CELL)
    assert "UnknownTargetError" in shown.stderr and "known targets: " in shown.stderr
    assert not shown.outputs and "add" not in shell.user_ns


# --- attribution, on asm text written by hand ------------------------------------------------

PTX = """\
\t.loc\t1 20 5                          // gen_1.py:20:5
\tld.global.b32 \t{ %r1 }, [ %rd1 + 0 ];
\tadd.f32 \t%r2, %r1, %r1;
$L__BB0_1:
\t.loc\t2 43 17                         // standard.py:43:17 @[ gen_1.py:21:9 ]
\tmax.f32 \t%r3, %r2, %r1;
\t.loc\t1 8 1                           // gen_1.py:8:1 @[ gen_1.py:22:3 ]
\tmul.f32 \t%r4, %r3, %r3;
\t.loc\t1 0 0                           // :0:0
\tret;
\t.loc\t1 23 1                          // gen_1.py:23:1
\t@%p1 st.global.b32 \t[ %rd2 + 0 ], { %r4 };
\t.b8 \t0
"""
AMDGCN = """\
\t.loc\t1 20 5 prologue_end             ; gen_1.py:20:5
\tglobal_load_dword v1, v[2:3], off
\tv_add_f32_e32 v1, v1, v1
.LBB0_1:
\t.loc\t2 43 17 is_stmt 0               ; standard.py:43:17 @[ gen_1.py:21:9 ]
\tv_max_f32_e32 v3, v1, v1
\t.loc\t1 23 1                          ; gen_1.py:23:1
\tglobal_store_dword v[4:5], v3, off
\ts_endpgm
\t.amdhsa_kernel gen
"""
LINE_MAP = (None,) * 7 + (None,) + (None,) * 11 + (3, 4, 5, 6, 7)  # 20 → 3, ..., 23 → 6


def fake_result(target: str, asm: dict[str, str]) -> TargetResult:
    chosen = TARGETS[target]
    return TargetResult(
        "gen", chosen, {}, {}, (1,), 4, 1, 32, 0, 0, estimate_occupancy(chosen, 4, 32, 0),
        {}, asm, b"", 0.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    "target, asm, expected",
    [
        # the inlined helper at line 8 is charged to its caller (line 22), which cites line 5
        ("sm_90", {"ptx": PTX}, {3: (2, "global_loads"), 4: (1, None), 5: (1, None),
                                6: (1, "global_stores")}),
        ("gfx942", {"amdgcn": AMDGCN}, {3: (2, "global_loads"), 4: (1, None),
                                        6: (2, "global_stores")}),
    ],
    ids=["ptx", "amdgcn"],
)  # fmt: skip
def test_instructions_reach_source_lines_through_loc_and_the_line_map(target, asm, expected):
    cites = dict(enumerate(LINE_MAP, start=1))
    generated = generated_line_costs(fake_result(target, asm), "/cache/gen_1.py", cites)
    costs = source_line_costs(generated, LINE_MAP)
    assert {line: cost.instructions for line, cost in costs.items()} == {
        line: count for line, (count, _) in expected.items()
    }
    for line, (_, kind) in expected.items():
        assert (kind in costs[line].kinds) if kind else not costs[line].kinds
    assert 0 not in generated and 8 not in generated  # `.loc 1 0 0` and the helper's own line


@pytest.mark.parametrize("target, asm", [("sm_90", {"ptx": PTX}), ("gfx942", {"amdgcn": AMDGCN})])
def test_a_compile_served_by_tritons_cache_names_another_module_file(target, asm):
    # Triton's cache key is the source, not its path: a rerun cell's compile can come back with
    # the `.loc` frames of an earlier module file; its lines still count as the module's
    cites = dict(enumerate(LINE_MAP, start=1))
    here = generated_line_costs(fake_result(target, asm), "/cache/gen_1.py", cites)
    served = generated_line_costs(fake_result(target, asm), "/tmp/cell_7/gen_9.py", cites)
    assert here and {line: c.instructions for line, c in served.items()} == {
        line: c.instructions for line, c in here.items()
    }


# --- the tabs in a real browser (no JupyterLab: the view's HTML as a page) --------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium")
def test_tabs_switch_without_script_and_hover_shows_the_cost(matmul_view, tmp_path: Path):
    playwright_api = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "view.html"
    page_file.write_text(matmul_view[0].html())
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(
                viewport={"width": 1440, "height": 900}, java_script_enabled=False
            )
            page.goto(page_file.as_uri())
            visible = lambda index: page.locator(f'[data-tab="{index}"]').is_visible()  # noqa: E731
            assert [visible(i) for i in range(3)] == [True, False, False]
            page.click('label[data-tab-label="2"]')
            assert [visible(i) for i in range(3)] == [False, False, True]
            row = page.locator(
                f'[data-tab="2"] [data-pane^="source-"] [data-line="{PRODUCT_LINE}"]'
            )
            assert "mfma" in row.get_attribute("title")
            assert row.bounding_box()["y"] < 900  # the shaded cell is on the first screen
            shade = row.evaluate("element => getComputedStyle(element).backgroundColor")
            assert shade.startswith("rgba(255, 183, 0")
        finally:
            browser.close()


# --- the notebooks' compile check: %load_ext magics installs it from the environment --------


def test_load_ext_compiles_every_launch_for_the_environment_s_targets(
    device: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if device != "cpu":
        pytest.skip("the check wraps Triton's interpreter")
    import os
    from concurrent.futures import Future

    import magics
    from transpiler.analysis.targets import GPUCompileError, check

    compiled: list[str] = []
    real_submit = check.submit

    def submit(launch, target):  # gfx942's compiler refuses everything, the others compile
        compiled.append(target.name)
        if target.name != "gfx942":
            return real_submit(launch, target)
        refused: Future = Future()
        refused.set_exception(GPUCompileError("gfx942's compiler refused it", hint="a test"))
        return refused

    monkeypatch.setattr(check, "submit", submit)
    try:
        with fresh_shell(device) as shell:
            put(shell, x=torch.randn(33, 48), y=torch.randn(48, 17))
            monkeypatch.setenv(check.ENVIRONMENT, "sm_90,sm_100")
            magics.load_ipython_extension(shell)
            accepted = run_magic(shell, '--run "matmul(x, y)"', MATMUL_CELL)
            monkeypatch.setenv(check.ENVIRONMENT, "sm_90,gfx942")
            magics.load_ipython_extension(shell)
            rejected = run_magic(shell, '--run "matmul(x, y)" --force', MATMUL_CELL)
    finally:  # back to what conftest installed
        monkeypatch.undo()
        configured = os.environ.get(check.ENVIRONMENT, "sm_90")
        check.uninstall() if configured in ("", "0") else check.install(configured, wait=False)
    assert "PASS" in accepted.stdout and "GPUCompileError" not in accepted.plain()
    assert {"sm_90", "sm_100", "gfx942"} <= set(compiled)
    pane = rejected.plain()
    assert "GPUCompileError" in pane and "gfx942's compiler refused it" in pane, pane


def test_tabs_are_named_by_the_code_and_labels_not_by_compile_times() -> None:
    from magics.view import tabbed

    def view_id(code: str, seconds: str) -> str:
        page = tabbed([("Source · Triton", code), ("sm_90 · H100 / H200", f"<td>{seconds}</td>")])
        found = re.match(r'<div id="(hv[0-9a-f]+)">', page)
        assert found is not None
        return found.group(1)

    assert view_id("code", "1.23") == view_id("code", "2.50")  # a stored notebook stays equal
    assert view_id("code", "1.23") != view_id("other code", "1.23")
