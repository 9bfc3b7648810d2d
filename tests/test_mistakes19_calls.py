"""Mistakes an outside tester makes (2026-12-06, mistakes19) around the call: module-level
values a kernel reads, arguments torch would take and Triton cannot, a decorator applied twice.
Each was silently wrong or a traceback from inside the generated module before."""

from __future__ import annotations

import torch
from helpers import DEVICE
from mistakes10 import FILE, HEAD, kernel

import transpiler

ON_DEVICE = f"device={DEVICE!r}"


def cell(source: str) -> dict:
    """The kernels of a notebook cell, in its namespace."""
    namespace: dict = {}
    transpiler.kernels_from_source(HEAD + source, filename=FILE, namespace=namespace)
    return namespace


def test_a_module_tensor_the_kernel_reads_is_the_cells_own():
    """was: the generated module ran `W = torch.randn(37)` again: another W, silently"""
    names = cell(f"\nW = torch.randn(37, {ON_DEVICE})\n" + kernel("out[tile] = x[tile] * W[tile]"))
    x = torch.randn(37, device=DEVICE)
    want = x.double() * names["W"].double()
    torch.testing.assert_close(names["k"](x).double(), want, rtol=1e-6, atol=1e-6)


def test_a_module_number_changed_after_a_call_is_read_at_the_next():
    """was: the first call's SCALE (2.0) kept after a later cell set SCALE = 5.0"""
    names = cell("\nSCALE = 2.0\n" + kernel("out[tile] = x[tile] * SCALE"))
    x = torch.randn(41, device=DEVICE)
    torch.testing.assert_close(names["k"](x).double(), x.double() * 2.0, rtol=1e-6, atol=1e-6)
    names["SCALE"] = 5.0
    torch.testing.assert_close(names["k"](x).double(), x.double() * 5.0, rtol=1e-6, atol=1e-6)
