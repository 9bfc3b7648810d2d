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
