"""The kernel's decorator settings: literal fields of `config=helion.Config(...)`."""

from __future__ import annotations

import ast


def config_value(settings: dict[str, object], key: str) -> object:
    """A literal field of `config=helion.Config(key=...)` (or a dict), or None."""
    config = settings.get("config")
    if not isinstance(config, str) or key not in config:
        return None
    try:
        tree = ast.parse(config, mode="eval").body
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == key:
            try:
                return ast.literal_eval(node.value)
            except ValueError:
                return None
        if isinstance(node, ast.Dict):
            for name, value in zip(node.keys, node.values):
                if isinstance(name, ast.Constant) and name.value == key:
                    try:
                        return ast.literal_eval(value)
                    except ValueError:
                        return None
    return None


# Helion's `pid_type` values: how programs map to tiles. "flat" and "xyz" launch one program per
# tile (ours is always a flat grid); the persistent ones launch one program per SM, each
# walking tiles: every NUM_PROGRAMS-th ("interleaved") or a contiguous run ("blocked").
PID_TYPES = {
    "flat": None,
    "xyz": None,
    "persistent_interleaved": "interleaved",
    "persistent_blocked": "blocked",
}
# Helion's `indexing` values: how tiles of host tensors are read and written. Block pointers are
# gone from Triton 3.9, so "block_ptr" reads through pointers, as "pointer" does.
INDEXING = {"pointer": False, "block_ptr": False, "tensor_descriptor": True}
