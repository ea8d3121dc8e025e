"""The tamper-evident audit log: its events, newest first, and the state of its chain.

Both are for instance admins only: administer on the default workspace (`instance`), the
right that also creates users and workspaces. The chain state is a cheap check of its head;
`grace audit verify` checks every event.
"""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from api.gql.context import GraceInfo
from api.gql.pagination import (
    Connection,
    InvalidCursorError,
    connection,
    decode_cursor,
    page_size,
)
from api.gql.people import instance
from api.gql.permissions import requires
from governance.audit import AuditLog, AuditRecord
from governance.checkpoint import latest_checkpoint
from governance.rbac import Action


@strawberry.type(description="One event of the tamper-evident audit log.")
class AuditEvent:
    """Who did what to which thing, with digests of the states around it and its chain link."""

    seq: int
    id: str
    actor: str
    action: str
    target: str
    at: datetime
    before_digest: str
    after_digest: str
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEvent:
        """The view of a stored event."""
        return cls(
            seq=record.seq,
            id=record.id,
            actor=record.actor,
            action=record.action,
            target=record.target,
            at=record.at,
            before_digest=record.before_digest,
            after_digest=record.after_digest,
            prev_hash=record.prev_hash,
            hash=record.hash,
        )


@strawberry.type(description="The latest signed checkpoint of an audit chain.")
class AuditCheckpoint:
    """The Merkle root over events 1..seq, signed (`grace audit checkpoint`)."""

    seq: int
    at: datetime
    root: str
    public_key: str
    signature_valid: bool = strawberry.field(
        description="The signature checks against `publicKey` (compare that key with yours)."
    )


@strawberry.type(description="Where an audit chain ends, checked cheaply (no full verify).")
class AuditChainState:
    """The head, the last stored event, and the latest checkpoint."""

    chain: str
    head_seq: int
    head_hash: str
    last_seq: int = strawberry.field(
        description="The highest seq stored, read after the head: above `headSeq` when "
        "events were appended meanwhile (or added without moving the head)."
    )
    head_intact: bool = strawberry.field(
        description="The event at the head's seq exists, is the one the head names and its "
        "hash recomputes; `grace audit verify` checks the whole chain."
    )
    checkpoint: AuditCheckpoint | None


async def chain_state(log: AuditLog) -> AuditChainState:
    """The head of `log`'s chain checked against its event, and the latest checkpoint."""
    head = await log.head()
    at_head = [event async for event in log.pages(head.seq - 1, head.seq, page_size=1)]
    record = at_head[0].record if at_head else None
    intact = (
        head.seq == 0
        if record is None
        else record.hash == head.hash and record.computed_hash() == head.hash
    )
    last_seq = await log.last_seq()
    stored = await latest_checkpoint(log.graph, log.chain)
    checkpoint = (
        None
        if stored is None
        else AuditCheckpoint(
            seq=stored.seq,
            at=stored.at,
            root=stored.root,
            public_key=stored.public_key,
            signature_valid=stored.signature_valid(),
        )
    )
    return AuditChainState(
        chain=log.chain,
        head_seq=head.seq,
        head_hash=head.hash,
        last_seq=last_seq,
        head_intact=intact,
        checkpoint=checkpoint,
    )


def before_seq(after: str | None) -> int | None:
    """The seq an `auditEvents` or activity cursor holds."""
    if after is None:
        return None
    match decode_cursor(after):
        case [int(seq)] if not isinstance(seq, bool):
            return seq
        case _:
            raise InvalidCursorError


def _aware(moment: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@strawberry.type
class AuditQuery:
    """The audit log and its chain."""

    @strawberry.field(
        description="The audit log, newest first (instance admins only).",
        extensions=requires(Action.ADMINISTER, on=instance),
    )
    async def audit_events(
        self,
        info: GraceInfo,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEvent]:
        limit = page_size(first)
        rows = await info.context.services.graph.read(
            "api/governance_audit_events",
            {
                "chain": info.context.services.audit.chain,
                "before_seq": before_seq(after),
                "actor": actor,
                "action": action,
                "target": target,
                "since": _aware(since),
                "limit": limit + 1,
            },
        )
        return connection(
            [AuditEvent.of(AuditRecord.model_validate(row["event"])) for row in rows],
            limit,
            lambda event: [event.seq],
        )

    @strawberry.field(
        description="The audit chain's head and latest checkpoint (instance admins only).",
        extensions=requires(Action.ADMINISTER, on=instance),
    )
    async def audit_chain(self, info: GraceInfo) -> AuditChainState:
        return await chain_state(info.context.services.audit)
