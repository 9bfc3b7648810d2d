"""Timing in turns, shared by the labs: an H100's clock drifts by several percent within a run,
so each round times every variant once, and a variant's time is the median of its rounds."""

from __future__ import annotations

from collections.abc import Callable, Hashable


def in_turns(
    functions: dict[Hashable, Callable[[], object]], rounds: int = 5, rep: int = 100
) -> dict[Hashable, list[float]]:
    """Each function's `triton.testing.do_bench` medians (ms), one per round, rounds taken in
    turns across the functions."""
    import triton.testing

    samples: dict[Hashable, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            samples[name].append(triton.testing.do_bench(function, rep=rep, return_mode="median"))
    return samples
