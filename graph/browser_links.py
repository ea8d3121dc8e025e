"""Links that open Neo4j Browser with a Grace query in its editor.

Browser fills its editor from `?cmd=edit&arg=LINE&arg=LINE...` (one `arg` per line). It
decodes the whole address once and cuts each `arg` at the next `&` or `#`, so a value is
carried as a Cypher string literal in a `:param` line in which those characters, and every
other one outside a small safe set, are escaped (`\\'`, `\\\\`, else `\\uXXXX`): whatever a key
holds, it stays one string value and the query itself is the named statement, unchanged.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from graph.cypher_registry import CypherRegistry
from graph.errors import GraceError
from graph.settings import Settings

ENTITY_STATEMENT = "browser/entity_provenance"
"""The statement a link to an entity opens; it takes `$entity`."""

NODE_STATEMENTS = {
    "entity": (ENTITY_STATEMENT, "entity"),
    **{
        kind: (f"browser/{kind}_provenance", "node")
        for kind in ("row", "document", "source", "conflict", "fact")
    },
}
"""The statement that opens each kind of node's neighbourhood, and the parameter it takes."""

SAFE_LITERAL_CHARACTER = re.compile(r"[A-Za-z0-9 _.,:/@-]")
"""Characters written as themselves in a literal; anything else becomes an escape."""

ADDRESS_BREAKERS = ("&", "#")
"""Characters that end an `arg` in Browser's address parsing, even percent-encoded."""


class BadEntityReferenceError(GraceError):
    """An entity named otherwise than `table:key`."""

    code = "bad_entity_reference"

    def __init__(self, entity: str) -> None:
        self.entity = entity
        super().__init__(f"entity {entity!r} is not TABLE:KEY (an entity id, e.g. cities:lyon-fr)")


def cypher_string(value: str) -> str:
    """`value` as a single-quoted Cypher string literal made of safe ASCII characters only."""
    return "'" + "".join(_literal_character(c) for c in value) + "'"


def _literal_character(character: str) -> str:
    """Neo4j reads `\\uXXXX` before it reads the string (as Java does), so an escaped quote
    or backslash would end the string early: those two take their own escapes."""
    if SAFE_LITERAL_CHARACTER.fullmatch(character):
        return character
    if character in "'\\":
        return "\\" + character
    units = character.encode("utf-16-be")  # beyond U+FFFF: a surrogate pair (no \\U in Cypher)
    return "".join(f"\\u{int.from_bytes(units[i : i + 2]):04x}" for i in range(0, len(units), 2))


def entity_id(reference: str) -> str:
    """The entity id of `table:key` (the same string), refused when it is not of that form."""
    table, separator, key = reference.partition(":")
    if not (table.strip() and separator and key):
        raise BadEntityReferenceError(reference)
    return reference


def entity_editor_lines(registry: CypherRegistry, reference: str) -> list[str]:
    """What the editor holds: the `:param` line, then the entity statement."""
    return node_editor_lines(registry, "entity", entity_id(reference))


def node_editor_lines(registry: CypherRegistry, kind: str, node_id: str) -> list[str]:
    """What the editor holds for a node of `kind` (a key of `NODE_STATEMENTS`): the `:param`
    line with its id as an escaped literal, then the kind's statement, unchanged."""
    name, parameter = NODE_STATEMENTS[kind]
    statement = registry[name]
    if any(breaker in statement for breaker in ADDRESS_BREAKERS):
        raise ValueError(f"{name} holds & or #, which a Browser link cannot carry")
    return [f":param {parameter} => {cypher_string(node_id)};", *statement.splitlines()]


def browser_url(settings: Settings) -> str:
    """Where Neo4j Browser is served: the HTTP port of the Neo4j that `settings` name."""
    host = urlsplit(settings.neo4j_uri).hostname or "127.0.0.1"
    return f"http://{host}:{settings.neo4j_http_port}/browser/"


def editor_link(browser_url: str, lines: list[str]) -> str:
    """A Browser address (`http://host:port/browser/`) that opens with `lines` in the editor."""
    args = "&".join(f"arg={quote(line, safe='')}" for line in lines if line.strip())
    return f"{browser_url.rstrip('/')}/?cmd=edit&{args}"


def entity_link(settings: Settings, registry: CypherRegistry, reference: str | None) -> str:
    """The link `grace browser [ENTITY]` prints: Browser with the entity's provenance query
    in its editor, or Browser alone without an entity."""
    if reference is None:
        return browser_url(settings)
    return editor_link(browser_url(settings), entity_editor_lines(registry, reference))


def node_link(settings: Settings, registry: CypherRegistry, kind: str, node_id: str) -> str:
    """Browser with the neighbourhood of one node of `kind` in its editor (the web app's
    provenance explorer hands it over so)."""
    return editor_link(browser_url(settings), node_editor_lines(registry, kind, node_id))
