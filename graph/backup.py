"""Backup and restore of the whole graph: every node with its labels and properties, every
relationship with its type, ends and properties, as gzipped JSON Lines.

Neo4j Community has no online backup and no snapshot across transactions: `backup` reads
the nodes in one transaction and the relationships in another, so for a consistent copy
stop what writes (the API, the workers, the watcher) first, or run it offline against a
started Neo4j alone. `restore` needs an empty database: it creates the schema (the
migrations' constraints and indexes), the nodes and relationships in batches, removes its
marks and checks the restored graph's fingerprint against the one the backup recorded.

The fingerprint is content-only (element ids differ between stores): a digest per node
(labels, properties) and per relationship (its ends' digests, type, properties), sorted and
hashed together.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from neo4j.time import Date, DateTime, Duration, Time

from graph.errors import BackupError
from graph.graph import Graph

log = logging.getLogger(__name__)

FORMAT = "grace-backup"
VERSION = 1
BATCH = 5000
INDEX_WAIT_SECONDS = 300
Progress = Callable[[str, int], None]
"""Told (what, how many so far) as nodes and relationships go."""


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds, or what a restore wrote."""

    nodes: int
    relationships: int
    fingerprint: str


def encode(value: Any) -> Any:
    """A property value as JSON: temporal values, bytes and non-finite floats tagged."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, DateTime):
        return {"$datetime": value.iso_format()}
    if isinstance(value, Date):
        return {"$date": value.iso_format()}
    if isinstance(value, Time):
        return {"$time": value.iso_format()}
    if isinstance(value, Duration):
        return {"$duration": [value.months, value.days, value.seconds, value.nanoseconds]}
    if isinstance(value, list | tuple):  # after Duration, a tuple itself
        return [encode(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    raise BackupError(f"a property of type {type(value).__name__} cannot be backed up")


def decode(value: Any) -> Any:
    """The value `encode` wrote."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    [(tag, inner)] = value.items()
    decoders: dict[str, Callable[[Any], Any]] = {
        "$float": float,
        "$datetime": DateTime.from_iso_format,
        "$date": Date.from_iso_format,
        "$time": Time.from_iso_format,
        "$duration": lambda parts: Duration(
            months=parts[0], days=parts[1], seconds=parts[2], nanoseconds=parts[3]
        ),
        "$bytes": base64.b64decode,
    }
    if tag not in decoders:
        raise BackupError(f"unknown value tag {tag!r}")
    return decoders[tag](inner)


def _props(props: dict[str, Any]) -> dict[str, Any]:
    return {key: encode(value) for key, value in sorted(props.items())}


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Fingerprint:
    """Digests of nodes and relationships as they stream by."""

    def __init__(self) -> None:
        self.nodes: dict[str, str] = {}
        self.relationships: list[str] = []

    def node(self, node_id: str, labels: list[str], props: dict[str, Any]) -> None:
        self.nodes[node_id] = _digest(sorted(labels), props)

    def relationship(self, start: str, kind: str, end: str, props: dict[str, Any]) -> None:
        if start not in self.nodes or end not in self.nodes:
            raise BackupError(
                "a relationship ends at a node created after the nodes were read: stop the "
                "API, the workers and the watcher during a backup"
            )
        self.relationships.append(_digest(self.nodes[start], kind, self.nodes[end], props))

    def value(self) -> str:
        return _digest(sorted(self.nodes.values()), sorted(self.relationships))


async def fingerprint(graph: Graph) -> BackupSummary:
    """The graph's content fingerprint, with its node and relationship counts."""
    digests = _Fingerprint()
    async for node in graph.stream("backup/all_nodes"):
        digests.node(node["id"], node["labels"], _props(node["props"]))
    async for rel in graph.stream("backup/all_relationships"):
        digests.relationship(rel["start"], rel["type"], rel["end"], _props(rel["props"]))
    return BackupSummary(len(digests.nodes), len(digests.relationships), digests.value())


async def backup(graph: Graph, path: Path, progress: Progress | None = None) -> BackupSummary:
    """Write the whole graph to `path` (gzipped JSON Lines); returns what it holds."""
    started = time.perf_counter()
    digests = _Fingerprint()
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=3) as out:
        _line(out, {"format": FORMAT, "version": VERSION})
        async for node in graph.stream("backup/all_nodes"):
            props = _props(node["props"])
            digests.node(node["id"], node["labels"], props)
            _line(out, {"n": [node["id"], node["labels"], props]})
            _tell(progress, "nodes", len(digests.nodes))
        async for rel in graph.stream("backup/all_relationships"):
            props = _props(rel["props"])
            digests.relationship(rel["start"], rel["type"], rel["end"], props)
            _line(out, {"r": [rel["start"], rel["type"], rel["end"], props]})
            _tell(progress, "relationships", len(digests.relationships))
        summary = BackupSummary(len(digests.nodes), len(digests.relationships), digests.value())
        _line(out, {"end": summary.__dict__})
    log.info("backup: %s in %.1f s", summary, time.perf_counter() - started)
    return summary


async def restore(graph: Graph, path: Path, progress: Progress | None = None) -> BackupSummary:
    """Restore `path` into `graph`, which must hold no node; refuses a restored graph whose
    fingerprint differs from the backup's."""
    started = time.perf_counter()
    [count] = await graph.read("backup/count_nodes")
    if count["nodes"]:
        raise BackupError(f"the database holds {count['nodes']} nodes: restore needs an empty one")
    for name in graph.registry.under("migrations"):
        await graph.write(name)  # the schema only: the backup holds the migrations' records
    await graph.write("backup/restore_index")
    await graph.read("admin/await_indexes", {"timeout_seconds": INDEX_WAIT_SECONDS})
    expected: dict[str, Any] = {}
    nodes = relationships = 0
    for kind, batch in _batches(path, expected):
        if kind == "n":
            await graph.write("backup/restore_nodes", {"rows": batch})
            nodes += len(batch)
            _tell(progress, "nodes", nodes)
        else:
            await graph.write("backup/restore_relationships", {"rows": batch})
            relationships += len(batch)
            _tell(progress, "relationships", relationships)
    while (await graph.write("backup/restore_unmark", {"limit": BATCH}))[0]["unmarked"]:
        pass
    await graph.write("backup/restore_index_drop")
    restored = await fingerprint(graph)
    if not expected:
        raise BackupError(f"{path} ends early: no end record (a truncated file?)")
    if restored != BackupSummary(**expected):
        raise BackupError(
            f"the restored graph differs from the backup: {restored} against {expected}"
        )
    log.info("restore: %s in %.1f s", restored, time.perf_counter() - started)
    return restored


def _batches(path: Path, end: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Batches of decoded nodes ("n") then relationships ("r"); fills `end` from the last line."""
    batch: list[dict[str, Any]] = []
    kind = "n"
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        header = json.loads(next(lines, "{}"))
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise BackupError(f"{path} is not a Grace backup (version {VERSION})")
        for line in lines:
            record = json.loads(line)
            if "end" in record:
                end.update(record["end"])
                break
            [(line_kind, fields)] = record.items()
            if line_kind != kind or len(batch) >= BATCH:
                if batch:
                    yield kind, batch
                batch, kind = [], line_kind
            batch.append(_row(line_kind, fields))
    if batch:
        yield kind, batch


def _row(kind: str, fields: list[Any]) -> dict[str, Any]:
    if kind == "n":
        node_id, labels, props = fields
        return {"id": node_id, "labels": labels, "props": _decoded(props)}
    start, rel_type, end, props = fields
    return {"start": start, "type": rel_type, "end": end, "props": _decoded(props)}


def _decoded(props: dict[str, Any]) -> dict[str, Any]:
    return {key: decode(value) for key, value in props.items()}


def _line(out: IO[str], record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def _tell(progress: Progress | None, what: str, done: int) -> None:
    if progress is not None and done % BATCH == 0:
        progress(what, done)
