"""%%helion through IPython's shell: error panes, the side-by-side view, export."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import (
    ADD_CELL,
    ANY_RANK_CELL,
    Shown,
    fresh_shell,
    put,
    run_magic,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def shell(device: str) -> Iterator[InteractiveShell]:
    with fresh_shell(device) as ipython:
        yield ipython


# --- errors --------------------------------------------------------------------------------


def assert_error_pane(shown: Shown, line_number: int, line_text: str) -> str:
    assert len(shown.outputs) == 1
    plain = shown.outputs[0]["text/plain"]
    assert f"(cell line {line_number}, column " in plain.splitlines()[0]
    assert f"    {line_text}" in plain.splitlines()
    assert "^" in plain and "hint: " in plain
    assert "Traceback" not in plain + shown.stdout + shown.stderr
    assert "data-helion-error" in shown.outputs[0]["text/html"]
    return plain


def test_syntax_error_points_at_the_cell_line(shell: InteractiveShell) -> None:
    cell = ADD_CELL.replace("hl.tile(out.size(0)):", "hl.tile(out.size(0))")
    shown = run_magic(shell, "", cell)
    plain = assert_error_pane(shown, 8, cell.splitlines()[7])
    assert "SyntaxError: expected ':'" in plain


def test_unknown_torch_op_points_at_the_cell_line(shell: InteractiveShell) -> None:
    cell = ADD_CELL.replace("x[tile] + y[tile]", "torch.frobnicate(x[tile])")
    shown = run_magic(shell, "", cell)
    plain = assert_error_pane(shown, 9, cell.splitlines()[8])
    assert "UnsupportedOpError" in plain and "frobnicate" in plain
    caret_line = plain.splitlines()[plain.splitlines().index("    " + cell.splitlines()[8]) + 1]
    assert caret_line.index("^") == ("    " + cell.splitlines()[8]).index("torch.frobnicate") + 6


def test_unknown_op_is_reported_before_ranks_are_known(shell: InteractiveShell) -> None:
    cell = ANY_RANK_CELL.replace("x[tile] + y[tile]", "torch.frobnicate(x[tile])")
    assert_error_pane(run_magic(shell, "", cell), 9, cell.splitlines()[8])


@pytest.mark.parametrize("cell", [ADD_CELL, ANY_RANK_CELL], ids=["ranks-known", "any-rank"])
def test_every_unsupported_op_of_the_cell_in_one_pane(shell: InteractiveShell, cell: str) -> None:
    cell = cell.replace(
        "out[tile] = x[tile] + y[tile]",
        "out[tile] = torch.frobnicate(x[tile]) + y[tile].erfinv()\n        out[tile] += x[tile].lgammaa()",
    )
    shown = run_magic(shell, "", cell)
    plain = assert_error_pane(shown, 9, cell.splitlines()[8])
    assert "3 ops are not supported inside a device loop (lines 9, 9, 10)" in plain
    for name, line in (("erfinv", 9), ("lgammaa", 10)):  # each below, at its own cell line
        text = cell.splitlines()[line - 1]
        assert f"(cell line {line}, column {text.index(name) + 1})" in plain
        assert f"    {text}\n    {' ' * text.index(name)}^" in plain
    assert "did you mean lgamma" in plain


@pytest.mark.skipif(torch.cuda.is_available(), reason="runs the cell on CPU tensors")
def test_runtime_failure_points_at_generated_and_source_lines(shell: InteractiveShell) -> None:
    put(shell, x=torch.randn(9), y=torch.randn(5))  # the tiles of x reach past y's end
    shown = run_magic(shell, "--run 'add(x, y)'", ADD_CELL)
    errors = [o for o in shown.outputs if "data-helion-error" in o["text/html"]]
    assert len(errors) == 1
    # read first: the failure above the view, which still shows the code that failed
    assert shown.outputs[0] is errors[0] and "data-helion-view" in shown.outputs[-1]["text/html"]
    plain = errors[0]["text/plain"].splitlines()
    assert plain[0] == "helion: running add(x, y) failed"
    assert "y.size(0) must be at least x.size(0)" in plain[1]
    code = shell.user_ns["add"].triton_source.splitlines()
    generated = next(line for line in plain if line.startswith("generated line "))
    number = int(generated.split()[2].rstrip(":"))
    assert generated.endswith(code[number - 1].strip())
    assert plain[-1] == "from cell line 8: for tile in hl.tile(out.size(0)):"
    assert "Traceback" not in shown.stdout + shown.stderr


# --- the view ------------------------------------------------------------------------------


class LineBackgrounds(HTMLParser):
    """Per pane: each line div's source line and background colour; notes tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.pane = ""
        self.lines: dict[str, list[tuple[int | None, str | None]]] = {}
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = dict(attrs)
        if "data-pane" in found:
            self.pane = found["data-pane"] or ""
            self.lines[self.pane] = []
        if "data-line" in found:
            style = found.get("style") or ""
            colour = next(
                (p.split(":", 1)[1] for p in style.split(";") if p.startswith("background:")), None
            )
            source = found.get("data-source-line")
            self.lines[self.pane].append((int(source) if source else None, colour))


def test_view_has_both_panes_linked_by_colour(shell: InteractiveShell) -> None:
    shown = run_magic(shell, "", ADD_CELL)
    (bundle,) = shown.outputs
    assert set(bundle) == {"text/html", "text/plain"}  # no widget: nothing a saved copy lacks
    html = bundle["text/html"]
    assert html.count("<script>") == 1 and "<style" not in html.lower()
    assert "class=" not in html  # inline styles only: nothing that needs a stylesheet
    parser = LineBackgrounds()
    parser.feed(html)
    source, triton = parser.lines["source"], parser.lines["triton"]
    assert len(source) == len(ADD_CELL.splitlines())
    code = shell.user_ns["add"].triton_source
    assert len(triton) == len(code.splitlines())
    source_colour = {number: colour for number, colour in source}
    linked = [(s, c) for s, c in triton if s is not None]
    assert linked and all(colour == source_colour[s] and colour for s, colour in linked)
    assert len({colour for _, colour in linked}) >= 3  # distinct source lines, distinct tints
    # The loop line and the store line are both implemented by generated lines.
    assert source_colour[8] and source_colour[9] and source_colour[8] != source_colour[9]
    assert source_colour[1] is None  # `import torch` has no generated counterpart of its own
    assert (
        bundle["text/plain"] == f"helion: 1 kernel (add) → {len(code.splitlines())} lines of Triton"
    )


def test_helpers_fold_under_one_line_after_the_kernel(shell: InteractiveShell) -> None:
    html = run_magic(shell, "", ADD_CELL).html()
    code = shell.user_ns["add"].triton_source.splitlines()
    # the line of its @triton.jit, counted from 1
    decorator = next(i for i, line in enumerate(code) if line.startswith("def add_kernel("))
    launcher = next(i for i, line in enumerate(code) if line.startswith("def add(")) + 1
    helpers = next(i for i in range(launcher, len(code)) if code[i].startswith("def ")) + 1
    assert decorator <= 15  # the kernel near the top of the module itself
    folds = re.findall(r'<details data-helpers="(\d+)"><summary[^>]*>([^<]*)</summary>', html)
    count = len(code) - helpers + 1  # from the first helper to the end
    assert folds == [(str(count), f"{count} lines of helpers (lines {helpers}–{len(code)})")]
    triton_pane = html[html.index('data-code="triton"') :]
    rows = re.findall(r'<div data-line="(\d+)"', triton_pane)
    assert rows == [str(n) for n in range(1, len(code) + 1)]  # the file's order
    assert triton_pane.index("<details") > triton_pane.index(f'data-line="{launcher}"')


def test_panes_scroll_wrap_and_take_theme_colours(shell: InteractiveShell) -> None:
    long_cell = ADD_CELL.replace(
        "out[tile] = x[tile] + y[tile]",
        "out[tile] = x[tile] + y[tile] + x[tile] * 0.0 + y[tile] * 0.0 + x[tile] * 0.0 + y[tile] * 0.0",
    )
    html = run_magic(shell, "", long_cell).html()
    for pane in ("source", "triton"):
        style = re.search(f'data-code="{pane}" style="([^"]*)"', html).group(1)
        assert "overflow:auto;max-height:36em;max-height:min(60vh,36em)" in style
    assert "white-space:pre-wrap;overflow-wrap:break-word;overflow-wrap:anywhere" in html
    assert "white-space:pre;" not in html.split("<script>")[0]  # long lines wrap, not cut
    # colours from JupyterLab's theme variables, after a plain colour for sanitisers of var()
    assert "background:#ffffff;background:var(--jp-layout-color0,#ffffff)" in html
    assert "color:#008000;color:var(--jp-mirror-editor-keyword-color,#008000)" in html
    for fixed in re.finditer(r"(background|color):(#[0-9a-fA-F]{3,6});", html):
        prop, value = fixed.groups()
        assert html[fixed.end() :].startswith(f"{prop}:var(--jp-"), fixed.group(0)


def test_tints_are_distinct_for_many_lines() -> None:
    from magics.highlight import colours_for

    tints = colours_for(list(range(1, 61)))
    assert len(set(tints.values())) == 60
    rgb = [tuple(map(int, re.findall(r"\d+", tint)[:3])) for tint in tints.values()]
    neighbours = [sum(abs(a - b) for a, b in zip(one, two)) for one, two in zip(rgb, rgb[1:])]
    assert min(neighbours) >= 150  # consecutive source lines never look alike
    assert all(tint.endswith(",0.2)") for tint in tints.values())  # translucent: any theme


def test_show_modes(shell: InteractiveShell) -> None:
    def panes(line: str) -> set[str]:
        parser = LineBackgrounds()
        parser.feed(run_magic(shell, line, ADD_CELL).html())
        return set(parser.lines)

    assert panes("--show side") == {"source", "triton"}
    assert panes("--show triton") == {"triton"}
    assert panes("--show source") == {"source"}
    assert run_magic(shell, "--show none", ADD_CELL).outputs == []


def test_view_is_deterministic(shell: InteractiveShell) -> None:
    first = run_magic(shell, "--force", ADD_CELL).outputs[0]
    second = run_magic(shell, "--force", ADD_CELL).outputs[0]
    assert first == second  # nbval compares the stored view with a fresh one


# --- export --------------------------------------------------------------------------------

STANDALONE_CHECK = """
import importlib.util, sys, torch
spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert "helion" not in sys.modules and "transpiler" not in sys.modules
torch.manual_seed(0)
x, y = torch.randn(999), torch.randn(999)
torch.testing.assert_close(module.add(x, y).double(), x.double() + y.double())
print("standalone ok")
"""


def test_export_writes_a_standalone_ruff_clean_module(
    shell: InteractiveShell, tmp_path: Path
) -> None:
    target = tmp_path / "kernels" / "add.py"
    shown = run_magic(shell, f"--export {target} --show none", ADD_CELL)
    assert shown.stdout.splitlines()[-2] == (
        f"exported add → {target} (standalone: needs torch and triton, not helion)"
    )
    assert shown.stdout.splitlines()[-1].startswith(f"note: `python {target}` checks nothing")
    text = target.read_text()
    store = "tl.store(out_ptrs, tl.cast(x_tile + y_tile, out_ptr.dtype.element_ty), mask=mask)"
    assert store in shell.user_ns["add"].triton_source and store in text  # the generated kernel
    assert "Kernels: add" in text and 'if __name__ == "__main__":' in text
    environment = {**os.environ, "TRITON_INTERPRET": "1", "CUDA_VISIBLE_DEVICES": ""}
    run = subprocess.run(
        [sys.executable, "-c", STANDALONE_CHECK, str(target)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "standalone ok"
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():  # the GPU machine's Python has no ruff; CI's always does
        pytest.skip("ruff is not installed beside this Python")
    for config in ([], ["--config", str(ROOT / "pyproject.toml")]):
        lint = subprocess.run(
            [str(ruff), "check", "--no-cache", *config, str(target)], capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr


def ruff_clean_at_defaults(target: Path) -> None:
    """`ruff check` and `ruff format --check` pass with ruff's own defaults (a user's project)."""
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():  # the GPU machine's Python has no ruff; CI's always does
        pytest.skip("ruff is not installed beside this Python")
    for command in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [str(ruff), *command, "--isolated", "--no-cache", str(target)],  # ruff's defaults
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_export_minimal_is_the_file_a_person_commits(
    shell: InteractiveShell, tmp_path: Path
) -> None:
    put(shell, x=torch.randn(50), y=torch.randn(50))
    target, full = tmp_path / "add.py", tmp_path / "add_full.py"
    shown = run_magic(
        shell,
        f"--run 'add(x, y)' --no-check --show none --export-minimal {target} --export {full}",
        ADD_CELL,
    )
    assert (
        f"exported add → {target} (kernels and launchers only: needs torch and triton, not helion)"
        in shown.stdout.splitlines()
    )
    text = target.read_text()
    for left_out in ("reference_add", "EXAMPLE_INPUTS", "__main__", "philox"):
        assert left_out not in text
    assert "philox_words" not in full.read_text()  # add draws no random numbers
    lines = text.splitlines()
    first_definition = next(n for n, line in enumerate(lines) if line.startswith(("def ", "@")))
    imports = [n for n, line in enumerate(lines) if line.startswith(("import ", "from "))]
    assert imports and max(imports) < first_definition  # every import at the top
    assert "TRITON_INTERPRET=1" in text and "numpy" in text  # how to run it without a GPU
    assert "Exported:" not in text and re.search(r"\(sha256 [0-9a-f]{16}\)", text)
    run_magic(
        shell, f"--run 'add(x, y)' --no-check --show none --export-minimal {target}", ADD_CELL
    )
    assert target.read_text() == text  # exported again: the same file, no timestamp
    ruff_clean_at_defaults(target)
    ruff_clean_at_defaults(full)
    environment = {**os.environ, "TRITON_INTERPRET": "1", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [sys.executable, "-c", STANDALONE_CHECK, str(target)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout.strip() == "standalone ok", done.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason="the interpreter is for machines without one")
def test_exported_self_check_chooses_the_interpreter_without_a_gpu(
    shell: InteractiveShell, tmp_path: Path
) -> None:
    put(shell, x=torch.randn(50), y=torch.randn(50))
    target = tmp_path / "add.py"
    run_magic(shell, f"--run 'add(x, y)' --no-check --show none --export {target}", ADD_CELL)
    environment = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    done = subprocess.run(
        [sys.executable, str(target)],
        capture_output=True,
        text=True,
        env={**environment, "CUDA_VISIBLE_DEVICES": ""},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "no GPU: running again under Triton's CPU interpreter (TRITON_INTERPRET=1)"
    assert lines[1].startswith("add: max error ") and "PASS" in lines[1]


@pytest.mark.skipif(torch.cuda.is_available(), reason="runs the cell on CPU tensors")
def test_export_of_rank_specialised_code_needs_a_run(
    shell: InteractiveShell, tmp_path: Path
) -> None:
    target = tmp_path / "add.py"
    shown = run_magic(shell, f"--export {target}", ANY_RANK_CELL)
    assert shown.stdout.splitlines()[-1] == (
        f"export: nothing written to {target}: a tile's rank comes from the arguments; "
        'add --run "add(x, y)" (with arguments of the ranks you will pass) to the magic line'
    )
    assert not target.exists()
    put(shell, x=torch.randn(3, 7), y=torch.randn(3, 7))
    run_magic(shell, f"--run 'add(x, y)' --no-check --export {target}", ANY_RANK_CELL)
    text = target.read_text()
    assert "x_stride_1" in text and '"add": [("tensor", (3, 7), "float32")' in text
    environment = {**os.environ, "TRITON_INTERPRET": "1", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(  # the file checks itself against the cell run eagerly
        [sys.executable, str(target)], capture_output=True, text=True, env=environment, timeout=300
    )
    assert done.returncode == 0 and "add: max error" in done.stdout, done.stdout + done.stderr


def test_highlighting_keeps_every_character_and_no_bare_whitespace() -> None:
    from magics.highlight import highlight_lines

    code = ADD_CELL + 'text = """a\n    b"""\n\n  \nx  =  1  # aligned\n'
    fragments = highlight_lines(code)
    plain = [html.unescape(re.sub(r"<[^>]+>", "", fragment)) for fragment in fragments]
    assert plain == code.splitlines()
    # Whitespace-only text between tags is collapsed by some pipelines (nbconvert): none here.
    assert not any(re.search(r">[ \t]+<", fragment) for fragment in fragments)


def test_a_saved_notebook_holds_the_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run by a real kernel, written to disk and read back: the view is in the file as HTML
    (no widget to miss its model when reopened), and nbconvert's HTML holds the panes."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    cells = [
        "%load_ext magics\nimport torch\nx, y = torch.randn(37), torch.randn(37)",
        '%%helion --run "add(x, y)"\n' + ADD_CELL,
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    monkeypatch.setenv("TRANSPILER_CACHE_DIR", str(tmp_path / "cache"))  # the kernel's too
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},  # imports `magics` from the repository
    )
    client.execute()
    saved = tmp_path / "saved.ipynb"
    nbformat.write(notebook, saved)
    outputs = nbformat.read(saved, as_version=4).cells[1].outputs
    views = [o for o in outputs if "data-helion-view" in o.get("data", {}).get("text/html", "")]
    assert len(views) == 1 and set(views[0].data) == {"text/html", "text/plain"}
    assert views[0].data["text/plain"].startswith("helion: 1 kernel (add) → ")
    assert not any("widget" in key for o in outputs for key in o.get("data", {}))
    assert "widgets" not in nbformat.read(saved, as_version=4).metadata
    converted = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", "--stdout", str(saved)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert converted.returncode == 0, converted.stderr[-2000:]
    page = converted.stdout
    assert 'data-pane="source"' in page and 'data-pane="triton"' in page
    assert 'data-source-line="9"' in page and "lines of helpers" in page
