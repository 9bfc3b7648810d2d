"""`transpiler.export`: one standalone, self-checking Triton module per request."""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch

from ..compile.pipeline import Transpiled, transpile_module
from ..run.autotune import shape_key
from ..run.runtime import Kernel
from ..run.tile_configs import candidates
from .reference import __file__ as _REFERENCE_FILE
from .reference import language_section
from .user_reference import reference_section

MAIN_TEMPLATE = Path(__file__).with_name("main.py")
EMBED_MARK = "# --- everything below is copied into exported modules, verbatim ---\n"


def version() -> str:
    try:
        return importlib.metadata.version("helion-triton-transpiler")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def describe(value: Any) -> Any:
    """An example argument as the file records it: ("tensor", shape, dtype) or the value."""
    if isinstance(value, torch.Tensor):
        return ("tensor", tuple(value.shape), str(value.dtype).removeprefix("torch."))
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    raise TypeError(f"export: cannot record example argument of type {type(value).__name__}")


def _plain_import(line: str) -> str:
    """`import torch as torch` (how kernels' preludes spell it) → `import torch`."""
    words = line.split()
    if len(words) == 4 and words[0] == "import" and words[2] == "as" and words[1] == words[3]:
        return f"import {words[1]}"
    return line


def _split_generated(code: str) -> tuple[list[str], str]:
    """(import lines, the rest) of a generated module, its own docstring dropped."""
    lines = code.splitlines()
    if lines and lines[0].startswith('"""'):
        lines = lines[1:]
    imports = [line for line in lines if line.startswith(("import ", "from "))]
    rest = [line for line in lines if line not in imports]
    return imports, "\n".join(rest).strip()


def _embedded(path: str | Path) -> str:
    return Path(path).read_text().split(EMBED_MARK, 1)[1].strip()


def _tidy(text: str) -> str:
    """`ruff check --fix` (import order) and `ruff format`, when ruff is at hand."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists() and shutil.which("ruff") is None:
        return text
    settings = ["--isolated", "--stdin-filename", "exported.py"]  # ruff's defaults, as a user's
    for command in (["check", "--fix", "--select", "I,F401", "--quiet"], ["format", "--quiet"]):
        done = subprocess.run(
            [ruff, *command, *settings, "-"], input=text, capture_output=True, text=True
        )
        if done.returncode == 0 or (command[0] == "check" and done.stdout):
            text = done.stdout or text
    return text


def export_text(
    kernel_or_source: Kernel | str,
    *,
    example_args: tuple | dict[str, tuple] | None = None,
    config: dict | None = None,
    keep_autotune: bool | list[dict] = False,
    filename: str | None = None,
    minimal: bool = False,
) -> str:
    """The text `export` writes; `minimal` leaves out the reference and the self-check (the
    file is then the imports, the kernels and their launchers)."""
    if isinstance(kernel_or_source, Kernel):
        kernel = kernel_or_source
        source, filename, only = kernel.source, filename or kernel.filename, (kernel.name,)
        if example_args is None and kernel.last_args:
            example_args = kernel.last_args
        if config is None and not keep_autotune and isinstance(example_args, tuple):
            config = _tuned(kernel, example_args)
    else:
        kernel, source, filename, only = None, kernel_or_source, filename or "<string>", None
    transpiled = transpile_module(
        source, filename=filename, example_args=example_args, only=only, config=config
    )
    if keep_autotune:
        if config is not None:
            raise ValueError("export: give either config= or keep_autotune=, not both")
        autotune = autotune_configs(transpiled, kernel, keep_autotune)
        transpiled = transpile_module(
            source,
            filename=filename,
            example_args=example_args,
            only=only,
            autotune_configs=autotune,
        )
        config = f"autotuned on first call per key (@triton.autotune: {_counted(autotune)})"
    names = transpiled.kernels
    if isinstance(example_args, tuple):
        example_args = {names[0]: example_args} if len(names) == 1 else {}
    examples = {name: [describe(a) for a in args] for name, args in (example_args or {}).items()}
    generated_imports, generated = _split_generated(transpiled.code)
    user_imports, reference = reference_section(source, names)
    shown = ", ".join(names)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]  # the same source, the same file
    usage = (
        "Standalone: needs torch and triton only. Without a GPU, set TRITON_INTERPRET=1 before\n"
        "triton is imported (Triton's CPU interpreter, which also needs numpy).\n"
        if minimal
        else "Standalone: needs torch and triton only. Run it (`python THIS_FILE.py`) to check the\n"
        "kernels against the reference section (the same source run eagerly in PyTorch) and\n"
        "time them; without a GPU it runs itself again under Triton's CPU interpreter\n"
        "(TRITON_INTERPRET=1, which also needs numpy).\n"
    )
    docstring = (
        f'"""Triton kernels {shown}, exported from {Path(filename).name} by transpiler {version()}.\n\n'
        f"Source: {filename} (sha256 {digest})\nKernels: {shown}\n"
        f"Config: {config if config is not None else 'the kernels own (decorator or defaults)'}\n"
        + usage
        + '"""'
    )
    language_imports, language = language_section(reference)
    if minimal:
        language_imports = []
    imports = dict.fromkeys(
        map(_plain_import, [*language_imports, *generated_imports, *user_imports])
    )
    checks = ",\n".join(
        f'        check("{n}", {n}, reference_{n}, EXAMPLE_INPUTS["{n}"])'
        for n in names
        if n in examples
    )
    if minimal:
        return _tidy("\n\n\n".join([docstring, "\n".join(imports), generated]) + "\n")
    parts = [
        docstring,
        "\n".join(imports),
        "# --- the generated kernels and launchers ---",
        generated,
        "# --- reference: the kernels' source run eagerly in PyTorch, one tile per range ---",
        language,
        _embedded(_REFERENCE_FILE),
        reference,
        "# --- self-check: random inputs with the recorded shapes, reference vs kernel ---",
        f"EXAMPLE_INPUTS = {examples!r}",
        _embedded(MAIN_TEMPLATE),
        f'if __name__ == "__main__":\n    interpret_without_gpu()\n    first_config_only(globals())\n'
        f"    results = [\n{checks}\n    ]\n"
        "    raise SystemExit(0 if all(results) else 1)",
    ]
    return _tidy("\n\n\n".join(parts) + "\n")


def autotune_configs(
    transpiled: Transpiled, kernel: Kernel | None, keep: bool | list[dict]
) -> dict[str, list[dict]]:
    """Per kernel, the configs a `@triton.autotune` list searches: `keep` when it is a list (for
    the kernels with that many tunable tiles), else the kernel's own `configs=`, else the
    candidates its tiles' roles suggest. Kernels with none keep their fixed config."""
    chosen = {}
    for name in transpiled.kernels:
        tunables = transpiled.tunables.get(name, ())
        given = kernel.settings.get("configs") if kernel is not None else None
        if isinstance(keep, (list, tuple)):
            configs = [dict(c) for c in keep]
            if any(len(c.get("block_sizes") or []) != len(tunables) for c in configs):
                continue
        elif isinstance(given, (list, tuple)):
            configs = [dict(c) for c in given]
        else:
            axes = tuple(block.axes for block in transpiled.block_defaults.get(name, ()))
            configs = candidates(tunables, transpiled.phases.get(name), axes=axes)
        if configs:
            chosen[name] = configs
    if not chosen:
        raise ValueError(
            "export(keep_autotune=...): no kernel has autotune candidates (no tunable tile "
            "sizes, several plain tiles, or block_sizes of another "
            "length); pass keep_autotune=[{'block_sizes': [...], 'num_warps': 4}, ...]"
        )
    return chosen


def _counted(configs: dict[str, list[dict]]) -> str:
    return ", ".join(f"{name} over {len(c)} configs" for name, c in configs.items())


def _tuned(kernel: Kernel, args: tuple) -> dict | None:
    """The config the kernel autotuned for these shapes, if it did."""
    if "config" in kernel.settings:
        return None  # the decorator's config is in the source already
    if all(not isinstance(a, torch.Tensor) or not a.is_meta for a in args) and kernel.tunes(args):
        return kernel.tuned_config(args)
    return kernel._tuned.get(shape_key(args))


def export(
    kernel_or_source: Kernel | str,
    path: str | Path,
    *,
    example_args: tuple | dict[str, tuple] | None = None,
    config: dict | None = None,
    keep_autotune: bool | list[dict] = False,
    filename: str | None = None,
    minimal: bool = False,
) -> Path:
    """Write a standalone module (torch + triton only) with the launchers and a self-check.

    `keep_autotune=True` keeps the search in the file: each kernel gets a `@triton.autotune`
    list (its `configs=`, else the candidates `transpiler.run.autotune` would try) keyed on its
    size arguments; a list of Helion-style configs gives that list instead. `minimal=True`
    writes the kernels and launchers only (no reference, no self-check)."""
    text = export_text(
        kernel_or_source,
        example_args=example_args,
        config=config,
        keep_autotune=keep_autotune,
        filename=filename,
        minimal=minimal,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
