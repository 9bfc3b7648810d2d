"""Test-wide setup: Triton interpreter on CPU, a private module cache, seeded inputs."""

import atexit
import os
import re
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

HAS_CUDA = torch.cuda.is_available()
ADDRESS = re.compile(r" at 0x[0-9a-f]{6,}")  # an object's default repr

# Triton reads TRITON_INTERPRET when @triton.jit decorates a function, so this must be
# set before any test module imports generated kernels. conftest is imported first.
if not HAS_CUDA:
    os.environ.setdefault("TRITON_INTERPRET", "1")

# Keep generated modules out of the user's cache; removed when the session ends.
if "TRANSPILER_CACHE_DIR" not in os.environ:
    _cache_dir = tempfile.mkdtemp(prefix="transpiler-test-cache-")
    os.environ["TRANSPILER_CACHE_DIR"] = _cache_dir
    atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)


# `kernels` is tests/kernels (the package of test kernels) for every test, whatever a test put
# on sys.path before it: benchmark scripts the tests load put benchmarks/ first, whose
# kernels.py would otherwise shadow the package for every later test in the process.
sys.path.insert(0, str(Path(__file__).parent))
import kernels as _test_kernels  # noqa: E402
import tree_reduce  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _combine_reductions_in_a_tree() -> Iterator[None]:
    """Triton's interpreter runs `tl.reduce` with a combine function (every amax / max of a
    generated kernel: the NaN-propagating max; argmax, Welford, prod) one element of the block
    at a time: for every test, a tree of whole-array steps instead (tests/tree_reduce.py)."""
    with tree_reduce.reductions_in_a_tree():
        yield


@pytest.fixture(autouse=True)
def _the_test_kernels_package() -> Iterator[None]:
    path = list(sys.path)
    yield
    sys.path[:] = path
    if sys.modules.get("kernels") is not _test_kernels:
        for name in [n for n in sys.modules if n == "kernels" or n.startswith("kernels.")]:
            del sys.modules[name]
        sys.modules["kernels"] = _test_kernels


# Every generated kernel the interpreter launches is also compiled for sm_90 (issue 14: the
# interpreter runs code Triton's GPU compiler rejects); TRANSPILER_COMPILE_CHECK=0 turns it
# off, another target name checks that target (docs/testing.md).
# The compiles run in a subprocess while the test goes on; each test waits for its own at
# its end, so a kernel the GPU compiler rejects fails the test that launched it.
COMPILE_CHECK = None
if not HAS_CUDA:
    from transpiler.analysis.targets import check as compile_check

    COMPILE_CHECK = compile_check.install_from_environment(default="sm_90", wait=False)


@pytest.fixture(autouse=True)
def _compiled_for_a_gpu() -> Iterator[None]:
    """After each test: its kernels' GPU compiles finished, and each one succeeded."""
    yield
    if COMPILE_CHECK:
        compile_check.drain()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many launches the GPU compile check compiled, and the time tests waited for it."""
    if COMPILE_CHECK and compile_check.STATISTICS["launches"]:
        statistics = compile_check.STATISTICS
        terminalreporter.write_line(
            f"compile check ({COMPILE_CHECK}): {statistics['launches']} launches checked, "
            f"{statistics['compiled']} compiled in {statistics['compiling']:.1f} s (a subprocess "
            f"beside the tests), tests waited {statistics['waited']:.1f} s for them"
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse test ids that name an object's address (`<function <lambda> at 0x7f...>`): the
    test processes of `./dev test` collect different ids and stop, and each test's seed (its
    id) changes run to run. Skip tests marked `gpu` when there is no CUDA device."""
    unstable = [item.nodeid for item in items if ADDRESS.search(item.nodeid)]
    if unstable:
        raise pytest.UsageError(
            f"{len(unstable)} test ids name an address, e.g. {unstable[0]}: give the "
            "parametrize an ids= that spells each value (a callable's ids can return None)"
        )
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
