"""IPython extension: `%load_ext magics` registers the `%%helion` cell magic."""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    """Called by `%load_ext magics`: register `%%helion` (IPython is imported only here)."""
    from .cell import HelionMagics

    ipython.register_magics(HelionMagics)
