"""The Cypher guard on a corpus of malicious and tricky generated queries (issue 17, item 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from copilot.cypher_tokens import Kind, tokenize
from copilot.errors import CypherRefusedError
from copilot.guard import LABELS, Plan, check, check_plan

REFUSED: tuple[tuple[str, str], ...] = (
    # writes, plain and hidden
    ("MATCH (n:Row) DETACH DELETE n", "forbidden_clause"),
    ("MATCH (n:Row) SET n.trust = 1 RETURN n", "forbidden_clause"),
    ("create (n:Row {id: 'x'})", "forbidden_clause"),
    ("MERGE (n:Entity {id: 'x'}) RETURN n", "forbidden_clause"),
    ("MATCH (n:Row) REMOVE n.trust RETURN n", "forbidden_clause"),
    ("INSERT (n:Row {id: 'x'})", "forbidden_clause"),
    ("MATCH (n:Row) CALL { WITH n DELETE n } RETURN 1", "forbidden_clause"),
    ("MATCH (n:Row) CALL (n) { SET n.x = 1 } RETURN n", "forbidden_clause"),
    ("MATCH (n:Row) FOREACH (x IN [1] | SET n.x = x)", "forbidden_clause"),
    ("MATCH (n:Row) WHERE EXISTS { MATCH (n) DELETE n } RETURN n", "forbidden_clause"),
    ("MATCH (n:Row) CALL { WITH n RETURN n AS m } IN TRANSACTIONS RETURN m", "forbidden_clause"),
    ("MATCH (n:Row) /* harmless */ DELETE n", "forbidden_clause"),
    ("MATCH (n:Row) // comment\nDELETE n", "forbidden_clause"),
    ("MATCH (n:Row) RETURN n; MATCH (m:Row) DELETE m", "several_statements"),
    ("MATCH (n:Row) RETURN n;", "several_statements"),
    # files, databases, admin
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "forbidden_clause"),
    ("USE system SHOW USERS", "forbidden_clause"),
    ("SHOW DATABASES", "forbidden_clause"),
    ("DROP INDEX foo", "forbidden_clause"),
    ("EXPLAIN MATCH (n:Row) RETURN n", "forbidden_clause"),
    ("PROFILE MATCH (n:Row) RETURN n", "forbidden_clause"),
    # procedures and functions outside the allow-lists
    ("CALL dbms.killQueries(['x'])", "procedure"),
    ("CALL dbms.security.createUser('x', 'y')", "procedure"),
    ("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})", "procedure"),
    ("CALL `apoc`.`create`.`node`(['Row'], {})", "procedure"),
    ("CALL apoc.load.json('file:///etc/passwd')", "procedure"),
    ("CALL db.clearQueryCaches()", "procedure"),
    ("CALL gds.graph.drop('g')", "procedure"),
    ("RETURN apoc.cypher.runFirstColumnSingle('MATCH (n) DETACH DELETE n', {})", "function"),
    ("RETURN `apoc`.cypher.runFirstColumnMany('CREATE (n)', {})", "function"),
    ("MATCH (n:Row) RETURN apoc.util.sleep(100000)", "function"),
    ("RETURN dbms.components()", "function"),
    # escapes and look-alikes
    ("MATCH (n:Row) \\u0044ELETE n", "lexical"),
    ("MATCH (n:Row) RETURN n \\u003B MATCH (m) DELETE m", "lexical"),
    ("MATCH (n:Row) \uff24ELETE n", "lexical"),
    ("MATCH (n:Row) RETURN 'unterminated", "lexical"),
    ("MATCH (n:Row) /* never closed RETURN n", "lexical"),
    ("MATCH (`n:Row) RETURN n", "lexical"),
    ("MATCH (n:Row)\x00 RETURN n", "lexical"),
    # outside the graph view
    ("MATCH (k:ApiKey) RETURN k", "outside_view"),
    ("MATCH (u:User)-[:OWNS]->(k) RETURN k", "outside_view"),
    ("MATCH (c:Comment)-[:MENTIONS]->(u) RETURN u", "outside_view"),
    ("MATCH (n:`ApiKey`) RETURN n", "outside_view"),
    ("MATCH (n:Row|AuditEvent) RETURN n", "outside_view"),
    ("MATCH (n:%) RETURN n", "outside_view"),
    ("MATCH (n:Row) WHERE n:User RETURN n", "outside_view"),
    ("MATCH (n) RETURN n.hash", "secret_property"),
    ("MATCH (n) RETURN n.`hash`", "secret_property"),
    ("MATCH (n:Row) RETURN n.value_hashes", "secret_property"),
    ("MATCH (n:Row) RETURN n {.*}", "secret_property"),
    # shape
    ("", "empty"),
    ("// only a comment", "empty"),
    ("MATCH (n:Row RETURN n", "syntax"),
    ("MATCH (n:Row)) RETURN n", "syntax"),
    ("CALL", "syntax"),
    ("MATCH (n:Row) RETURN n" + " " * 4000, "too_long"),
)


@pytest.mark.parametrize(("query", "rule"), REFUSED)
def test_guard_refuses_each_malicious_query_with_its_rule(query: str, rule: str) -> None:
    with pytest.raises(CypherRefusedError) as refused:
        check(query)
    assert refused.value.rule == rule
    assert refused.value.code == "cypher_refused"


ACCEPTED = (
    "MATCH (r:Row {table: 'cities'}) RETURN r LIMIT 5",
    "MATCH (n:!Row) RETURN n LIMIT 1",
    "MATCH (r:Row)-[:CONTRADICTS]->(o:Row) RETURN r, o",
    "MATCH (f:Fact)-[:ABOUT]->(e:Entity) WHERE f.table = $table RETURN f, e",
    "MATCH (r:Row) WHERE r.values CONTAINS 'DELETE n; CREATE' RETURN r",
    "MATCH (r:Row) // DELETE in a comment\nRETURN r",
    "MATCH (r:Row) /* SET r.x = 1 */ RETURN r",
    "MATCH (`weird name`:Row) RETURN `weird name`",
    "MATCH (r:Row) CALL (r) { MATCH (r)-[:DESCRIBES]->(e:Entity) RETURN e } RETURN r, e",
    "MATCH (r:Row) WHERE EXISTS { (r)-[:CONTRADICTS]-(:Row) } RETURN r",
    "MATCH (r:Row) RETURN r {.id, .trust, where: r.path}",
    "MATCH (r:Row) RETURN count { (r)-[:CONTRADICTS]-() } AS n",
    "CALL db.labels() YIELD label RETURN label",
    "RETURN apoc.coll.sum([1, 2]) AS total",
    "MATCH (s:Source) RETURN s.name, s.trust ORDER BY s.trust DESC LIMIT 3",
    "MATCH p = (r:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(:Source) RETURN p",
    "MATCH (r:Row) WHERE r.created_at > datetime() - duration('P7D') RETURN r",
    "MATCH (r:Row) RETURN r.set AS weird_property_name",
    "MATCH (r:Row) RETURN 'é unicode inside a string' AS s, r",
    "MATCH (r:Row)-[:CONTRADICTS*1..2]-(o) RETURN o",
)


@pytest.mark.parametrize("query", ACCEPTED)
def test_guard_accepts_read_queries_of_the_view(query: str) -> None:
    checked = check(query)
    assert checked.text == query.strip()


def test_guard_lists_the_parameters_a_query_uses() -> None:
    assert check(
        "MATCH (r:Row) WHERE r.table = $table AND r.key = $`the key` RETURN r"
    ).parameters == {
        "table",
        "the key",
    }


def test_tokens_keep_strings_and_quoted_names_apart_from_keywords() -> None:
    tokens = tokenize("MATCH (`DELETE`:Row) WHERE x = 'SET' RETURN 1..2")
    kinds = [(t.kind, t.text) for t in tokens]
    assert (Kind.QUOTED, "DELETE") in kinds
    assert (Kind.STRING, "SET") in kinds
    assert (Kind.NUMBER, "1") in kinds
    assert (Kind.PUNCT, "..") in kinds


def test_plan_check_refuses_a_plan_neo4j_calls_writing() -> None:
    with pytest.raises(CypherRefusedError) as refused:
        check_plan(Plan("rw", ("ProduceResults", "Create")))
    assert refused.value.rule == "not_read_only"


def test_plan_check_refuses_a_file_loading_operator_in_a_read_plan() -> None:
    with pytest.raises(CypherRefusedError) as refused:
        check_plan(Plan("r", ("ProduceResults", "LoadCSV")))
    assert refused.value.rule == "plan_operator"


def test_plan_check_passes_a_read_plan() -> None:
    check_plan(Plan("r", ("ProduceResults", "Expand(All)", "NodeByLabelScan")))


def test_the_live_schema_read_covers_exactly_the_labels_of_the_view() -> None:
    statement = (Path(__file__).parents[2] / "cypher/copilot/node_properties.cypher").read_text()
    assert set(re.findall(r"MATCH \(n:(\w+)\)", statement)) == LABELS
    assert set(re.findall(r"RETURN '(\w+)' AS label", statement)) == LABELS
