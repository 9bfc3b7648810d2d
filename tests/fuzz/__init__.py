"""Fuzzers: random valid kernels checked against two truths, and mutated kernels that must fail cleanly."""
