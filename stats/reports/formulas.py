"""Formulas of computed cells: other cells' codes in square brackets, numbers, + − × ÷ and brackets.

    100 * ([03] + [04]) / [02]

Cell codes are written in square brackets because forms number their lines 01, 02…, which would
otherwise read as numbers. A formula is parsed here (never with ``eval``) and computed with Decimals;
when a cell it uses has no value, or it divides by zero, it has no value either.
"""

from __future__ import annotations

import re
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.utils.translation import gettext as _

TOKEN = re.compile(r"\s*(?:(\d+(?:[.,]\d+)?)|\[\s*([A-Za-z0-9_\-]+)\s*\]|([-+*/×÷−()]))")
OPERATORS = {"×": "*", "÷": "/", "−": "-"}


class FormulaError(ValueError):
    pass


def _tokens(formula: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = formula.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None:
            raise FormulaError(
                _(
                    "The formula “%(formula)s” cannot be read at “%(rest)s”: write cells as [01], numbers, "
                    "+ − × ÷ and brackets."
                )
                % {"formula": formula, "rest": text[position:].strip()}
            )
        number, cell, operator = match.groups()
        if number is not None:
            tokens.append(("number", number.replace(",", ".")))
        elif cell is not None:
            tokens.append(("cell", cell))
        else:
            tokens.append(("op", OPERATORS.get(operator, operator)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent: expression := term (+|- term)*; term := factor (*|/ factor)*;
    factor := number | [cell] | (expression) | -factor. Produces a tree of tuples."""

    def __init__(self, formula: str):
        self.formula = formula
        self.tokens = _tokens(formula)
        self.position = 0

    def _peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def _take(self):
        token = self._peek()
        self.position += 1
        return token

    def _fail(self):
        raise FormulaError(
            _("The formula “%(formula)s” is not complete or not well formed.") % {"formula": self.formula}
        )

    def parse(self):
        if not self.tokens:
            self._fail()
        tree = self._expression()
        if self.position != len(self.tokens):
            self._fail()
        return tree

    def _expression(self):
        tree = self._term()
        while self._peek() in (("op", "+"), ("op", "-")):
            tree = (self._take()[1], tree, self._term())
        return tree

    def _term(self):
        tree = self._factor()
        while self._peek() in (("op", "*"), ("op", "/")):
            tree = (self._take()[1], tree, self._factor())
        return tree

    def _factor(self):
        kind, value = self._take()
        if kind == "number":
            return ("number", Decimal(value))
        if kind == "cell":
            return ("cell", value)
        if (kind, value) == ("op", "-"):
            return ("neg", self._factor())
        if (kind, value) == ("op", "("):
            tree = self._expression()
            if self._take() != ("op", ")"):
                self._fail()
            return tree
        self._fail()


def parse(formula: str):
    return _Parser(formula).parse()


def _cells(tree) -> list[str]:
    if tree[0] == "cell":
        return [tree[1]]
    if tree[0] == "number":
        return []
    return [code for branch in tree[1:] for code in _cells(branch)]


def cells_of(formula: str) -> list[str]:
    """The codes of the cells a formula uses (raises :class:`FormulaError` when it cannot be read)."""
    return list(dict.fromkeys(_cells(parse(formula))))


def _evaluate(tree, values: dict[str, Decimal | None]) -> Decimal | None:
    kind = tree[0]
    if kind == "number":
        return tree[1]
    if kind == "cell":
        value = values.get(tree[1])
        return value if isinstance(value, Decimal) else None
    if kind == "neg":
        inner = _evaluate(tree[1], values)
        return None if inner is None else -inner
    left, right = _evaluate(tree[1], values), _evaluate(tree[2], values)
    if left is None or right is None:
        return None
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    try:
        return left / right
    except (DivisionByZero, InvalidOperation):
        return None


def evaluate(formula: str, values: dict[str, Decimal | None], places: int | None = None) -> Decimal | None:
    """The formula's value for these cell values (None when a cell is empty or it divides by zero),
    rounded to ``places`` decimals when given."""
    result = _evaluate(parse(formula), values)
    if result is not None and places is not None:
        result = result.quantize(Decimal(1).scaleb(-places))
    return result
