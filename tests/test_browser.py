"""A real browser: JupyterLab in headless Chromium runs %%helion cells; the view fits, links, survives."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Set to a folder to keep the screenshot there too (docs/screenshots when refreshing the docs).
SCREENSHOT_ENV = "HELION_SCREENSHOT_DIR"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None, reason="needs the playwright package"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("jupyterlab") is None, reason="needs the jupyterlab package"
    ),
]

CELLS = [
    "%load_ext magics\nimport torch\n\ntorch.manual_seed(0)\nx = torch.randn(37)\ny = torch.randn(37)",
    """%%helion --run "add(x, y)"
import torch
import helion
import helion.language as hl


@helion.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile] + y[tile]
    return out""",
]

TUTORIALS = ("01-vector-add.ipynb", "05-matmul.ipynb")
VIEWPORT = {"width": 1440, "height": 900}  # a laptop

# For each pane of the first view: every line's cell line (data-source-line), its computed
# background, whether it shows (a folded helper does not) and whether it is lit; the pane's box.
READ_PANES = """() => {
  const view = document.querySelector('[data-helion-view]');
  const panes = {};
  for (const pane of view.querySelectorAll('[data-pane]')) {
    const code = pane.querySelector('[data-code]').getBoundingClientRect();
    const box = pane.getBoundingClientRect();
    const lines = [...pane.querySelectorAll('[data-line]')].map(line => {
      const at = line.getBoundingClientRect();
      const shown = line.checkVisibility();  // false inside a closed <details>
      return {
        number: Number(line.dataset.line),
        source: line.dataset.sourceLine ?? null,
        text: line.textContent,
        background: getComputedStyle(line).backgroundColor,
        shown,
        inView: shown && at.top >= code.top - 1 && at.bottom <= code.bottom + 1,
        lit: line.hasAttribute('data-lit'),
      };
    });
    panes[pane.dataset.pane] = {
      lines, top: box.top, bottom: box.bottom, left: box.left, right: box.right,
      background: getComputedStyle(pane).backgroundColor,
    };
  }
  return panes;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(url: str, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"jupyter lab did not answer at {url}")


@pytest.fixture
def jupyter_lab(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """JupyterLab on a free localhost port with a token, serving a folder with one notebook."""
    folder = tmp_path / "lab"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, folder / "side_by_side.ipynb")
    for tutorial in TUTORIALS:  # as stored, opened without running them
        shutil.copy(ROOT / "notebooks" / tutorial, folder / tutorial)
    # No news or update pop-ups over the page (they would ask the network, and cover outputs).
    notification = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port, token = free_port(), secrets.token_hex(16)
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "TRANSPILER_CACHE_DIR": str(tmp_path / "cache"),
    }
    log = (tmp_path / "jupyter.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={folder}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: the theme command
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        cwd=folder,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/api/status?token={token}", process, time.monotonic() + 120)
        yield base, token, tmp_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def brightness(css_colour: str) -> float:
    """0 (black) … 255 (white) for an `rgb(…)` / `rgba(…)` computed colour."""
    red, green, blue = (float(v) for v in css_colour.split("(")[1].rstrip(")").split(",")[:3])
    return 0.299 * red + 0.587 * green + 0.114 * blue


def assert_linked_on_hover(page, pane: str, line: str) -> None:
    """Hovering `line` of `pane` lights its partners in both panes, the other pane scrolled."""
    page.hover(f"[data-helion-view] [data-pane='{pane}'] [data-source-line='{line}']")
    panes = page.evaluate(READ_PANES)
    for name, found in panes.items():
        partners = [row for row in found["lines"] if row["source"] == line]
        assert partners and all(row["lit"] for row in partners), (name, line)
        assert any(row["inView"] for row in partners), (name, line, "not scrolled into view")
        assert not any(row["lit"] for row in found["lines"] if row["source"] != line)


def assert_fits(panes: dict, height: int) -> None:
    """Both panes side by side, each no taller than the screen."""
    source, triton = panes["source"], panes["triton"]
    assert source["right"] <= triton["left"] and abs(source["top"] - triton["top"]) < 1
    for pane in (source, triton):
        assert pane["bottom"] - pane["top"] <= height * 0.7, pane


def run_all(page) -> None:
    """Run every cell once the notebook's kernel is idle (menu clicks race the kernel's start)."""
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status"
        " === 'idle'",
        timeout=180_000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def open_notebook(page, base: str, token: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)


def test_view_fits_links_and_survives(jupyter_lab: tuple[str, str, Path]) -> None:
    """A user's notebook: run, hover both ways, save, reopen with a new kernel, dark theme,
    nbconvert's HTML (with its script, and without, as GitHub shows it)."""
    from playwright.sync_api import sync_playwright

    base, token, tmp_path = jupyter_lab
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            open_notebook(page, base, token, "side_by_side.ipynb")
            run_all(page)
            try:
                page.wait_for_selector("[data-pane='triton'] [data-source-line]", timeout=300_000)
            except Exception:  # say what the notebook shows instead
                print(page.locator(".jp-Notebook").inner_text())
                page.screenshot(path=str(tmp_path / "failed.png"))
                raise
            page.wait_for_function(  # the check's verdict, printed above the view
                "() => /(PASS|FAIL)  float32/.test(document.querySelector('.jp-Notebook').innerText)",
                timeout=60_000,
            )
            output = page.locator(".jp-OutputArea-output", has=page.locator("[data-pane]"))
            output.first.scroll_into_view_if_needed()
            panes = page.evaluate(READ_PANES)
            assert_fits(panes, VIEWPORT["height"])
            check_linked_tints(panes)
            assert_linked_on_hover(page, "source", "9")
            assert_linked_on_hover(page, "triton", "8")
            shot = tmp_path / "side-by-side.png"
            output.first.screenshot(path=str(shot))
            text = page.locator(".jp-Notebook").inner_text()
            assert "PASS  float32 (37,)" in text and "Traceback" not in text

            # saved, the kernel shut down, reopened: the same view, no widget error
            page.keyboard.press("Control+s")
            page.wait_for_timeout(2_000)
            page.evaluate("() => window.jupyterapp.commands.execute('kernelmenu:shutdown')")
            page.wait_for_timeout(2_000)
            page.evaluate("() => window.jupyterapp.commands.execute('application:close-all')")
            open_notebook(page, base, token, "side_by_side.ipynb")
            page.wait_for_selector("[data-pane='triton'] [data-source-line]", timeout=60_000)
            assert "Error displaying widget" not in page.locator(".jp-Notebook").inner_text()
            check_linked_tints(page.evaluate(READ_PANES))
            assert_linked_on_hover(page, "source", "9")

            # dark theme: the panes take JupyterLab's colours
            light = page.evaluate(READ_PANES)["triton"]["background"]
            page.evaluate(
                "() => window.jupyterapp.commands.execute("
                "'apputils:change-theme', {theme: 'JupyterLab Dark'})"
            )
            page.wait_for_timeout(3_000)
            dark = page.evaluate(READ_PANES)["triton"]["background"]
            assert brightness(light) > 200 and brightness(dark) < 80, (light, dark)

            # nbconvert's HTML of the saved notebook, with its script and without (GitHub)
            converted = convert_to_html(tmp_path / "lab" / "side_by_side.ipynb", tmp_path)
            page.goto(converted.as_uri())
            check_linked_tints(page.evaluate(READ_PANES))
            assert_linked_on_hover(page, "triton", "9")
            stripped = tmp_path / "no_script.html"
            stripped.write_text(re.sub(r"(?s)<script>.*?</script>", "", converted.read_text()))
            page.goto(stripped.as_uri())
            check_linked_tints(page.evaluate(READ_PANES))
        finally:
            browser.close()

    assert shot.stat().st_size > 10_000
    if os.environ.get(SCREENSHOT_ENV):
        destination = Path(os.environ[SCREENSHOT_ENV])
        destination.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, destination / "side-by-side.png")


# a generated module's header (its docstring and imports, then the kernel's decorator and
# name), which may come before the first line citing the cell; a line may carry its number
MODULE_HEADER = re.compile(r'\d*(\s*$|\s*(import |from |"""|@triton\.jit|def \w+_kernel\())')


def check_linked_tints(panes: dict) -> None:
    """Every line of the cell shown; the kernel (not a helper) first; partners share a tint."""
    source, triton = panes["source"]["lines"], panes["triton"]["lines"]
    assert len(source) == len(CELLS[1].splitlines()) - 1  # the magic line is not in the cell
    assert all(line["shown"] for line in source)
    # the module's header (its docstring and imports, at the top as a person writes them) may
    # come first; then the kernel, not a helper: every shown line before the first line citing
    # the cell belongs to that header
    shown = [line for line in triton if line["shown"]]
    first_cited = next(i for i, line in enumerate(shown) if line["source"] is not None)
    before = [line["text"] for line in shown[:first_cited]]
    assert all(MODULE_HEADER.match(text) for text in before), f"helpers are not folded: {before}"
    untinted = {"rgba(0, 0, 0, 0)", "transparent"}
    source_colour = {line["source"]: line["background"] for line in source}
    linked = [line for line in triton if line["source"] is not None]
    assert linked, "no generated line cites a source line"
    for line in linked:
        assert line["background"] not in untinted
        assert line["background"] == source_colour[line["source"]]
    shared = {line["background"] for line in linked} & set(source_colour.values())
    assert len(shared) >= 3, f"too few colours shared between the panes: {shared}"


def convert_to_html(notebook: Path, folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "html", "--output-dir", str(folder), notebook],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder / notebook.with_suffix(".html").name


# A view as an untrusted notebook shows it (JupyterLab's sanitiser drops data-* attributes,
# <details>, <script> and var()): found by its pane titles, its rows by their `title`.
READ_SANITISED = """() => {
  const view = [...document.querySelectorAll('.jp-OutputArea-output')]
    .find(output => output.innerText.includes('Generated Triton'));
  view.scrollIntoView();
  const titles = [...view.querySelectorAll('div')].filter(
    div => div.children.length === 0 && /^(Helion source|Generated Triton)/.test(div.textContent));
  return titles.map(title => {
    const pane = title.parentElement, box = pane.getBoundingClientRect();
    const rows = [...pane.querySelectorAll('[title^="cell line"]')];
    const blank = ['rgba(0, 0, 0, 0)', 'transparent'];
    return {
      top: box.top, bottom: box.bottom, left: box.left, right: box.right,
      ...(() => {  // the first row citing the cell, and the rows before it (the module's header)
        const kids = [...pane.children[1].children];
        const at = kids.findIndex(k => (k.getAttribute('title') || '').startsWith('cell line'));
        return {
          first: at >= 0 ? kids[at].getAttribute('title') : null,
          header: kids.slice(0, Math.max(at, 0)).map(k => k.textContent),
        };
      })(),
      rows: rows.length,
      tinted: rows.filter(row => !blank.includes(getComputedStyle(row).backgroundColor)).length,
    };
  });
}"""


@pytest.mark.parametrize("tutorial", TUTORIALS)
def test_stored_tutorial_fits(jupyter_lab: tuple[str, str, Path], tutorial: str) -> None:
    """A tutorial as stored in the repository, opened without running it: untrusted, so
    sanitised; the panes still fit side by side, tinted, the kernel first."""
    from playwright.sync_api import sync_playwright

    base, token, _ = jupyter_lab
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            open_notebook(page, base, token, tutorial)
            view = page.locator(".jp-OutputArea-output", has_text="Generated Triton")
            view.first.wait_for(timeout=60_000)
            source, triton = page.evaluate(READ_SANITISED)
            if os.environ.get(SCREENSHOT_ENV):  # how an untrusted tutorial shows the view
                shot = Path(os.environ[SCREENSHOT_ENV]) / f"untrusted-{Path(tutorial).stem}.png"
                view.first.screenshot(path=str(shot))
        finally:
            browser.close()
    assert_fits({"source": source, "triton": triton}, VIEWPORT["height"])
    assert triton["first"] is not None and triton["first"].startswith("cell line ")
    assert all(MODULE_HEADER.match(text) for text in triton["header"]), triton["header"]
    assert triton["tinted"] == triton["rows"] > 10 and source["tinted"] >= 3
