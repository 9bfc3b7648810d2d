"""Fuzzers: random valid kernels checked against two truths, and mutated kernels that must fail cleanly."""

from . import reproducible  # noqa: F401  (first: the same examples in every environment)
