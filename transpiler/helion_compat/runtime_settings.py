"""A stand-in for `helion.runtime.settings`: what Helion's examples read from it.

The examples ask which backend Helion compiles for (`_get_backend() == "pallas"` picks other
sizes); the transpiler writes Triton, so the answer is always "triton"."""

from __future__ import annotations


def _get_backend() -> str:
    """The backend kernels compile for: always Triton here."""
    return "triton"


__all__ = ["_get_backend"]
