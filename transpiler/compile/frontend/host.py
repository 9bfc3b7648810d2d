"""What the host code before a device loop tells us: tensors, scalars and symbolic sizes."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m
import torch

from .aliases import Aliases, dotted_name
from .host_containers import container_kind
from .host_dtypes import allocation_dtype
from .host_flags import called_name, is_flag, is_text
from .host_sizes import dtype_view, literal_int, shape_entries, size_of, whole_size_tensor
from .host_views import own_methods, rank_kept, sliced, view_rank, zero_dim_kept
from .host_zero_dim import WHOLE_REDUCTIONS, is_zero_dim, makes_tensor, zero_dim_tuple

# tensor methods whose result is a tensor of another shape (or dtype) over the same data
_VIEWS = {"view", "reshape", "flatten", "view_as", "reshape_as", "t", "transpose", "permute"}
_VIEWS |= {"squeeze", "unsqueeze", "expand", "expand_as", "to", "float", "half", "bfloat16"}
_LIKE = {"empty_like", "zeros_like", "ones_like", "full_like", "rand_like", "randn_like"}
_NEW = {"empty", "zeros", "ones", "full", "rand", "randn"}
_SIZE_ATTRS = {"size", "shape"}
# tensor methods reducing a tensor: 0-d without arguments (`x.sum()`), of unknown shape with them
_REDUCTIONS = WHOLE_REDUCTIONS


@dataclass
class HostInfo:
    """Host names and the sizes they stand for; a size key is a canonical text like `x.size(1)`."""

    aliases: Aliases
    params: list[str] = field(default_factory=list)
    tensors: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    size_keys: dict[str, str] = field(default_factory=dict)  # host int name → size key
    tensor_sizes: dict[str, list[str]] = field(default_factory=dict)  # when the rank is known
    ranks: dict[str, int] = field(default_factory=dict)  # from example arguments
    given_ranks: frozenset[str] = frozenset()  # the parameters example arguments gave ranks
    # the parameters' ranks the call's example arguments gave (the launcher checks them: a
    # standalone module is specialised on them)
    example_ranks: dict[str, int] = field(default_factory=dict)
    like: dict[str, str] = field(default_factory=dict)  # out → x for out = torch.empty_like(x)
    # out → host_dtypes.NOT_BOOL / BOOL / "x" (x's dtype) where its allocation shows its dtype
    allocated_dtypes: dict[str, str] = field(default_factory=dict)
    floats: set[str] = field(default_factory=set)  # host names that surely hold Python floats
    dtypes: dict[str, cst.BaseExpression] = field(default_factory=dict)  # acc_dtype = torch.float32
    scalar_params: set[str] = field(default_factory=set)  # annotated int / float / bool
    block_size_vars: set[str] = field(default_factory=set)  # `b = hl.register_block_size(n)`
    registered_order: list[str] = field(default_factory=list)  # ... in the order made
    # arguments specialised on: None or a string, from example arguments (the call's)
    constants: dict[str, object] = field(default_factory=dict)
    optional_params: set[str] = field(default_factory=set)  # default None, or `T | None`
    present: set[str] = field(default_factory=set)  # ... that the call gives a number
    # views made by swapping a tensor's last two dimensions (`k.transpose(1, 2)` of a 3-D k,
    # `w.t()`): their memory likely holds them the other way round, which TMA can copy
    swapped: set[str] = field(default_factory=set)
    # tuples of tensors alike (`torch.ops.symm_mem.get_remote_tensors(x, group)`: x on each
    # rank of the group) → the tensor each element is like
    tensor_tuples: dict[str, str] = field(default_factory=dict)
    # names bound to values of unknown kind computed from tensors (`s = f(x)`): used in device
    # code as numbers, the launcher requires them to be numbers
    tensor_derived: set[str] = field(default_factory=set)
    # names bound to new memory (`torch.empty_like(x)`, `x.new_zeros(n)`, `x.clone()`)
    fresh: set[str] = field(default_factory=set)
    constexpr_params: set[str] = field(default_factory=set)  # annotated `hl.constexpr`
    dtype_params: set[str] = field(default_factory=set)  # annotated `torch.dtype`: specialised on
    flags: set[str] = field(default_factory=set)  # `big = n > 1024`: specialised on (host_flags)
    size_tuples: dict[str, str] = field(default_factory=dict)  # `shape = x.shape` → "x"
    # names bound to a literal list, tuple, dict, set or string (`scales = [0.5, 2.0]`) → what
    # it is: device code reads tensors and numbers, never such a container (host_containers)
    containers: dict[str, str] = field(default_factory=dict)
    # names bound to a string literal (`approx = "tanh"`) → its text: device code reads the
    # value, as it reads a literal (`F.gelu(v, approximate=approx)`)
    texts: dict[str, str] = field(default_factory=dict)
    # names bound to what a numpy function makes (`s = np.float32(0.5)`) → that call: Triton
    # takes no numpy scalar, so device code refuses the name (lower/numpy_values.py)
    numpy_values: dict[str, cst.BaseExpression] = field(default_factory=dict)

    def rank(self, tensor: str) -> int | None:
        if tensor in self.tensor_sizes:
            return len(self.tensor_sizes[tensor])
        return self.ranks.get(tensor)

    def size_key(self, tensor: str, dim: int) -> str:
        sizes = self.tensor_sizes.get(tensor)
        rank = self.rank(tensor)
        if dim < 0 and rank is not None:
            dim += rank
        if sizes is not None and 0 <= dim < len(sizes):
            return sizes[dim]
        if tensor in self.like and self.like[tensor] != tensor:  # out = torch.empty_like(x)
            return self.size_key(self.like[tensor], dim)
        return f"{tensor}.size({dim})"

    def key_of(self, node: cst.BaseExpression) -> str | None:
        """The size key of a host expression (`n`, `x.size(0)`, `x.shape[0]`, `7`)."""
        if isinstance(node, cst.Integer):
            return str(node.evaluated_value)
        if isinstance(node, cst.Name):
            if node.value in self.tensors:
                return None
            return self.size_keys.get(node.value, node.value)
        tensor_dim = size_of(node) or self.size_tuple_entry(node)
        if tensor_dim is not None:
            return self.size_key(*tensor_dim)
        return None

    def size_tuple_entry(self, node: cst.BaseExpression) -> tuple[str, int] | None:
        """(tensor, dim) for `shape[d]` with `shape = x.shape` (or `x.size()`) and a literal d."""
        if not (
            isinstance(node, cst.Subscript)
            and isinstance(node.value, cst.Name)
            and node.value.value in self.size_tuples
            and len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Index)
        ):
            return None
        dim = literal_int(node.slice[0].slice.value)
        return None if dim is None else (self.size_tuples[node.value.value], dim)

    def name_for_key(self, key: str) -> str | None:
        """A host name bound to this size, the user's own name for it."""
        if key in self.names and key not in self.tensors:
            return key
        return next((name for name, k in self.size_keys.items() if k == key), None)

    def absorb(self, statement: cst.BaseStatement) -> None:
        """Learn from one host statement (straight-line code before a device loop)."""
        if not isinstance(statement, cst.SimpleStatementLine):
            for name in assigned_names(statement):
                zero_dim = zero_dim_kept(self, statement, name)  # if flag: s = x.sum()
                kept = rank_kept(self, statement, name)
                optional = name in self.optional_params
                # `if bias is not None: bias = bias.float()` of a None argument: a method of
                # None raises, so a kernel that goes on has bias None still
                none = self.constants.get(name, False) is None and own_methods(statement, name)
                self._forget(name)
                if kept is not None:  # if flag: x = x.contiguous()
                    self._viewed(name, kept, optional)
                if zero_dim:
                    self.tensors.add(name)
                    self.tensor_sizes[name] = []
                if none:
                    self.constants[name] = None
                elif name not in self.tensors:  # perhaps a tensor: the launcher checks
                    self.tensor_derived.add(name)
            return
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                self._assign(small.targets[0].target, small.value)
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                self._assign(small.target, small.value)
            elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                self._assign(small.target, written_out(small))  # s /= n: s = s / n
            elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
                if isinstance(small.target, cst.Name):
                    self._forget(small.target.value)

    def _forget(self, name: str) -> None:
        self.names.add(name)
        self.floats.discard(name)
        self.tensors.discard(name)
        self.tensor_derived.discard(name)
        self.fresh.discard(name)
        self.like.pop(name, None)
        self.allocated_dtypes.pop(name, None)
        self.size_keys.pop(name, None)
        self.tensor_sizes.pop(name, None)
        self.ranks.pop(name, None)  # an argument's rank is no longer the name's (x = x[None])
        self.dtypes.pop(name, None)
        self.block_size_vars.discard(name)
        self.constants.pop(name, None)
        self.texts.pop(name, None)
        self.numpy_values.pop(name, None)
        self.optional_params.discard(name)
        self.present.discard(name)
        self.swapped.discard(name)
        self.tensor_tuples.pop(name, None)
        self.constexpr_params.discard(name)
        self.flags.discard(name)
        self.size_tuples.pop(name, None)
        self.containers.pop(name, None)

    def _broadcast_ranks(self, value: cst.BaseExpression) -> list[int | None] | None:
        """`torch.broadcast_tensors(x, y)`: its inputs' ranks (None: not that call)."""
        if not (
            isinstance(value, cst.Call)
            and self.aliases.qualified(value.func) == "torch.broadcast_tensors"
        ):
            return None
        return [self.rank(dotted_name(a.value) or "") for a in value.args]

    def is_dtype(self, value: cst.BaseExpression) -> bool:
        """`torch.float32`, `x.dtype`, or another dtype name: a dtype the device code may use."""
        if (
            isinstance(value, cst.Call)
            and self.aliases.qualified(value.func) == "torch.promote_types"
            and len(value.args) == 2
        ):  # dtype = torch.promote_types(x.dtype, y.dtype)
            return all(self.is_dtype(a.value) for a in value.args)
        if not isinstance(value, (cst.Attribute, cst.Name)):
            return False
        if isinstance(value, cst.Name):
            return value.value in self.dtypes
        if value.attr.value == "dtype":
            return isinstance(value.value, cst.Name) and value.value.value in self.tensors
        qualified = self.aliases.qualified(value) or ""
        return qualified.startswith("torch.") and isinstance(
            getattr(torch, value.attr.value, None), torch.dtype
        )

    def _assign(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        pairs = _pairwise(target, value)
        if pairs is not None:  # lo, hi = x.min(), x.max(): each name its own value
            for one_target, one_value in pairs:
                self._assign(one_target, one_value)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            names = [
                e.value.value if isinstance(e.value, cst.Name) else None for e in target.elements
            ]
            ranks = self._broadcast_ranks(value)  # of the inputs, before their names go
            zero_dim = zero_dim_tuple(value, self)  # (of the tensors before this line)
            for name in names:
                if name:
                    self._forget(name)
            if zero_dim:  # lo, hi = torch.aminmax(x)
                for name in filter(None, names):
                    self.tensors.add(name)
                    self.tensor_sizes[name] = []
                return
            if ranks is not None:  # tensors of the largest rank among the inputs
                for name in filter(None, names):
                    self.tensors.add(name)
                    if ranks and None not in ranks:
                        self.ranks[name] = max(ranks)
                return
            tensor = whole_size_tensor(value)
            starred = [isinstance(e, cst.StarredElement) for e in target.elements]
            if tensor is not None and any(starred):  # `b, *rest = x.shape`: rest is a list
                for dim, name in enumerate(names[: starred.index(True)]):
                    if name:
                        self.size_keys[name] = self.size_key(tensor, dim)
            elif tensor is not None:
                self.tensor_sizes.setdefault(
                    tensor, [self.size_key(tensor, d) for d in range(len(names))]
                )
                for dim, name in enumerate(names):
                    if name:
                        self.size_keys[name] = self.size_key(tensor, dim)
            elif {n.value for n in m.findall(value, m.Name())} & self.tensors:
                # `lo, hi = torch.aminmax(x)`: perhaps tensors (the launcher checks)
                self.tensor_derived.update(filter(None, names))
            return
        if not isinstance(target, cst.Name):
            return
        name = target.value
        rebound = name in self.tensors and bool(m.findall(value, m.Name(name)))
        viewed_rank = view_rank(self, value)  # (of the tensors as they are before this line)
        optional = name in self.optional_params and bool(m.findall(value, m.Name(name)))
        zero_dim = is_zero_dim(value, self)  # s = s * 2 of a 0-d s: 0-d again
        if name in self.tensors:
            self._retire_sizes(name)
        self._forget(name)
        if rebound:  # x = x.view(-1): a view of the tensor the name held until now
            self.tensors.add(name)
        if viewed_rank is not None:  # x = x.t(), xt = x.float(): a tensor of this rank
            self._viewed(name, viewed_rank, optional)
        if zero_dim:
            self.tensors.add(name)
            self.tensor_sizes[name] = []
            return
        if self.numpy_made(value):  # s = np.float32(0.5), scale = 1 / np.sqrt(d)
            self.numpy_values[name] = value
            return
        if self.is_float(value):
            self.floats.add(name)
            return
        if is_flag(value, self) or is_text(value, self):
            self.flags.add(name)
            text = getattr(value, "evaluated_value", None)  # a literal: "tanh", "a" "b"
            if isinstance(text, str):
                self.texts[name] = text
            return
        if isinstance(value, cst.Name) and value.value in self.tensors:
            self.tensors.add(name)
            if value.value in self.tensor_sizes:
                self.tensor_sizes[name] = list(self.tensor_sizes[value.value])
            elif value.value in self.ranks:
                self.ranks[name] = self.ranks[value.value]
            return
        if self.is_dtype(value):
            self.dtypes[name] = value
            return
        like = tuple_of_tensors_like(value, self)
        if like is not None:
            self.tensor_tuples[name] = like
            return
        if (
            isinstance(value, cst.Call)
            and self.aliases.qualified(value.func) == "helion.language.register_block_size"
        ):
            self.block_size_vars.add(name)
            self.registered_order.append(name)
            return
        sized = whole_size_tensor(value)
        if sized is not None and sized in self.tensors:  # shape = x.shape: shape[0] is a size
            self.size_tuples[name] = sized
            return
        container = container_kind(value)
        if container is not None:
            self.containers[name] = container
            return
        key = self.key_of(value) if not isinstance(value, cst.Integer) else None
        if key is not None:
            self.size_keys[name] = key
            return
        self._allocating = name
        swapped = self._swaps_last_two(value)
        sizes = self._allocation_sizes(value)
        if sizes is not None:
            self.tensors.add(name)
            if _allocates(value, self.aliases):
                self.fresh.add(name)
            dtype = allocation_dtype(value, self.aliases, self.dtypes)
            if dtype is not None:
                self.allocated_dtypes[name] = dtype
            if sizes != "unknown":
                self.tensor_sizes[name] = sizes
            if swapped:
                self.swapped.add(name)
        elif rebound and viewed_rank is None:
            self.tensors.discard(name)
        elif {n.value for n in m.findall(value, m.Name())} & (self.tensors | self.tensor_derived):
            self.tensor_derived.add(name)  # `s = f(x)`: perhaps a tensor (the launcher checks)

    def _view_entry_key(self, entry: cst.BaseExpression, dim: int) -> str:
        """The size key of a view's new-shape entry: a literal size (`1`) or a name the host
        code bound to a size keeps it; -1 and expressions are the view's own `x.size(d)`."""
        key = self.key_of(entry) if isinstance(entry, (cst.Integer, cst.Name)) else None
        if key is None or key.startswith("-") or key == self._allocating:
            return self.size_key(self._allocating, dim)
        return key

    def _swaps_last_two(self, value: cst.BaseExpression) -> bool:
        """Whether `value` is a tensor's view with its last two dimensions swapped: `x.t()`,
        `x.transpose(-2, -1)`, or `transpose(1, 2)` of a 3-D x (a rank known from a reshape's
        entries or the example arguments); a swap of a swapped view undoes it."""
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in ("t", "transpose")
        ):
            base = value.func.value
            dims = [literal_int(a.value) for a in value.args]
            if value.func.attr.value == "t":
                if dims:
                    return False
            elif len(dims) != 2 or None in dims:
                return False
            elif not all(d < 0 for d in dims):
                rank = self._rank_of(base)
                if rank is None:
                    return False
                dims = [d - rank if d >= 0 else d for d in dims]
            if dims and sorted(dims) != [-2, -1]:
                return False
        else:
            return False
        return dotted_name(base) not in self.swapped  # k.t().t() is k again

    def _rank_of(self, node: cst.BaseExpression) -> int | None:
        """The rank of a host tensor expression: a name's, or a view/reshape's new shape's."""
        if isinstance(node, cst.Name):
            return self.rank(node.value)
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("view", "reshape")
        ):
            positional = [a.value for a in node.args if a.keyword is None]
            if dtype_view(positional):  # x.view(torch.int32): x's rank
                return self._rank_of(node.func.value)
            if positional:
                return len(shape_entries(positional))
        return None

    def _viewed(self, name: str, rank: int, optional: bool) -> None:
        """`name` bound to a view of `rank` of itself or another tensor; an optional argument
        viewed (`bias = bias.float()` under `if bias is not None:`) is None where it was."""
        self.tensors.add(name)
        self.ranks[name] = rank
        if optional:
            self.optional_params.add(name)

    def _retire_sizes(self, tensor: str) -> None:
        """Before a tensor's name is bound again: sizes keyed by its old sizes (`x.size(0)`)
        no longer name them; host ints keep their own names, tensors their own sizes."""
        stale = f"{tensor}.size("
        for name, key in list(self.size_keys.items()):
            if key.startswith(stale):
                self.size_keys[name] = name
        for other, sizes in self.tensor_sizes.items():
            if other != tensor and any(key.startswith(stale) for key in sizes):
                self.tensor_sizes[other] = [
                    f"{other}.size({d})" if key.startswith(stale) else key
                    for d, key in enumerate(sizes)
                ]
        for other, like in list(self.like.items()):
            if like == tensor:
                del self.like[other]
        for name, sized in list(self.size_tuples.items()):  # shape = x.shape; x = x.t()
            if sized == tensor:  # its sizes are the old x's: read them before the loop
                del self.size_tuples[name]
                self.containers[name] = "a tuple of the sizes an earlier tensor had"

    def is_float(self, value: cst.BaseExpression) -> bool:
        """Whether a host expression surely makes a Python float: a float literal, a true
        division, `float(...)`, `math.sqrt(...)` and the like, or arithmetic on such floats."""
        if isinstance(value, cst.Float):
            return True
        if isinstance(value, cst.Name):
            return value.value in self.floats
        if isinstance(value, cst.UnaryOperation):
            return self.is_float(value.expression)
        if isinstance(value, cst.BinaryOperation):
            if makes_tensor(value, self):  # 448.0 / amax, x.sum() / x.numel(): tensors
                return False
            if isinstance(value.operator, cst.Divide):
                return True
            return self.is_float(value.left) or self.is_float(value.right)
        if isinstance(value, cst.Call):
            called = called_name(value.func, self.aliases)
            return called in ("float", "math.sqrt", "math.exp", "math.log", "math.log2")
        return False

    def numpy_made(self, value: cst.BaseExpression) -> bool:
        """A numpy function's result, or arithmetic on one (`1 / np.sqrt(d)`)."""
        if isinstance(value, cst.Call):
            return called_name(value.func, self.aliases).startswith("numpy.")
        if isinstance(value, cst.BinaryOperation):
            return self.numpy_made(value.left) or self.numpy_made(value.right)
        if isinstance(value, cst.UnaryOperation):
            return self.numpy_made(value.expression)
        return isinstance(value, cst.Name) and value.value in self.numpy_values

    def _allocation_sizes(self, value: cst.BaseExpression) -> list[str] | str | None:
        """Per-dim size keys of a tensor allocation; "unknown" for tensors of unknown shape."""
        if is_zero_dim(value, self):  # 448.0 / amax, torch.rsqrt(x.var() + eps), x[0]
            return []
        if isinstance(value, (cst.BinaryOperation, cst.UnaryOperation)):
            return None
        if sliced(value) and (
            dotted_name(value.value) in self.tensors or self._allocation_sizes(value.value)
        ):  # torch.zeros(2 * n)[::2], buf[1:]: a view of a tensor, its sizes its own
            return "unknown"
        if not isinstance(value, cst.Call):
            return None
        func = self.aliases.qualified(value.func) or ""
        method = value.func.attr.value if isinstance(value.func, cst.Attribute) else ""
        base = dotted_name(value.func.value) if isinstance(value.func, cst.Attribute) else None
        positional = [a.value for a in value.args if a.keyword is None]
        if func.startswith("torch.") and func.split(".")[-1] in _LIKE and positional:
            like = dotted_name(positional[0])
            self.like[self._allocating] = like
            if like in self.tensor_sizes:
                return list(self.tensor_sizes[like])
            if like in self.ranks:
                return [self.size_key(like, d) for d in range(self.ranks[like])]
            return "unknown"
        if func.startswith("torch.") and func.split(".")[-1] in _NEW and positional:
            shape = positional[0]
            like = whole_size_tensor(shape)  # torch.empty(x.shape): x's sizes
            if like is not None and self.rank(like) is not None:
                return [self.size_key(like, d) for d in range(self.rank(like))]
            if isinstance(shape, (cst.List, cst.Tuple)):
                if any(isinstance(e, cst.StarredElement) for e in shape.elements):
                    return "unknown"  # torch.empty([*x.shape, 2]): rank from x's
                entries = [e.value for e in shape.elements]
            else:
                entries = positional[: 1 if method == "full" else None]
                if any(a.star for a in value.args if a.keyword is None):
                    return "unknown"
            # a size no name stands for (`b + c`) is the new tensor's own: `out.size(1)`
            return [
                self.key_of(entry) or f"{self._allocating}.size({dim})"
                for dim, entry in enumerate(entries)
            ]
        if base in self.tensors and method == "clone" and not value.args:
            self.like[self._allocating] = base  # x.clone(): x's sizes, dtype and device
        if base in self.names and method in ("clone", "contiguous") and base in self.tensor_sizes:
            return list(self.tensor_sizes[base])
        if (
            func == "torch.broadcast_to" and len(positional) == 2
        ):  # a = torch.broadcast_to(a, (m, n))
            shape = positional[1]
            if isinstance(shape, (cst.List, cst.Tuple)):
                keys = [self.key_of(e.value) for e in shape.elements]
                return keys if all(k is not None for k in keys) else "unknown"
        inner = value.func.value if isinstance(value.func, cst.Attribute) else None
        if method in _VIEWS and isinstance(inner, cst.Call):  # torch.empty(...).view(-1)
            if self._allocation_sizes(inner) is None:
                return None
            base = self._allocating
            self.tensors.add(base)  # a view of the allocation, as `x.view(...)` of a tensor x
        if base in self.tensors and method == "view" and dtype_view(positional):
            # bits = x.view(torch.int32): x's rank, sizes its own (the last one rescaled)
            rank = self.rank(base)
            if rank is None:
                return "unknown"
            return [self.size_key(self._allocating, d) for d in range(rank)]
        if base in self.tensors and method in ("view", "reshape") and positional:
            # x_flat = x.view(-1): a tensor of as many dims as the new shape has entries
            entries = shape_entries(positional)
            return [self._view_entry_key(entry, d) for d, entry in enumerate(entries)]
        if base in self.names and method.startswith("new_"):
            return "unknown"
        if base in self.tensors and method in _VIEWS:  # flat = values.view(-1)
            return "unknown"
        if method in _REDUCTIONS and (base in self.tensors or _tensor_call(inner, self)):
            return [] if not value.args else "unknown"  # total = x.sum(): a 0-d tensor
        if func.removeprefix("torch.") in _REDUCTIONS and _whole(positional, value, self):
            return []  # torch.sum(x)
        return "unknown" if func.startswith("torch.") else None


def written_out(update: cst.AugAssign) -> cst.BinaryOperation:
    """`s /= n` as the value it binds, `s / n` (AddAssign → Add, and so on)."""
    operator = getattr(cst, type(update.operator).__name__.removesuffix("Assign"))()
    return cst.BinaryOperation(left=update.target, operator=operator, right=update.value)


def _pairwise(
    target: cst.BaseExpression, value: cst.BaseExpression
) -> list[tuple[cst.BaseExpression, cst.BaseExpression]] | None:
    """(name, value) pairs of `a, b = e1, e2`, where no value reads a name bound here (Python
    reads every value first: `a, b = b, a` swaps, which pairs bound in turn would not)."""
    if not (isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List))):
        return None
    targets, values = target.elements, value.elements
    starred = any(isinstance(e, cst.StarredElement) for e in (*targets, *values))
    if starred or len(targets) != len(values):
        return None
    bound = {n.value for e in targets for n in m.findall(e.value, m.Name())}
    read = {n.value for e in values for n in m.findall(e.value, m.Name())}
    if bound & read or not all(isinstance(e.value, cst.Name) for e in targets):
        return None
    return [(t.value, v.value) for t, v in zip(targets, values, strict=True)]


def _allocates(value: cst.BaseExpression, aliases: Aliases) -> bool:
    """`torch.empty(...)`, `torch.zeros_like(x)`, `x.new_full(...)`, `x.clone()`: new memory."""
    if not isinstance(value, cst.Call):
        return False
    if isinstance(value.func, cst.Attribute):
        method = value.func.attr.value
        if method.startswith("new_") or method == "clone":
            return True
        if method in _VIEWS:  # torch.empty(n, m).t(): a view of new memory
            return _allocates(value.func.value, aliases)
    name = (aliases.qualified(value.func) or "").removeprefix("torch.")
    return name in _LIKE | _NEW


def _tensor_call(node: cst.BaseExpression | None, info: HostInfo) -> bool:
    """`x.abs()`: a method call on a host tensor that gives a tensor (not `x.size()`)."""
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
        return False
    base = dotted_name(node.func.value)
    return base in info.tensors and node.func.attr.value not in _NOT_TENSORS


_NOT_TENSORS = {"size", "stride", "dim", "numel", "item", "tolist", "data_ptr", "element_size"}


def _whole(positional: list, value: cst.Call, info: HostInfo) -> bool:
    """`torch.sum(x)` of a host tensor with no dimension: one argument, no keywords."""
    return (
        len(value.args) == 1 and len(positional) == 1 and dotted_name(positional[0]) in info.tensors
    )


# host calls that make a tuple of tensors like their first argument
TENSOR_TUPLES = {"torch.ops.symm_mem.get_remote_tensors"}


def tuple_of_tensors_like(value: cst.BaseExpression, info: HostInfo) -> str | None:
    """The tensor `x` of `torch.ops.symm_mem.get_remote_tensors(x, group)`: a tuple with one
    tensor like x per rank of the group (its memory on that rank)."""
    if not (isinstance(value, cst.Call) and info.aliases.qualified(value.func) in TENSOR_TUPLES):
        return None
    first = value.args[0].value if value.args and value.args[0].keyword is None else None
    if isinstance(first, cst.Name) and first.value in info.tensors:
        return first.value
    return None


def assigned_names(node: cst.CSTNode) -> set[str]:
    """Names a node assigns anywhere (also in tuples, augmented, as loop targets)."""
    names: set[str] = set()
    for target in m.findall(node, m.AssignTarget() | m.AugAssign() | m.AnnAssign() | m.For()):
        inner = target.target
        for name in m.findall(inner, m.Name()):
            names.add(name.value)
    return names
