"""Audience rules: which contacts a known issue (or a survey campaign) is about, as data, parsed safely.

    platform == "android" and app_version < "4.2"
    country in ["CZ", "SK"] and not plan == "free"

Grammar: comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, chained like `"1.0" <= v < "2.0"`) between
contact fields or attributes (names) and literals (strings, numbers, true/false, lists of them after `in`), joined by
`and`, `or`, `not` and parentheses. Nothing else parses: no calls, no attribute access, no arithmetic, never eval —
the text is read with Python's `ast` and every node is checked against that list.

Meaning: strings compare case-insensitively; two strings made of digits and dots compare as versions ("4.10" >
"4.2", "4.2" == "4.2.0"); a number literal compares numerically ("30" from a CSV against 18); a comparison with a
missing attribute (or a value that is not a number where one is needed) is false, so `not` of it is true.
Imports nothing of careloop: configuration validates rules with it at load time.
"""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping

_VERSION = re.compile(r"^\d+(?:\.\d+)*$")
_MISSING = object()
_ORDER = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_ALLOWED = "comparisons (==, !=, <, <=, >, >=, in, not in) of contact attributes with literals, joined by and/or/not"


class RuleError(ValueError):
    """The rule does not parse or uses something other than comparisons; the message quotes the rule."""


@dataclass(frozen=True)
class Rule:
    text: str
    names: frozenset[str]  # the attributes the rule reads
    test: Callable[[Mapping[str, Any]], bool]

    def __call__(self, attributes: Mapping[str, Any]) -> bool:
        return self.test(attributes)


@lru_cache(maxsize=256)
def parse_rule(text: str) -> Rule:
    """A callable Rule, or RuleError naming the rule and the part that is not allowed."""
    source = (text or "").strip()
    if not source:
        raise RuleError("audience rule is empty: write e.g. platform == \"android\"")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"audience rule {source!r} is not valid at column {exc.offset}: {exc.msg}") from None
    names: set[str] = set()
    test = _condition(tree.body, source, names)
    return Rule(source, frozenset(names), test)


def _condition(node: ast.AST, source: str, names: set[str]) -> Callable[[Mapping[str, Any]], bool]:
    if isinstance(node, ast.BoolOp):
        parts = [_condition(value, source, names) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda attrs: all(part(attrs) for part in parts)
        return lambda attrs: any(part(attrs) for part in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _condition(node.operand, source, names)
        return lambda attrs: not inner(attrs)
    if isinstance(node, ast.Compare):
        operands = [_operand(node.left, source, names)] + [_operand(right, source, names) for right in node.comparators]
        pairs = []
        for index, op in enumerate(node.ops):
            right = node.comparators[index]
            if isinstance(op, (ast.In, ast.NotIn)) and not isinstance(right, (ast.List, ast.Tuple, ast.Set)):
                raise RuleError(f"audience rule {source!r}: `in` needs a list of literals after it, e.g. country in [\"CZ\", \"SK\"]")
            pairs.append((_comparison(op, source), operands[index], operands[index + 1]))
        return lambda attrs: all(compare(left(attrs), right(attrs)) for compare, left, right in pairs)
    raise RuleError(f"audience rule {source!r}: {_describe(node, source)} is not a condition; use {_ALLOWED}")


def _operand(node: ast.AST, source: str, names: set[str]) -> Callable[[Mapping[str, Any]], Any]:
    if isinstance(node, ast.Name):
        names.add(node.id)
        return lambda attrs: _lookup(attrs, node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        value = node.value
        return lambda attrs: value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) in (int, float):
        value = -node.operand.value
        return lambda attrs: value
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_operand(item, source, names) for item in node.elts]
        if any(isinstance(item, (ast.List, ast.Tuple, ast.Set, ast.Name)) for item in node.elts):
            raise RuleError(f"audience rule {source!r}: a list may hold literals only")
        values = tuple(item({}) for item in items)
        return lambda attrs: values
    raise RuleError(f"audience rule {source!r}: {_describe(node, source)} is not allowed; use {_ALLOWED}")


def _describe(node: ast.AST, source: str) -> str:
    fragment = ast.get_source_segment(source, node) or type(node).__name__
    return f"`{fragment}` ({type(node).__name__.lower()})"


def _lookup(attrs: Mapping[str, Any], name: str) -> Any:
    value = attrs.get(name, _MISSING)
    return _MISSING if value is None or value == "" else value


def _comparison(op: ast.cmpop, source: str) -> Callable[[Any, Any], bool]:
    if isinstance(op, ast.Eq):
        return lambda left, right: _present(left, right) and _equal(left, right)
    if isinstance(op, ast.NotEq):
        return lambda left, right: _present(left, right) and not _equal(left, right)
    if isinstance(op, ast.In):
        return lambda left, right: _present(left, right) and any(_equal(left, item) for item in right)
    if isinstance(op, ast.NotIn):
        return lambda left, right: _present(left, right) and not any(_equal(left, item) for item in right)
    if type(op) in _ORDER:
        order = _ORDER[type(op)]
        return lambda left, right: _ordered(order, left, right)
    raise RuleError(f"audience rule {source!r}: the operator {type(op).__name__} is not allowed; use {_ALLOWED}")


def _present(left: Any, right: Any) -> bool:
    return left is not _MISSING and right is not _MISSING


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both sides as numbers, versions or case-folded strings; None when they cannot be compared."""
    if not _present(left, right):
        return None
    if isinstance(left, bool) or isinstance(right, bool):
        return (_boolean(left), _boolean(right)) if None not in (_boolean(left), _boolean(right)) else None
    if isinstance(left, (int, float)) or isinstance(right, (int, float)):
        try:
            return float(left), float(right)
        except (TypeError, ValueError):
            return None
    left, right = str(left).strip(), str(right).strip()
    if _VERSION.match(left) and _VERSION.match(right):
        return _version(left), _version(right)
    return left.casefold(), right.casefold()


def _version(text: str) -> tuple[int, ...]:
    parts = [int(part) for part in text.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()  # 4.2 == 4.2.0
    return tuple(parts)


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in ("true", "yes", "1") else False if text in ("false", "no", "0") else None


def _equal(left: Any, right: Any) -> bool:
    pair = _comparable(left, right)
    return pair is not None and pair[0] == pair[1]


def _ordered(order: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    pair = _comparable(left, right)
    if pair is None:
        return False
    try:
        return order(*pair)
    except TypeError:  # a version against a word
        return False
