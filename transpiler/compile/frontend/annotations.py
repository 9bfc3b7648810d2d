"""Refuses a kernel's annotations that name what helion.language does not have (`x: hl.Foo`)."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..ops.hl import LANGUAGE_NAMES
from .aliases import LANGUAGE, Aliases
from .errors import UnknownLanguageNameError, near_names
from .source import Source


def refuse_unknown_annotations(function: cst.FunctionDef, source: Source, aliases: Aliases) -> None:
    """Every annotation in `function`, its parameters', its return's and its locals'
    (`v: hl.Foo = ...`), names only helion.language names hl has: a misspelt one would
    otherwise pass unread (annotations are not lowered)."""
    for annotation in m.findall(function, m.Annotation()):
        for node in m.findall(annotation, m.Attribute() | m.Name()):
            qualified = aliases.qualified(node) or ""
            namespace, _, name = qualified.rpartition(".")
            if namespace == LANGUAGE and name not in LANGUAGE_NAMES:
                raise source.error(
                    UnknownLanguageNameError,
                    node,
                    f"helion.language has no name {name!r} (in an annotation)",
                    hint=near_names(name, LANGUAGE_NAMES)
                    or "annotate it with torch.Tensor, int or float, or leave the annotation out",
                )
