"""The prompt of a free question (issue 17, item 2): the live graph schema of the co-pilot's
view, the caller's readable tables with their fields, and the nearest curated questions with
their Cypher as examples. The prompt asks; `copilot.guard` enforces."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from copilot.curated import Match
from copilot.guard import LABELS, RELATIONSHIPS, SECRET_PROPERTIES
from copilot.provider import Message
from graph.graph import Graph

CYPHER_BLOCK = re.compile(r"```(?:cypher)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)
NO_ANSWER = "NO_ANSWER"
SCHEMA_SAMPLE = 1000
"""How many nodes of each label the live schema reads the property keys of."""

RULES = """You answer questions about Grace's knowledge graph by writing ONE read-only
Cypher query for Neo4j 5. Reply with the query in a ```cypher block and nothing else, or
with NO_ANSWER when the graph cannot answer. Use only the labels, relationship types and
properties listed. The parameter $tables holds the tables the asker may read: filter Row,
Fact, Conflict and Entity nodes with `x.table IN $tables`. Never write, never call
procedures, never load files. Return nodes (r, f, k, e, d, s) or paths rather than
properties when you can: askers restricted to some tables only get nodes back."""


@dataclass(frozen=True)
class GraphSchema:
    """The part of the live schema a generated query may use."""

    labels: Mapping[str, tuple[str, ...]]
    """Label -> property keys."""
    relationships: tuple[str, ...]
    tables: Mapping[str, tuple[str, ...]]
    """Readable table -> its fields (personal ones marked with `*`)."""

    @classmethod
    async def load(cls, graph: Graph, readable: frozenset[str]) -> GraphSchema:
        """The live schema of the view (each label's property keys, from its first
        `SCHEMA_SAMPLE` nodes in Neo4j), and the readable tables' fields from their
        definitions."""
        properties: dict[str, set[str]] = {label: set() for label in sorted(LABELS)}
        for record in await graph.read("copilot/node_properties", {"sample": SCHEMA_SAMPLE}):
            if record["property"] and record["property"] not in SECRET_PROPERTIES:
                properties[str(record["label"])].add(str(record["property"]))
        relationships = await graph.read("copilot/relationship_types", {})
        present = tuple(sorted(str(r["type"]) for r in relationships if r["type"] in RELATIONSHIPS))
        tables: dict[str, set[str]] = {}
        for record in await graph.read("api/catalog_pii_fields", {"tables": sorted(readable)}):
            fields = json.loads(record["fields"])
            tables.setdefault(str(record["table"]), set()).update(
                f"{name}*" if spec.get("pii") else name for name, spec in fields.items()
            )
        return cls(
            {label: tuple(sorted(keys)) for label, keys in properties.items()},
            present,
            {table: tuple(sorted(fields)) for table, fields in sorted(tables.items())},
        )

    def text(self) -> str:
        """The schema as the prompt shows it."""
        lines = ["Node labels and their properties:"]
        lines += [f"- {label}: {', '.join(keys)}" for label, keys in self.labels.items()]
        lines.append("Relationship types: " + ", ".join(self.relationships))
        lines.append(
            "Provenance: (Row)-[:EXTRACTED_FROM]->(Document)-[:FROM_SOURCE]->(Source), "
            "(Row)-[:DESCRIBES]->(Entity), (Fact)-[:ABOUT]->(Entity) with the ids of the "
            "rows it was resolved from in f.rows, "
            "(Row)-[:CONTRADICTS]->(Row), (Conflict)-[:INVOLVES]->(Row). A Row's values are "
            "a JSON string in r.values; r.table names its table, r.trust is 0..1."
        )
        lines.append("Tables the asker may read (fields; * marks personal ones):")
        lines += [f"- {table}: {', '.join(fields)}" for table, fields in self.tables.items()]
        return "\n".join(lines)


def prompt(
    question: str, schema: GraphSchema, examples: Sequence[Match], graph: Graph
) -> list[Message]:
    """The messages asking the model for the Cypher of `question`."""
    shots: list[Message] = []
    for match in examples:
        statement = _without_comments(graph.registry[match.question.statement])
        shots.append(Message("user", match.question.questions[0]))
        shots.append(Message("assistant", f"```cypher\n{statement}\n```"))
    system = f"{RULES}\n\n{schema.text()}"
    return [Message("system", system), *shots, Message("user", question)]


def repair(messages: Sequence[Message], cypher: str, error: str) -> list[Message]:
    """The messages of the one repair round: the failed query and the error."""
    return [
        *messages,
        Message("assistant", f"```cypher\n{cypher}\n```"),
        Message("user", f"That query failed: {error}\nReply with a corrected query."),
    ]


def cypher_in(reply: str) -> str | None:
    """The Cypher of a model's reply (a fenced block, or the whole reply), None for
    NO_ANSWER or nothing."""
    if NO_ANSWER in reply:
        return None
    block = CYPHER_BLOCK.search(reply)
    text = (block.group(1) if block else reply).strip()
    return text or None


def _without_comments(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.startswith("//"))
