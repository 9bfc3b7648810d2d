"""Soak run of the fuzzers: many random kernels (or mutants) within a time budget, then counts.

    .venv/bin/python tests/fuzz/soak.py --minutes 10 [--seed 1] [--show 5] [--save DIR]
    .venv/bin/python tests/fuzz/soak.py --syntax --minutes 5    # the syntax fuzzer instead

On a machine with CUDA the kernels run compiled on the GPU (inputs are made on the CPU and
moved there); otherwise in Triton's interpreter. Failures are not shrunk here: each one's
kernel and inputs are printed (and saved with --save) to become a regression test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("TRANSPILER_CACHE_DIR", tempfile.mkdtemp(prefix="transpiler-soak-"))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import transpiler  # noqa: E402,F401  (first: it picks Triton's interpreter when there is no GPU)
from fuzz.differential import DEVICE, FuzzFailure, Tally, check  # noqa: E402
from fuzz.mutations import mutants, shuffled_kernels  # noqa: E402
from fuzz.strategies import cases, kernels  # noqa: E402
from fuzz.syntax_checks import assert_clean_outcome  # noqa: E402

BATCH = 50  # the budget is checked between batches


def run_batch(batch_seed: int, tally: Tally, failures: list[str]) -> None:
    """One Hypothesis run of up to BATCH kernels, recording failures instead of raising."""

    @seed(batch_seed)
    @settings(
        max_examples=BATCH,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def one_kernel(data: st.DataObject) -> None:
        kernel = data.draw(kernels())
        inputs = [data.draw(cases(kernel)) for _ in range(data.draw(st.integers(1, 3)))]
        try:
            check(kernel, inputs, tally)
        except FuzzFailure as failure:
            tally.add_failure(failure.kind)
            failures.append(str(failure))

    one_kernel()


def run_syntax_batch(batch_seed: int, tally: Tally, failures: list[str]) -> None:
    """One Hypothesis run of up to 10 * BATCH mutants, arbitrary texts and shuffled kernels."""
    sources = st.one_of(mutants().map(lambda pair: pair[1]), st.text(max_size=300))
    sources = st.one_of(sources, shuffled_kernels())

    @seed(batch_seed)
    @settings(
        max_examples=10 * BATCH,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(sources)
    def one_source(source: str) -> None:
        tally.kernels += 1
        try:
            assert_clean_outcome(source)
        except Exception as failure:  # noqa: BLE001 - every escape is a finding
            kind = "internal-error" if "InternalTranspilerError" in repr(failure) else "escape"
            tally.add_failure(kind)
            failures.append(
                f"{kind}: {type(failure).__name__}: {failure}\n--- source ---\n{source}"
            )

    one_source()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget (wall clock)")
    parser.add_argument("--max-kernels", type=int, default=10**9)
    parser.add_argument("--seed", type=int, default=0, help="first batch seed")
    parser.add_argument("--show", type=int, default=5, help="failures to print in full")
    parser.add_argument("--save", type=Path, help="write each failure to DIR/failure_N.txt")
    parser.add_argument("--syntax", action="store_true", help="run the syntax fuzzer instead")
    options = parser.parse_args()
    started = time.monotonic()
    deadline = started + 60 * options.minutes
    tally, failures = Tally(), []
    batch = options.seed
    while time.monotonic() < deadline and tally.kernels < options.max_kernels:
        (run_syntax_batch if options.syntax else run_batch)(batch, tally, failures)
        batch += 1
        print(
            f"[soak] {time.monotonic() - started:7.0f}s  examples {tally.kernels}  "
            f"inputs {tally.inputs}  failures {sum(tally.failures.values())}",
            file=sys.stderr,
            flush=True,
        )
    for text in failures[: options.show]:
        print(f"\n{text}")
    if options.save:
        options.save.mkdir(parents=True, exist_ok=True)
        for number, text in enumerate(failures):
            (options.save / f"failure_{number}.txt").write_text(text)
    print(f"\ndevice: {DEVICE}{' (Triton interpreter)' if DEVICE == 'cpu' else ''}")
    size = 10 * BATCH if options.syntax else BATCH
    print(f"batches: seeds {options.seed}..{batch - 1} of up to {size} examples")
    print(f"{'sources' if options.syntax else 'kernels'}: {tally.kernels}")
    print(f"inputs checked: {tally.inputs} (skipped, reference refused: {tally.skipped_inputs})")
    for reason, count in sorted(tally.skip_reasons.items(), key=lambda item: -item[1])[:5]:
        print(f"    {count:6d}  {reason}")
    print(f"mismatches: {tally.failures.get('mismatch', 0)}")
    print(f"internal errors: {tally.failures.get('internal-error', 0)}")
    others = {k: v for k, v in tally.failures.items() if k not in ("mismatch", "internal-error")}
    print(f"other failures: {others or 0}")
    print(f"wall time: {time.monotonic() - started:.0f}s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
