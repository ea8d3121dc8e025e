"""What a changed policy would do, before anyone approves it: a dry run that writes nothing.

The stored rows are evaluated under the current set and under the set with the candidate
file in place: rows that would newly violate a rule (or newly fall under the quarantine
threshold) and rows that would stop. Recent documents are checked against the ingestion
rules of both sets: files that would newly be blocked or allowed. Changed thresholds and
approval rules are listed as settings.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from governance.policy import PolicySet, with_policy_file
from governance.policy_checks import check_file, check_rows
from governance.policy_eval import StoredRow, row_pages, table_schemas
from graph.graph import Graph
from graph.schemas import TableSchema

STATUSES = ("active", "quarantined")
QUARANTINE = "trust|quarantine"
MAX_LISTED = 1_000
"""Changed rows and documents listed in full; beyond that only counted."""
RECENT_DOCUMENTS = 200
SAMPLE_ROWS = 20


@dataclass(frozen=True)
class RowChange:
    """A row whose violations would change."""

    id: str
    table: str
    key: str
    added: tuple[str, ...]
    """`policy|rule:field` the row would newly break."""
    removed: tuple[str, ...]


@dataclass(frozen=True)
class DocumentChange:
    """A recent document the ingestion rules would now treat differently."""

    id: str
    path: str
    source: str
    mime: str
    size: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PolicyDiff:
    """What replacing one policy with a candidate file would change."""

    policy: str
    sha256: str
    unchanged: bool
    settings: tuple[str, ...]
    rows_checked: int
    newly_violating: tuple[RowChange, ...]
    no_longer_violating: tuple[RowChange, ...]
    newly_violating_count: int
    no_longer_violating_count: int
    documents_checked: int
    newly_blocked: tuple[DocumentChange, ...]
    newly_allowed: tuple[DocumentChange, ...]


async def diff_policy(
    graph: Graph,
    current: PolicySet,
    candidate_file: Path,
    *,
    tables: Collection[str] | None = None,
    documents: int = RECENT_DOCUMENTS,
) -> PolicyDiff:
    """Compare `current` with `current` plus the policy in `candidate_file` (no writes).

    Raises `InvalidDefinitionsError` (file and line) when the candidate is invalid.
    """
    new_policy, candidate = with_policy_file(current, candidate_file)
    old_policy = current.policies.get(new_policy.name)
    schemas = await table_schemas(graph, tables)
    rows_checked = 0
    added: list[RowChange] = []
    removed: list[RowChange] = []
    counts = [0, 0]
    for table_name in sorted(schemas):
        async for page in row_pages(graph, table_name, STATUSES):
            rows_checked += len(page)
            before = _keys(current, schemas[table_name], page)
            after = _keys(candidate, schemas[table_name], page)
            for row in page:
                gained = tuple(sorted(after[row.view.id] - before[row.view.id]))
                lost = tuple(sorted(before[row.view.id] - after[row.view.id]))
                change = RowChange(row.view.id, table_name, row.view.key, gained, lost)
                if gained:
                    counts[0] += 1
                    _append(added, change)
                if lost and not after[row.view.id]:
                    counts[1] += 1
                    _append(removed, change)
    records = await graph.read(
        "policy/recent_documents", {"limit": documents, "sample_rows": SAMPLE_ROWS}
    )
    blocked, allowed = _documents(current, candidate, records)
    return PolicyDiff(
        policy=new_policy.name,
        sha256=new_policy.sha256,
        unchanged=old_policy is not None and old_policy.sha256 == new_policy.sha256,
        settings=tuple(_settings(current, candidate, schemas)),
        rows_checked=rows_checked,
        newly_violating=tuple(added),
        no_longer_violating=tuple(removed),
        newly_violating_count=counts[0],
        no_longer_violating_count=counts[1],
        documents_checked=len(records),
        newly_blocked=tuple(blocked),
        newly_allowed=tuple(allowed),
    )


def _keys(
    policies: PolicySet, table: TableSchema, page: Sequence[StoredRow]
) -> dict[str, set[str]]:
    """Per row: `policy|rule:field` of every violation, and the quarantine verdict."""
    keys: dict[str, set[str]] = {row.view.id: set() for row in page}
    for violation in check_rows(policies, table, [row.view for row in page]):
        keys[violation.row_id or ""].add(f"{violation.policy}|{violation.key}")
    limit = policies.thresholds(table.name).quarantine_below
    for row in page:
        if row.trust is not None and row.trust < limit:
            keys[row.view.id].add(QUARANTINE)
    return keys


def _append(changes: list[Any], change: Any) -> None:
    if len(changes) < MAX_LISTED:
        changes.append(change)


def _documents(
    current: PolicySet, candidate: PolicySet, records: Sequence[Mapping[str, Any]]
) -> tuple[list[DocumentChange], list[DocumentChange]]:
    blocked: list[DocumentChange] = []
    allowed: list[DocumentChange] = []
    for record in records:
        document = DocumentChange(
            id=record["id"],
            path=record["path"] or "",
            source=record["source"] or "",
            mime=record["mime"] or "",
            size=int(record["size"] or 0),
            reasons=(),
        )
        samples: list[Mapping[str, JsonValue]] = [json.loads(v) for v in record["values"]]
        old, new = (
            check_file(
                policies,
                source=document.source,
                path=document.path,
                mime=document.mime,
                size=document.size,
                sample_text=record["text"] or "",
                records=samples or None,
            )
            for policies in (current, candidate)
        )
        if old.allowed == new.allowed:
            continue
        reasons = tuple(v.detail for v in (new if old.allowed else old).violations)
        _append(blocked if old.allowed else allowed, replace(document, reasons=reasons))
    return blocked, allowed


def _settings(
    current: PolicySet, candidate: PolicySet, schemas: Mapping[str, TableSchema]
) -> list[str]:
    """Thresholds and approval rules that differ between the two sets."""
    lines = []
    tables = sorted({*schemas, *_trust_tables(current), *_trust_tables(candidate)})
    for table in tables:
        old, new = current.thresholds(table), candidate.thresholds(table)
        if old != new:
            lines.append(f"trust thresholds of {table}: {old} -> {new}")
    for kind in sorted(_approval_kinds(current) | _approval_kinds(candidate)):
        old_stages, new_stages = current.approval_stages(kind), candidate.approval_stages(kind)
        if old_stages != new_stages:
            lines.append(f"approval of {kind}: {old_stages} -> {new_stages}")
    return lines


def _trust_tables(policies: PolicySet) -> set[str]:
    return {t for p in policies.policies.values() if p.trust for t in p.trust.tables}


def _approval_kinds(policies: PolicySet) -> set[str]:
    kinds = {"default"}
    for policy in policies.policies.values():
        if policy.approvals:
            kinds |= {*policy.approvals.kinds, *policy.approvals.stages}
    return kinds
