"""Generated launchers as PyTorch custom ops (`torch.library.triton_op`), and autograd pairs."""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import torch
from torch.library import triton_op, wrap_triton

from ..compile.ops.hl import WRITERS

if TYPE_CHECKING:
    from .bound_kernel import BoundKernel
    from .runtime import Kernel

NAMESPACE = "transpiler"
_OPS: dict[str, Any] = {}  # op name → the registered CustomOpDef (one per generated launcher)


def _is_triton_kernel(value: object) -> bool:
    kinds = ("JITFunction", "InterpretedFunction", "Autotuner", "Heuristics")
    return type(value).__name__ in kinds and hasattr(value, "fn")


def _interpreted(launcher: Callable) -> bool:
    """Whether the launcher's kernels run in Triton's interpreter (TRITON_INTERPRET=1)."""
    kernels = [v for v in launcher.__globals__.values() if _is_triton_kernel(v)]
    return any(
        "InterpretedFunction" in (type(k).__name__, type(getattr(k, "fn", None)).__name__)
        for k in kernels
    )


class _NoLaunch:
    """Stands in for a Triton kernel when only the host code's shapes are wanted."""

    def __getitem__(self, grid: object) -> Callable[..., None]:
        return lambda *args, **kwargs: None


def with_kernels_replaced(launcher: Callable, replace: Callable[[Any], Any]) -> Callable:
    """A copy of `launcher` whose module-level Triton kernels are `replace(kernel)`."""
    scope = dict(launcher.__globals__)
    for name, value in launcher.__globals__.items():
        if _is_triton_kernel(value):
            scope[name] = replace(value)
    copy = types.FunctionType(
        launcher.__code__, scope, launcher.__name__, launcher.__defaults__, launcher.__closure__
    )
    copy.__kwdefaults__ = launcher.__kwdefaults__
    copy.__annotations__ = dict(launcher.__annotations__)
    copy.__doc__ = launcher.__doc__
    return copy


def mutated_arguments(fn: Callable) -> list[str]:
    """Arguments the kernel writes to: `x[...] = v`, `x[...] += v`, `hl.store(x, ...)`, atomics."""
    tree = ast.parse(textwrap.dedent(_source_of(fn)))
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    names = {a.arg for a in [*function.args.posonlyargs, *function.args.args]}
    names |= {a.arg for a in function.args.kwonlyargs}
    written: set[str] = set()
    for node in ast.walk(function):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Subscript) and isinstance(part.value, ast.Name):
                    written.add(part.value.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            first = node.args[0] if node.args else None
            if node.func.attr in WRITERS and isinstance(first, ast.Name):
                written.add(first.id)
    return sorted(written & names)


def _source_of(fn: Callable) -> str:
    return inspect.getsource(fn)


def aliased_returns(fn: Callable) -> tuple[int | None, ...] | None:
    """Per value the kernel returns, the position of the argument it is (None: a new tensor);
    None when it returns no argument. Custom ops may not return their inputs: the op returns
    only the new tensors and the call puts the arguments back (`with_aliases`)."""
    tree = ast.parse(textwrap.dedent(_source_of(fn)))
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    names = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
    last = function.body[-1] if function.body else None
    if not isinstance(last, ast.Return) or last.value is None:
        return None
    parts = last.value.elts if isinstance(last.value, ast.Tuple) else [last.value]
    positions = tuple(
        names.index(p.id) if isinstance(p, ast.Name) and p.id in names else None for p in parts
    )
    if all(p is None for p in positions):
        return None
    return positions if isinstance(last.value, ast.Tuple) else positions[:1]


def without_aliases(launcher: Callable, aliases: tuple[int | None, ...]) -> Callable:
    """The launcher, returning only what is not one of its arguments (None if nothing is)."""
    kept = [i for i, position in enumerate(aliases) if position is None]
    many = len(aliases) > 1

    def new_outputs(*args: Any, **kwargs: Any) -> Any:
        result = launcher(*args, **kwargs)
        values = tuple(result) if many else (result,)
        outputs = tuple(values[i] for i in kept)
        return outputs[0] if len(outputs) == 1 else (outputs or None)

    returns = None if not kept else torch.Tensor
    if len(kept) > 1:
        returns = tuple[tuple(torch.Tensor for _ in kept)]  # type: ignore[misc]
    signature = inspect.signature(launcher)
    new_outputs.__signature__ = signature.replace(return_annotation=returns)  # type: ignore[attr-defined]
    new_outputs.__name__ = launcher.__name__
    new_outputs.__annotations__ = {
        **{k: v for k, v in launcher.__annotations__.items() if k != "return"},
        "return": returns,
    }
    return new_outputs


def with_aliases(result: Any, aliases: tuple[int | None, ...] | None, args: tuple) -> Any:
    """The kernel's own return value from an op's new outputs and the call's arguments."""
    if aliases is None:
        return result
    kept = [i for i, position in enumerate(aliases) if position is None]
    new = list(result) if len(kept) > 1 else [result] if kept else []
    values = [args[p] if p is not None else new.pop(0) for p in aliases]
    return tuple(values) if len(aliases) > 1 else values[0]


def op_name(bound: BoundKernel) -> str:
    """`transpiler::<kernel>_<hash of the generated module>`: one op per generated launcher."""
    digest = hashlib.sha256(bound.transpiled.code.encode()).hexdigest()[:12]
    return f"{NAMESPACE}::{bound.kernel.name}_{digest}"


def register(bound: BoundKernel) -> Any:
    """The custom op of a bound kernel (registered once): Inductor sees its Triton kernels."""
    name = op_name(bound)
    if name in _OPS:
        return _OPS[name]
    launcher = bound.launcher
    traced = with_kernels_replaced(launcher, wrap_triton)
    fake = with_kernels_replaced(launcher, lambda kernel: _NoLaunch())
    aliases = aliased_returns(bound.kernel.fn)
    if aliases is not None:
        traced, fake = without_aliases(traced, aliases), without_aliases(fake, aliases)
    mutates = mutated_arguments(bound.kernel.fn)
    try:
        if _interpreted(launcher):
            # wrap_triton leaves interpreted kernels as they are, and triton_op's decomposition
            # for AOT tracing would launch them on fake tensors: the op stays opaque instead.
            plain = launcher if aliases is None else without_aliases(launcher, aliases)
            op = torch.library.custom_op(name, plain, mutates_args=mutates)
        else:
            op = triton_op(name, traced, mutates_args=mutates)
    except (ValueError, TypeError) as error:
        raise TypeError(
            f"{bound.kernel.name}: cannot register as a torch custom op ({error}); "
            "use transpiler.kernel(..., torch_op=False) for the plain function"
        ) from error
    # The fake implementation, registered with the op on every path that registers one (an
    # eager call, or Dynamo tracing a first call): the launcher's own host code (shapes, dtypes,
    # allocations) with every kernel launch skipped. Triton's interpreter cannot run on fake
    # tensors, and on GPUs this avoids tracing the kernel twice.
    op.register_fake(fake)
    _OPS[name] = op
    return op


def fake_result(bound: BoundKernel, *args: Any) -> Any:
    """Run the launcher's host code with launches skipped (on fake or meta tensors)."""
    return with_kernels_replaced(bound.launcher, lambda kernel: _NoLaunch())(*args)


def _as_tuple(value: Any) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def autograd(
    forward: Kernel | Callable, backward: Kernel | Callable, *, save_output: bool = True
) -> Callable[..., Any]:
    """`forward(*inputs) -> out` paired with `backward(grad_out, out, *inputs) -> grads`.

    The backward kernel returns one gradient per input (a tensor, or a tuple in input order;
    None where an input needs none). With `save_output=False` it is called as
    `backward(grad_out, *inputs)`. Returns a function that runs `forward` under autograd.
    """

    class KernelFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *inputs: Any) -> Any:
            out = forward(*inputs)
            tensors = [i for i in inputs if isinstance(i, torch.Tensor)]
            ctx.positions = [k for k, i in enumerate(inputs) if isinstance(i, torch.Tensor)]
            ctx.others = {k: i for k, i in enumerate(inputs) if not isinstance(i, torch.Tensor)}
            ctx.count = len(inputs)
            ctx.save_for_backward(*tensors, *([out] if save_output else []))
            return out

        @staticmethod
        def backward(ctx: Any, grad_out: torch.Tensor) -> Any:
            saved = list(ctx.saved_tensors)
            out = saved.pop() if save_output else None
            inputs: list[Any] = [None] * ctx.count
            for position, tensor in zip(ctx.positions, saved):
                inputs[position] = tensor
            for position, value in ctx.others.items():
                inputs[position] = value
            leading = (grad_out.contiguous(), out) if save_output else (grad_out.contiguous(),)
            grads = _as_tuple(backward(*leading, *inputs))
            return tuple(grads) + (None,) * (ctx.count - len(grads))

    def apply(*inputs: Any) -> Any:
        return KernelFunction.apply(*inputs)

    apply.__name__ = getattr(forward, "__name__", "kernel")
    apply.function = KernelFunction  # type: ignore[attr-defined]
    return apply


def registered_ops() -> Sequence[str]:
    """Names of the ops registered in this process."""
    return sorted(_OPS)
