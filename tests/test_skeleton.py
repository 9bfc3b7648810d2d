"""The project's promises about its entry points, pins and test environment."""

import os
import re
import tomllib
import zlib
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent


def _first_code_block(markdown: str) -> list[str]:
    match = re.search(r"^```[^\n]*\n(.*?)^```", markdown, re.MULTILINE | re.DOTALL)
    assert match, "README has no code block"
    return [line for line in match.group(1).splitlines() if line.strip()]


def _commands(lines: list[str]) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in lines]


def test_readme_opens_with_exactly_demo_and_test() -> None:
    lines = _first_code_block((ROOT / "README.md").read_text())
    assert _commands(lines) == ["./dev demo", "./dev test"]


def test_readme_commands_exist_in_dev() -> None:
    dev = ROOT / "dev"
    assert os.access(dev, os.X_OK), "dev must be executable"
    text = dev.read_text()
    for subcommand in ("demo)", "test)", "lint)"):
        assert subcommand in text


def test_ci_runs_dev_test() -> None:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    code = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert "set -euo pipefail" in code
    assert "./dev test" in code


def _dependencies() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = {}
    for requirement in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()
        specs[name] = requirement[len(name) :].replace(" ", "")
    return specs


def test_pyproject_pins() -> None:
    deps = _dependencies()
    assert deps["triton"] == "==3.6.0"
    assert "<2.4" in deps["numpy"].split(",")
    assert "<2.14" in deps["torch"].split(",")


def test_installed_torch_within_pins() -> None:
    major, minor = (int(part) for part in torch.__version__.split(".")[:2])
    assert (2, 11) <= (major, minor) < (2, 14)


def test_conftest_environment() -> None:
    if not torch.cuda.is_available():
        assert os.environ.get("TRITON_INTERPRET") == "1"
    cache = Path(os.environ["TRANSPILER_CACHE_DIR"])
    assert not cache.is_relative_to(Path.home() / ".cache")


def test_seed_is_per_test_and_reproducible(request: pytest.FixtureRequest) -> None:
    first = torch.rand(4)
    torch.manual_seed(zlib.crc32(request.node.nodeid.encode()))
    assert torch.equal(first, torch.rand(4))
