"""Domain types: the nodes and edges of DESIGN.md as pydantic models, with record parsers.

`Label` and `Rel` are the allow-lists: Cypher never takes a label or relationship type
from anywhere else. Node models parse the property maps that Neo4j returns
(`Document.from_node(record["d"])`), converting driver temporal types to Python ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from graph.errors import NotAllowedError


class Label(StrEnum):
    """Every node label Grace writes."""

    WORKSPACE = "Workspace"
    USER = "User"
    API_KEY = "ApiKey"
    SOURCE = "Source"
    DOCUMENT = "Document"
    CHUNK = "Chunk"
    ROW = "Row"
    ENTITY = "Entity"
    SCHEMA = "Schema"
    SCHEMA_VERSION = "SchemaVersion"
    POLICY = "Policy"
    CONFLICT = "Conflict"
    FACT = "Fact"
    CHANGE_REQUEST = "ChangeRequest"
    COMMENT = "Comment"
    AUDIT_EVENT = "AuditEvent"
    AUDIT_HEAD = "AuditHead"
    AUDIT_CHECKPOINT = "AuditCheckpoint"
    INGESTION_RUN = "IngestionRun"
    TRUST_MODEL = "TrustModel"
    TRUST_SNAPSHOT = "TrustSnapshot"
    TRUST_AGGREGATE = "TrustAggregate"
    POLICY_EVALUATION = "PolicyEvaluation"
    MIGRATION = "Migration"


class Rel(StrEnum):
    """Every relationship type Grace writes."""

    MEMBER_OF = "MEMBER_OF"
    OWNS = "OWNS"
    IN_WORKSPACE = "IN_WORKSPACE"
    EXTRACTED_FROM = "EXTRACTED_FROM"
    FROM_SOURCE = "FROM_SOURCE"
    SUPERSEDES = "SUPERSEDES"
    DESCRIBES = "DESCRIBES"
    CONFORMS_TO = "CONFORMS_TO"
    HAS_VERSION = "HAS_VERSION"
    PREVIOUS = "PREVIOUS"
    INGESTED_BY = "INGESTED_BY"
    HAS_CHUNK = "HAS_CHUNK"
    CONTRADICTS = "CONTRADICTS"
    SUPPORTS = "SUPPORTS"
    INVOLVES = "INVOLVES"
    ABOUT = "ABOUT"
    VIOLATES = "VIOLATES"
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    TARGETS = "TARGETS"
    WROTE = "WROTE"
    ON = "ON"
    MENTIONS = "MENTIONS"
    NEXT = "NEXT"


def allowed_label(name: str) -> Label:
    """The `Label` called `name`, or `NotAllowedError`: the guard for any label from outside."""
    try:
        return Label(name)
    except ValueError:
        raise NotAllowedError("label", name) from None


def allowed_rel(name: str) -> Rel:
    """The `Rel` called `name`, or `NotAllowedError`."""
    try:
        return Rel(name)
    except ValueError:
        raise NotAllowedError("relationship type", name) from None


def _native(value: Any) -> Any:
    """Driver temporal values (neo4j.time.DateTime, Date) to their Python equivalents."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def _json_map(value: Any) -> Any:
    """Maps are stored as JSON strings (Neo4j properties cannot hold maps)."""
    return json.loads(value) if isinstance(value, str) else value


Timestamp = Annotated[datetime, BeforeValidator(_native)]
Day = Annotated[date, BeforeValidator(_native)]
JsonMap = Annotated[dict[str, Any], BeforeValidator(_json_map)]
Score = Annotated[float, Field(ge=0.0, le=1.0)]


class NodeModel(BaseModel):
    """A node's properties; `label` says which node it is."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    label: ClassVar[Label]

    @classmethod
    def from_node(cls, properties: Mapping[str, Any]) -> Self:
        """Parse the property map of a node as returned in a record."""
        return cls.model_validate(dict(properties))


class DocumentStatus(StrEnum):
    """Lifecycle of one version of one file. A file that failed is no document: its
    `IngestionRun` (status `failed`) says why."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"


class RowStatus(StrEnum):
    """Lifecycle of an extracted record."""

    ACTIVE = "active"
    QUARANTINED = "quarantined"
    RETRACTED = "retracted"
    SUPERSEDED = "superseded"


class SchemaVersionStatus(StrEnum):
    """Lifecycle of a table version."""

    ACTIVE = "active"
    PROPOSED = "proposed"  # waits for its change request
    SUPERSEDED = "superseded"


class ReviewStatus(StrEnum):
    """State of anything a person reviews (conflicts, change requests)."""

    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    RESOLVED = "resolved"
    EXPIRED = "expired"
    APPLIED = "applied"  # an approved change request whose change took effect
    APPLY_FAILED = "apply_failed"  # approved, but applying the change failed


class Workspace(NodeModel):
    """A personal or team space that owns sources and data."""

    label = Label.WORKSPACE
    id: str
    name: str
    kind: str = "team"


class User(NodeModel):
    """A person (or service account) acting in Grace."""

    label = Label.USER
    id: str
    email: str
    name: str = ""


class ApiKey(NodeModel):
    """A scoped API key; only its hash is stored."""

    label = Label.API_KEY
    id: str
    hash: str
    scopes: list[str] = Field(default_factory=list)
    created_at: Timestamp | None = None
    expires_at: Timestamp | None = None


class Source(NodeModel):
    """Where documents come from: a watched folder, an upload, a feed."""

    label = Label.SOURCE
    id: str
    kind: str
    location: str
    name: str = ""
    trust: Score = 0.5


class Document(NodeModel):
    """One version of one file."""

    label = Label.DOCUMENT
    id: str
    path: str
    sha256: str
    mime: str
    size: int
    version: int = 1
    status: DocumentStatus = DocumentStatus.ACTIVE
    trust: Score = 0.5
    ingested_at: Timestamp | None = None


class Chunk(NodeModel):
    """A span of a text document, with its embedding."""

    label = Label.CHUNK
    id: str
    text: str
    ordinal: int
    locator: str = ""
    embedding: list[float] | None = None
    embedded_with: str | None = None  # the model that made `embedding`


class Row(NodeModel):
    """One extracted record."""

    label = Label.ROW
    id: str
    table: str
    key: str
    values: JsonMap
    sha256: str
    trust: Score = 0.5
    status: RowStatus = RowStatus.ACTIVE
    path: str = ""
    locator: str = ""
    """Where the row is in the newest version of its file ("line 3", "$[2]")."""


class Entity(NodeModel):
    """What rows describe; rows describing the same entity are compared."""

    label = Label.ENTITY
    id: str
    table: str
    key: str


class Schema(NodeModel):
    """A table definition from `schemas/`, across its versions."""

    label = Label.SCHEMA
    name: str
    owner: str
    description: str
    latest_version: int


class SchemaVersion(NodeModel):
    """One version of a table definition."""

    label = Label.SCHEMA_VERSION
    id: str
    table: str
    version: int
    sha256: str
    fields: JsonMap
    definition: JsonMap
    entity_key: list[str]
    status: SchemaVersionStatus
    created_at: Timestamp | None = None


class Policy(NodeModel):
    """A versioned rule set from `policies/`."""

    label = Label.POLICY
    id: str
    name: str
    version: int


class Conflict(NodeModel):
    """A contradiction under review."""

    label = Label.CONFLICT
    id: str
    kind: str
    attribute: str
    status: ReviewStatus = ReviewStatus.OPEN
    score: Score = 0.0


class Fact(NodeModel):
    """A resolved, high-trust value of one attribute of one entity."""

    label = Label.FACT
    id: str
    entity: str
    attribute: str
    value: Any
    confidence: Score


class ChangeRequest(NodeModel):
    """Anything that needs approval before it takes effect."""

    label = Label.CHANGE_REQUEST
    id: str
    kind: str
    status: ReviewStatus = ReviewStatus.OPEN
    required: int = 1
    payload: JsonMap = Field(default_factory=dict)
    created_at: Timestamp | None = None


class Comment(NodeModel):
    """A note a person left on any node."""

    label = Label.COMMENT
    id: str
    text: str
    created_at: Timestamp | None = None


class AuditEvent(NodeModel):
    """One link of the tamper-evident audit chain."""

    label = Label.AUDIT_EVENT
    id: str
    chain: str = "main"
    seq: int
    actor: str
    action: str
    target: str
    before_digest: str | None = None
    after_digest: str | None = None
    prev_hash: str
    hash: str
    at: Timestamp
    hash_version: int | None = None
    """2: the hash covers every property; absent on events written before (legacy)."""


class AuditHead(NodeModel):
    """Where one audit chain ends; its write lock serialises appends to the chain."""

    label = Label.AUDIT_HEAD
    chain: str
    seq: int
    hash: str


class AuditCheckpoint(NodeModel):
    """A signed Merkle root over the hashes of the first `seq` events of an audit chain."""

    label = Label.AUDIT_CHECKPOINT
    chain: str
    seq: int
    root: str
    at: Timestamp
    public_key: str
    signature: str


class RunStatus(StrEnum):
    """Where one attempt to ingest one file stands."""

    RUNNING = "running"
    COMPLETED = "completed"
    AWAITING_SCHEMA = "awaiting_schema"  # its rows wait for a proposed table
    AWAITING_APPROVAL = "awaiting_approval"  # a high-risk file waits for an admin
    FAILED = "failed"


def outcome_summary(outcome: str, skipped: int) -> str:
    """How an ingestion ended in words: `ingested`, `ingested, 174 rows skipped`."""
    if skipped == 0:
        return outcome
    return f"{outcome}, {skipped} row{'s' if skipped != 1 else ''} skipped"


class IngestionRun(NodeModel):
    """One attempt to ingest one file: how it ended, the rows it wrote and skipped."""

    label = Label.INGESTION_RUN
    id: str
    path: str
    status: RunStatus
    source: str | None = None
    sha256: str | None = None
    error: str | None = None
    error_code: str | None = None
    started_at: Timestamp | None = None
    finished_at: Timestamp | None = None
    rows: int = 0
    skipped: int = 0
    """Rows of the file left out (no entity key), each named with its reason in `warnings`."""
    warnings: list[str] = Field(default_factory=list)

    @property
    def summary(self) -> str:
        """`ingested, 174 rows skipped`, `failed (malformed_file)`, `awaiting schema`."""
        if self.status is RunStatus.COMPLETED:
            return outcome_summary("ingested", self.skipped)
        if self.status is RunStatus.FAILED:
            return f"failed ({self.error_code or 'unknown'})"
        return outcome_summary(self.status.value.replace("_", " "), self.skipped)


class TrustModel(NodeModel):
    """A trained, versioned trust model with its validation metrics."""

    label = Label.TRUST_MODEL
    id: str
    version: int
    metrics: JsonMap = Field(default_factory=dict)
    trained_at: Timestamp | None = None


class TrustSnapshot(NodeModel):
    """A point of a table's trust trend."""

    label = Label.TRUST_SNAPSHOT
    id: str
    table: str
    at: Timestamp
    rows: int
    mean: Score
    low: int
    high: int
    histogram: list[int]


class TrustAggregate(NodeModel):
    """A table's active rows as the last trust pass left them: counts, the sum of their
    trust, rows at 1.0 and 100 buckets of 0.01 (`trust/refresh_table_trust`)."""

    label = Label.TRUST_AGGREGATE
    table: str
    rows: int
    scored: int
    total: float = 0.0
    top: int
    buckets: list[int]
    at: Timestamp


class PolicyEvaluation(NodeModel):
    """One evaluation of the compliance policies over the stored rows."""

    label = Label.POLICY_EVALUATION
    id: str
    at: Timestamp
    rows: int
    violations: int
    policies: list[str]


class Edge(BaseModel):
    """A relationship between two nodes, named by their ids."""

    model_config = ConfigDict(frozen=True)
    type: Rel
    start: str
    end: str
    properties: dict[str, Any] = Field(default_factory=dict)


NODE_MODELS: dict[Label, type[NodeModel]] = {
    model.label: model
    for model in (
        Workspace,
        User,
        ApiKey,
        Source,
        Document,
        Chunk,
        Row,
        Entity,
        Schema,
        SchemaVersion,
        Policy,
        Conflict,
        Fact,
        ChangeRequest,
        Comment,
        AuditEvent,
        AuditHead,
        AuditCheckpoint,
        IngestionRun,
        TrustModel,
        TrustSnapshot,
        TrustAggregate,
        PolicyEvaluation,
    )
}
"""The model for each label that carries domain data."""
