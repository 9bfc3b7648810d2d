"""Op tables: the torch ops device code may call, their rows, kinds, hints and docs."""
