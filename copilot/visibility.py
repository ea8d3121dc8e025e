"""What one caller sees of a generated query's results (issue 17, item 3).

Results are filtered by the same rules the API applies (the caller's readable tables from
`governance.rbac.Authorizer`, passed in as a `View`): every node, relationship and path that
comes back is checked, and a record holding anything the caller may not see is dropped
whole, so its other columns cannot hint at it.

Scalars (properties, counts, aggregates) carry no table, so nothing can check them after the
fact: a caller restricted to some tables, or without the personal fields of every table, gets
graph elements only, and a result with a scalar column is refused (`scalar_for_restricted`);
the curated questions (`copilot.curated`) answer the common counts for them, filtered by
table in the statement itself. Personal fields are redacted (`null`, named in `redacted`)
unless the caller may read them; encrypted values are never decrypted here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from neo4j.graph import Node, Path, Relationship
from pydantic import JsonValue

from copilot.errors import CypherRefusedError
from copilot.guard import SECRET_PROPERTIES
from graph.graph import CheckedRead, Graph

TABLE_LABELS = frozenset({"Row", "Fact", "Conflict", "Entity", "SchemaVersion"})
"""Labels of nodes that belong to one table (their `table` property)."""
WORKSPACE_LABELS = frozenset({"Document", "Source", "IngestionRun"})
"""Labels of nodes that belong to no table: shown to callers who read the whole workspace."""
DROPPED_PROPERTIES = SECRET_PROPERTIES | {"embedding", "fingerprint"}
ENCRYPTED_PREFIX = "enc:"
REDACTED = None


@dataclass(frozen=True)
class View:
    """The caller's rights, as the API's `Access` decided them."""

    readable: frozenset[str]
    """Tables the caller may read."""
    readable_pii: frozenset[str]
    """Tables whose personal fields the caller may read."""
    whole_workspace: bool
    """Whether the caller may read what belongs to no table (documents, sources, runs)."""
    known_tables: frozenset[str]
    personal: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Personal fields per table (from the table definitions)."""

    @property
    def unrestricted(self) -> bool:
        """Whether the caller reads every table with its personal fields: scalars are safe."""
        return (
            self.whole_workspace
            and self.known_tables <= self.readable
            and self.known_tables <= self.readable_pii
        )

    @classmethod
    async def load(
        cls,
        graph: Graph,
        *,
        readable: frozenset[str],
        readable_pii: frozenset[str],
        whole_workspace: bool,
        known_tables: frozenset[str],
    ) -> View:
        """A view with the personal fields of the readable tables read from the graph."""
        records = await graph.read("api/catalog_pii_fields", {"tables": sorted(readable)})
        personal: dict[str, set[str]] = {}
        for record in records:
            fields = json.loads(record["fields"])
            names = {name for name, spec in fields.items() if spec.get("pii")}
            personal.setdefault(str(record["table"]), set()).update(names)
        frozen = {table: frozenset(names) for table, names in personal.items()}
        return cls(readable, readable_pii, whole_workspace, known_tables, frozen)


@dataclass
class Visible:
    """A filtered result: the records the caller may see, the ids of the nodes in them (the
    provenance links of an answer), and how many records were dropped."""

    keys: tuple[str, ...]
    rows: list[list[JsonValue]]
    links: list[str]
    redacted: list[str]
    dropped: int
    truncated: bool


class _Hidden(Exception):
    """A value of the record is not for this caller."""


def filter_result(result: CheckedRead, view: View) -> Visible:
    """The part of `result` the caller of `view` may see (or `CypherRefusedError` when it
    has scalars the caller may not get)."""
    visible = Visible(result.keys, [], [], [], 0, result.truncated)
    for record in result.records:
        reader = _RecordReader(view, record)
        try:
            row = [reader.convert(value) for value in record]
        except _Hidden:
            visible.dropped += 1
            continue
        visible.rows.append(row)
        visible.links.extend(i for i in reader.links if i not in visible.links)
        visible.redacted.extend(r for r in reader.redacted if r not in visible.redacted)
    return visible


class _RecordReader:
    """Converts one record to JSON, raising `_Hidden` at the first invisible element."""

    def __init__(self, view: View, record: tuple[Any, ...]) -> None:
        self.view = view
        self.links: list[str] = []
        self.redacted: list[str] = []
        self.nodes = {node.element_id: node for node in _nodes_in(record)}

    def convert(self, value: Any) -> JsonValue:
        if isinstance(value, Node):
            return self.node(value)
        if isinstance(value, Relationship):
            return self.relationship(value)
        if isinstance(value, Path):
            return {
                "nodes": [self.node(n) for n in value.nodes],
                "relationships": [self.relationship(r) for r in value.relationships],
            }
        if isinstance(value, list):
            return [self.convert(item) for item in value]
        if value is None:
            return None
        if not self.view.unrestricted:
            raise CypherRefusedError(
                "scalar_for_restricted",
                "your access covers some tables (or not their personal fields): return "
                "nodes, relationships or paths, not values, counts or maps",
            )
        return self.scalar(value)

    def scalar(self, value: Any) -> JsonValue:
        if isinstance(value, dict):
            return {str(k): self.scalar(v) for k, v in value.items() if k not in DROPPED_PROPERTIES}
        if isinstance(value, list):
            return [self.scalar(v) for v in value]
        if isinstance(value, str) and value.startswith(ENCRYPTED_PREFIX):
            return REDACTED
        if value is None or isinstance(value, bool | int | float | str):
            return value
        return str(value)  # temporal and spatial values

    def node(self, node: Node) -> JsonValue:
        labels = set(node.labels)
        properties = dict(node.items())
        table = properties.get("table")
        if not self.node_visible(labels, table):
            raise _Hidden
        shown = {
            name: self.scalar_of_node(value)
            for name, value in properties.items()
            if name not in DROPPED_PROPERTIES
        }
        self.redact(labels, str(table or ""), shown)
        identifier = properties.get("id")
        if isinstance(identifier, str):
            self.links.append(identifier)
        shown["labels"] = list(sorted(labels))
        return shown

    def node_visible(self, labels: set[str], table: Any) -> bool:
        if not labels or not labels <= TABLE_LABELS | WORKSPACE_LABELS:
            return False
        if labels & TABLE_LABELS:
            return isinstance(table, str) and table in self.view.readable
        return self.view.whole_workspace

    def scalar_of_node(self, value: Any) -> JsonValue:
        if isinstance(value, str) and value.startswith(ENCRYPTED_PREFIX):
            return REDACTED
        if isinstance(value, list):
            return [self.scalar_of_node(v) for v in value]
        if value is None or isinstance(value, bool | int | float | str):
            return value
        return str(value)

    def redact(self, labels: set[str], table: str, shown: dict[str, JsonValue]) -> None:
        """Null the personal fields of a row, fact or conflict for a caller without them."""
        personal = self.view.personal.get(table, frozenset())
        if not personal or table in self.view.readable_pii:
            return
        if "Row" in labels and isinstance(shown.get("values"), str):
            values = json.loads(str(shown["values"]))
            for name in personal & values.keys():
                values[name] = REDACTED
                self.redacted.append(f"{table}.{name}")
            shown["values"] = json.dumps(values, sort_keys=True)
        attribute = shown.get("attribute")
        if labels & {"Fact", "Conflict"} and attribute in personal:
            for name in ("value", "claims", "suggestion", "values"):
                if name in shown:
                    shown[name] = REDACTED
            self.redacted.append(f"{table}.{attribute}")

    def relationship(self, relationship: Relationship) -> JsonValue:
        for end in (relationship.start_node, relationship.end_node):
            returned = self.nodes.get(end.element_id) if end is not None else None
            if returned is None:
                raise _Hidden  # its ends are not in the record: nothing shows who they are
            self.node(returned)
        return {
            "type": relationship.type,
            **{
                name: self.scalar_of_node(value)
                for name, value in relationship.items()
                if name not in DROPPED_PROPERTIES and name != "evidence"
            },
        }


def _nodes_in(values: Any) -> list[Node]:
    """Every node returned in a record (as a value, in a list or on a path)."""
    found: list[Node] = []
    for value in values:
        if isinstance(value, Node):
            found.append(value)
        elif isinstance(value, Path):
            found.extend(value.nodes)
        elif isinstance(value, list):
            found.extend(_nodes_in(value))
    return found
