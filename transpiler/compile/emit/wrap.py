"""Long generated lines broken the way a person would: a call's arguments packed under its
first, a dict or list of data inside its brackets, aligned, a sum before its `+`, a message
as adjacent strings, a condition before `or` / `and`."""

from __future__ import annotations

import ast

# the deepest bracket whose arguments continue aligned under it
_ALIGN_LIMIT = 40
# a line broken inside a bracket that does not end it: the most text that may follow the bracket
# (`) / n,` or `).to(out_ptr.dtype.element_ty),`, not the rest of a longer expression)
_TAIL_LIMIT = 35


WIDTH = 100  # the generated module's line width, indent and comment included


def wrap(line: str, width: int = WIDTH) -> list[str]:
    """A long call or signature: its arguments packed per line, each line after the first
    aligned under the first argument (as Triton's tutorials write them), the closing bracket
    on the last one; behind too deep a bracket the arguments start on the next line. A line
    still too long after that (one argument alone, or no call closing the line) is broken
    inside its widest bracket where that brings each of its lines within `width`; a call of
    one argument that is no call (a long message) has it on the next line, indented. A line
    still too long is broken before the `or` / `and` / `if` / `else` of a parenthesised
    condition; `name = a if c else b` is broken there first."""
    if len(line) > width and _is_condition(line.partition(" = ")[2], ast.IfExp):
        lines = _wrap_condition(line, width)
        if lines != [line]:
            return lines
    lines = _wrap_calls(line, width)
    return [piece for part in lines for piece in _wrap_condition(part, width)]


def _wrap_calls(line: str, width: int) -> list[str]:
    if len(line) <= width or line.lstrip().startswith("#") or "\n" in line:
        return [line]
    opening = _outer_call(line)
    if opening is None:  # a sum of three terms or more, else inside a bracket, else two terms
        for attempt in (_wrap_sum, _wrap_inside, _wrap_two_terms):
            lines = attempt(line, width)
            if lines != [line]:
                return lines
        return [line]
    start, end = opening
    arguments = [argument.strip() for argument in _split_top_level(line[start + 1 : end])]
    while len(arguments) == 1:  # `upcast_half(tl.load(...))`: the inner call's arguments
        nested = _outer_call(line[start + 1 : end])
        if nested is None:
            inside = _wrap_inside(line, width)
            return inside if inside != [line] else _hanging(line, start, end, width)
        start, end = start + 1 + nested[0], start + 1 + nested[1]
        arguments = [argument.strip() for argument in _split_top_level(line[start + 1 : end])]
    if len(arguments) < 2:
        return [line]
    lines = _packed(line, start, end, width)
    lines = lines[:1] + [piece for part in lines[1:] for piece in _wrap_branches(part, width)]
    return [piece for part in lines for piece in _wrap_inside(part, width)]


def _wrap_branches(line: str, width: int) -> list[str]:
    """An argument alone on a line too long, `a if c else b`: broken before its `if` and its
    `else`, each aligned under the argument (the line's own indent)."""
    if len(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    text = line.strip()
    cuts = sorted(i for word in (" if ", " else ") for i in _top_level(text, word))
    argument = text[:-1] if text.endswith((",", ")")) else text
    if len(cuts) != 2 or not _is_condition(argument, ast.IfExp):
        return [line]
    bounds = [0, *cuts, len(text)]
    return [indent + text[a:b].strip() for a, b in zip(bounds, bounds[1:])]


def _packed(
    line: str, start: int, end: int, width: int, aligned: bool = True, display: bool = False
) -> list[str]:
    """`line` broken inside the brackets at `start` and `end`: their arguments packed, aligned
    under the first where the bracket is not too deep and each line fits that way (a
    `display`, a dict or list of data, however deep, where each fits)."""
    indent = line[: len(line) - len(line.lstrip())]
    arguments = [argument.strip() for argument in _split_top_level(line[start + 1 : end])]
    closing = line[end:].strip()
    pieces = [argument + "," for argument in arguments[:-1]] + [arguments[-1] + closing]
    fits = all(start + 1 + len(piece) <= width for piece in pieces)
    if aligned and (start + 1 <= _ALIGN_LIMIT or (display and fits)):
        if any(start + 1 + len(piece) > width for piece in pieces):  # too long aligned
            hanging = _packed(line, start, end, width, aligned=False)
            if all(len(piece) <= width for piece in hanging):
                return hanging
        lines, current, inner = [], line[: start + 1], " " * (start + 1)
    else:  # a hanging indent (deeper for a signature, as PEP 8 has it, apart from the body)
        inner = indent + ("        " if line.lstrip().startswith("def ") else "    ")
        lines, current = [line[: start + 1]], inner
    empty = True  # nothing on `current` yet but its indent or the opening
    for piece in pieces:
        if not empty and len(current) + 1 + len(piece) > width:
            lines.append(current)
            current, empty = inner, True
        current += ("" if empty else " ") + piece
        empty = False
    return [*lines, current]


def _hanging(line: str, start: int, end: int, width: int) -> list[str]:
    """`raise RuntimeError("a long message")`: the one argument on the next line, indented one
    level deeper than the call (the closing bracket after it), where that line fits."""
    indent = line[: len(line) - len(line.lstrip())]
    lone = f"{indent}    {line[start + 1 : end].strip()}{line[end:].rstrip()}"
    if len(lone) <= width:
        return [line[: start + 1], lone]
    closing = len(line[end:].rstrip())  # the last piece takes the closing bracket too
    pieces = _split_string(line[start + 1 : end].strip(), width - len(indent) - 4 - closing)
    if pieces is None:
        return [line]
    lines = [f"{indent}    {piece}" for piece in pieces]
    lines[-1] += line[end:].rstrip()
    return [line[: start + 1], *lines] if all(len(piece) <= width for piece in lines) else [line]


def _split_string(text: str, room: int) -> list[str] | None:
    """A string literal (`"..."`, `f"..."`) as adjacent literals of at most `room` characters,
    each broken after a space outside an f-string's `{...}` (None: no such literal)."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    prefix = text[: len(text) - len(text.lstrip("fF"))]
    quote = text[len(prefix) : len(prefix) + 1]
    if not isinstance(node, (ast.Constant, ast.JoinedStr)) or quote not in "\"'" or not quote:
        return None
    if text[len(prefix) : len(prefix) + 3] == quote * 3 or not text.endswith(quote):
        return None
    words, depth, current = [], 0, ""
    for char in text[len(prefix) + 1 : -1]:
        current += char
        depth += {"{": 1, "}": -1}.get(char, 0) if prefix else 0
        if char == " " and depth == 0:
            words.append(current)
            current = ""
    words.append(current)
    fill = room - len(prefix) - 2  # a piece's text, less its prefix and quotes
    chunks = _filled(words, fill)
    if len(chunks) < 2:
        return None
    if len(chunks[-1]) < fill // 4:  # a word or two left over ("far"): the pieces evened out,
        count = len(chunks)  # the narrowest fill that gives no more of them
        narrowest = (sum(map(len, words)) + count - 1) // count
        fill = next(r for r in range(narrowest, fill + 1) if len(_filled(words, r)) == count)
        chunks = _filled(words, fill)
    return [(prefix if "{" in c or "}" in c else "") + quote + c + quote for c in chunks]


def _filled(words: list[str], room: int) -> list[str]:
    """The words packed greedily into pieces of at most `room` characters (a longer word alone)."""
    chunks, chunk = [], ""
    for word in words:
        if chunk and len(chunk) + len(word) > room:
            chunks.append(chunk)
            chunk = ""
        chunk += word
    return [*chunks, chunk]


# the words a condition is broken before, loosest first (`a if c else b`, then `or`, `and`)
_CONDITION_WORDS = ((" if ", " else "), (" or ",), (" and ",))


def _wrap_condition(line: str, width: int) -> list[str]:
    """A line too long around a parenthesised condition, `(a or b and c)` (no call's brackets):
    broken before its loosest words, each line after the first aligned inside the bracket,
    where every line then fits."""
    if len(line) <= width or line.lstrip().startswith("#"):
        return [line]
    for start, end in _groups(line):
        inside = line[start + 1 : end]
        for words in _CONDITION_WORDS:
            cuts = sorted(i for word in words for i in _top_level(inside, word))
            if not cuts:
                continue
            bounds = [0, *cuts, len(inside)]
            pieces = [inside[a:b].strip() for a, b in zip(bounds, bounds[1:])]
            lines, current = [], line[: start + 1] + pieces[0]
            for piece in pieces[1:]:
                if len(current) + 1 + len(piece) > width:
                    lines.append(current)
                    current = " " * (start + 1) + piece
                else:
                    current += " " + piece
            lines.append(current + line[end:].rstrip())
            if len(lines) > 1 and all(len(piece) <= width for piece in lines):
                return lines
            if words[0] == " if " and len(lines) > 1:  # `a if c else b` of long calls: each
                tail = line[end:].rstrip()  # branch's call wrapped too, the bracket closed after
                parts = [*lines[:-1], lines[-1][: len(lines[-1]) - len(tail)]]
                wrapped = [piece for part in parts for piece in _wrap_calls(part, width)]
                wrapped[-1] += tail
                if all(len(piece) <= width for piece in wrapped):
                    return wrapped
            break
    target, equals, value = line.partition(" = ")  # `name = a and b`: the value in parentheses
    if equals and not value.startswith("(") and "#" not in value and _is_condition(value):
        bracketed = f"{target} = ({value.rstrip()})"
        lines = _wrap_condition(bracketed, width)
        return lines if len(lines) > 1 else [line]
    indent, test = line[: len(line) - len(line.lstrip())], line.strip()  # `if a or b:` likewise
    if test.startswith("if ") and test.endswith(":") and _is_condition(test[3:-1], (ast.BoolOp,)):
        if not test[3:].startswith("("):
            lines = _wrap_condition(f"{indent}if ({test[3:-1]}):", width)
            return lines if len(lines) > 1 else [line]
    return [line]


def _is_condition(text: str, kinds=(ast.BoolOp, ast.IfExp)) -> bool:
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return False
    return isinstance(node, kinds)


def _groups(line: str) -> list[tuple[int, int]]:
    """Positions of each `(...)` on the line that is no call's (no name or bracket before it,
    or a keyword: `not (`), the widest first."""
    keywords = (" not", " in", " if", " else", " or", " and", "return")
    groups = []
    for start, end, bracket in _brackets(line):
        before = line[:start].rstrip()
        call = before[-1:].isalnum() or before[-1:] in "_)]"
        if bracket == "(" and (not call or before.endswith(keywords)):
            groups.append((start, end))
    return sorted(groups, key=lambda group: group[0] - group[1])


def _top_level(text: str, word: str) -> list[int]:
    """Where `word` occurs in `text` outside brackets and strings."""
    return [i for i, _, depth in _outside_strings(text) if depth == 0 and text.startswith(word, i)]


def _outside_strings(text: str) -> list[tuple[int, str, int]]:
    """Each character of `text` outside its string literals, with its bracket depth (a bracket
    itself at the depth outside it)."""
    found, depth, quote = [], 0, ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
            continue
        if char in "\"'":
            quote = char
            continue
        depth -= char in ")]}"
        found.append((index, char, depth))
        depth += char in "([{"
    return found


def _brackets(line: str) -> list[tuple[int, int, str]]:
    """Each bracket pair that opens and closes on the line: (start, end, its opening)."""
    openings: list[tuple[int, str]] = []
    pairs = []
    for index, char, _ in _outside_strings(line):
        if char in "([{":
            openings.append((index, char))
        elif char in ")]}" and openings:
            start, bracket = openings.pop()
            pairs.append((start, index, bracket))
    return pairs


def _wrap_inside(line: str, width: int) -> list[str]:
    """A line too long that does not end with its call (`tl.sum(a, axis=1) / n,`, a dict of
    tensors, an argument alone on its line): broken inside its widest `(...)` or `{...}` of two
    or more arguments, when that holds half the line or more and little follows it, each
    argument still too long broken so in turn, when every resulting line fits; else left as
    it is."""
    if len(line) <= width or line.lstrip().startswith("#"):
        return [line]
    opening = _widest_call(line)
    if opening is None:
        return [line]
    start, end = opening
    inside, after = end - start - 1, len(line.rstrip()) - end - 1
    if 2 * inside < len(line.strip()) or after > _TAIL_LIMIT:  # a small call amid an expression
        return [line]
    lines = _packed(line, start, end, width, display=_is_display(line, start))
    # an argument still too long: broken inside its own widest bracket, as deep as it takes,
    # where each break keeps the arguments aligned under their bracket (none left hanging)
    deeper = [piece for part in lines for piece in _wrap_inside(part, width)]
    if len(deeper) > len(lines) and not any(p.rstrip().endswith("(") for p in deeper):
        lines = deeper
    return lines if all(len(piece) <= width for piece in lines) else [line]


def _widest_call(line: str) -> tuple[int, int] | None:
    """Positions of the widest `(...)`, `{...}` or list `[...]` (no subscript's) that opens
    and closes on the line around two or more arguments (the leftmost of equal ones)."""
    pairs = [
        (start, end)
        for start, end, bracket in _brackets(line)
        if (bracket != "[" or _is_display(line, start))
        and len(_split_top_level(line[start + 1 : end])) > 1
    ]
    return max(pairs, key=lambda pair: (pair[1] - pair[0], -pair[0]), default=None)


def _is_display(line: str, start: int) -> bool:
    """A dict, set or list written out (`{"x": [...]}`, `[(a, 1), (b, 2)]`), not a call's or a
    subscript's bracket: its items read best aligned under the first."""
    before = line[:start].rstrip()
    return line[start] in "{[" and not (before[-1:].isalnum() or before[-1:] in "_)]")


def _wrap_two_terms(line: str, width: int) -> list[str]:
    """`name = a + b` too long for one line: broken before its `+` where both lines then fit."""
    return _wrap_sum(line, width, least=2)


def _wrap_sum(line: str, width: int, least: int = 3) -> list[str]:
    """`name = a + b + ...` (`least` terms or more) too long for one line: the sum in
    parentheses, broken before a `+` (terms as written: a parenthesised one stays whole), the
    closing one after the last term."""
    indent = line[: len(line) - len(line.lstrip())]
    text = line.strip()
    try:
        statement = ast.parse(text).body[0]
    except SyntaxError:
        return [line]
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return [line]
    if text[statement.value.end_col_offset :].strip():  # a comment after it: left as it is
        return [line]
    value, pluses = statement.value, []
    while _is_sum(text, value):
        pluses.insert(0, text.index("+", value.left.end_col_offset, value.right.col_offset))
        value = value.left
    if len(pluses) + 1 < least:
        return [line]
    bounds = [statement.value.col_offset, *pluses, statement.value.end_col_offset]
    pieces = [text[a + (i > 0) : b].strip() for i, (a, b) in enumerate(zip(bounds, bounds[1:]))]
    head = f"{indent}{text[: statement.value.col_offset].rstrip()} ("  # `name = (`
    inner = " " * len(head)  # the next terms aligned under the first, each after its `+`
    lines, current = [], head + pieces[0]
    for piece in pieces[1:]:
        if len(current) + len(" + ") + len(piece) + len(")") > width:
            lines.append(current)
            current = inner + "+ " + piece
        else:
            current += " + " + piece
    lines.append(current + ")")
    if len(pluses) == 1 and any(len(piece) > width for piece in lines):
        return [line]  # two terms: broken only where both then fit
    return lines


def _is_sum(text: str, node: ast.expr) -> bool:
    """An addition written without parentheses around it."""
    before = text[: node.col_offset].rstrip()
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and not before.endswith("(")


def _outer_call(line: str) -> tuple[int, int] | None:
    """Positions of the first bracket pair that closes at the end of the line (before `:`)."""
    text = line.rstrip()
    tail = len(text) - (1 if text.endswith(":") else 0)
    if tail == 0 or text[tail - 1] != ")":
        return None
    depth, quote = 0, ""
    for index, char in enumerate(text[:tail]):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            if depth == 0:
                start = index
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return (start, index) if index == tail - 1 else None
    return None


def _split_top_level(text: str) -> list[str]:
    """`text` cut at its commas outside brackets and strings (no empty last part)."""
    commas = [i for i, char, depth in _outside_strings(text) if char == "," and depth == 0]
    bounds = [-1, *commas, len(text)]
    parts = [text[a + 1 : b] for a, b in zip(bounds, bounds[1:], strict=False)]
    return parts if parts[-1].strip() else parts[:-1]
