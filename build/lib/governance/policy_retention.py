"""Retention: personal data kept longer than its policy allows is erased, nothing else.

A row's personal-data fields (those its schema marks `pii: true`) become null once the
row is older than the shortest retention any compliance policy sets for its table; the
row itself, its other values and its provenance stay. Rows of every status are covered
(superseded and retracted rows hold personal data too). Each erasure is audited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import JsonValue

from governance.audit import AuditEntry, AuditLog
from governance.policy import PolicySet
from governance.policy_eval import StoredRow, row_pages, table_schemas
from graph.graph import Graph

ACTOR = "system:retention"
STATUSES = ("active", "quarantined", "retracted", "superseded")
"""Rows mid-ingestion (`pending`) are left for the next run."""
WRITE_BATCH = 2_000


@dataclass(frozen=True)
class RetentionReport:
    """What a retention run erased."""

    rows_checked: int
    rows_erased: int
    fields_erased: int
    by_table: dict[str, int]
    """Rows erased per table."""


async def enforce_retention(
    graph: Graph,
    policy_set: PolicySet,
    audit: AuditLog,
    now: datetime,
    *,
    tables: Collection[str] | None = None,
    actor: str = ACTOR,
) -> RetentionReport:
    """Erase the personal data whose retention period has passed at `now`."""
    schemas = await table_schemas(graph, tables)
    checked = erased_fields = 0
    by_table: dict[str, int] = {}
    for name, table in sorted(schemas.items()):
        days = policy_set.retention_days(name)
        pii = sorted(field for field, spec in table.fields.items() if spec.pii)
        if days is None or not pii:
            continue
        cutoff = now - timedelta(days=days)
        async for page in row_pages(graph, name, STATUSES):
            checked += len(page)
            batch = [erasure for row in page if (erasure := _erasure(row, pii, cutoff))]
            for start in range(0, len(batch), WRITE_BATCH):
                done = await _erase(graph, audit, batch[start : start + WRITE_BATCH], now, actor)
                by_table[name] = by_table.get(name, 0) + len(done)
                erased_fields += sum(len(item["fields"]) for item in done)
    return RetentionReport(
        rows_checked=checked,
        rows_erased=sum(by_table.values()),
        fields_erased=erased_fields,
        by_table=by_table,
    )


def _erasure(row: StoredRow, pii: list[str], cutoff: datetime) -> dict[str, Any] | None:
    """The write that erases the row's expired personal data, or None."""
    ingested = row.view.ingested_at
    if ingested is None or ingested >= cutoff:
        return None
    fields = [field for field in pii if row.view.values.get(field) not in (None, "", [])]
    if not fields:
        return None
    values = {**row.view.values, **dict.fromkeys(fields)}
    return {
        "id": row.view.id,
        "before": row.values_json,
        "values": json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        "fields": fields,
    }


async def _erase(
    graph: Graph, audit: AuditLog, batch: list[dict[str, Any]], now: datetime, actor: str
) -> list[dict[str, Any]]:
    records = await graph.write("policy/erase_fields", {"rows": batch, "at": now})
    written = {record["id"] for record in records}
    done = [item for item in batch if item["id"] in written]
    if done:
        await audit.append([_entry(item, now, actor) for item in done])
    return done


def _entry(item: dict[str, Any], now: datetime, actor: str) -> AuditEntry:
    fields: list[JsonValue] = list(item["fields"])
    before: dict[str, JsonValue] = {
        "fields": fields,
        "values_sha256": hashlib.sha256(item["before"].encode("utf-8")).hexdigest(),
    }
    after: dict[str, JsonValue] = {"fields": fields, "erased_at": now.isoformat()}
    return AuditEntry(
        actor=actor, action="row.erase", target=item["id"], before=before, after=after
    )
