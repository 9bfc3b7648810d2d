"""torch.einsum's common forms inside a device loop, as the expressions they equal: a matrix
product (`ik,kj->ij`, batched `bik,bkj->bij`, either factor transposed), an element-wise
product summed (`ij,ij->i`, `i,i->`), a sum or a permutation of one operand (`ij->ji`)."""

from __future__ import annotations

import libcst as cst

# what the refusal of any other equation names
FORMS = (
    "matrix products (ik,kj->ij, bik,bkj->bij, a factor transposed: ik,jk->ij), element-wise "
    "products summed (ij,ij->i, i,i->), sums and permutations of one operand (ij->i, ij->ji)"
)
FORMS_HINT = "write it with @ (a @ b, a @ b.mT), * and .sum(dim), or .permute(...)"


def equation_of(node: cst.BaseExpression | None) -> str | None:
    """The equation of a string literal, spaces dropped; None for anything else."""
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value.replace(" ", "")
    return None


def operands_of(nodes: list[cst.BaseExpression]) -> list[cst.BaseExpression]:
    """einsum's operands, given one by one or as one list (`torch.einsum(eq, [a, b])`)."""
    if len(nodes) == 1 and isinstance(nodes[0], (cst.List, cst.Tuple)):
        return [element.value for element in nodes[0].elements]
    return nodes


def einsum_expression(equation: str, operands: list) -> cst.BaseExpression | None:
    """The expression `torch.einsum(equation, *operands)` equals, of the forms lowered; None
    for any other (an ellipsis, a letter repeated in one operand, three operands, ...)."""
    if equation.count("->") != 1:
        return None
    inputs, output = equation.split("->")
    specs = inputs.split(",")
    letters = [*specs, output]
    if len(specs) != len(operands) or not all(s.isalpha() or s == "" for s in letters):
        return None
    if any(len(set(s)) != len(s) for s in letters) or not set(output) <= set("".join(specs)):
        return None
    if len(specs) == 1:
        return _reduced(specs[0], output, operands[0])
    if len(specs) != 2:
        return None
    first, second = specs
    if first == second:  # ij,ij->i: the element-wise product, then as one operand
        return _reduced(
            first, output, cst.BinaryOperation(operands[0], cst.Multiply(), operands[1])
        )
    return _matrix_product(first, second, output, *operands)


def _reduced(spec: str, output: str, operand: cst.BaseExpression) -> cst.BaseExpression:
    """One operand summed over the letters `output` drops, then permuted to its order."""
    dropped = [position for position, letter in enumerate(spec) if letter not in output]
    value = operand
    if dropped and len(dropped) == len(spec):
        value = _method(value, "sum")
    elif dropped:
        value = _method(value, "sum", cst.Tuple([cst.Element(_int(d)) for d in dropped]))
    kept = [letter for letter in spec if letter in output]
    if kept != list(output):
        value = _method(value, "permute", *(_int(kept.index(letter)) for letter in output))
    return value


def _matrix_product(first: str, second: str, output: str, a, b) -> cst.BaseExpression | None:
    """`a @ b` with each factor transposed into place: one contracted letter, one free letter
    per factor, and a batch letter first in all three, or none."""
    contracted = [letter for letter in first if letter in second and letter not in output]
    batch = [letter for letter in first if letter in second and letter in output]
    own_a = [letter for letter in first if letter not in second]
    own_b = [letter for letter in second if letter not in first]
    if len(contracted) != 1 or len(own_a) != 1 or len(own_b) != 1 or len(batch) > 1:
        return None
    if batch and not (first[0] == second[0] == output[0] == batch[0]):
        return None
    if output != "".join(batch + own_a + own_b):
        return None
    k = contracted[0]
    left = a if first.endswith(k) else _transposed(a, len(first))
    right = b if second[len(batch)] == k else _transposed(b, len(second))
    return cst.BinaryOperation(left, cst.MatrixMultiply(), right)


def _transposed(node: cst.BaseExpression, rank: int) -> cst.BaseExpression:
    return _method(node, "transpose", _int(rank - 2), _int(rank - 1))


def _method(owner: cst.BaseExpression, name: str, *args: cst.BaseExpression) -> cst.Call:
    return cst.Call(cst.Attribute(owner, cst.Name(name)), [cst.Arg(a) for a in args])


def _int(number: int) -> cst.Integer:
    return cst.Integer(str(number))
