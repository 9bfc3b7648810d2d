"""Triton's interpreter reducing with a combine function in a tree of whole-array steps.

`tl.reduce(x, axis, combine)` (Welford, NaN-propagating max, argmax) runs in Triton's
interpreter one element at a time: a 32,768-lane row is 32,768 calls of the combine function
through the interpreter's op wrappers, about 10 s a row. Here the lanes are combined in pairs,
neighbour with neighbour (the left one first, as the interpreter and a GPU order them), in
log2(n) calls on whole arrays, as a GPU's reduction tree does. Built-in reductions (tl.sum,
tl.max) are not touched. Every test runs with it (tests/conftest.py): every amax/max of a
generated kernel is one (the NaN-propagating max), over every element of its block.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
from triton.runtime import interpreter

_SEQUENTIAL = interpreter.ReduceOps.generic_reduce


def _combined(self, arrays: list[np.ndarray], dtypes: list) -> list[np.ndarray]:
    """Pairs along the last axis combined until one lane is left (an odd lane carried)."""
    while arrays[0].shape[-1] > 1:
        lanes = arrays[0].shape[-1]
        pairs = lanes // 2 * 2
        left = [self.to_tensor(a[..., 0:pairs:2], t) for a, t in zip(arrays, dtypes)]
        right = [self.to_tensor(a[..., 1:pairs:2], t) for a, t in zip(arrays, dtypes)]
        returned = self.combine_fn.fn(*left, *right)
        returned = returned if isinstance(returned, tuple) else (returned,)
        shape = arrays[0][..., 0:pairs:2].shape
        values = [
            np.broadcast_to(np.asarray(r.handle.data if hasattr(r, "handle") else r), shape)
            .astype(a.dtype)
            for r, a in zip(returned, arrays)
        ]  # fmt: skip
        if lanes % 2:
            values = [np.concatenate([v, a[..., -1:]], axis=-1) for v, a in zip(values, arrays)]
        arrays = values
    return [a[..., 0] for a in arrays]


def tree_reduce(self, input):
    """ReduceOps.generic_reduce (Triton 3.x) with the lanes combined in a tree."""
    original_axis = self.axis
    input, axis = self.unravel(input, self.axis)
    if input[0].handle.data.shape[axis] == 0:
        return _SEQUENTIAL(self, input)
    arrays = [np.moveaxis(arg.handle.data, axis, -1) for arg in input]
    ret = []
    for data, arg in zip(_combined(self, arrays, [a.dtype for a in input]), input, strict=True):
        if self.keep_dims:
            if original_axis is not None:
                data = np.expand_dims(data, axis)
            else:
                for _ in range(len(input[0].handle.data.shape)):
                    data = np.expand_dims(data, 0)
        elif original_axis is None:
            data = data.item()
        ret.append(self.to_tensor(data, arg.dtype))
    return ret


@contextlib.contextmanager
def reductions_in_a_tree() -> Iterator[None]:
    """The interpreter's combine-function reductions in a tree (tests/conftest.py: every test)."""
    interpreter.ReduceOps.generic_reduce = tree_reduce
    try:
        yield
    finally:
        interpreter.ReduceOps.generic_reduce = _SEQUENTIAL
