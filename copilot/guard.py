"""The Cypher guard: what generated Cypher must pass before Grace runs it (issue 17, item 3).

Two authorities, both enforced by Grace whatever the prompt said:

1. `check` reads the tokens (`copilot.cypher_tokens`) and refuses one statement's worth of
   anything that could write or reach outside the graph view: write and admin clauses
   (wherever they hide: `CALL { ... }`, `FOREACH`, `EXISTS { ... }`), `LOAD CSV`, procedures
   outside `PROCEDURES`, namespaced functions outside `FUNCTION_NAMESPACES`, labels and
   relationship types outside the view (`LABELS`, `RELATIONSHIPS`), secret properties,
   several statements, and `EXPLAIN`/`PROFILE` prefixes.
2. `check_plan` reads Neo4j's plan of the statement (`EXPLAIN`): the server must call it
   read-only (query type `r`) and no operator may write or call a procedure.

The run itself is a READ transaction with a row and a time limit (`copilot.runner`), and
what comes back is filtered for the caller (`copilot.visibility`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from copilot.cypher_tokens import Kind, Token, tokenize
from copilot.errors import CypherRefusedError

MAX_LENGTH = 4000
"""Longer generated statements are refused before they are read."""

FORBIDDEN_KEYWORDS = frozenset(
    {
        "CREATE", "MERGE", "DELETE", "DETACH", "NODETACH", "SET", "REMOVE", "INSERT",
        "DROP", "ALTER", "RENAME", "GRANT", "DENY", "REVOKE", "LOAD", "FOREACH", "USE",
        "SHOW", "TERMINATE", "START", "STOP", "ENABLE", "EXPLAIN", "PROFILE", "TRANSACTIONS",
        "PERIODIC", "DATABASE", "DATABASES", "FINISH",
    }
)  # fmt: skip
"""Clauses that write, administer, read files, switch databases or change how a query runs."""

SUBQUERY_KEYWORDS = frozenset({"CALL", "EXISTS", "COUNT", "COLLECT"})
"""Keywords whose `{ ... }` is a subquery (its tokens are checked like the rest)."""

PROCEDURES = frozenset({"db.labels", "db.relationshipTypes", "db.propertyKeys"})
"""The procedures a generated query may call: read-only schema listings."""

FUNCTION_NAMESPACES = frozenset({"apoc.coll", "apoc.text", "apoc.map", "apoc.date"})
"""Namespaces of the user-defined functions allowed (pure functions over their arguments);
every built-in (un-namespaced) function is read-only and allowed."""

LABELS = frozenset(
    {"Row", "Fact", "Conflict", "Entity", "Document", "Source", "SchemaVersion", "IngestionRun"}
)
"""The graph view of the co-pilot: the labels a generated query may name."""

RELATIONSHIPS = frozenset(
    {
        "EXTRACTED_FROM", "FROM_SOURCE", "SUPERSEDES", "DESCRIBES", "CONFORMS_TO",
        "INGESTED_BY", "ABOUT", "CONTRADICTS", "INVOLVES",
    }
)  # fmt: skip
"""The relationship types of the view (provenance, contradiction, facts)."""

SECRET_PROPERTIES = frozenset({"hash", "value_hashes", "secret", "password", "token", "salt"})
"""Properties never read by a generated query (key hashes, keyed hashes of personal values)."""

PLAN_FORBIDDEN = ("Create", "Merge", "Delete", "Set", "Remove", "Foreach", "LoadCSV",
                  "Transaction", "Command", "System")  # fmt: skip
"""Plan operators (by name fragment) that mean a write, a file or an administration command
(procedure calls are checked by name in the text: `PROCEDURES`)."""


@dataclass(frozen=True)
class CheckedQuery:
    """A statement that passed `check`, with the parameters it uses."""

    text: str
    parameters: frozenset[str]


@dataclass(frozen=True)
class Plan:
    """What Neo4j said of a statement without running it."""

    query_type: str
    operators: tuple[str, ...]


def check(text: str) -> CheckedQuery:
    """`text` as a `CheckedQuery`, or `CypherRefusedError` naming the rule it breaks."""
    if len(text) > MAX_LENGTH:
        raise CypherRefusedError("too_long", f"{len(text)} characters (at most {MAX_LENGTH})")
    tokens = tokenize(text)
    if not tokens:
        raise CypherRefusedError("empty", "no statement")
    _Checker(tokens).run()
    parameters = frozenset(t.text for t in tokens if t.kind is Kind.PARAMETER)
    return CheckedQuery(text.strip(), parameters)


def check_plan(plan: Plan) -> None:
    """Refuse a statement whose plan is not read-only (Neo4j's own verdict)."""
    if plan.query_type != "r":
        raise CypherRefusedError("not_read_only", f"Neo4j plans it as type {plan.query_type!r}")
    for operator in plan.operators:
        if any(fragment in operator for fragment in PLAN_FORBIDDEN):
            raise CypherRefusedError("plan_operator", f"the plan has operator {operator}")


class _Checker:
    """One pass over the tokens with the bracket context needed to tell labels from map keys."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens
        self.stack: list[str] = []  # "(", "[", "{map", "{query"
        self.call_parens: set[int] = set()  # depths of `(` opened right after CALL

    def run(self) -> None:
        for index, token in enumerate(self.tokens):
            self.visit(index, token)
        if self.stack:
            raise CypherRefusedError("syntax", f"unclosed {self.stack[-1][0]!r}")

    def previous(self, index: int) -> Token | None:
        return self.tokens[index - 1] if index > 0 else None

    def following(self, index: int) -> Token | None:
        return self.tokens[index + 1] if index + 1 < len(self.tokens) else None

    def visit(self, index: int, token: Token) -> None:
        before = self.previous(index)
        after_dot = before is not None and before.is_punct(".")
        if token.kind is Kind.NAME and not after_dot:
            self.keyword(index, token)
        if token.kind in (Kind.NAME, Kind.QUOTED) and not after_dot:
            following = self.following(index)
            if following is not None and following.is_punct("."):
                self.namespaced_function(index)
        if token.kind in (Kind.NAME, Kind.QUOTED) and after_dot:
            self.property(token)
        if token.kind is Kind.PUNCT:
            self.punct(index, token)

    def keyword(self, index: int, token: Token) -> None:
        word = token.upper
        if word in FORBIDDEN_KEYWORDS:
            raise CypherRefusedError("forbidden_clause", f"{word} at offset {token.at}")
        if word == "CALL":
            self.call(index)

    def call(self, index: int) -> None:
        following = self.following(index)
        if following is None:
            raise CypherRefusedError("syntax", "CALL without a procedure or subquery")
        if following.is_punct("{") or following.is_punct("("):
            return  # a subquery; its contents are checked token by token
        name, _ = self.dotted(index + 1)
        if name not in PROCEDURES:
            raise CypherRefusedError("procedure", f"{name} is not an allowed procedure")

    def namespaced_function(self, index: int) -> None:
        name, stop = self.dotted(index)
        following = self.tokens[stop] if stop < len(self.tokens) else None
        before = self.previous(index)
        if following is None or not following.is_punct("("):
            return  # property access such as r.trust
        if before is not None and before.upper == "CALL":
            return  # a procedure, checked by `call`
        namespace = name.rsplit(".", 1)[0]
        if namespace not in FUNCTION_NAMESPACES:
            raise CypherRefusedError("function", f"{name} is not an allowed function")

    def dotted(self, start: int) -> tuple[str, int]:
        """The dotted name starting at `start` (bare or quoted parts) and the index after it."""
        parts, i = [], start
        while i < len(self.tokens) and self.tokens[i].kind in (Kind.NAME, Kind.QUOTED):
            parts.append(self.tokens[i].text)
            if i + 1 < len(self.tokens) and self.tokens[i + 1].is_punct("."):
                i += 2
            else:
                i += 1
                break
        return ".".join(parts), i

    def property(self, token: Token) -> None:
        if token.text.lower() in SECRET_PROPERTIES:
            raise CypherRefusedError("secret_property", f"property {token.text} is not readable")

    def punct(self, index: int, token: Token) -> None:
        text = token.text
        if text == ";":
            raise CypherRefusedError("several_statements", "one statement only (found ';')")
        if text == "*" and self.following(index) is not None:
            self.wildcard(index)
        if text in ("(", "["):
            before = self.previous(index)
            if text == "(" and before is not None and before.upper == "CALL":
                self.call_parens.add(len(self.stack))
            self.stack.append(text)
        elif text == "{":
            self.stack.append("{query" if self.opens_subquery(index) else "{map")
        elif text in (")", "]", "}"):
            self.close(text)
        elif text == ":" and (not self.stack or self.stack[-1] != "{map"):
            self.labels(index + 1)

    def wildcard(self, index: int) -> None:
        """`.*` in a map projection copies every property, secret ones included."""
        before = self.previous(index)
        if before is not None and before.is_punct("."):
            raise CypherRefusedError("secret_property", "map projections with .* are refused")

    def opens_subquery(self, index: int) -> bool:
        before = self.previous(index)
        if before is None:
            return False
        if before.upper in SUBQUERY_KEYWORDS:
            return True
        return before.is_punct(")") and self.closed_call_paren

    closed_call_paren = False

    def close(self, text: str) -> None:
        opener = {")": "(", "]": "[", "}": "{"}[text]
        if not self.stack or self.stack[-1][0] != opener:
            raise CypherRefusedError("syntax", f"unbalanced {text!r}")
        self.stack.pop()
        depth = len(self.stack)
        self.closed_call_paren = text == ")" and depth in self.call_parens
        self.call_parens.discard(depth)

    def labels(self, start: int) -> None:
        """Check the label or relationship-type expression after a `:` (names joined by
        `|`, `&`, `!`)."""
        i, expect_name = start, True
        while i < len(self.tokens):
            token = self.tokens[i]
            if token.is_punct("%"):
                raise CypherRefusedError("outside_view", "the any-label wildcard % is refused")
            if expect_name and token.kind in (Kind.NAME, Kind.QUOTED):
                if token.text not in LABELS and token.text not in RELATIONSHIPS:
                    raise CypherRefusedError("outside_view", f"{token.text} is not in the view")
                expect_name = False
            elif any(token.is_punct(op) for op in ("|", "&", "!", ":")):
                expect_name = True
            else:
                return
            i += 1
