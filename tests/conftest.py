"""Test-wide setup: Triton interpreter on CPU, a private module cache, seeded inputs."""

import atexit
import os
import shutil
import tempfile
import zlib

import pytest
import torch

HAS_CUDA = torch.cuda.is_available()

# Triton reads TRITON_INTERPRET when @triton.jit decorates a function, so this must be
# set before any test module imports generated kernels. conftest is imported first.
if not HAS_CUDA:
    os.environ.setdefault("TRITON_INTERPRET", "1")

# Keep generated modules out of the user's cache; removed when the session ends.
if "TRANSPILER_CACHE_DIR" not in os.environ:
    _cache_dir = tempfile.mkdtemp(prefix="transpiler-test-cache-")
    os.environ["TRANSPILER_CACHE_DIR"] = _cache_dir
    atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)


# Every generated kernel the interpreter launches is also compiled for sm_90 (issue 14: the
# interpreter runs code Triton's GPU compiler rejects); TRANSPILER_COMPILE_CHECK=0 turns it
# off, another target name checks that target (docs/testing.md).
if not HAS_CUDA:
    from transpiler.targets.check import STATISTICS, install_from_environment

    COMPILE_CHECK = install_from_environment(default="sm_90")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many launches the GPU compile check compiled, and the time it took."""
    if not HAS_CUDA and COMPILE_CHECK and STATISTICS["launches"]:
        terminalreporter.write_line(
            f"compile check ({COMPILE_CHECK}): {STATISTICS['launches']} launches checked, "
            f"{STATISTICS['compiled']} compiled, {STATISTICS['seconds']:.1f} s"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked `gpu` when there is no CUDA device."""
    if HAS_CUDA:
        return
    skip_gpu = pytest.mark.skip(reason="needs a CUDA GPU (torch.cuda.is_available() is False)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)


@pytest.fixture
def device() -> str:
    """The device tests allocate on: "cuda" when available, else "cpu" (interpreter)."""
    return "cuda" if HAS_CUDA else "cpu"


@pytest.fixture(autouse=True)
def _seed_torch(request: pytest.FixtureRequest) -> None:
    """Fresh random inputs per test, reproducible run to run (seed from the test's id)."""
    torch.manual_seed(zlib.crc32(request.node.nodeid.encode()))
