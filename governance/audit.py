"""The tamper-evident audit log: every change appends a hash-chained `AuditEvent`.

Each event stores digests of the state before and after (never the state itself) and the
hash of its predecessor, so editing, deleting or reordering an event breaks the chain.
Appends to one chain are serialised across processes by the write lock on its
`AuditHead` node, taken at the start of the appending transaction.

Hash versions: an event written now carries `hash_version: 2` and its hash covers its
whole property map but `hash` (the version included). Events written before have no
`hash_version` (version 1, "legacy"): their hash covers the same fields without it. Either
way an event has exactly the properties of `AuditRecord`; any other property, or an unknown
version, makes it malformed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from hashlib import sha256
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    JsonValue,
    StrictInt,
    StrictStr,
    ValidationError,
)

from governance.errors import MalformedAuditEventError
from graph.graph import Graph, GraphTransaction
from graph.model import AuditHead, Timestamp

MAIN_CHAIN = "main"
"""The chain every change of Grace is recorded in (other chains are for tests and tools)."""


HASH_VERSION = 2
"""The hash rule of events appended now (see the module docstring)."""
GENESIS_HASH = "0" * 64
"""The `prev_hash` of a chain's first event."""
PAGE_SIZE = 5_000
READ_AHEAD = 2
"""Seq ranges `AuditLog.range_pages` reads (over separate sessions) while one is used."""
MAX_SEQ = 2**63 - 1
"""The largest seq Neo4j can store: "no upper bound" for `AuditLog.pages`."""


@dataclass(frozen=True)
class AuditEntry:
    """One change to record: who did what to which thing, with the states around it."""

    actor: str
    """"user:<id>", "key:<id>" or "system:<component>"."""
    action: str
    """A dotted verb: "row.quarantine", "access.grant", "policy.activate", ..."""
    target: str
    """The id of what changed: "row:<id>", "user:<id>", "policy:<name>@<v>"."""
    before: JsonValue = None
    """State before the change; only its digest is stored."""
    after: JsonValue = None
    """State after the change; only its digest is stored."""


def _exact_int(value: object) -> object:
    """An int as it is (not a float or bool equal to one)."""
    if type(value) is not int:
        raise ValueError("must be an integer")
    return value


class AuditRecord(BaseModel):
    """One stored event of an audit chain: exactly its properties, no other, each of its
    exact type (a seq stored as a float or a text as bytes is not an event's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    chain: StrictStr
    seq: StrictInt
    id: StrictStr
    actor: StrictStr
    action: StrictStr
    target: StrictStr
    before_digest: StrictStr
    after_digest: StrictStr
    at: Timestamp
    prev_hash: StrictStr
    hash: StrictStr
    hash_version: Annotated[Literal[2], BeforeValidator(_exact_int)] | None = None
    """2 for events hashed over every property; None (absent) for legacy events."""

    @property
    def legacy(self) -> bool:
        """True for an event written before hash version 2."""
        return self.hash_version is None

    def computed_hash(self) -> str:
        """The hash this event's fields (with `prev_hash`, without `hash`) must have."""
        return event_hash(self.hashed_fields())

    def hashed_fields(self) -> dict[str, JsonValue]:
        """The properties the event hash covers (all but `hash`), as canonical JSON values."""
        fields: dict[str, JsonValue] = {
            "chain": self.chain,
            "seq": self.seq,
            "id": self.id,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "before_digest": self.before_digest,
            "after_digest": self.after_digest,
            "at": timestamp_text(self.at),
            "prev_hash": self.prev_hash,
        }
        if self.hash_version is not None:
            fields["hash_version"] = self.hash_version
        return fields

    def document(self) -> dict[str, JsonValue]:
        """The event as exported: its hashed fields plus `hash`, so that an auditor can
        recompute `hash` as sha256 of the canonical JSON of the rest."""
        return {**self.hashed_fields(), "hash": self.hash}

    def properties(self) -> dict[str, Any]:
        """The node properties of this event (a legacy event has no `hash_version`)."""
        return self.model_dump(exclude_none=True)


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: JsonValue) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace: one byte string per value."""
    return _CANONICAL.encode(value).encode("utf-8")


def digest(value: JsonValue) -> str:
    """sha256 (hex) of the canonical JSON of a state; `None` digests `null`."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def event_hash(fields: dict[str, JsonValue]) -> str:
    """sha256 (hex) of the canonical JSON of an event's fields other than `hash`."""
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def timestamp_text(at: datetime) -> str:
    """The hashed form of an event time: ISO 8601 in UTC with microseconds."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def chain_records(
    chain: str, entries: Sequence[AuditEntry], seq: int, prev_hash: str, at: datetime
) -> list[AuditRecord]:
    """Hash `entries` as the events after (`seq`, `prev_hash`) of `chain`, all at time `at`."""
    records = []
    for entry in entries:
        seq += 1
        fields: dict[str, Any] = {
            "chain": chain,
            "seq": seq,
            "id": uuid.uuid4().hex,
            "actor": entry.actor,
            "action": entry.action,
            "target": entry.target,
            "before_digest": digest(entry.before),
            "after_digest": digest(entry.after),
            "at": at,
            "prev_hash": prev_hash,
            "hash_version": HASH_VERSION,
        }
        record = AuditRecord(**fields, hash=GENESIS_HASH)
        prev_hash = record.computed_hash()
        records.append(record.model_copy(update={"hash": prev_hash}))
    return records


PAGE_COLUMNS = (
    "seq",
    "id",
    "actor",
    "action",
    "target",
    "before_digest",
    "after_digest",
    "at_seconds",
    "at_micros",
    "prev_hash",
    "hash",
    "hash_version",
)
"""The leading values of each event list `audit/events_page` returns, in order (the chain
is not among them: the statement reads one chain's events only)."""
EVENT_PROPERTIES = tuple(AuditRecord.model_fields)
"""Every property an event may have; `audit/events_page` names any other."""


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back for checking: `record` is None when its properties are not
    those of an event (a wrong type, a missing or an unexpected property), and `problem`
    says why."""

    chain: str
    seq: int
    record: AuditRecord | None
    linked_from: list[int]
    """Seqs of the events of the chain with a NEXT edge to this one."""
    problem: str = ""

    @classmethod
    def parse(cls, chain: str, row: list[Any]) -> StoredEvent:
        """Read one event list of `audit/events_page` of `chain`: the `PAGE_COLUMNS`, then
        the names of unexpected properties (None or empty when it has none), then the seqs
        linking to it."""
        *values, unexpected, linked_from = row
        event = dict(zip(PAGE_COLUMNS, values, strict=True))
        event["chain"] = chain
        at = _event_time(event.pop("at_seconds"), event.pop("at_micros"))
        if at is not None:
            event["at"] = at
        seq = event["seq"]
        if unexpected:
            names = ", ".join(sorted(unexpected))
            return cls(chain, seq, None, linked_from, f"unexpected properties: {names}")
        # Neo4j stores no null: a None is a property the node does not have, which only
        # `hash_version` may lack.
        try:
            record = AuditRecord.model_validate(event)
        except ValidationError as error:
            return cls(chain, seq, None, linked_from, _first_problem(error))
        return cls(chain, seq, record, linked_from)

    def valid(self) -> AuditRecord:
        """The record, or `MalformedAuditEventError`."""
        if self.record is None:
            raise MalformedAuditEventError(self.chain, self.seq)
        return self.record


class CheckedEvent(NamedTuple):
    """What verifying a chain needs of one stored event: its seq and the seqs linking to
    it, its stored hashes, and `computed`, the hash its properties must have. A malformed
    event has `computed` "" (and `hash` "" when it has no text hash); `problem` says why."""

    seq: int
    linked_from: list[int]
    hash: str
    prev_hash: str
    computed: str
    legacy: bool
    problem: str = ""

    @classmethod
    def of_row(cls, chain: str, row: list[Any]) -> CheckedEvent:
        """Check one event list of `audit/events_page` of `chain` (see `StoredEvent.parse`)."""
        fast = _well_formed(chain, row)
        if fast is not None:
            return fast
        stored = StoredEvent.parse(chain, row)
        record = stored.record
        if record is None:
            return cls(stored.seq, stored.linked_from, "", "", "", False, stored.problem)
        return cls(
            stored.seq,
            stored.linked_from,
            record.hash,
            record.prev_hash,
            record.computed_hash(),
            record.legacy,
        )


SEQ, PREV_HASH, HASH, VERSION, LINKED_FROM = 0, 9, 10, 11, 13
"""Where an `audit/events_page` event list holds its seq, `prev_hash`, `hash`,
`hash_version` and the seqs linking to it (`PAGE_COLUMNS`, then the unexpected names)."""
_QUOTED = json.encoder.encode_basestring
"""A JSON string as `canonical_json` writes it (the C encoder, not ASCII-escaped)."""
_VERSION_JSON = f'"hash_version":{HASH_VERSION},'


def _well_formed(chain: str, row: list[Any]) -> CheckedEvent | None:
    """The common case of `CheckedEvent.of_row`, about ten times faster: every value of
    its exact type, no other property. None for anything else, which the full parse reads
    (and reports). Gives the same hash as `AuditRecord.computed_hash`; a test holds both
    to the same events."""
    computed = well_formed_digest(chain, row)
    if computed is None:
        return None
    return CheckedEvent(
        row[SEQ], row[LINKED_FROM], row[HASH], row[PREV_HASH], computed.hex(), row[VERSION] is None
    )


def well_formed_digest(chain: str, row: list[Any]) -> bytes | None:
    """The sha256 digest an `audit/events_page` row of `chain` must have when every value
    is of its exact type and it has no other property (`AuditRecord.computed_hash` is its
    hex, from the same canonical JSON, here filled into a template); None for any other."""
    (seq, id_, actor, action, target, before, after, seconds, micros, prev_hash) = row[:10]
    stored_hash, version, unexpected = row[10:13]
    if (
        unexpected
        or type(seq) is not int
        or type(seconds) is not int
        or type(micros) is not int
        or type(stored_hash) is not str
        or not 0 <= micros < 1_000_000
        or not (version is None or (type(version) is int and version == HASH_VERSION))
    ):
        return None
    second = _second_text(seconds)
    if second is None:
        return None
    quoted, version_json = _QUOTED, "" if version is None else _VERSION_JSON
    try:  # quoting checks the type of the other texts: it refuses anything but a str
        # `canonical_json(record.hashed_fields())`, keys in sorted order (an f-string: a
        # fifth cheaper than str.format)
        text = (
            f'{{"action":{quoted(action)},"actor":{quoted(actor)},'
            f'"after_digest":{quoted(after)},"at":"{second}.{micros:06d}+00:00",'
            f'"before_digest":{quoted(before)},"chain":{quoted(chain)},{version_json}'
            f'"id":{quoted(id_)},"prev_hash":{quoted(prev_hash)},"seq":{seq},'
            f'"target":{quoted(target)}}}'
        )
    except TypeError:
        return None
    return sha256(text.encode()).digest()


@lru_cache(maxsize=4096)
def _second_text(seconds: int) -> str | None:
    """`timestamp_text` of a whole second up to the fraction ("2026-01-01T00:00:00")."""
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")[:19]
    except (ValueError, OverflowError, OSError):
        return None


def _event_time(seconds: object, micros: object) -> datetime | None:
    """The event time from epoch seconds and microseconds; None when they are not one."""
    if type(seconds) is not int or type(micros) is not int:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)
    except (ValueError, OverflowError, OSError):
        return None


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "event"
    return f"{where}: {first['msg'].lower()}"


class AuditLog:
    """Appends to and reads one hash-chained audit log in the graph."""

    def __init__(self, graph: Graph, chain: str = MAIN_CHAIN) -> None:
        self.graph = graph
        self.chain = chain

    async def append(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
        """Append `entries` in order, in one transaction; returns the stored events."""
        if not entries:
            return []

        async def work(tx: GraphTransaction) -> list[AuditRecord]:
            [head] = await tx.run("audit/lock_head", {"chain": self.chain, "genesis": GENESIS_HASH})
            records = chain_records(
                self.chain, entries, head["seq"], head["hash"], datetime.now(UTC)
            )
            await tx.run(
                "audit/append_events",
                {
                    "chain": self.chain,
                    "seq": records[-1].seq,
                    "hash": records[-1].hash,
                    "events": [record.properties() for record in records],
                },
            )
            return records

        return await self.graph.transaction(work)

    async def head(self) -> AuditHead:
        """The chain's head as stored (seq 0 and the genesis hash for a new chain)."""
        rows = await self.graph.read("audit/head", {"chain": self.chain})
        if not rows:
            return AuditHead(chain=self.chain, seq=0, hash=GENESIS_HASH)
        return AuditHead(chain=self.chain, seq=rows[0]["seq"], hash=rows[0]["hash"])

    async def events(self, after_seq: int = 0, limit: int | None = None) -> list[AuditRecord]:
        """The chain's events after `after_seq`, in seq order (at most `limit`).

        Raises `MalformedAuditEventError` for a stored event that is not one.
        """
        records: list[AuditRecord] = []
        if limit is not None and limit <= 0:
            return records
        page_size = PAGE_SIZE if limit is None else min(limit, PAGE_SIZE)
        async for stored in self.pages(after_seq, page_size=page_size):
            records.append(stored.valid())
            if len(records) == limit:
                break
        return records

    async def pages(
        self, after_seq: int = 0, through_seq: int = MAX_SEQ, page_size: int = PAGE_SIZE
    ) -> AsyncIterator[StoredEvent]:
        """Stream the events with `after_seq < seq <= through_seq` in seq order (constant
        memory), each with the seqs of the events that link to it by NEXT."""
        async for rows in self.row_pages(after_seq, through_seq, page_size):
            for row in rows:
                yield StoredEvent.parse(self.chain, row)

    async def row_pages(
        self, after_seq: int = 0, through_seq: int = MAX_SEQ, page_size: int = PAGE_SIZE
    ) -> AsyncIterator[list[list[Any]]]:
        """`pages` as unparsed `audit/events_page` rows (`StoredEvent.parse` reads each), a
        page (one read of the index, in seq order) at a time."""
        while True:
            [row] = await self.graph.read_plain(
                "audit/events_page",
                {
                    "chain": self.chain,
                    "after_seq": after_seq,
                    "through_seq": through_seq,
                    "limit": page_size,
                    "properties": EVENT_PROPERTIES,
                },
            )
            rows: list[list[Any]] = row["page"]
            if rows:
                yield rows
            if len(rows) < page_size:
                return
            after_seq = rows[-1][0]

    async def range_pages(
        self, through_seq: int, span: int = PAGE_SIZE, read_ahead: int = READ_AHEAD
    ) -> AsyncIterator[list[list[Any]]]:
        """The events with `0 < seq <= through_seq` as `row_pages` rows in seq order, one seq
        range of `span` at a time, the next `read_ahead` ranges read meanwhile, each over its
        own session. A range is read in full (in more than one page only when it holds more
        than `span` events, which only non-integer seqs can), so nothing is skipped between
        two ranges: an event deleted at a range's edge shows as a gap as anywhere else."""
        starts = iter(range(0, through_seq, span))
        reading: deque[asyncio.Future[list[list[Any]]]] = deque()

        def read_next() -> None:
            start = next(starts, None)
            if start is not None:
                end = min(start + span, through_seq)
                reading.append(asyncio.ensure_future(self.range_rows(start, end, span)))

        try:
            for _ in range(read_ahead + 1):
                read_next()
            while reading:
                rows = await reading.popleft()
                read_next()
                if rows:
                    yield rows
        finally:
            for pending in reading:
                pending.cancel()

    async def range_rows(self, after_seq: int, through_seq: int, span: int) -> list[list[Any]]:
        """Every `row_pages` row with `after_seq < seq <= through_seq`, in seq order (one
        read when the range holds at most `span` events, as it does untampered)."""
        rows: list[list[Any]] = []
        async for page in self.row_pages(after_seq, through_seq, span + 1):
            rows += page
        return rows

    async def last_seq(self) -> int:
        """The highest seq of any event stored in the chain (0 for none)."""
        rows = await self.graph.read("audit/last_seq", {"chain": self.chain})
        return int(rows[0]["seq"]) if rows else 0
