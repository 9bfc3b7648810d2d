"""The magic line: split like a shell line, `--config` read as JSON, the help text."""

from __future__ import annotations

import argparse
import json
import shlex
from typing import Any

from IPython.core.error import UsageError

from transpiler import Config


def parse_options(parser: argparse.ArgumentParser, line: str) -> argparse.Namespace:
    """The magic line as a shell would split it (quotes group words), or a UsageError."""
    try:
        words = shlex.split(line)
    except ValueError as error:
        raise UsageError(f"cannot split the options: {error}") from None
    options = parser.parse_args(words)
    refuse_repeats(parser, words)
    return options


def refuse_repeats(parser: argparse.ArgumentParser, words: list[str]) -> None:
    """An option given twice (`--run A --run B`, `--check --no-check`, `--run A --ru B`):
    argparse keeps the last silently; the magic refuses the line instead of dropping what the
    user wrote."""
    seen: dict[str, str] = {}
    for word in words:
        flag = word.split("=", 1)[0]
        action = option_action(parser, flag) if word.startswith("-") else None
        if action is None:
            continue
        if action.dest in seen:
            first = seen[action.dest]
            said = (
                f"{flag} is given twice" if first == flag else f"{first} and {flag} set one option"
            )
            raise UsageError(f"{said}: give it once")
        seen[action.dest] = flag


def option_action(parser: argparse.ArgumentParser, flag: str) -> argparse.Action | None:
    """The action `flag` names, as argparse reads it: the option, or the one long option it
    abbreviates (`--ru` for `--run`)."""
    actions = parser._option_string_actions  # argparse's own table: option string → action
    if flag in actions:
        return actions[flag]
    if not flag.startswith("--") or not parser.allow_abbrev:
        return None
    matches = {id(action): action for name, action in actions.items() if name.startswith(flag)}
    return next(iter(matches.values())) if len(matches) == 1 else None


def help_text(doc: str) -> str:
    """The magic's docstring (usage, description, options) as a cell's help."""
    return doc.replace("::\n\n  %helion", "%%helion", 1).strip()


def parse_config(text: str) -> dict[str, Any]:
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"--config is not valid JSON: {error}") from None
    if not isinstance(config, dict):
        raise UsageError("--config must be a JSON object, e.g. '{\"block_sizes\": [64]}'")
    return dict(Config(**config))  # Helion's singular spellings (block_size=64) as lists
