"""Execute the tutorial notebooks: in place through a kernel (for nbval), or in-process (GPU runs).

    .venv/bin/python notebooks/execute.py [NOTEBOOK ...]        store outputs (default: all)
    python notebooks/execute.py --in-process [NOTEBOOK ...]     run, print, store nothing

The view is plain HTML (no widget), so the stored outputs are what a live run shows, and what
nbconvert, GitHub and JupyterLab without a kernel show. `--in-process` runs the code cells in
one IPython shell, so it needs IPython but no kernel, ipykernel or nbclient.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def this_tree_first() -> None:
    """The kernel (and this process) import `transpiler` and `magics` from this checkout, not
    from the one the virtual environment was installed from (a worktree's notebooks executed
    with main's transpiler store main's code)."""
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def execute(path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nbformat.write(notebook, path)
    print(f"executed {path.name}")


def run_in_process(path: Path) -> bool:
    """Run the code cells in a fresh IPython namespace; print what they print. True if all ran."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.reset(new_session=False)
    shell.extension_manager.loaded.discard("magics")  # each notebook loads it afresh
    os.chdir(path.parent)
    started = time.monotonic()
    print(f"===== {path.name}", flush=True)
    for number, cell in enumerate(json.loads(path.read_text())["cells"], start=1):
        if cell["cell_type"] == "code" and not shell.run_cell("".join(cell["source"])).success:
            print(f"FAILED: {path.name} cell {number}")
            return False
    print(f"----- {path.name}: {time.monotonic() - started:.1f} s", flush=True)
    return True


def main(arguments: list[str]) -> int:
    in_process = "--in-process" in arguments
    this_tree_first()
    names = [a for a in arguments if a != "--in-process"]
    paths = [Path(a).resolve() for a in names] or sorted(HERE.glob("*.ipynb"))
    if not in_process:
        for path in paths:
            execute(path)
        return 0
    return 0 if all([run_in_process(path) for path in paths]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
