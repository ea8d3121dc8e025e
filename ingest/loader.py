"""Graph writes of ingestion, in three phases so that nothing half-written is ever visible.

1. `begin`: the Source, a `loading` Document version and its IngestionRun (one transaction).
2. `load_rows` / `load_chunks`: batches of `UNWIND` writes; new rows stay `pending`.
3. `activate`: one transaction makes the version active, supersedes the previous one,
   retracts rows that disappeared and activates the new ones.
A failure between 1 and 3 is undone by `abort`. Every statement is idempotent, so a job
that is retried or re-run after its worker died converges on the same graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from opentelemetry import trace

from graph.graph import GraphTransaction, Record, Statements, WriteSummary
from ingest.sources import SourceRef
from trust.aggregate_shift import lock_table_aggregates, shift_table_trust

_TRACER = trace.get_tracer(__name__)

INITIAL_TRUST = 0.5
"""Trust of a new source, document or row until the trust engine scores it."""


@dataclass(frozen=True)
class LatestVersion:
    """The newest Document version of a file."""

    id: str
    version: int
    sha256: str
    status: str
    schema_ready: bool = False
    """It waited for a proposed table that is now in force."""
    schema_refused: bool = False
    """It waited for a proposed table whose every change request was rejected or expired."""


@dataclass(frozen=True)
class DocumentDraft:
    """Properties of a Document version about to be written."""

    id: str
    source: str
    path: str
    sha256: str
    mime: str
    size: int
    version: int


@dataclass(frozen=True)
class RunDraft:
    """Properties of an IngestionRun."""

    id: str
    source: str
    path: str
    sha256: str
    job: str = ""


@dataclass(frozen=True)
class RowDraft:
    """One normalised row, ready for `upsert_rows`."""

    id: str
    key: str
    entity_id: str
    values: str
    sha256: str
    locator: str
    hashes: str | None = None
    """Keyed hashes of the encrypted fields (JSON), for comparisons without plaintext."""

    def params(self) -> dict[str, str | None]:
        """The row as `upsert_rows` takes it (`asdict` deep-copies: ~10x slower)."""
        return {
            "id": self.id,
            "key": self.key,
            "entity_id": self.entity_id,
            "values": self.values,
            "sha256": self.sha256,
            "locator": self.locator,
            "hashes": self.hashes,
        }


@dataclass(frozen=True)
class ChunkDraft:
    """One text chunk, ready for `upsert_chunks`."""

    id: str
    text: str
    ordinal: int
    locator: str


@dataclass(frozen=True)
class Activation:
    """What activating a version changed."""

    retracted: int
    activated: int


class GraphLoader:
    """The ingestion statements, run through the process's `Graph` (or a rehearsal of it,
    `ingest.warm_up`)."""

    def __init__(self, graph: Statements, batch_size: int) -> None:
        self._graph = graph
        self._batch_size = batch_size

    async def latest(self, source: str, path: str) -> LatestVersion | None:
        """The newest version of a file, if any."""
        records = await self._graph.read("ingest/latest_document", {"source": source, "path": path})
        return LatestVersion(**records[0]) if records else None

    async def begin(self, source: SourceRef, document: DocumentDraft, run: RunDraft) -> str:
        """Phase 1; returns the content hash of the (possibly pre-existing) version."""
        [record] = await self._graph.write(
            "ingest/begin_document",
            {
                "source": source.as_params(),
                "document": asdict(document),
                "run": asdict(run),
                "initial_trust": INITIAL_TRUST,
            },
        )
        sha256: str = record["sha256"]
        return sha256

    async def load_rows(
        self, document_id: str, table: str, schema_version: str, rows: Sequence[RowDraft]
    ) -> None:
        """Phase 2 for rows, in batches, and the document's link to their table version."""
        await self._graph.write(
            "ingest/link_schema", {"document_id": document_id, "schema_version": schema_version}
        )
        await self._graph.write_batches(
            "ingest/upsert_rows",
            (row.params() for row in rows),
            batch_size=self._batch_size,
            params={"document_id": document_id, "table": table, "initial_trust": INITIAL_TRUST},
        )

    async def load_chunks(self, document_id: str, chunks: Sequence[ChunkDraft]) -> WriteSummary:
        """Phase 2 for text chunks, in batches."""
        return await self._graph.write_batches(
            "ingest/upsert_chunks",
            (asdict(chunk) for chunk in chunks),
            batch_size=self._batch_size,
            param="chunks",
            params={"document_id": document_id},
        )

    async def activate(
        self,
        document_id: str,
        run_id: str,
        *,
        rows: int,
        chunks: int,
        warnings: Sequence[str],
        skipped: int = 0,
        status: str = "completed",
        tables: Sequence[str] = (),
    ) -> Activation:
        """Phase 3: the version becomes active (one transaction, which also moves the
        stored trust aggregates of the rows it activated and retracted, locking those of
        `tables`, its rows' tables, first); the run records the rows written and `skipped`."""
        params = {
            "document_id": document_id,
            "run_id": run_id,
            "rows": rows,
            "skipped": skipped,
            "chunks": chunks,
            "warnings": list(warnings),
            "status": status,
        }

        async def activate(tx: GraphTransaction) -> Record:
            await lock_table_aggregates(tx, tables)
            [record] = await tx.run("ingest/activate_document", params)
            await shift_table_trust(tx, record["left"], record["entered"], record["returned"])
            return record

        with _TRACER.start_as_current_span("activate"):
            record = await self._graph.transaction(activate)
        return Activation(retracted=record["retracted"], activated=record["activated"])

    async def abort(self, document_id: str) -> None:
        """Undo a `loading` version (no-op when it is already active or gone)."""
        await self._graph.write("ingest/abort_document", {"document_id": document_id})

    async def record_failure(
        self,
        source: SourceRef,
        run: RunDraft,
        error_code: str,
        error: str,
        *,
        status: str = "failed",
    ) -> None:
        """Mark the run failed (or `status`) with its reason; nothing else of the file is
        written."""
        await self._graph.write(
            "ingest/record_failure",
            {
                "source": source.as_params(),
                "run": asdict(run),
                "status": status,
                "error_code": error_code,
                "error": error,
                "initial_trust": INITIAL_TRUST,
            },
        )

    async def run(self, run_id: str) -> dict[str, Any] | None:
        """The properties of one ingestion run."""
        records = await self._graph.read("ingest/run_status", {"run_id": run_id})
        return dict(records[0]["run"]) if records else None
