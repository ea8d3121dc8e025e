"""Verifying an audit chain, and checkpointing one that verifies.

`verify` reads a chain's events in seq ranges (constant memory) and checks each range
apart (`audit_check.check_segment`): in this process, the next ranges read over their own
sessions while one is checked, or in worker processes that read and check ranges side by
side (`audit_processes`). It joins the ranges' findings in seq order: every hash
recomputed, each event chaining to the one before it, seqs without gaps, NEXT edges in seq
order, the head naming the last event and no event with a property it should not have.
It always checks the chain's stored checkpoints too, and any given ones (an exported
file, the secret store's anchor): each must be signed by a trusted key, and events 1..n
must still produce its Merkle root, which catches a chain rewritten and re-hashed
consistently and a chain cut back with its head moved.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance.audit import GENESIS_HASH, AuditLog
from governance.audit_check import (
    LEGACY_AFTER_VERSION,
    ChainPosition,
    Findings,
    ProblemKind,
    Segment,
    check_segment,
)
from governance.audit_processes import SEGMENT_SPAN, SegmentProcesses
from governance.checkpoint import (
    Checkpoint,
    Trust,
    public_key_hex,
    read_trust,
    save_anchor,
    sign_checkpoint,
    signing_key,
    store_checkpoint,
    stored_checkpoints,
)
from governance.errors import AuditChainTamperedError
from governance.merkle import MerkleAccumulator
from governance.secret_store import SecretStore

Progress = Callable[[int, int], None]
"""Called after each seq range with (events checked, events the head announces)."""


@dataclass(kw_only=True)
class VerifyReport(Findings):
    """The outcome of verifying one chain: its problems (`Findings`) and what was read."""

    chain: str
    events: int = 0
    """Events read and checked."""
    legacy_events: int = 0
    """Events hashed by the legacy rule (written before hash version 2)."""
    head_seq: int = 0
    """The seq the chain's head announced when verification started."""
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    root: str = ""
    """Merkle root (hex) over the hashes of the events read."""
    checkpoints: int = 0
    """Checkpoints checked (stored ones and given ones)."""
    checkpoint_seq: int | None = None
    """The highest seq a checkpoint with a trusted signature covers."""


async def verify(
    log: AuditLog,
    trust: Trust,
    checkpoints: Sequence[Checkpoint] = (),
    progress: Progress | None = None,
    page_size: int = SEGMENT_SPAN,
    processes: SegmentProcesses | None = None,
) -> VerifyReport:
    """Check `log`'s chain against its stored checkpoints, `trust.anchors` and `checkpoints`
    (an exported file); a checkpoint counts only when signed by one of `trust.keys`.
    Events are read and checked in seq ranges of `page_size`, by `processes` when given
    and the chain is long enough for them (`SegmentProcesses.worth`), else here."""
    head = await log.head()
    report = VerifyReport(chain=log.chain, head_seq=head.seq)
    given = [*trust.anchors, *checkpoints]
    trusted = await _trusted_checkpoints(log, report, trust.keys, given)
    join = _Join(report, trusted)
    seqs = [checkpoint.seq for checkpoint in trusted]
    if processes is not None and processes.worth(head.seq, page_size):
        segments = processes.segments(log.chain, head.seq, page_size, seqs)
    else:
        segments = _segments_here(log, head.seq, page_size, seqs)
    async for segment in segments:
        join.add(segment)
        if progress is not None:
            progress(report.events, head.seq)
    join.finish()
    _check_end(report, head.hash)
    # Events past the head: read the highest seq first, then the head again, so events
    # appended meanwhile (always with their head, in one transaction) are not counted.
    beyond = await log.last_seq()
    current = await log.head()
    if beyond > current.seq:
        report.add(
            ProblemKind.REWRITTEN,
            current.seq + 1,
            f"events up to seq {beyond} exist past the head (seq {current.seq})",
        )
    return report


async def _segments_here(
    log: AuditLog, through_seq: int, span: int, checkpoint_seqs: Sequence[int]
) -> AsyncIterator[Segment]:
    """The chain's seq ranges checked in this process, in order."""
    async for rows in log.range_pages(through_seq, span):
        # Off the event loop, so that the next ranges are asked for and received meanwhile.
        yield await asyncio.to_thread(check_segment, log.chain, rows, checkpoint_seqs)


async def checkpoint_chain(
    log: AuditLog,
    key: Ed25519PrivateKey,
    trust: Trust,
    progress: Progress | None = None,
    processes: SegmentProcesses | None = None,
) -> Checkpoint:
    """Verify the chain (by `processes` when given) and store a checkpoint of it signed
    with `key` (whose checkpoints are trusted besides `trust`); refuses a chain with
    problems."""
    own = Trust(trust.keys | {public_key_hex(key.public_key())}, trust.anchors)
    report = await verify(log, own, progress=progress, processes=processes)
    if not report.ok:
        raise AuditChainTamperedError(log.chain, len(report.problems) + report.more_problems)
    checkpoint = sign_checkpoint(log.chain, report.last_seq, report.root, key)
    return await store_checkpoint(log.graph, checkpoint)


async def checkpoint_with_store(
    log: AuditLog,
    store: SecretStore,
    progress: Progress | None = None,
    processes: SegmentProcesses | None = None,
) -> Checkpoint:
    """`checkpoint_chain` with the store's key and trust, then make the checkpoint the
    chain's anchor in the store."""
    key = await asyncio.to_thread(signing_key, store)
    trust = await asyncio.to_thread(read_trust, store, log.chain)
    checkpoint = await checkpoint_chain(log, key, trust, progress, processes)
    await asyncio.to_thread(save_anchor, store, checkpoint)
    return checkpoint


async def _trusted_checkpoints(
    log: AuditLog,
    report: VerifyReport,
    trusted_keys: Collection[str],
    given: Sequence[Checkpoint],
) -> list[Checkpoint]:
    """The stored and given checkpoints whose signature is trusted, by seq; the others
    are reported."""
    trusted = []
    candidates: list[tuple[int, Checkpoint | None, str]] = [
        (stored.seq, stored.checkpoint, stored.problem)
        for stored in await stored_checkpoints(log.graph, log.chain)
    ]
    candidates += [(checkpoint.seq, checkpoint, "") for checkpoint in given]
    for seq, checkpoint, problem in candidates:
        report.checkpoints += 1
        if checkpoint is None:
            report.add(ProblemKind.BAD_SIGNATURE, seq, f"a malformed checkpoint: {problem}")
        elif _signature_trusted(report, checkpoint, trusted_keys):
            trusted.append(checkpoint)
    trusted.sort(key=lambda checkpoint: checkpoint.seq)
    if trusted:
        report.checkpoint_seq = trusted[-1].seq
    return trusted


def _signature_trusted(
    report: VerifyReport, checkpoint: Checkpoint, trusted_keys: Collection[str]
) -> bool:
    problem = ""
    if checkpoint.chain != report.chain:
        problem = f"the checkpoint is of chain {checkpoint.chain!r}, not {report.chain!r}"
    elif not checkpoint.signature_valid():
        problem = "the signature does not verify"
    elif checkpoint.public_key not in trusted_keys:
        problem = "signed by a key that is not Grace's checkpoint key"
    if problem:
        report.add(ProblemKind.BAD_SIGNATURE, checkpoint.seq, problem)
    return not problem


class _Join:
    """Joins the checked seq ranges of a chain, in order, into its report."""

    def __init__(self, report: VerifyReport, checkpoints: list[Checkpoint]) -> None:
        self.report = report
        self.pending = list(reversed(checkpoints))
        """Trusted checkpoints not compared yet, the lowest seq last."""
        self.tree = MerkleAccumulator()
        """Over the hashes of the events of the ranges joined."""
        self.position = ChainPosition()

    def add(self, segment: Segment) -> None:
        """Join the next range: the checkpoints it passes, its first event checked against
        the ranges before, its legacy events placed, its findings and its tree."""
        report, position = self.report, self.position
        while self.pending and self.pending[-1].seq < segment.end.seq:
            # Compared before the first event past it, as in one walk over the chain.
            checkpoint = self.pending.pop()
            self._compare(checkpoint, self._root_within(segment, segment.covered[checkpoint.seq]))
        position.check(segment.first, report)
        versioned = bool(position.versioned)
        for legacy in segment.end.undecided:
            if versioned:
                report.add(ProblemKind.EDITED, legacy.seq, LEGACY_AFTER_VERSION)
            elif legacy.otherwise is not None:
                problem = legacy.otherwise
                report.add(problem.kind, problem.seq, problem.detail)
        report.merge(segment.findings)
        position.seq, position.hash = segment.end.seq, segment.end.hash
        position.versioned = versioned or bool(segment.end.versioned)
        report.events += segment.events
        report.legacy_events += segment.legacy_events
        if not self.tree.absorb(segment.tree):
            for index in range(segment.events):
                self.tree.add_leaf_hash(segment.leaf_hash(index))
        report.last_seq, report.last_hash = segment.end.seq, segment.last_hash

    def finish(self) -> None:
        """Compare the checkpoints the ranges reached; the others cover deleted events."""
        report = self.report
        root = self.tree.root().hex()
        report.root = root
        while self.pending:
            checkpoint = self.pending.pop()
            if checkpoint.seq <= report.last_seq:
                self._compare(checkpoint, root)
            else:
                report.add(
                    ProblemKind.TRUNCATED,
                    report.last_seq + 1,
                    f"a checkpoint covers {checkpoint.seq} events; the chain ends at "
                    f"{report.last_seq}",
                )

    def _root_within(self, segment: Segment, events: int) -> str:
        """The root over the ranges joined and the first `events` events of `segment`."""
        tree = self.tree.copy()
        for index in range(events):
            tree.add_leaf_hash(segment.leaf_hash(index))
        return tree.root().hex()

    def _compare(self, checkpoint: Checkpoint, root: str) -> None:
        """`root` is over every event up to the checkpoint's seq: it must be the
        checkpoint's."""
        if root != checkpoint.root:
            self.report.add(
                ProblemKind.REWRITTEN,
                checkpoint.seq,
                f"events 1..{checkpoint.seq} do not produce the checkpoint's Merkle root",
            )


def _check_end(report: VerifyReport, head_hash: str) -> None:
    if report.last_seq < report.head_seq:
        report.add(
            ProblemKind.TRUNCATED,
            report.last_seq + 1,
            f"the head says the chain ends at {report.head_seq}; the last event is "
            f"{report.last_seq}",
        )
    elif report.last_hash != head_hash:
        report.add(
            ProblemKind.EDITED, report.last_seq, "the head records another hash for this event"
        )
