"""Reference-mode atomics where lanes meet: each lane updates after the lanes before it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch


def apply_atomically(
    tensor: torch.Tensor, position: tuple[Any, ...], value: Any, update: Callable
) -> torch.Tensor:
    """`tensor[position] = update(tensor[position], value)` as the GPU's atomics do it: lanes
    that name the same element (a histogram's bins, one counter) each apply their update in
    turn, in lane order; each lane gets back the value it found (a ticket counter's slots)."""
    ids = torch.arange(tensor.numel(), device=tensor.device).view(tensor.shape)[position]
    value = torch.as_tensor(value, device=tensor.device).to(tensor.dtype)
    ids, value = torch.broadcast_tensors(ids, value)
    lanes, values = ids.reshape(-1), value.reshape(-1)
    if update is torch.add:
        return _add(tensor, lanes, values).view(ids.shape)
    rank = _occurrence(lanes)
    old = torch.empty_like(values)
    if update in _RUNNING and rank.numel():
        elements = torch.unique(lanes)
        if elements.numel() <= int(rank.max()):  # few elements, many lanes each: per element
            for element in elements.tolist():
                _running(tensor, lanes == element, element, values, old, _RUNNING[update])
            return old.view(ids.shape)
    for turn in range(int(rank.max()) + 1 if rank.numel() else 0):
        chosen = rank == turn
        where = torch.unravel_index(lanes[chosen], tensor.shape)
        found = tensor[where]
        old[chosen] = found
        tensor[where] = update(found, values[chosen]).to(tensor.dtype)
    return old.view(ids.shape)


# updates whose lanes in turn are a running scan (one counter hit by a million lanes)
_RUNNING: dict = {torch.maximum: torch.cummax, torch.minimum: torch.cummin}


def _running(tensor, chosen, element, values, old, scan) -> None:
    """The lanes of one element in lane order: each finds the scan of the element and the
    lanes before it; the element ends as the scan's last value."""
    where = torch.unravel_index(torch.tensor(element, device=tensor.device), tensor.shape)
    start = tensor[where].reshape(1)
    running = scan(torch.cat([start, values[chosen]]), 0).values
    old[chosen] = running[:-1]
    tensor[where] = running[-1]


def _occurrence(lanes: torch.Tensor) -> torch.Tensor:
    """For each lane, how many lanes before it name the same element."""
    order = torch.sort(lanes, stable=True).indices
    ordered = lanes[order]
    positions = torch.arange(lanes.numel(), device=lanes.device)
    new_run = torch.ones_like(ordered, dtype=torch.bool)
    new_run[1:] = ordered[1:] != ordered[:-1]
    run_start = torch.cummax(torch.where(new_run, positions, 0), 0).values
    rank = torch.empty_like(positions)
    rank[order] = positions - run_start
    return rank


def _add(tensor: torch.Tensor, lanes: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """atomic_add in one pass: each lane's old value is the element plus the lanes before it."""
    order = torch.sort(lanes, stable=True).indices
    ordered, added = lanes[order], values[order]
    positions = torch.arange(lanes.numel(), device=lanes.device)
    new_run = torch.ones_like(ordered, dtype=torch.bool)
    new_run[1:] = ordered[1:] != ordered[:-1]
    run_start = torch.cummax(torch.where(new_run, positions, 0), 0).values
    running = torch.cumsum(added, 0, dtype=added.dtype) - added  # before each lane
    before = running - running[run_start]
    where = torch.unravel_index(ordered, tensor.shape)
    old_ordered = tensor[where] + before
    old = torch.empty_like(values)
    old[order] = old_ordered.to(values.dtype)
    tensor.index_put_(where, added, accumulate=True)
    return old
