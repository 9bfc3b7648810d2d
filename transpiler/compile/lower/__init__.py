"""Lowering: one kernel's device loop, from the user's CST to Triton statements."""
