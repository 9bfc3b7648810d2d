"""Bundled Helion-style example kernels (the demo transpiles these)."""
