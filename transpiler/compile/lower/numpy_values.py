"""A host name bound to what numpy makes (`s = np.float32(0.5)`), read by device code: refused
at the use with the Python number to bind instead. torch takes a numpy scalar as a Python number,
but a kernel launch takes no numpy value (it fails inside Triton, naming no line)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import UnsupportedConstructError

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# what to bind instead, by the start of a numpy scalar type's name (np.int32, np.float32); the
# result of another numpy function may be a number or an array
CONVERSIONS = {("int", "uint"): "int({})", ("bool",): "bool({})", ("float",): "float({})"}
OTHERWISE = "float({0}) for a number, torch.from_numpy({0}) for an array"


def refuse_numpy_value(k: KernelBuilder, node: cst.Name) -> None:
    """Refuse device code's read of `node` where host code bound it to a numpy call."""
    call = k.host.numpy_values.get(node.value)
    if call is None:
        return
    spelled = k.source.code(call).strip()
    function = spelled.split("(", 1)[0].rsplit(".", 1)[-1]
    fix = next((f for starts, f in CONVERSIONS.items() if function.startswith(starts)), OTHERWISE)
    raise k.source.error(
        UnsupportedConstructError,
        node,
        f"{node.value}, made by numpy ({spelled}), inside a device loop: a kernel launch takes "
        "Python numbers and tensors, no numpy value",
        hint=f"bind {node.value} = {fix.format(spelled)} in host code (torch reads a numpy "
        "scalar as that Python number)",
    )
