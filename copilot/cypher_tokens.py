"""A Cypher tokenizer for checking generated queries (no Cypher parser exists in Python).

It splits a statement into identifiers, backtick-quoted names, strings, numbers, parameters
and punctuation, dropping comments. It is strict where a parser would be lenient: a
backslash outside a string (Cypher's old `\\uXXXX` escapes could spell a keyword), a
character outside ASCII outside strings and quoted names (look-alike letters), and an
unterminated string, name or comment are errors, so what the checker reads is what Neo4j
reads. Neo4j's own plan of the query (`EXPLAIN`) is the second authority (`copilot.guard`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from copilot.errors import CypherRefusedError


class Kind(StrEnum):
    """What a token is."""

    NAME = "name"  # a bare identifier or keyword
    QUOTED = "quoted"  # a `backtick-quoted` name: never a keyword
    STRING = "string"
    NUMBER = "number"
    PARAMETER = "parameter"
    PUNCT = "punct"


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text (a quoted name or a string without quotes), its offset."""

    kind: Kind
    text: str
    at: int

    @property
    def upper(self) -> str:
        """The text in upper case, for keyword checks (only bare names are keywords)."""
        return self.text.upper() if self.kind is Kind.NAME else ""

    def is_punct(self, text: str) -> bool:
        """Whether this is the punctuation `text`."""
        return self.kind is Kind.PUNCT and self.text == text


_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_PART = _NAME_START | frozenset("0123456789")
_NUMBER_PART = _NAME_PART | frozenset(".")
_TWO_CHAR = frozenset({"..", "<=", ">=", "<>", "=~", "->", "<-", "+=", "::", "!="})


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, or `CypherRefusedError(rule="lexical")`."""
    tokens: list[Token] = []
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char in " \t\r\n":
            i += 1
        elif text.startswith("//", i):
            newline = text.find("\n", i)
            i = end if newline < 0 else newline + 1
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                raise _lexical(i, "an unterminated /* comment")
            i = close + 2
        elif char in "'\"":
            i = _string(text, i, tokens)
        elif char == "`":
            i = _quoted(text, i, tokens, Kind.QUOTED)
        elif char == "$":
            i = _parameter(text, i, tokens)
        elif char in _NAME_START:
            i = _run(text, i, _NAME_PART, Kind.NAME, tokens)
        elif char.isdigit():
            i = _run(text, i, _NUMBER_PART, Kind.NUMBER, tokens)
        elif char == "\\":
            raise _lexical(i, "a backslash outside a string (escapes could spell keywords)")
        elif not char.isascii() or not char.isprintable():
            raise _lexical(i, f"the character {char!r} outside a string or a quoted name")
        else:
            width = 2 if text[i : i + 2] in _TWO_CHAR else 1
            tokens.append(Token(Kind.PUNCT, text[i : i + width], i))
            i += width
    return tokens


def _lexical(at: int, what: str) -> CypherRefusedError:
    return CypherRefusedError("lexical", f"{what} at offset {at}")


def _run(text: str, start: int, part: frozenset[str], kind: Kind, tokens: list[Token]) -> int:
    i = start
    while i < len(text) and text[i] in part:
        if kind is Kind.NUMBER and text.startswith("..", i):
            break  # a range such as 1..3
        i += 1
    tokens.append(Token(kind, text[start:i], start))
    return i


def _string(text: str, start: int, tokens: list[Token]) -> int:
    quote, i, chars = text[start], start + 1, []
    while i < len(text):
        char = text[i]
        if char == "\\":
            chars.append(text[i : i + 2])
            i += 2
        elif char == quote:
            tokens.append(Token(Kind.STRING, "".join(chars), start))
            return i + 1
        else:
            chars.append(char)
            i += 1
    raise _lexical(start, "an unterminated string")


def _quoted(text: str, start: int, tokens: list[Token], kind: Kind) -> int:
    i, chars = start + 1, []
    while i < len(text):
        if text[i] == "`":
            if text.startswith("``", i):
                chars.append("`")
                i += 2
                continue
            tokens.append(Token(kind, "".join(chars), start))
            return i + 1
        chars.append(text[i])
        i += 1
    raise _lexical(start, "an unterminated `quoted name`")


def _parameter(text: str, start: int, tokens: list[Token]) -> int:
    i = start + 1
    if text.startswith("`", i):
        holder: list[Token] = []
        i = _quoted(text, i, holder, Kind.PARAMETER)
        tokens.append(Token(Kind.PARAMETER, holder[0].text, start))
        return i
    stop = i
    while stop < len(text) and text[stop] in _NAME_PART:
        stop += 1
    if stop == i:
        raise _lexical(start, "a $ without a parameter name")
    tokens.append(Token(Kind.PARAMETER, text[i:stop], start))
    return stop
