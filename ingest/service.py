"""Ingestion of one file: read, extract, match a table, normalise, load, publish.

The service is what the worker's task, the `grace ingest` command and the tests call; it
holds no state of its own between files.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath

from opentelemetry import trace
from pydantic import JsonValue

from governance.appliers import default_appliers
from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.encrypted_rows import encrypt_rows
from governance.encryption import FieldCipher
from governance.policy_store import active_policy_set
from graph.errors import EventBusError, GraceError, GraphUnavailableError, UndecodableTextError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.model import outcome_summary
from graph.schema_store import active_version_ids, active_versions
from graph.schemas import TableSchema
from ingest import identity
from ingest.admission import (
    Admission,
    Admitted,
    IngestionRejectedError,
    PolicyRefusedError,
    Verdict,
)
from ingest.bad_records import check_bad_records
from ingest.extract import Extraction, Limits, extract
from ingest.extract.reading import read_limited
from ingest.inference import infer_table
from ingest.loader import (
    Activation,
    ChunkDraft,
    DocumentDraft,
    GraphLoader,
    RowDraft,
    RunDraft,
)
from ingest.matching import TableMatch, match_table
from ingest.normalize import RowNormalizer, entity_key
from ingest.sources import SourceRef, locate
from ingest.table_proposals import TableProposals
from ingest.warm_up import rehearse_loading

log = logging.getLogger(__name__)
_TRACER = trace.get_tracer(__name__)

PROPOSAL_OWNER = "grace-ingest"


class InternalError(GraceError):
    """A defect met while ingesting a file: recorded on its run, logged with its traceback."""

    code = "internal"

    def __init__(self, path: str, error: Exception) -> None:
        self.path = path
        super().__init__(f"internal error while ingesting {path}: {type(error).__name__}: {error}")


class UnreadableError(GraceError):
    """The file could not be read (permissions, a special file, an I/O error)."""

    code = "unreadable"

    def __init__(self, path: str, error: OSError) -> None:
        self.path = path
        super().__init__(f"cannot read {path}: {type(error).__name__}: {error.strerror or error}")


class InvalidTextError(GraceError):
    """Text that is not valid Unicode (a lone surrogate), which the graph cannot store."""

    code = "invalid_text"

    def __init__(self, path: str, where: str, text: str) -> None:
        self.path = path
        super().__init__(
            f"{path}: {where} holds a lone surrogate, not valid Unicode: {_storable(text)[:80]}"
        )


class IngestionTimeoutError(GraceError):
    """The file's ingestion took longer than its time budget."""

    code = "timeout"

    def __init__(self, path: str, seconds: float) -> None:
        self.path = path
        self.seconds = seconds
        super().__init__(f"ingesting {path} took longer than the limit of {seconds:g} s")


class ConcurrentVersionError(GraceError):
    """Another worker wrote a different content as the same version; retrying resolves it."""

    code = "concurrent_version"

    def __init__(self, path: str, version: int) -> None:
        self.path = path
        self.version = version
        super().__init__(f"{path} version {version} was written with other content meanwhile")


class TableRefusedError(GraceError):
    """No table in force fits the file, and the table proposed for it was refused."""

    code = "table_refused"

    def __init__(self, path: str, table: str) -> None:
        self.path = path
        self.table = table
        super().__init__(
            f"no table in force fits {path}, and the table proposed for it ({table!r}) was "
            "rejected or its request expired: approve or add a table it fits, or change the "
            "file, then ingest it again"
        )


class OutcomeStatus(StrEnum):
    """How the ingestion of one file ended."""

    INGESTED = "ingested"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    AWAITING_SCHEMA = "awaiting_schema"
    AWAITING_APPROVAL = "awaiting_approval"
    FAILED = "failed"


@dataclass(frozen=True)
class IngestOutcome:
    """The result of ingesting one file; a failed one carries its error and its code."""

    status: OutcomeStatus
    source: str
    path: str
    sha256: str
    run_id: str | None = None
    document_id: str | None = None
    version: int | None = None
    table: str | None = None
    rows: int = 0
    skipped: int = 0
    """Rows of the file left out (no entity key); `warnings` names each with its reason."""
    retracted: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    code: str | None = None
    change_request: str | None = None

    @property
    def summary(self) -> str:
        """How the file ended in words: `ingested`, `ingested, 174 rows skipped`."""
        return outcome_summary(self.status.value.replace("_", " "), self.skipped)


@dataclass(frozen=True)
class _Prepared:
    """What a file becomes before anything is written."""

    extraction: Extraction
    match: TableMatch | None
    rows: list[RowDraft]
    warnings: list[str]
    proposal: TableSchema | None = None
    skipped: int = 0


class IngestionService:
    """Turns files into Documents, Rows, Entities and their provenance."""

    def __init__(
        self,
        graph: Graph,
        bus: EventBus,
        tables: dict[str, tuple[TableSchema, str]],
        *,
        limits: Limits,
        batch_size: int,
        proposals: TableProposals,
        admission: Admission | None = None,
        cipher: FieldCipher | None = None,
    ) -> None:
        self._graph = graph
        self._bus = bus
        self._loader = GraphLoader(graph, batch_size)
        self._batch_size = batch_size
        self._tables = tables
        self._limits = limits
        self._proposals = proposals
        self._admission = admission
        self._cipher = cipher

    @classmethod
    async def create(
        cls,
        graph: Graph,
        bus: EventBus,
        *,
        limits: Limits,
        batch_size: int,
        admission: Admission | None = None,
        cipher: FieldCipher | None = None,
    ) -> IngestionService:
        """A service matching rows against the table versions active in the graph (read
        again whenever they change).

        With `admission`, files pass the ingestion policies first; with `cipher`, personal
        fields (schema `pii`, or found by policy) are stored encrypted, with keyed hashes.
        Tables inferred for files that fit none are proposed under the policies in force.
        """
        audit = AuditLog(graph)
        approvals = Approvals(graph, bus, audit, default_appliers(graph, audit))
        proposals = TableProposals(graph, approvals, await active_policy_set(graph))
        return cls(
            graph,
            bus,
            await _active_tables(graph),
            limits=limits,
            batch_size=batch_size,
            proposals=proposals,
            admission=admission,
            cipher=cipher,
        )

    @property
    def loader(self) -> GraphLoader:
        """The graph writes this service uses."""
        return self._loader

    async def warm_up(self) -> Activation:
        """Read the active tables' versions and rehearse loading a file into one of them
        (`ingest.warm_up`): the first file then finds its statements planned and run. What
        the rehearsal's activation changed before its rollback."""
        await self._refresh_tables()
        table = min(((name, version) for name, (_, version) in self._tables.items()), default=None)
        return await rehearse_loading(self._graph, self._batch_size, table)

    async def ingest_file(self, path: Path, root: Path, *, job: str = "") -> IngestOutcome:
        """Ingest one file below `root`; a bad file is recorded as a failed run, not raised.

        Anything unexpected is recorded as an `internal` failure naming the exception's type
        (its traceback goes to the log). Raises only transient errors (Neo4j unavailable, a
        version written concurrently), which the worker retries.
        """
        source, relative = locate(path, root)
        try:
            data = await asyncio.to_thread(read_limited, path, self._limits.max_bytes)
        except FileNotFoundError:
            return IngestOutcome(
                OutcomeStatus.SKIPPED, source.id, relative, "", warnings=["the file vanished"]
            )
        except (GraceError, OSError) as error:
            failure = error if isinstance(error, GraceError) else UnreadableError(relative, error)
            return await self._fail(
                source,
                RunDraft(identity.run_id(source.id, relative, ""), source.id, relative, "", job),
                failure,
            )
        sha256 = identity.content_sha256(data)
        safe = _storable(relative)
        run = RunDraft(identity.run_id(source.id, relative, sha256), source.id, safe, sha256, job)
        bad_name = _unstorable(safe, "its name", relative)
        if bad_name is not None:
            return await self._fail(source, run, bad_name)
        try:
            return await self._ingest(data, source, relative, root, run)
        except (GraphUnavailableError, ConcurrentVersionError):
            raise
        except GraceError as error:
            return await self._fail(source, run, error)
        except Exception as error:
            log.exception("unexpected error while ingesting %s", relative)
            return await self._fail(source, run, InternalError(relative, error))

    async def record_timeout(
        self, path: Path, root: Path, seconds: float, *, job: str
    ) -> IngestOutcome:
        """Record the run of a file whose ingestion took longer than `seconds` as failed
        (`timeout`), so that it does not end without an outcome."""
        source, relative = locate(path, root)
        try:
            data = await asyncio.to_thread(read_limited, path, self._limits.max_bytes)
        except (GraceError, OSError):
            data = b""
        sha256 = identity.content_sha256(data) if data else ""
        run = RunDraft(
            identity.run_id(source.id, relative, sha256), source.id, relative, sha256, job
        )
        return await self._fail(source, run, IngestionTimeoutError(relative, seconds))

    async def _ingest(
        self, data: bytes, source: SourceRef, relative: str, root: Path, run: RunDraft
    ) -> IngestOutcome:
        sha256 = run.sha256
        latest = await self._loader.latest(source.id, relative)
        rematch = latest is not None and (latest.schema_ready or latest.schema_refused)
        unchanged = latest is not None and latest.sha256 == sha256 and not rematch
        if latest is not None and unchanged and latest.status == "active":
            return IngestOutcome(
                OutcomeStatus.UNCHANGED,
                source.id,
                relative,
                sha256,
                document_id=latest.id,
                version=latest.version,
            )
        version = (
            latest.version if latest and unchanged else ((latest.version + 1) if latest else 1)
        )
        await self._refresh_tables()
        admitted = Admitted(Verdict.ADMITTED)
        if self._admission is not None:
            try:
                with _TRACER.start_as_current_span("admit"):
                    admitted = await self._admission.admit(data, source, relative, root, sha256)
            except (PolicyRefusedError, IngestionRejectedError) as error:
                await self._violated(source, relative, error)
                return await self._fail(source, run, error)
            except UndecodableTextError as error:
                return await self._fail(source, run, error)
        if admitted.verdict is Verdict.AWAITING_APPROVAL:
            return await self._await_approval(source, run, admitted)
        document_id = identity.document_id(source.id, relative, version)
        await self._publish(
            EventType.INGESTION_STARTED,
            run.id,
            {"path": relative, "source": source.id, "document": document_id},
        )
        try:
            with _TRACER.start_as_current_span("extract"):
                prepared = await asyncio.to_thread(
                    self._prepare, data, source, relative, admitted.encrypt_fields
                )
        except GraceError as error:
            return await self._fail(source, run, error)
        if (
            prepared.proposal is not None
            and latest is not None
            and latest.schema_refused
            and latest.sha256 == sha256
        ):  # the same content would propose the refused table again
            refused = TableRefusedError(relative, prepared.proposal.name)
            return await self._fail(source, run, refused)
        document = DocumentDraft(
            id=document_id,
            source=source.id,
            path=relative,
            sha256=sha256,
            mime=prepared.extraction.mime,
            size=len(data),
            version=version,
        )
        with _TRACER.start_as_current_span("write", attributes={"rows": len(prepared.rows)}):
            return await self._load(source, document, run, prepared)

    def _prepare(
        self, data: bytes, source: SourceRef, relative: str, encrypt_fields: frozenset[str]
    ) -> _Prepared:
        extraction = extract(data, relative, self._limits)
        warnings = list(extraction.warnings)
        check_bad_records(relative, extraction, extraction.skipped, warnings)
        if not extraction.rows:
            return _Prepared(extraction, None, [], warnings)
        columns = list(dict.fromkeys(column for row in extraction.rows for column in row.values))
        schemas = [table for table, _ in self._tables.values()]
        match = match_table(columns, schemas, hint=PurePosixPath(relative).stem)
        if match is None:
            return self._unmatched(extraction, relative, warnings)
        rows: list[RowDraft] = []
        plain: list[dict[str, JsonValue]] = []
        skipped = extraction.skipped  # records the reader could not use, then rows without key
        bad = extraction.skipped  # and rows with values that do not fit
        normalize_row = RowNormalizer(match.table, match.mapping)
        for extracted in extraction.rows:
            normalized = normalize_row(extracted.values)
            key = entity_key(match.table, normalized.values)
            bad += 1 if normalized.problems or key is None else 0
            if key is None:
                skipped += 1
                warnings.append(_skipped(extracted.locator, match.table, normalized.problems))
                continue
            warnings += [f"{extracted.locator}: {problem}" for problem in normalized.problems]
            values = identity.canonical_json(normalized.values)
            invalid = _unstorable(relative, extracted.locator, values)
            if invalid is not None:
                raise invalid
            values_sha = identity.digest(values)  # of the plaintext: identity survives keys
            rows.append(
                RowDraft(
                    id=identity.row_id(source.id, relative, match.table.name, key, values_sha),
                    key=key,
                    entity_id=identity.entity_id(match.table.name, key),
                    values=values,
                    sha256=values_sha,
                    locator=extracted.locator,
                )
            )
            plain.append(normalized.values)
        check_bad_records(relative, extraction, bad, warnings)
        if self._cipher is not None:
            rows = _encrypted(match.table, rows, plain, self._cipher, encrypt_fields)
        return _Prepared(extraction, match, rows, warnings, skipped=skipped)

    async def _load(
        self, source: SourceRef, document: DocumentDraft, run: RunDraft, prepared: _Prepared
    ) -> IngestOutcome:
        chunks = [
            ChunkDraft(
                id=identity.chunk_id(source.id, document.path, chunk.text),
                text=chunk.text,
                ordinal=chunk.ordinal,
                locator=chunk.locator,
            )
            for chunk in prepared.extraction.text_chunks
        ]
        existing = await self._loader.begin(source, document, run)
        if existing != document.sha256:
            raise ConcurrentVersionError(document.path, document.version)
        proposal = prepared.proposal
        tables: list[str] = []
        try:
            if prepared.match is not None:
                table = prepared.match.table.name
                tables.append(table)
                schema_version = self._tables[table][1]
                await self._loader.load_rows(document.id, table, schema_version, prepared.rows)
                await self._publish(
                    EventType.INGESTION_PROGRESS,
                    run.id,
                    {
                        "path": document.path,
                        "document": document.id,
                        "table": table,
                        "rows": len(prepared.rows),
                    },
                )
            await self._loader.load_chunks(document.id, chunks)
            status = OutcomeStatus.AWAITING_SCHEMA if proposal else OutcomeStatus.INGESTED
            change_request = (
                (
                    await self._proposals.propose(
                        proposal, f"inferred from {document.path}", document_id=document.id
                    )
                ).request
                if proposal
                else None
            )
            activation = await self._loader.activate(
                document.id,
                run.id,
                rows=len(prepared.rows),
                skipped=prepared.skipped,
                chunks=len(chunks),
                warnings=_waiting(proposal, change_request) + prepared.warnings,
                status="completed" if proposal is None else "awaiting_schema",
                tables=tables,
            )
        except GraphUnavailableError:
            raise  # transient: the retried job resumes this loading version
        except GraceError as error:
            await self._loader.abort(document.id)
            return await self._fail(source, run, error)
        except Exception as error:
            log.exception("unexpected error while loading %s", document.path)
            await self._loader.abort(document.id)
            return await self._fail(source, run, InternalError(document.path, error))
        outcome = IngestOutcome(
            status,
            source.id,
            document.path,
            document.sha256,
            run_id=run.id,
            document_id=document.id,
            version=document.version,
            table=prepared.match.table.name if prepared.match else None,
            rows=len(prepared.rows),
            skipped=prepared.skipped,
            retracted=activation.retracted,
            warnings=prepared.warnings,
            change_request=change_request,
        )
        await self._publish(
            EventType.INGESTION_COMPLETED,
            run.id,
            {
                "path": document.path,
                "source": source.id,
                "document": document.id,
                "table": outcome.table,
                "version": document.version,
                "status": status.value,
                "rows": outcome.rows,
                "skipped": outcome.skipped,
                "retracted": outcome.retracted,
                "warnings": len(outcome.warnings),
            },
        )
        return outcome

    def _unmatched(self, extraction: Extraction, relative: str, warnings: list[str]) -> _Prepared:
        """Rows that fit no table: propose one inferred from them, never guess silently."""
        values = [row.values for row in extraction.rows]
        try:
            table = infer_table(PurePosixPath(relative).stem, values, PROPOSAL_OWNER)
        except ValueError as error:
            warnings.append(f"{len(values)} rows fit no table and none can be inferred: {error}")
            return _Prepared(extraction, None, [], warnings)
        return _Prepared(extraction, None, [], warnings, table)

    async def _refresh_tables(self) -> None:
        """Read the active tables again if a version was activated or superseded since."""
        current = {version_id for _, version_id in self._tables.values()}
        if await active_version_ids(self._graph) != current:
            self._tables = await _active_tables(self._graph)

    async def _await_approval(
        self, source: SourceRef, run: RunDraft, admitted: Admitted
    ) -> IngestOutcome:
        reason = f"high-risk file: waits for change request {admitted.change_request}"
        await self._loader.record_failure(
            source, run, Verdict.AWAITING_APPROVAL.value, reason, status="awaiting_approval"
        )
        return IngestOutcome(
            OutcomeStatus.AWAITING_APPROVAL,
            source.id,
            run.path,
            run.sha256,
            run_id=run.id,
            change_request=admitted.change_request,
        )

    async def _violated(self, source: SourceRef, relative: str, error: GraceError) -> None:
        rules: list[JsonValue] = (
            [f"{v.policy}/{v.rule}" for v in error.violations]
            if isinstance(error, PolicyRefusedError)
            else ["ingestion/rejected"]
        )
        await self._publish(
            EventType.POLICY_VIOLATED,
            f"file:{source.id}:{relative}",
            {"path": relative, "source": source.id, "rules": rules, "error": str(error)},
        )

    async def _fail(self, source: SourceRef, run: RunDraft, error: GraceError) -> IngestOutcome:
        message = _storable(str(error))
        await self._loader.record_failure(source, run, error.code, message)
        await self._publish(
            EventType.INGESTION_FAILED,
            run.id,
            {"path": run.path, "source": source.id, "code": error.code, "error": message},
        )
        return IngestOutcome(
            OutcomeStatus.FAILED,
            source.id,
            run.path,
            run.sha256,
            run_id=run.id,
            error=message,
            code=error.code,
        )

    async def _publish(
        self, event_type: EventType, subject: str, payload: dict[str, JsonValue]
    ) -> None:
        try:
            await self._bus.publish(DomainEvent(type=event_type, subject=subject, payload=payload))
        except EventBusError as error:
            # Events feed live views; the graph and the run record are the source of truth.
            log.warning("event %s for %s not published: %s", event_type, subject, error)


def _storable(text: str) -> str:
    """`text` with lone surrogates spelled as `\\udXXX` escapes (the graph stores UTF-8)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _unstorable(path: str, where: str, text: str) -> InvalidTextError | None:
    """The error for text holding a lone surrogate (a file name not in UTF-8, a JSON
    `\\ud800` escape), or None when it is valid Unicode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return InvalidTextError(path, where, text)
    return None


def _skipped(locator: str, table: TableSchema, problems: Sequence[GraceError]) -> str:
    """The warning naming a row left out for want of its entity key, with the reason."""
    fields = ", ".join(table.entity_key)
    reasons = "".join(f"; {problem}" for problem in problems)
    return f"{locator}: row skipped: no entity key ({fields}){reasons}"


async def _active_tables(graph: Graph) -> dict[str, tuple[TableSchema, str]]:
    return {
        schema.name: (TableSchema.model_validate(version.definition), version.id)
        for schema, version in await active_versions(graph)
    }


def _encrypted(
    table: TableSchema,
    rows: list[RowDraft],
    plain: list[dict[str, JsonValue]],
    cipher: FieldCipher,
    also: frozenset[str],
) -> list[RowDraft]:
    """Rows with their personal fields as tokens and keyed hashes (one data key per file)."""
    sensitive = {name for name, spec in table.fields.items() if spec.pii} | (
        also & table.fields.keys()
    )
    if not sensitive:
        return rows
    encrypted = encrypt_rows(table, plain, cipher, also=also & table.fields.keys())
    return [
        replace(
            row,
            values=identity.canonical_json(result.values),
            hashes=identity.canonical_json(dict(result.hashes)) if result.hashes else None,
        )
        for row, result in zip(rows, encrypted, strict=True)
    ]


def summarize(outcomes: Sequence[IngestOutcome]) -> dict[OutcomeStatus, int]:
    """How many files ended in each status."""
    counts = dict.fromkeys(OutcomeStatus, 0)
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts


def _waiting(proposal: TableSchema | None, change_request: str | None) -> list[str]:
    """The run's first warning while its rows wait for a proposed table: which request."""
    if proposal is None or change_request is None:
        return []
    return [f"waiting for table '{proposal.name}' to be approved (change request {change_request})"]
