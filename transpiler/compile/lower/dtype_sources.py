"""What a value's dtype comes from, read off the kernel's source: the host tensors whose values it
computes with and the dtypes written into it (`.to(torch.float64)`, a Python float), so a
value a loop carries can enter it in torch's promotion of them (lower/carried.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..ops.hl import HL_BY_NAME
from ..ops.table import REDUCTIONS_BY_NAME
from .values import HOST_TENSOR

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# torch dtypes spelt in the source (`torch.float64`, `dtype=torch.int32`): their names
_DTYPES = {
    "float64",
    "double",
    "float32",
    "float",
    "float16",
    "half",
    "bfloat16",
    "int8",
    "int16",
    "int32",
    "int",
    "int64",
    "long",
    "uint8",
    "bool",
}
_ALIASES = {"double": "float64", "float": "float32", "half": "float16", "int": "int32"}
_ALIASES["long"] = "int64"
# methods converting to one dtype (`x.double()`)
_CONVERSIONS = {"double": "float64", "float": "float32", "half": "float16", "bfloat16": "bfloat16"}
_CONVERSIONS |= {"int": "int32", "long": "int64", "bool": "bool"}
# hl functions reading a tensor (`hl.load(x, [i, j])`): that argument alone gives the dtype
_READS = {name for name, op in HL_BY_NAME.items() if op.cost == "read"}


@dataclass(frozen=True)
class Sources:
    """The host tensors a value's dtype is promoted from, and the dtypes written in."""

    tensors: frozenset[str] = frozenset()
    dtypes: frozenset[str] = frozenset()  # torch's names: "float64"; a Python float: "float32"
    # tensors whose values come only as 0-d ones (`y[tile].sum()`): torch widens no dimensioned
    # value of their category with them (float32 acc and a float64 0-d stay float32)
    zero_dim: frozenset[str] = frozenset()

    def __or__(self, other: Sources) -> Sources:
        tensors = self.tensors | other.tensors
        zero_dim = (self.zero_dim | other.zero_dim) - tensors
        return Sources(tensors, self.dtypes | other.dtypes, zero_dim)


_NONE = Sources()


class DtypeSources:
    """The sources of expressions inside the device loop, names followed to their assignments
    there (every assignment of a name: one dtype a loop keeps must hold for all)."""

    def __init__(self, k: KernelBuilder, carried: str) -> None:
        self.k = k
        self.carried = carried  # the carried name itself: its own dtype, the promotion's start
        self.assignments: dict[str, list[cst.BaseExpression]] = {}
        if k.device_loop is not None:
            for found in m.findall(k.device_loop, m.Assign() | m.AugAssign()):
                targets = found.targets if isinstance(found, cst.Assign) else [found]
                for target in targets:
                    for name in m.findall(target.target, m.Name()):
                        self.assignments.setdefault(name.value, []).append(found.value)
        self.seen: set[str] = set()

    def of(self, node: cst.BaseExpression) -> Sources:
        if isinstance(node, cst.Name):
            return self.of_name(node.value)
        if isinstance(node, cst.Float):
            return Sources(dtypes=frozenset({"float32"}))  # torch's default float dtype
        if isinstance(node, (cst.Comparison, cst.Integer)):
            return _NONE  # bools and Python ints widen no tensor
        if isinstance(node, cst.Attribute):
            return self.of_attribute(node)
        if isinstance(node, cst.Subscript):
            return self.of(node.value)  # the indices choose elements, not the dtype
        if isinstance(node, cst.Call):
            return self.of_call(node)
        if isinstance(node, cst.IfExp):
            return self.of(node.body) | self.of(node.orelse)
        if isinstance(node, cst.BinaryOperation):
            return self.of(node.left) | self.of(node.right)
        if isinstance(node, cst.UnaryOperation):
            return _NONE if isinstance(node.operator, cst.Not) else self.of(node.expression)
        return _NONE

    def of_name(self, name: str) -> Sources:
        if name == self.carried or name in self.seen:
            return _NONE
        if name not in self.assignments:
            return self.of_host_name(name)
        self.seen.add(name)
        found = _NONE
        for assigned in self.assignments[name]:
            found |= self.of(assigned)
        return found

    def of_host_name(self, name: str) -> Sources:
        """A name from outside the device loop: a tensor, a dtype (`acc_dtype = x.dtype`)."""
        host = self.k.host
        value = self.k.scope.get(name)
        if value is not None:
            return Sources(tensors=frozenset({name})) if value.kind == HOST_TENSOR else _NONE
        if name in host.tensors or (
            name in self.k.tensor_names_used and name not in host.scalar_params
        ):
            return Sources(tensors=frozenset({name}))
        if name in host.dtypes:
            self.seen.add(name)
            return self.of(host.dtypes[name])
        return _NONE

    def of_attribute(self, node: cst.Attribute) -> Sources:
        """`torch.float64` → that dtype; `x.dtype` → x's; `tile.index`, `x.T` as they read."""
        spelt = self.k.aliases.qualified(node) or ""
        if spelt.startswith("torch.") and spelt.removeprefix("torch.") in _DTYPES:
            name = spelt.removeprefix("torch.")
            return Sources(dtypes=frozenset({_ALIASES.get(name, name)}))
        if node.attr.value in ("T", "mT", "dtype", "real"):
            return self.of(node.value)
        return _NONE  # tile.index, tile.begin, x.shape: indices and sizes

    def of_call(self, node: cst.Call) -> Sources:
        for argument in node.args:
            if argument.keyword is not None and argument.keyword.value == "dtype":
                return self.of(argument.value)  # the call's result takes it
        func = node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else ""
        qualified = self.k.aliases.qualified(func) or ""
        last = qualified.rsplit(".", 1)[-1] if qualified else method
        if not qualified and method in ("to", "type", "type_as") and node.args:
            converted = self.of(node.args[0].value)  # `.to(torch.float64)`, `.to(v.dtype)`
            return converted if converted != _NONE else self.of(func.value)  # `.to(x.device)`
        if not qualified and method in _CONVERSIONS and not node.args:
            return Sources(dtypes=frozenset({_CONVERSIONS[method]}))
        reduction = REDUCTIONS_BY_NAME.get(last)
        if reduction is not None and reduction.result:  # argmax: int64 indices, any: a bool
            return Sources(dtypes=frozenset({reduction.result}))
        arguments = [a.value for a in node.args if a.keyword is None]
        if not qualified and method in REDUCTIONS_BY_NAME and not node.args:  # y.sum(): 0-d
            found = self.of(func.value)
            return Sources(dtypes=found.dtypes, zero_dim=found.tensors | found.zero_dim)
        if qualified.startswith("helion.language.") and last in _READS:
            arguments = arguments[:1]
        found = self.of(func.value) if isinstance(func, cst.Attribute) and not qualified else _NONE
        for argument in arguments:
            found |= self.of(argument)
        return found
