"""Verifying an audit chain, and checkpointing one that verifies.

`verify` streams a chain's events in seq order, page by page (constant memory), and
recomputes every hash, checks each event chains to the one before it, that seqs have no
gaps, that NEXT edges follow seq order and that the head names the last event. Against a
checkpoint it also checks the signature and that events 1..n still produce its Merkle root,
which catches a chain rewritten and re-hashed consistently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance.audit import GENESIS_HASH, AuditLog, StoredEvent
from governance.checkpoint import Checkpoint, sign_checkpoint, store_checkpoint
from governance.errors import AuditChainTamperedError
from governance.merkle import MerkleAccumulator

MAX_PROBLEMS = 1_000
"""Problems kept in a report; more are only counted."""

Progress = Callable[[int, int], None]
"""Called after each page with (events checked, events the head announces)."""


class ProblemKind(StrEnum):
    """What verification found wrong."""

    EDITED = "edited"
    DELETED = "deleted"
    REORDERED = "reordered"
    TRUNCATED = "truncated"
    REWRITTEN = "rewritten"
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True)
class Problem:
    """One finding, at the seq where it shows."""

    kind: ProblemKind
    seq: int
    detail: str


@dataclass
class VerifyReport:
    """The outcome of verifying one chain."""

    chain: str
    events: int = 0
    """Events read and checked."""
    head_seq: int = 0
    """The seq the chain's head announced when verification started."""
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    root: str = ""
    """Merkle root (hex) over the hashes of the events read."""
    checkpoint_seq: int | None = None
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    """Problems found beyond the first `MAX_PROBLEMS`."""
    _seen: set[tuple[ProblemKind, int]] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems

    def add(self, kind: ProblemKind, seq: int, detail: str) -> None:
        """Record a problem (once per kind and seq)."""
        if (kind, seq) in self._seen:
            return
        if len(self.problems) < MAX_PROBLEMS:
            self._seen.add((kind, seq))
            self.problems.append(Problem(kind, seq, detail))
        else:
            self.more_problems += 1


async def verify(
    log: AuditLog,
    checkpoint: Checkpoint | None = None,
    progress: Progress | None = None,
    trusted_key: str | None = None,
) -> VerifyReport:
    """Check `log`'s chain (and `checkpoint`, whose key must be `trusted_key` when given)."""
    head = await log.head()
    report = VerifyReport(chain=log.chain, head_seq=head.seq)
    if checkpoint is not None:
        report.checkpoint_seq = checkpoint.seq
        _check_signature(report, checkpoint, trusted_key)
    walk = _Walk(report, checkpoint)
    async for event in log.pages(through_seq=head.seq):
        walk.step(event)
        if progress is not None and report.events % 1_000 == 0:
            progress(report.events, head.seq)
    report.root = walk.everything.root().hex()
    if progress is not None:
        progress(report.events, head.seq)
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
    if checkpoint is not None:
        walk.check_checkpoint(checkpoint)
    return report


async def checkpoint_chain(
    log: AuditLog, key: Ed25519PrivateKey, progress: Progress | None = None
) -> Checkpoint:
    """Verify the chain and store a signed checkpoint of it; refuses a chain with problems."""
    report = await verify(log, progress=progress)
    if not report.ok:
        raise AuditChainTamperedError(log.chain, len(report.problems) + report.more_problems)
    checkpoint = sign_checkpoint(log.chain, report.last_seq, report.root, key)
    return await store_checkpoint(log.graph, checkpoint)


class _Walk:
    """The state carried from one event to the next."""

    def __init__(self, report: VerifyReport, checkpoint: Checkpoint | None) -> None:
        self.report = report
        self.checkpoint = checkpoint
        self.everything = MerkleAccumulator()
        self.covered = MerkleAccumulator()
        """Leaves with seq up to the checkpoint's."""
        self.previous_seq = 0
        """Seq of the event read before (0: none yet)."""
        self.previous_hash: str | None = GENESIS_HASH
        """Its stored hash (None when it was malformed)."""

    def step(self, event: StoredEvent) -> None:
        """Check one event against the one read before it."""
        report, record, seq = self.report, event.record, event.seq
        report.events += 1
        expected_seq = self.previous_seq + 1
        expected_link = [self.previous_seq] if self.previous_seq else []
        gap = seq > expected_seq
        if gap:
            last = seq - 1
            missing = f"{expected_seq}..{last}" if last > expected_seq else str(expected_seq)
            report.add(ProblemKind.DELETED, expected_seq, f"seq {missing} missing")
        # Across a gap the deleted event's successor may have been relinked, or not.
        links = event.linked_from
        links_ok = links in ([], expected_link) if gap else links == expected_link
        if seq < expected_seq or not links_ok:
            report.add(ProblemKind.REORDERED, seq, _linked(links, expected_link))
        elif record is None:
            report.add(ProblemKind.EDITED, seq, "its properties are not those of an event")
        elif record.computed_hash() != record.hash:
            report.add(ProblemKind.EDITED, seq, "its fields do not match its hash")
        elif not gap and self.previous_hash not in (None, record.prev_hash):
            # This event is intact, so the one before it was changed and re-hashed.
            report.add(
                ProblemKind.EDITED, self.previous_seq or seq, f"event {seq} chains to another hash"
            )
        stored_hash = record.hash if record is not None else ""
        leaf = _leaf(stored_hash)
        self.everything.add(leaf)
        if self.checkpoint is not None and seq <= self.checkpoint.seq:
            self.covered.add(leaf)
        report.last_seq, report.last_hash = seq, stored_hash
        self.previous_seq = seq
        self.previous_hash = record.hash if record is not None else None

    def check_checkpoint(self, checkpoint: Checkpoint) -> None:
        report = self.report
        if report.last_seq < checkpoint.seq:
            report.add(
                ProblemKind.TRUNCATED,
                report.last_seq + 1,
                f"the checkpoint covers {checkpoint.seq} events; the chain ends at "
                f"{report.last_seq}",
            )
        elif self.covered.root().hex() != checkpoint.root:
            report.add(
                ProblemKind.REWRITTEN,
                checkpoint.seq,
                f"events 1..{checkpoint.seq} do not produce the checkpoint's Merkle root",
            )


def _check_signature(report: VerifyReport, checkpoint: Checkpoint, trusted_key: str | None) -> None:
    if checkpoint.chain != report.chain:
        report.add(
            ProblemKind.BAD_SIGNATURE,
            checkpoint.seq,
            f"the checkpoint is of chain {checkpoint.chain!r}, not {report.chain!r}",
        )
    if not checkpoint.signature_valid():
        report.add(ProblemKind.BAD_SIGNATURE, checkpoint.seq, "the signature does not verify")
    elif trusted_key is not None and checkpoint.public_key != trusted_key:
        report.add(
            ProblemKind.BAD_SIGNATURE,
            checkpoint.seq,
            "signed by a key that is not Grace's checkpoint key",
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


def _linked(linked_from: list[int], expected: list[int]) -> str:
    found = ", ".join(str(seq) for seq in sorted(linked_from)) or "none"
    wanted = ", ".join(str(seq) for seq in expected) or "none"
    return f"NEXT links from seq {found}, expected {wanted}"


def _leaf(hash_text: str) -> bytes:
    try:
        return bytes.fromhex(hash_text)
    except ValueError:
        return hash_text.encode("utf-8", "surrogatepass")
