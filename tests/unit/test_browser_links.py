"""Links that open Neo4j Browser on an entity: read back the way Browser reads them."""

from __future__ import annotations

import re

import pytest

from graph.browser_links import (
    ENTITY_STATEMENT,
    NODE_STATEMENTS,
    BadEntityReferenceError,
    cypher_string,
    editor_link,
    entity_link,
    node_link,
)
from graph.cypher_registry import CypherRegistry
from graph.settings import PROJECT_ROOT, load_settings
from tests.browser_support import HOSTILE_KEYS, editor_content

REGISTRY = CypherRegistry.load(PROJECT_ROOT / "cypher")
# the environment wins over load_settings' overrides (NEO4J_URI of the test services): set after
SETTINGS = load_settings("dev").model_copy(
    update={"neo4j_uri": "bolt://127.0.0.1:7687", "neo4j_http_port": 7474}
)


def literal_value(literal: str) -> str:
    """A literal read back the way Neo4j reads it: `\\uXXXX` escapes first (UTF-16 units, as
    in Java, unless the backslash is itself escaped), then `\\'` and `\\\\`."""
    assert literal[0] == literal[-1] == "'"
    escapes = re.compile(r"\\u([0-9a-f]{4})|\\(['\\])|\\(.)")

    def unescape(match: re.Match[str]) -> str:
        unit, escaped, other = match.groups()
        if other is not None:
            raise AssertionError(f"unexpected escape \\{other}")
        return escaped if escaped is not None else chr(int(unit, 16))

    units = escapes.sub(unescape, literal[1:-1])
    return units.encode("utf-16-be", "surrogatepass").decode("utf-16-be")


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_a_literal_is_safe_ascii_that_reads_back_as_the_value(key: str) -> None:
    literal = cypher_string(key)
    assert re.fullmatch(r"'([A-Za-z0-9 _.,:/@-]|\\'|\\\\|\\u[0-9a-f]{4})*'", literal)
    assert literal_value(literal) == key


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_browser_reads_the_param_line_and_the_named_statement_from_the_link(key: str) -> None:
    link = entity_link(SETTINGS, REGISTRY, f"cities:{key}")
    assert link.startswith("http://127.0.0.1:7474/browser/?cmd=edit&arg=")
    first, *statement = editor_content(link).split("\n")
    match = re.fullmatch(r":param entity => ('.*');", first)
    assert match is not None
    assert literal_value(match.group(1)) == f"cities:{key}"
    expected = [line for line in REGISTRY[ENTITY_STATEMENT].splitlines() if line.strip()]
    assert statement == expected


def test_an_editor_link_keeps_plus_percent_and_spaces() -> None:
    link = editor_link("http://h:1/browser/", ["RETURN 1 + 2 AS `50%`", "", "// done"])
    assert editor_content(link) == "RETURN 1 + 2 AS `50%`\n// done"


def test_without_an_entity_the_link_is_browser_itself() -> None:
    assert entity_link(SETTINGS, REGISTRY, None) == "http://127.0.0.1:7474/browser/"


@pytest.mark.parametrize("reference", ["lyon-fr", ":lyon-fr", "cities:", " :x", ""])
def test_an_entity_not_written_table_colon_key_is_refused_with_a_code(reference: str) -> None:
    with pytest.raises(BadEntityReferenceError) as refused:
        entity_link(SETTINGS, REGISTRY, reference)
    assert refused.value.code == "bad_entity_reference"
    assert "TABLE:KEY" in str(refused.value)


@pytest.mark.parametrize("kind", sorted(NODE_STATEMENTS))
@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_a_node_link_carries_its_id_as_one_parameter_and_its_kinds_statement(
    kind: str, key: str
) -> None:
    name, parameter = NODE_STATEMENTS[kind]
    link = node_link(SETTINGS, REGISTRY, kind, f"x:{key}")
    first, *statement = editor_content(link).split("\n")
    match = re.fullmatch(rf":param {parameter} => ('.*');", first)
    assert match is not None
    assert literal_value(match.group(1)) == f"x:{key}"
    assert statement == [line for line in REGISTRY[name].splitlines() if line.strip()]
    assert f"${parameter}" in REGISTRY[name]
