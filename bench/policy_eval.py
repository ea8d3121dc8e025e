"""Policy evaluation rate: `check_rows` against a naive per-row evaluation, then `check_graph`.

200,000 generated rows over three tables (personal-data fields, allowed-value lists, value
patterns, personal data hidden in free text). `check_rows` plans each table once (rules
chosen, sets built, regexes compiled) and then runs per value. The baseline evaluates the
same rules the straightforward way: for every row it asks the policy set for the rules
again, rebuilds the allowed sets, and compiles each regex where it uses it (`re.compile`,
served by the `re` module's cache). Both must find the same violations.
Then `check_graph` runs on GRAPH_ROWS of those rows loaded into Neo4j (first run writes the
VIOLATES edges, second run finds nothing changed).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from governance.audit import AuditLog
from governance.policy import PolicySet
from governance.policy_checks import RowView, check_rows
from governance.policy_eval import check_graph
from governance.policy_pii import BUILT_IN
from governance.policy_rules import PolicyFile
from governance.policy_store import sync_policies
from graph.events import EventBus
from graph.graph import Graph
from graph.schema_store import sync_tables
from graph.schemas import FieldSpec, FieldType, TableSchema

ROWS = 200_000
GRAPH_ROWS = 50_000
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SEALED = "enc:v1:1:bench"
STRING = FieldSpec(type=FieldType.STRING)
PHONE = "call +33 4 72 55 01 40"


def tables(prefix: str) -> list[TableSchema]:
    """A people table (pii), a datasets table (allowed values) and a cities table."""

    def table(name: str, fields: dict[str, FieldSpec]) -> TableSchema:
        return TableSchema(
            name=f"{prefix}_{name}",
            description="Benchmark table.",
            owner="bench@grace.example",
            entity_key=["code"],
            fields={"code": STRING, **fields},
        )

    return [
        table(
            "people",
            {
                "email": FieldSpec(type=FieldType.STRING, pii=True),
                "phone": FieldSpec(type=FieldType.STRING, pii=True),
                "status": FieldSpec(type=FieldType.STRING, allowed=["active", "left"]),
                "country": STRING,
                "note": FieldSpec(type=FieldType.TEXT),
            },
        ),
        table(
            "datasets",
            {
                "title": STRING,
                "classification": FieldSpec(
                    type=FieldType.STRING, allowed=["public", "internal", "confidential"]
                ),
                "license": STRING,
            },
        ),
        table("cities", {"name": STRING, "country": STRING, "population": STRING}),
    ]


def policies(prefix: str) -> PolicySet:
    """One compliance policy over the three tables."""
    return PolicySet(
        [
            PolicyFile.model_validate(
                {
                    "name": f"{prefix}_compliance",
                    "description": "Benchmark compliance policy.",
                    "compliance": {
                        "personal_data": {
                            "encrypted": True,
                            "retention_days": {f"{prefix}_people": 365},
                            "undeclared": True,
                        },
                        "schema_allowed_values": True,
                        "allowed_values": {
                            f"{prefix}_datasets": {
                                "license": ["CC0-1.0", "CC-BY-4.0", "ODbL-1.0", "proprietary"]
                            }
                        },
                        "patterns": {
                            f"{prefix}_people": {"country": "^[A-Z]{2}$"},
                            f"{prefix}_cities": {"country": "^[A-Z]{2}$"},
                        },
                    },
                }
            )
        ]
    )


def rows(schemas: list[TableSchema], count: int, seed: int = 0) -> dict[str, list[RowView]]:
    """`count` rows spread over the tables; a few percent break each rule."""
    rng = random.Random(seed)
    people, datasets, cities = schemas
    out: dict[str, list[RowView]] = {table.name: [] for table in schemas}

    def pick(good: str, bad: str, rate: float = 0.03) -> str:
        return bad if rng.random() < rate else good

    for i in range(count):
        code = f"k{i:07d}"
        kind = i % 3
        if kind == 0:
            table, values = (
                people,
                {
                    "code": code,
                    "email": pick(SEALED, f"p{i}@example.org"),
                    "phone": pick(SEALED, "+49 89 5550 1100"),
                    "status": pick("active", "paused"),
                    "country": pick("DE", "Germany"),
                    "note": pick(
                        f"met on 2025-0{1 + i % 9}-1{i % 10}, v1.2.{i % 7}",
                        "call +33 4 72 55 01 40",
                        0.01,
                    ),
                },
            )
        elif kind == 1:
            table, values = (
                datasets,
                {
                    "code": code,
                    "title": f"Data set {i} (2024-2025)",
                    "classification": pick("public", "secret"),
                    "license": pick("CC-BY-4.0", "CC-BY-NC-4.0"),
                },
            )
        else:
            table, values = (
                cities,
                {
                    "code": code,
                    "name": f"City {i}",
                    "country": pick("FR", "fr"),
                    "population": str(10_000 + i),
                },
            )
        age = timedelta(days=rng.uniform(0, 500))
        out[table.name].append(RowView(f"row:{code}", table.name, code, values, NOW - age))
    return out


def naive_check_rows(
    policy_set: PolicySet, table: TableSchema, views: list[RowView], now: datetime
) -> list[tuple[str, str, str]]:
    """The baseline: every row re-reads the rules and compiles each regex where it is used."""
    found = []
    for row in views:
        for _, rules in policy_set.compliance_rules(table.name):
            pii = [name for name, spec in table.fields.items() if spec.pii]
            allowed = {n: list(s.allowed) for n, s in table.fields.items() if s.allowed}
            if not rules.schema_allowed_values:
                allowed = {}
            allowed.update(rules.allowed_values.get(table.name, {}))
            for name, values in allowed.items():
                value = row.values.get(name)
                if value not in (None, "", []) and not _sealed(value) and value not in values:
                    found.append((row.id, "allowed_values", name))
            for name, pattern in rules.patterns.get(table.name, {}).items():
                value = row.values.get(name)
                if value in (None, "", []) or _sealed(value):
                    continue
                if re.compile(pattern).fullmatch(str(value)) is None:
                    found.append((row.id, "pattern", name))
            personal = rules.personal_data
            if personal is None:
                continue
            days = personal.retention_days.get(table.name, personal.default_retention_days)
            for name in pii:
                value = row.values.get(name)
                if value in (None, "", []):
                    continue
                if personal.encrypted and not _sealed(value):
                    found.append((row.id, "pii_unencrypted", name))
                if days is None:
                    found.append((row.id, "pii_no_retention", name))
                elif row.ingested_at and now - row.ingested_at > timedelta(days=days):
                    found.append((row.id, "retention_exceeded", name))
            if personal.undeclared:
                for name in table.fields:
                    value = row.values.get(name)
                    if name in pii or value in (None, "", []) or _sealed(value):
                        continue
                    if _naive_pii(str(value)):
                        found.append((row.id, "pii_undeclared", name))
    return found


def _sealed(value: Any) -> bool:
    return isinstance(value, str) and re.match(r"enc:v1:", value) is not None


def _naive_pii(text: str) -> bool:
    for probes in BUILT_IN.values():
        for probe in probes:
            for match in re.compile(probe.pattern).finditer(text):
                if probe.valid is None or probe.valid(match.group()):
                    return True
    return False


def offline() -> list[str]:
    """check_rows against the naive baseline on ROWS rows."""
    schemas = tables("bench")
    policy_set = policies("bench")
    data = rows(schemas, ROWS)
    by_name = {table.name: table for table in schemas}
    start = time.perf_counter()
    fast = [
        (v.row_id, v.rule, v.field)
        for name, views in data.items()
        for v in check_rows(policy_set, by_name[name], views, NOW)
    ]
    fast_seconds = time.perf_counter() - start
    start = time.perf_counter()
    slow = [
        found
        for name, views in data.items()
        for found in naive_check_rows(policy_set, by_name[name], views, NOW)
    ]
    slow_seconds = time.perf_counter() - start
    same = sorted(fast) == sorted(slow)
    return [
        f"check_rows: {ROWS:,} rows in {fast_seconds:.2f} s = {ROWS / fast_seconds:,.0f} rows/s "
        f"({len(fast):,} violations)",
        f"naive per-row evaluation: {slow_seconds:.2f} s = {ROWS / slow_seconds:,.0f} rows/s "
        f"({len(slow):,} violations, {'same' if same else 'DIFFERENT'} findings)",
        f"check_rows is {slow_seconds / fast_seconds:.1f}x the naive rate",
    ]


async def run(graph: Graph, bus: EventBus) -> list[str]:
    """The offline comparison, then check_graph on rows loaded into Neo4j."""
    lines = await asyncio.to_thread(offline)
    prefix = f"benchpol_{uuid.uuid4().hex[:8]}"
    schemas = tables(prefix)
    policy_set = policies(prefix)
    audit = AuditLog(graph, chain=f"bench-{prefix}")
    names = [table.name for table in schemas]
    try:
        await sync_tables(graph, schemas)
        await sync_policies(graph, policy_set, audit)
        data = rows(schemas, GRAPH_ROWS, seed=1)
        for name, views in data.items():
            await graph.write_batches(
                "bench/policy_rows",
                [_params(view) for view in views],
                batch_size=5_000,
                params={"table": name},
            )
        for label in ("first run, writes edges", "second run, nothing changed"):
            report = await check_graph(graph, policy_set, bus, audit, tables=names, now=NOW)
            lines.append(
                f"check_graph ({label}): {report.rows:,} rows in {report.seconds:.2f} s = "
                f"{report.rows / report.seconds:,.0f} rows/s ({report.violations:,} violations)"
            )
    finally:
        params = {"tables": names, "policies": [f"{prefix}_compliance"], "limit": 10_000}
        while (await graph.write("bench/delete_policy_rows", params))[0]["deleted"]:
            pass
        await graph.write("bench/delete_policy_bench", params)
        chain = {"chain": f"bench-{prefix}", "limit": 10_000}
        while (await graph.write("bench/audit_delete_events", chain))[0]["deleted"]:
            pass
        await graph.write("bench/audit_delete_head", chain)
    return lines


def _params(view: RowView) -> dict[str, Any]:
    return {
        "id": f"{view.id}:{view.table}",
        "key": view.key,
        "values": json.dumps(view.values, sort_keys=True),
        "created_at": view.ingested_at,
    }
