"""Helion-style Python kernels → readable, standalone Triton (public API)."""

from __future__ import annotations

from . import language
from .errors import TranspileError
from .pipeline import Transpiled, transpile, transpile_module

__all__ = ["TranspileError", "Transpiled", "language", "transpile", "transpile_module"]
