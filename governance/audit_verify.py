"""Verifying an audit chain, and checkpointing one that verifies.

`verify` streams a chain's events in seq order, one seq range at a time (constant memory;
the next ranges are read over their own sessions while the current one is checked), and
recomputes every hash, checks each event chains to the one before it, that seqs have no
gaps, that NEXT edges follow seq order, that the head names the last event and that no
event has a property it should not. It always checks the chain's stored checkpoints too,
and any given ones (an exported file, the secret store's anchor): each must be signed by a
trusted key, and events 1..n must still produce its Merkle root, which catches a chain
rewritten and re-hashed consistently and a chain cut back with its head moved.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance.audit import GENESIS_HASH, PAGE_SIZE, AuditLog, CheckedEvent
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
    trust: Trust,
    checkpoints: Sequence[Checkpoint] = (),
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
) -> VerifyReport:
    """Check `log`'s chain against its stored checkpoints, `trust.anchors` and `checkpoints`
    (an exported file); a checkpoint counts only when signed by one of `trust.keys`.
    Events are read in seq ranges of `page_size` (`AuditLog.range_pages`)."""
    head = await log.head()
    report = VerifyReport(chain=log.chain, head_seq=head.seq)
    given = [*trust.anchors, *checkpoints]
    trusted = await _trusted_checkpoints(log, report, trust.keys, given)
    walk = _Walk(report, trusted)
    async for rows in log.range_pages(head.seq, page_size):
        # Off the event loop, so that the next page is asked for and received meanwhile.
        await asyncio.to_thread(walk.steps, rows)
        if progress is not None:
            progress(report.events, head.seq)
    walk.finish()
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


async def checkpoint_chain(
    log: AuditLog, key: Ed25519PrivateKey, trust: Trust, progress: Progress | None = None
) -> Checkpoint:
    """Verify the chain and store a checkpoint of it signed with `key` (whose checkpoints
    are trusted besides `trust`); refuses a chain with problems."""
    own = Trust(trust.keys | {public_key_hex(key.public_key())}, trust.anchors)
    report = await verify(log, own, progress=progress)
    if not report.ok:
        raise AuditChainTamperedError(log.chain, len(report.problems) + report.more_problems)
    checkpoint = sign_checkpoint(log.chain, report.last_seq, report.root, key)
    return await store_checkpoint(log.graph, checkpoint)


async def checkpoint_with_store(
    log: AuditLog, store: SecretStore, progress: Progress | None = None
) -> Checkpoint:
    """`checkpoint_chain` with the store's key and trust, then make the checkpoint the
    chain's anchor in the store."""
    key = await asyncio.to_thread(signing_key, store)
    trust = await asyncio.to_thread(read_trust, store, log.chain)
    checkpoint = await checkpoint_chain(log, key, trust, progress)
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


class _Walk:
    """The state carried from one event to the next."""

    def __init__(self, report: VerifyReport, checkpoints: list[Checkpoint]) -> None:
        self.report = report
        self.pending = list(reversed(checkpoints))
        """Trusted checkpoints not compared yet, the lowest seq last."""
        self.everything = MerkleAccumulator()
        self.previous_seq = 0
        """Seq of the event read before (0: none yet)."""
        self.previous_hash: str | None = GENESIS_HASH
        """Its stored hash (None when it was malformed)."""
        self.hash_version_seen = False
        """Whether an event with a hash version was read already."""

    def steps(self, rows: list[list[Any]]) -> None:
        """Check a page of `audit/events_page` rows, in order."""
        chain, step = self.report.chain, self.step
        for row in rows:
            step(CheckedEvent.of_row(chain, row))

    def step(self, event: CheckedEvent) -> None:
        """Check one event against the one read before it."""
        report, seq = self.report, event.seq
        while self.pending and self.pending[-1].seq < seq:
            self._compare(self.pending.pop())
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
        malformed = not event.computed
        if seq < expected_seq or not links_ok:
            report.add(ProblemKind.REORDERED, seq, _linked(links, expected_link))
        elif malformed:
            report.add(ProblemKind.EDITED, seq, f"not an event's properties: {event.problem}")
        elif event.computed != event.hash:
            report.add(ProblemKind.EDITED, seq, "its properties do not match its hash")
        elif event.legacy and self.hash_version_seen:
            report.add(ProblemKind.EDITED, seq, "a legacy hash after events of a later version")
        elif not gap and self.previous_hash not in (None, event.prev_hash):
            # This event is intact, so the one before it was changed and re-hashed.
            report.add(
                ProblemKind.EDITED, self.previous_seq or seq, f"event {seq} chains to another hash"
            )
        if not malformed:
            report.legacy_events += event.legacy
            self.hash_version_seen |= not event.legacy
        self.everything.add(_leaf(event.hash))
        report.last_seq, report.last_hash = seq, event.hash
        self.previous_seq = seq
        self.previous_hash = None if malformed else event.hash

    def finish(self) -> None:
        """Compare the checkpoints the walk reached; the others cover deleted events."""
        report = self.report
        report.root = self.everything.root().hex()
        while self.pending:
            checkpoint = self.pending.pop()
            if checkpoint.seq <= report.last_seq:
                self._compare(checkpoint)
            else:
                report.add(
                    ProblemKind.TRUNCATED,
                    report.last_seq + 1,
                    f"a checkpoint covers {checkpoint.seq} events; the chain ends at "
                    f"{report.last_seq}",
                )

    def _compare(self, checkpoint: Checkpoint) -> None:
        """Every event up to the checkpoint's seq was added: the roots must be equal."""
        if self.everything.root().hex() != checkpoint.root:
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


def _linked(linked_from: list[int], expected: list[int]) -> str:
    found = ", ".join(str(seq) for seq in sorted(linked_from)) or "none"
    wanted = ", ".join(str(seq) for seq in expected) or "none"
    return f"NEXT links from seq {found}, expected {wanted}"


def _leaf(hash_text: str) -> bytes:
    try:
        return bytes.fromhex(hash_text)
    except ValueError:
        return hash_text.encode("utf-8", "surrogatepass")
