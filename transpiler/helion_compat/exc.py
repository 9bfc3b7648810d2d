"""Helion's warning classes (`helion.exc`), so `ignore_warnings=[helion.exc.X]` reads as written.

The transpiler raises its own `TranspileError` subclasses (transpiler.compile.frontend.errors); these names exist
for the kernel decorator's `ignore_warnings=` argument, which is accepted and has no effect."""

from __future__ import annotations

from ..compile.frontend.errors import TranspileError


class BaseWarning(Warning):
    """A warning Helion may give about a kernel; the transpiler gives none of these."""


class TensorOperationInWrapper(BaseWarning):
    """A torch operation in host code, outside the device loops."""


class TensorOperationsInHostCall(TensorOperationInWrapper):
    """Tensor operations in a host call."""


class WrongDevice(BaseWarning):
    """A tensor on a device other than the kernel's."""


class BlockSizeIgnoredInInterpretMode(BaseWarning):
    """A block size that the interpreter does not honour."""


Base = TranspileError  # `except helion.exc.Base:` catches the transpiler's errors

__all__ = [
    "Base",
    "BaseWarning",
    "BlockSizeIgnoredInInterpretMode",
    "TensorOperationInWrapper",
    "TensorOperationsInHostCall",
    "WrongDevice",
]
