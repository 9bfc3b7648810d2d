"""benchmarks/helion_tests.py on a tiny test file of our own, written as Helion's are (no
Helion code): each outcome the runner tells apart, from one pytest worker."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import helion_examples_fetch  # noqa: E402
import helion_tests  # noqa: E402

TESTS = """\
import unittest

import torch

import helion
from helion import _compat
from helion._testing import DEVICE, TestCase, code_and_output, onlyBackends, skipIfNotCUDA
from helion._testing import skipIfRefEager
from helion._compiler.compile_environment import CompileEnvironment
import helion.language as hl


@helion.kernel
def scaled_sum(x, y):
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(out.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n] * 2.5 + y[tile_n]
    return out


@onlyBackends(["triton", "cute"])
class TestCorpus(TestCase):
    def args(self):
        return torch.randn(37, 19, device=DEVICE), torch.randn(19, device=DEVICE)

    @skipIfRefEager("compiled only")
    def test_pass(self):
        x, y = self.args()
        code, out = code_and_output(scaled_sum, (x, y), block_sizes=[16, 8])
        torch.testing.assert_close(out, x * 2.5 + y)
        self.assertIn("tl.make_block_ptr", code)  # Helion's code: skipped

    def test_reads_code_after_results(self):
        x, y = self.args()
        code, out = code_and_output(scaled_sum, (x, y))
        assert torch.allclose(out, x * 2.5 + y)
        assert "tl.load" in code

    def test_wrong(self):
        x, y = self.args()
        _, out = code_and_output(scaled_sum, (x, y), block_sizes=[8, 8])
        torch.testing.assert_close(out, x * 2.0 + y)  # the test's own comparison fails

    def test_wrong_by_allclose(self):
        x, y = self.args()
        _, out = code_and_output(scaled_sum, (x, y), block_sizes=[8, 8])
        self.assertTrue(torch.allclose(out, x - y))

    def test_refused(self):
        x, y = self.args()
        code_and_output(scaled_sum, (x, y), block_sizes=[16, 8], no_such_field=3)

    def test_harness(self):
        x, y = self.args()
        scaled_sum.bind((x, y)).config_spec

    def test_internals(self):
        CompileEnvironment.current()

    @skipIfNotCUDA()
    def test_skip(self):
        raise AssertionError("never runs")


@onlyBackends(["pallas"])
class TestOtherBackend(TestCase):
    def test_never(self):
        raise AssertionError("never runs")
"""


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("helion_tests")
    (folder / "test_corpus.py").write_text(TESTS)
    out = folder / "results.json"
    argv = ["--tests", str(folder), "--json", str(out), "--timeout", "120"]
    assert helion_tests.main(argv) == 0
    results = json.loads(out.read_text())["results"]
    return {r["test"].split("::")[-1]: r for r in results}


@pytest.mark.parametrize(
    ("test", "outcome", "why"),
    [
        ("test_pass", "pass", "1 code checks skipped"),
        ("test_reads_code_after_results", "pass", "results compared"),
        ("test_wrong", "wrong", "Mismatched elements"),
        ("test_wrong_by_allclose", "wrong", "AssertionError"),
        ("test_refused", "refused", "ConfigError: the config of scaled_sum has no field"),
        ("test_harness", "harness", "config_spec"),
        ("test_internals", "harness", "helion._compiler.compile_environment"),
        ("test_skip", "skip", "needs a GPU"),
        ("test_never", "skip", "not Triton"),
    ],
)
def test_each_outcome(records, test, outcome, why):
    record = records[test]
    assert record["outcome"] == outcome, record
    assert why in record["why"], record


def test_the_table_counts_each_outcome(records):
    table = helion_tests.table(list(records.values())).splitlines()
    assert table[0].split() == ["file", *helion_tests.OUTCOMES]
    counts = dict(zip(helion_tests.OUTCOMES, map(int, table[-1].split()[1:]), strict=True))
    assert counts == {"pass": 2, "refused": 1, "wrong": 2, "crash": 0, "check": 0,
                      "harness": 2, "skip": 2, "timeout": 0}  # fmt: skip


def test_the_worker_keeps_the_callers_python_path(tmp_path, monkeypatch):
    """Ours first, then the caller's: on the H100 the worker lost the machine's wheels
    (/tmp/site: no libcst) and every file ran no test."""
    seen = {}
    monkeypatch.setenv("PYTHONPATH", "/elsewhere/site")
    monkeypatch.setattr(helion_tests.subprocess, "run", lambda *a, env, **k: seen.update(env))
    args = argparse.Namespace(timeout=1.0, file_timeout=5.0, gpu_target="none", k=None)
    helion_tests.run_file(tmp_path / "test_corpus.py", args)
    paths = seen["PYTHONPATH"].split(os.pathsep)
    assert paths == [str(ROOT / "benchmarks"), str(ROOT), "/elsewhere/site"]


@pytest.mark.parametrize(
    ("stem", "kept"),
    [("test_loops", True), ("test_cute_layout", False), ("test_pallas", False),
     ("test_amd_cdna", False), ("test_examples_dist", False), ("test_aot_compile", False),
     ("test_benchmark_worker", False), ("test_examples", False), ("test_views", True)],
)  # fmt: skip
def test_backend_specific_files_are_left_out(stem, kept):
    assert (not helion_examples_fetch.BACKEND_SPECIFIC.search(stem)) == kept
