"""Kernels across GPUs: symmetric-memory helpers for device code and checks for the launcher."""
