"""Helion-style kernels the tests transpile, each with inputs and a float64 torch reference."""
