"""Where kernels run in this process: a GPU, or Triton's CPU interpreter; arguments checked against it."""

from __future__ import annotations

import os
import sys

import torch

# Triton reads TRITON_INTERPRET when it decorates, its own library included: the choice is made
# once per process, before triton is imported. No GPU: the interpreter.
_TRITON_IMPORTED_EARLY = "triton" in sys.modules and "TRITON_INTERPRET" not in os.environ
if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")


def interpreting() -> bool:
    """Whether kernels run in Triton's CPU interpreter in this process."""
    return os.environ.get("TRITON_INTERPRET") == "1"


class DeviceError(RuntimeError):
    """Arguments on a device this process cannot launch kernels on."""


def check_devices(name: str, args: tuple) -> None:
    """Clear errors before a launch, instead of a crash inside Triton."""
    if _TRITON_IMPORTED_EARLY and not torch.cuda.is_available():
        raise DeviceError(
            "triton was imported before transpiler on a machine without a GPU, so Triton's "
            "interpreter is off; import transpiler first or set TRITON_INTERPRET=1"
        )
    tensors = [a for a in args if isinstance(a, torch.Tensor)]
    devices = {t.device.type for t in tensors}
    if len(devices) > 1:
        raise DeviceError(f"{name}() got tensors on several devices: {sorted(devices)}")
    if interpreting() and devices - {"cpu"}:
        raise DeviceError(f"{name}() runs in Triton's CPU interpreter here; pass CPU tensors")
    if not interpreting() and "cpu" in devices:
        raise DeviceError(
            f"{name}() got CPU tensors on a GPU machine; move them to the GPU "
            "(or start the process with TRITON_INTERPRET=1 to use the interpreter)"
        )
    if not interpreting() and devices - {"cuda", "cpu"}:
        found = ", ".join(sorted(devices - {"cuda"}))
        raise DeviceError(
            f"{name}() got {found} tensors: the generated kernels run on CUDA tensors"
        )
