"""Evaluating the compliance policies over the rows stored in the graph.

`check_graph` reads the active rows table by table in pages, runs `check_rows`, and
writes only what changed: `(Row)-[:VIOLATES {rule, at, detail}]->(Policy)` edges are
merged on their rule and removed once they no longer hold. Rows that newly violate
publish `policy.violated` (one event each up to a cap, then one summary event). Each run
is recorded as a `PolicyEvaluation` node and audited.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import JsonValue

from governance.audit import AuditEntry, AuditLog
from governance.errors import PolicyNotActiveError
from governance.policy import PolicySet
from governance.policy_checks import RowView, Violation, check_rows
from governance.policy_store import active_versions
from graph.errors import EventBusError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.schema_store import active_versions as active_schema_versions
from graph.schemas import TableSchema

log = logging.getLogger(__name__)

ACTOR = "system:policy"
PAGE_ROWS = 20_000
WRITE_BATCH = 5_000
MAX_ROW_EVENTS = 100
"""Rows that newly violate beyond this many are announced in one summary event."""
ACTIVE = ("active",)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class StoredRow:
    """A row as read for evaluation: its view, trust and the violations it carries now."""

    view: RowView
    trust: float | None
    violations: frozenset[str]
    """`<policy id>|<rule key>` of each VIOLATES edge."""
    values_json: str


@dataclass(frozen=True)
class PolicyReport:
    """What one evaluation found."""

    id: str
    at: datetime
    rows: int
    violating_rows: int
    violations: int
    newly_violating: int
    resolved: int
    by_rule: dict[str, int]
    """Violations per `policy.rule`."""
    policies: tuple[str, ...]
    """The evaluated versions, `name@version`."""
    tables: tuple[str, ...]
    seconds: float
    violations_of: Mapping[str, int] = field(default_factory=dict)
    """Of each row whose `VIOLATES` edges changed: how many it has now."""


async def table_schemas(
    graph: Graph, tables: Collection[str] | None = None
) -> dict[str, TableSchema]:
    """The active table definitions, those named in `tables` if given."""
    return {
        schema.name: TableSchema.model_validate(version.definition)
        for schema, version in await active_schema_versions(graph)
        if tables is None or schema.name in tables
    }


async def row_pages(
    graph: Graph, table: str, statuses: Sequence[str] = ACTIVE, page_rows: int = PAGE_ROWS
) -> AsyncIterator[list[StoredRow]]:
    """The rows of `table` with one of `statuses`, page by page in id order."""
    after = ""
    while True:
        [record] = await graph.read(
            "policy/table_rows",
            {"table": table, "after": after, "statuses": list(statuses), "limit": page_rows},
        )
        page = [stored_row(table, fields) for fields in record["rows"]]
        if page:
            yield page
        if len(page) < page_rows:
            return
        after = page[-1].view.id


async def document_pages(
    graph: Graph, table: str, document_id: str, statuses: Sequence[str] = ACTIVE
) -> AsyncIterator[list[StoredRow]]:
    """The rows of one document in `table` with one of `statuses`, as one page."""
    [record] = await graph.read(
        "policy/document_rows",
        {"table": table, "document_id": document_id, "statuses": list(statuses)},
    )
    yield [stored_row(table, fields) for fields in record["rows"]]


async def policy_ids(graph: Graph, policy_set: PolicySet, names: Iterable[str]) -> dict[str, str]:
    """The stored `Policy` id of each named policy of the set.

    A set read from the graph knows its versions; a set read from files must equal the active
    versions, else `PolicyNotActiveError` (its rules are not in force yet).
    """
    names = list(names)
    unversioned = [name for name in names if policy_set.version(name) is None]
    active = (
        {version.name: version for version in await active_versions(graph)} if unversioned else {}
    )
    ids: dict[str, str] = {}
    stale: list[str] = []
    for name in names:
        version = policy_set.version(name)
        stored = active.get(name)
        if version is not None:
            ids[name] = f"{name}@{version}"
        elif stored is not None and stored.sha256 == policy_set.policies[name].sha256:
            ids[name] = stored.id
        else:
            stale.append(name)
    if stale:
        raise PolicyNotActiveError(sorted(stale))
    return ids


async def check_graph(
    graph: Graph,
    policy_set: PolicySet,
    bus: EventBus,
    audit: AuditLog,
    progress: Progress | None = None,
    *,
    tables: Collection[str] | None = None,
    document_id: str | None = None,
    now: datetime | None = None,
    actor: str = ACTOR,
) -> PolicyReport:
    """Evaluate every active row (of `tables`, or of one document, if given) against the
    compliance policies."""
    if document_id is not None:
        records = await graph.read("policy/document_tables", {"document_id": document_id})
        tables = [record["table"] for record in records]
    schemas = await table_schemas(graph, tables)

    def pages(table: str) -> AsyncIterator[list[StoredRow]]:
        if document_id is None:
            return row_pages(graph, table)
        return document_pages(graph, table, document_id)

    evaluation = _Evaluation(graph, policy_set, bus, audit, now, actor)
    return await evaluation.run(schemas, pages, progress)


async def check_document(
    graph: Graph,
    policy_set: PolicySet,
    bus: EventBus,
    audit: AuditLog,
    schemas: Mapping[str, TableSchema],
    rows: Mapping[str, Sequence[StoredRow]],
    *,
    now: datetime | None = None,
) -> PolicyReport:
    """`check_graph` of one document's rows already read (table -> rows, `stored_row`),
    over the table definitions in force (`schemas`); reads nothing but the policies' ids
    when `policy_set` was read from files."""

    async def pages(table: str) -> AsyncIterator[list[StoredRow]]:
        yield list(rows[table])

    evaluation = _Evaluation(graph, policy_set, bus, audit, now, ACTOR)
    in_force = {table: schemas[table] for table in rows if table in schemas}
    return await evaluation.run(in_force, pages, None)


class _Evaluation:
    """One evaluation: rows page by page, the changed edges written, the run recorded."""

    def __init__(
        self,
        graph: Graph,
        policy_set: PolicySet,
        bus: EventBus,
        audit: AuditLog,
        now: datetime | None,
        actor: str,
    ) -> None:
        self._graph = graph
        self._policies = policy_set
        self._bus = bus
        self._audit = audit
        self._at = now or datetime.now(UTC)
        self._actor = actor

    async def run(
        self,
        schemas: Mapping[str, TableSchema],
        pages: Callable[[str], AsyncIterator[list[StoredRow]]],
        progress: Progress | None,
    ) -> PolicyReport:
        started = time.perf_counter()
        graph, policy_set, at = self._graph, self._policies, self._at
        evaluation = f"policy-evaluation:{uuid.uuid4().hex}"
        names = sorted(policy_set.policies)
        compliance = sorted({name for name, _ in policy_set.compliance_rules()})
        ids = await policy_ids(graph, policy_set, compliance)
        run = _Run(names, ids, evaluation)
        for name in sorted(schemas):
            async for page in pages(name):
                found = check_rows(policy_set, schemas[name], [row.view for row in page], at)
                changed = run.fold(page, found)
                if changed:
                    await graph.write_batches(
                        "policy/write_violations",
                        changed,
                        batch_size=WRITE_BATCH,
                        params={"policies": names, "at": at},
                    )
                if progress is not None:
                    progress(len(page))
        report = PolicyReport(
            id=evaluation,
            at=at,
            rows=run.rows,
            violating_rows=run.violating_rows,
            violations=sum(run.by_rule.values()),
            newly_violating=run.newly,
            resolved=run.resolved,
            by_rule=dict(sorted(run.by_rule.items())),
            policies=tuple(ids[name] for name in compliance),
            tables=tuple(sorted(schemas)),
            seconds=time.perf_counter() - started,
            violations_of=run.counts,
        )
        await _record(graph, self._audit, report, self._actor)
        await _publish(self._bus, run, report)
        return report


class _Run:
    """Totals of one evaluation, and the rows whose edges must change."""

    def __init__(self, names: Sequence[str], ids: dict[str, str], evaluation: str) -> None:
        self._names = frozenset(names)
        self._ids = ids
        self.evaluation = evaluation
        self.rows = 0
        self.violating_rows = 0
        self.newly = 0
        self.resolved = 0
        self.by_rule: Counter[str] = Counter()
        self.announce: list[DomainEvent] = []
        self.counts: dict[str, int] = {}

    def fold(self, page: Sequence[StoredRow], found: Sequence[Violation]) -> list[dict[str, Any]]:
        """Count a page's violations; returns the rows whose VIOLATES edges must change."""
        by_row: dict[str, list[Violation]] = {}
        for violation in found:
            by_row.setdefault(violation.row_id or "", []).append(violation)
        changed = []
        for row in page:
            self.rows += 1
            current = by_row.get(row.view.id, [])
            keys = {f"{self._ids[v.policy]}|{v.key}": v for v in current}
            before = {key for key in row.violations if _policy_name(key) in self._names}
            self.by_rule.update(f"{v.policy}.{v.rule}" for v in current)
            self.violating_rows += bool(current)
            if before == set(keys):
                continue
            self.counts[row.view.id] = len(row.violations) - len(before) + len(keys)
            changed.append(
                {
                    "id": row.view.id,
                    "keys": sorted(keys),
                    "violations": [
                        {"policy": self._ids[v.policy], "rule": v.key, "detail": v.detail}
                        for v in current
                    ],
                }
            )
            new = {_unversioned(key) for key in keys} - {_unversioned(key) for key in before}
            if new:
                self.newly += 1
                if len(self.announce) < MAX_ROW_EVENTS:
                    self.announce.append(self._event(row.view, sorted(new)))
            elif before and not keys:
                self.resolved += 1
        return changed

    def _event(self, row: RowView, rules: list[str]) -> DomainEvent:
        payload: dict[str, JsonValue] = {
            "table": row.table,
            "key": row.key,
            "rules": list(rules),
            "evaluation": self.evaluation,
        }
        return DomainEvent(type=EventType.POLICY_VIOLATED, subject=row.id, payload=payload)


async def _record(graph: Graph, audit: AuditLog, report: PolicyReport, actor: str) -> None:
    counts: dict[str, JsonValue] = {
        "rows": report.rows,
        "violations": report.violations,
        "violating_rows": report.violating_rows,
        "newly_violating": report.newly_violating,
        "resolved": report.resolved,
    }
    evaluation = {
        **counts,
        "id": report.id,
        "at": report.at,
        "policies": list(report.policies),
        "tables": list(report.tables),
        "by_rule": json.dumps(report.by_rule, sort_keys=True),
    }
    await graph.write("policy/record_evaluation", {"evaluation": evaluation})
    after: dict[str, JsonValue] = {**counts, "policies": list(report.policies)}
    await audit.append(
        [AuditEntry(actor=actor, action="policy.evaluate", target=report.id, after=after)]
    )


async def _publish(bus: EventBus, run: _Run, report: PolicyReport) -> None:
    events = list(run.announce)
    if report.newly_violating > len(events):
        payload: dict[str, JsonValue] = {
            "summary": True,
            "newly_violating": report.newly_violating,
            "announced": len(events),
            "by_rule": dict(report.by_rule),
        }
        events.append(
            DomainEvent(type=EventType.POLICY_VIOLATED, subject=report.id, payload=payload)
        )
    for event in events:
        try:
            await bus.publish(event)
        except EventBusError as error:
            log.warning("policy.violated for %s not published: %s", event.subject, error)
            return


def stored_row(table: str, fields: Sequence[Any]) -> StoredRow:
    """A row from the list form `[id, key, values, created_ms, trust, violation keys]`."""
    row_id, key, values, created_ms, trust, violations = fields
    return StoredRow(
        view=RowView(
            id=row_id,
            table=table,
            key=key,
            values=json.loads(values),
            ingested_at=datetime.fromtimestamp(created_ms / 1000, UTC) if created_ms else None,
        ),
        trust=trust,
        violations=frozenset(violations),
        values_json=values,
    )


def _policy_name(key: str) -> str:
    """`name@3|rule:field` -> `name`."""
    return key.split("|", 1)[0].rsplit("@", 1)[0]


def _unversioned(key: str) -> str:
    """`name@3|rule:field` -> `name|rule:field`: the same violation across versions."""
    policy, rule = key.split("|", 1)
    return f"{policy.rsplit('@', 1)[0]}|{rule}"
