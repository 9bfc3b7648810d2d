"""A real browser: JupyterLab in headless Chromium runs a %%helion cell; both panes render, linked."""

from __future__ import annotations

import importlib.util
import json
import os
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

# For each pane: every line's cell line (data-source-line) and its computed background colour.
READ_PANES = """() => {
  const panes = {};
  for (const pane of document.querySelectorAll('[data-pane]')) {
    const lines = [...pane.querySelectorAll('[data-line]')].map(line => ({
      source: line.dataset.sourceLine ?? null,
      background: getComputedStyle(line).backgroundColor,
      visible: line.getBoundingClientRect().height > 0,
    }));
    panes[pane.dataset.pane] = lines;
  }
  panes.inWidget = !!document.querySelector('.jupyter-widgets [data-pane]');
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


def test_side_by_side_renders_in_jupyterlab(jupyter_lab: tuple[str, str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    base, token, tmp_path = jupyter_lab
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(f"{base}/lab/tree/side_by_side.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            # The kernel is ready when its status reads idle; then run every cell.
            page.wait_for_function(
                "() => document.querySelector('.jp-Notebook') !== null", timeout=60_000
            )
            page.locator(".jp-Notebook .jp-Cell").first.click()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_text("Run All Cells", exact=True).click()
            page.wait_for_selector("[data-pane='triton'] [data-line]", timeout=180_000)
            # a regex, case-sensitive: `text=PASS` would also match "pass" in generated code
            page.wait_for_selector("text=/PASS +float32/", timeout=60_000)
            panes = page.evaluate(READ_PANES)
            output = page.locator(".jp-OutputArea-output", has=page.locator("[data-pane]"))
            shot = tmp_path / "side-by-side.png"
            output.first.screenshot(path=str(shot))
            text = page.locator(".jp-Notebook").inner_text()
        finally:
            browser.close()

    assert shot.stat().st_size > 10_000
    if os.environ.get(SCREENSHOT_ENV):
        destination = Path(os.environ[SCREENSHOT_ENV])
        destination.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, destination / "side-by-side.png")
    (tmp_path / "panes.json").write_text(json.dumps(panes, indent=1))

    source, triton = panes["source"], panes["triton"]
    assert len(source) == len(CELLS[1].splitlines()) - 1  # the magic line is not in the cell
    assert all(line["visible"] for line in source + triton)
    untinted = {"rgba(0, 0, 0, 0)", "transparent"}
    source_colour = {line["source"]: line["background"] for line in source}
    linked = [line for line in triton if line["source"] is not None]
    assert linked, "no generated line cites a source line"
    for line in linked:
        assert line["background"] not in untinted
        assert line["background"] == source_colour[line["source"]]
    shared = {line["background"] for line in linked} & set(source_colour.values())
    assert len(shared) >= 3, f"too few colours shared between the panes: {shared}"
    assert "PASS  float32 (37,)" in text
    assert "Traceback" not in text
