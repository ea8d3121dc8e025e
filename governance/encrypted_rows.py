"""Field encryption on the graph: encrypting rows' personal fields, rewrapping, retiring keys.

`Row.values` is a JSON string of the row's fields. The fields a table marks `pii: true`
(plus any a policy verdict names) hold `enc:v1:` tokens there, and their keyed hashes go
in a separate mapping, so rows can be compared without decrypting them. After a key
rotation `rewrap_all` moves every token to the primary KEK version, page by page;
`retire_key_version` then refuses while any row still uses the version.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import JsonValue

from governance.audit import AuditEntry, AuditLog
from governance.encryption import TOKEN_PREFIX, FieldCipher, token_key_version
from governance.errors import FieldDecryptionError, KeyVersionError, KeyVersionInUseError
from governance.keys import KeyRing
from graph.graph import Graph
from graph.schemas import TableSchema

MAX_FAILED_IDS = 20


@dataclass(frozen=True)
class EncryptedValues:
    """A row's values with its personal fields encrypted, and their keyed hashes by field."""

    values: dict[str, JsonValue]
    hashes: dict[str, str]


def field_context(table: str, name: str) -> str:
    """The associated data of a field's tokens: `table/field`."""
    return f"{table}/{name}"


def encrypt_row_values(
    table: TableSchema,
    values: Mapping[str, JsonValue],
    cipher: FieldCipher,
    *,
    also: Collection[str] = (),
) -> EncryptedValues:
    """Encrypt the row's `pii` fields (and those in `also`); nulls and tokens stay as they are."""
    [encrypted] = encrypt_rows(table, [values], cipher, also=also)
    return encrypted


def encrypt_rows(
    table: TableSchema,
    rows: Sequence[Mapping[str, JsonValue]],
    cipher: FieldCipher,
    *,
    also: Collection[str] = (),
) -> list[EncryptedValues]:
    """`encrypt_row_values` for a batch, all tokens sharing one fresh data key."""
    sensitive = {name for name, spec in table.fields.items() if spec.pii} | set(also)
    places: list[tuple[int, str]] = []
    items: list[tuple[JsonValue, str]] = []
    results = [EncryptedValues(dict(row), {}) for row in rows]
    for index, row in enumerate(rows):
        for name in sorted(sensitive & row.keys()):
            value = row[name]
            if value is None or FieldCipher.is_encrypted(value):
                continue
            context = field_context(table.name, name)
            places.append((index, name))
            items.append((value, context))
            results[index].hashes[name] = cipher.keyed_hash(value, context=context)
    for (index, name), token in zip(places, cipher.encrypt_many(items), strict=True):
        results[index].values[name] = token
    return results


def decrypt_row_values(
    table: str, values: Mapping[str, JsonValue], cipher: FieldCipher
) -> dict[str, JsonValue]:
    """The row's values with every token decrypted (callers authorize first)."""
    return {
        name: cipher.decrypt(value, context=field_context(table, name))
        if isinstance(value, str) and FieldCipher.is_encrypted(value)
        else value
        for name, value in values.items()
    }


@dataclass
class RewrapReport:
    """What `rewrap_all` did; passed to the progress callback after every page."""

    primary: int
    total: int = 0
    rows_read: int = 0
    rows_rewrapped: int = 0
    tokens: int = 0
    skipped: int = 0
    """Rows changed by someone else between read and write; left as they were."""
    failed: int = 0
    """Rows whose tokens cannot be unwrapped (retired or foreign key, altered, bad JSON)."""
    failed_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0


RewrapProgress = Callable[[RewrapReport], None]


async def rewrap_all(
    graph: Graph,
    cipher: FieldCipher,
    progress: RewrapProgress | None = None,
    *,
    batch_size: int = 500,
    tables: Sequence[str] | None = None,
) -> RewrapReport:
    """Rewrap every token of a non-primary KEK version in `Row.values` (or `tables` only)."""
    started = time.perf_counter()
    primary, stale = await asyncio.to_thread(_stale_versions, cipher.keyring)
    report = RewrapReport(primary=primary)
    if not stale:
        return report
    prefixes = [_prefix(version) for version in stale]
    scope = list(tables) if tables is not None else None
    [counted] = await graph.read(
        "governance/field_key_rows_count", {"prefixes": prefixes, "tables": scope}
    )
    report.total = counted["rows"]
    after = ""
    while True:
        page = await graph.read(
            "governance/field_key_rows_page",
            {"prefixes": prefixes, "tables": scope, "after": after, "limit": batch_size},
        )
        if not page:
            break
        after = page[-1]["id"]
        changes = await asyncio.to_thread(_rewrap_page, cipher, page, primary, report)
        if changes:
            [written] = await graph.write("governance/field_key_rewrap_rows", {"rows": changes})
            report.rows_rewrapped += written["updated"]
            report.skipped += len(changes) - written["updated"]
        report.seconds = time.perf_counter() - started
        if progress is not None:
            progress(report)
    report.seconds = time.perf_counter() - started
    return report


class KeyUsage(Protocol):
    """Counts the stored values that still use a KEK version."""

    async def references(self, version: int) -> int:
        """How many stored values (rows) hold a token of `version`."""
        ...


class GraphKeyUsage:
    """Usage of a KEK version in `Row.values` (every row, or the rows of `tables`)."""

    def __init__(self, graph: Graph, tables: Sequence[str] | None = None) -> None:
        self._graph = graph
        self._tables = list(tables) if tables is not None else None

    async def references(self, version: int) -> int:
        """Rows holding a token of `version`."""
        [record] = await self._graph.read(
            "governance/field_key_rows_count",
            {"prefixes": [_prefix(version)], "tables": self._tables},
        )
        rows: int = record["rows"]
        return rows


async def retire_key_version(keyring: KeyRing, version: int, usage: KeyUsage) -> None:
    """Retire `version`, refused with `KeyVersionInUseError` while any value uses it."""
    references = await usage.references(version)
    if references:
        raise KeyVersionInUseError(version, references)
    await asyncio.to_thread(keyring.retire, version)


@dataclass(frozen=True)
class RotationReport:
    """What `rotate_field_key` did."""

    previous: int
    primary: int
    rewrap: RewrapReport
    retired: list[int]
    still_used: dict[int, int]
    """Old versions kept because rows still use them: version -> rows."""


async def rotate_field_key(
    graph: Graph,
    cipher: FieldCipher,
    audit: AuditLog,
    *,
    actor: str,
    progress: RewrapProgress | None = None,
    retire: bool = True,
    batch_size: int = 500,
) -> RotationReport:
    """Rotate the KEK (audited), then `finish_field_rotation`."""
    keyring = cipher.keyring
    previous = await asyncio.to_thread(keyring.primary)
    primary = await asyncio.to_thread(keyring.rotate)
    await audit.append(
        [AuditEntry(actor, "fields.key.rotate", _target(primary), {"primary": previous}, {})]
    )
    return await finish_field_rotation(
        graph,
        cipher,
        audit,
        actor=actor,
        previous=previous,
        progress=progress,
        retire=retire,
        batch_size=batch_size,
    )


async def finish_field_rotation(
    graph: Graph,
    cipher: FieldCipher,
    audit: AuditLog,
    *,
    actor: str,
    previous: int,
    progress: RewrapProgress | None = None,
    retire: bool = True,
    batch_size: int = 500,
) -> RotationReport:
    """Rewrap every row to the primary KEK, then retire the old versions nothing uses: the
    second half of a rotation, and what completes one cut short.

    Old versions are retired oldest first and the first one still in use stops the
    retiring (Transit can only retire from the oldest). Each step is audited.
    """
    keyring = cipher.keyring
    report = await rewrap_all(graph, cipher, progress, batch_size=batch_size)
    outcome: dict[str, JsonValue] = {
        "rows": report.rows_rewrapped,
        "tokens": report.tokens,
        "skipped": report.skipped,
        "failed": report.failed,
    }
    primary = report.primary
    await audit.append([AuditEntry(actor, "fields.rewrap", _target(primary), None, outcome)])
    retired: list[int] = []
    still_used: dict[int, int] = {}
    _, old_versions = await asyncio.to_thread(_stale_versions, keyring)
    usage = GraphKeyUsage(graph)
    for version in old_versions if retire else []:
        try:
            await retire_key_version(keyring, version, usage)
        except KeyVersionInUseError as error:
            still_used[version] = error.references
            break
        retired.append(version)
        await audit.append([AuditEntry(actor, "fields.key.retire", _target(version))])
    return RotationReport(previous, primary, report, retired, still_used)


def _target(version: int) -> str:
    return f"field-key@{version}"


def _stale_versions(keyring: KeyRing) -> tuple[int, list[int]]:
    versions = keyring.versions()
    primary = versions[-1]
    return primary, [version for version in versions if version != primary]


def _prefix(version: int) -> str:
    return f'"{TOKEN_PREFIX}{version}:'


def _rewrap_page(
    cipher: FieldCipher, page: list[dict[str, Any]], primary: int, report: RewrapReport
) -> list[dict[str, str]]:
    """The changed rows of a page as {id, before, after}; failed rows go into the report.

    The whole page is rewrapped in one go (rows of a batch share data keys); when that
    fails, row by row, to single out the rows that cannot be rewrapped.
    """
    rows: list[tuple[str, str, dict[str, Any], list[str]]] = []
    for record in page:
        report.rows_read += 1
        try:
            values, stale = _stale_fields(record["values"], primary)
        except (FieldDecryptionError, ValueError):
            _failed(report, record["id"])
            continue
        if stale:
            rows.append((record["id"], record["values"], values, stale))
    tokens = [values[name] for _, _, values, stale in rows for name in stale]
    try:
        rewrapped = iter(cipher.rewrap_many(tokens))
    except (FieldDecryptionError, KeyVersionError):
        return [change for row in rows if (change := _rewrap_row(cipher, row, report))]
    changes = []
    for row_id, before, values, stale in rows:
        values.update({name: next(rewrapped) for name in stale})
        report.tokens += len(stale)
        changes.append({"id": row_id, "before": before, "after": _json(values)})
    return changes


def _rewrap_row(
    cipher: FieldCipher, row: tuple[str, str, dict[str, Any], list[str]], report: RewrapReport
) -> dict[str, str] | None:
    row_id, before, values, stale = row
    try:
        tokens = cipher.rewrap_many([values[name] for name in stale])
    except (FieldDecryptionError, KeyVersionError):
        _failed(report, row_id)
        return None
    values.update(zip(stale, tokens, strict=True))
    report.tokens += len(stale)
    return {"id": row_id, "before": before, "after": _json(values)}


def _stale_fields(text: str, primary: int) -> tuple[dict[str, Any], list[str]]:
    values = json.loads(text)
    if not isinstance(values, dict):
        raise ValueError("row values are not a JSON object")
    stale = [
        name
        for name, value in values.items()
        if FieldCipher.is_encrypted(value) and token_key_version(value) != primary
    ]
    return values, stale


def _failed(report: RewrapReport, row_id: str) -> None:
    report.failed += 1
    if len(report.failed_ids) < MAX_FAILED_IDS:
        report.failed_ids.append(row_id)


def _json(values: dict[str, Any]) -> str:
    """The same canonical form ingestion writes (ingest.identity.canonical_json)."""
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
