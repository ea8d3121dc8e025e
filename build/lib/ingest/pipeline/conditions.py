"""Step conditions: a tiny comparison grammar, parsed by hand and never evaluated as code.

    condition  := clause ("or" clause)*
    clause     := comparison ("and" comparison)*
    comparison := <step>.<key> <op> <literal>
    op         := > | >= | < | <= | == | !=
    literal    := number | 'string' | "string" | true | false

`and` binds tighter than `or` (as in Python and SQL) and there are no parentheses, so a
condition is an `or` of `and` clauses. A comparison is false when the step has no output,
the key is missing, or the value is of another type than the literal (numbers, strings and
booleans are three types; `true` is not `1`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import JsonValue

Literal = bool | int | float | str
StepOutput = Mapping[str, JsonValue]
"""What a step returns: a mapping of JSON values, e.g. `{"trust": 0.85}`."""

MAX_LENGTH = 500

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
_NAMES = {"ref": "<step>.<key> reference", "op": "comparison operator", "literal": "literal"}
_ORDERING = frozenset({">", ">=", "<", "<="})
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(
    rf"""\s*(?:
      (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])
    | (?P<string>'[^'\n]*'|"[^"\n]*")
    | (?P<op>>=|<=|==|!=|>|<)
    | (?P<ref>{_IDENTIFIER}\.{_IDENTIFIER})(?![\w.])
    | (?P<word>and|or|true|false)(?![\w.])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Comparison:
    """`<step>.<key> <op> <literal>`."""

    step: str
    key: str
    op: str
    literal: Literal

    def holds(self, outputs: Mapping[str, StepOutput]) -> bool:
        """True when the step's output has the key and its value compares as asked."""
        output = outputs.get(self.step)
        if output is None or self.key not in output:
            return False
        value = output[self.key]
        if _kind(value) is not _kind(self.literal):
            return False
        return bool(_OPERATORS[self.op](value, self.literal))


@dataclass(frozen=True)
class Condition:
    """An `or` of `and` clauses of comparisons."""

    clauses: tuple[tuple[Comparison, ...], ...]

    @property
    def steps(self) -> frozenset[str]:
        """The steps whose outputs the condition reads."""
        return frozenset(c.step for clause in self.clauses for c in clause)

    def holds(self, outputs: Mapping[str, StepOutput]) -> bool:
        """Evaluate against the outputs of the steps that succeeded so far."""
        return any(all(c.holds(outputs) for c in clause) for clause in self.clauses)


def parse_condition(text: str) -> Condition:
    """Parse a condition; raises `ValueError` saying what is wrong and at which column."""
    if len(text) > MAX_LENGTH:
        raise ValueError(f"a condition is at most {MAX_LENGTH} characters")
    tokens = _tokenize(text)
    clauses: list[list[Comparison]] = [[]]
    position = 0
    while True:
        comparison, position = _comparison(tokens, position)
        clauses[-1].append(comparison)
        if position == len(tokens):
            return Condition(tuple(tuple(clause) for clause in clauses))
        _, value, column = tokens[position]
        if value not in ("and", "or"):
            raise ValueError(f"expected 'and' or 'or' at column {column}, found {value!r}")
        if value == "or":
            clauses.append([])
        position += 1


_Token = tuple[str, str, int]


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            column = position + len(text[position:]) - len(text[position:].lstrip()) + 1
            raise ValueError(f"unexpected {text[column - 1 :][:20]!r} at column {column}")
        tokens.append((match.lastgroup, match[match.lastgroup], match.start(match.lastgroup) + 1))
        position = match.end()
    return tokens


def _comparison(tokens: list[_Token], position: int) -> tuple[Comparison, int]:
    expected = ("ref", "op", "literal")
    found = tokens[position : position + 3]
    for want, token in zip(expected, found, strict=False):
        kind = "literal" if token[0] in ("number", "string", "word") else token[0]
        if kind != want or (token[0] == "word" and token[1] not in ("true", "false")):
            raise ValueError(f"expected a {_NAMES[want]} at column {token[2]}, found {token[1]!r}")
    if len(found) < 3:
        missing = _NAMES[expected[len(found)]]
        raise ValueError(f"expected a {missing} at the end of the condition")
    (_, ref, _), (_, op, column), (kind, raw, _) = found
    literal = _literal(kind, raw)
    if op in _ORDERING and isinstance(literal, bool):
        raise ValueError(f"{op!r} at column {column} needs a number or a string, not {raw}")
    step, key = ref.split(".")
    return Comparison(step, key, op, literal), position + 3


def _literal(kind: str, raw: str) -> Literal:
    if kind == "string":
        return raw[1:-1]
    if kind == "word":
        return raw == "true"
    return float(raw) if any(mark in raw for mark in ".eE") else int(raw)


def _kind(value: object) -> type | None:
    if isinstance(value, bool):
        return bool
    if isinstance(value, int | float):
        return float
    if isinstance(value, str):
        return str
    return None
