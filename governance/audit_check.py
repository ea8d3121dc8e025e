"""Checking an audit chain's events one seq range (a segment) at a time, wherever it runs.

`check_segment` recomputes every hash of a range's events (as `audit/events_page` returns
them) and checks each event against the one before it in the range. What depends on the
events before the range is left to whoever joins the segments in order (`audit_verify`):
the first event's own checks (`ChainPosition.check` with the position the earlier ranges
reached), and, for legacy events read before any event of a later hash version in the
range, whether such an event came earlier in the chain (`Segment.undecided`). A segment
is plain data, so it may be checked in another process.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from hashlib import sha256 as _sha256
from itertools import islice
from typing import Any

from governance.audit import (
    GENESIS_HASH,
    HASH,
    LINKED_FROM,
    PREV_HASH,
    SEQ,
    VERSION,
    CheckedEvent,
    well_formed_digest,
)
from governance.merkle import LEAF_PREFIX, MerkleAccumulator

MAX_PROBLEMS = 1_000
"""Problems kept in a report; more are only counted."""


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


@dataclass(kw_only=True)
class Findings:
    """Problems found, each (kind, seq) once, the first `MAX_PROBLEMS` kept."""

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

    def merge(self, other: Findings) -> None:
        """Record `other`'s problems too."""
        for problem in other.problems:
            self.add(problem.kind, problem.seq, problem.detail)
        self.more_problems += other.more_problems


LEGACY_AFTER_VERSION = "a legacy hash after events of a later version"


@dataclass(frozen=True)
class Undecided:
    """A legacy event of a segment read before any event of a later hash version in it:
    an EDITED problem if such an event came earlier in the chain, else `otherwise`."""

    seq: int
    otherwise: Problem | None


@dataclass
class ChainPosition:
    """What checking an event needs of the events before it."""

    seq: int = 0
    """Seq of the event read before (0: none yet)."""
    hash: str | None = GENESIS_HASH
    """Its stored hash (None when it was malformed)."""
    versioned: bool | None = False
    """Whether an event with a hash version was read already (None: not known, in a
    segment before its first such event)."""
    undecided: list[Undecided] = field(default_factory=list)
    """Legacy events checked while `versioned` was not known."""

    def check(self, event: CheckedEvent, found: Findings) -> None:
        """Check one event against the one read before it, and move past it."""
        seq = event.seq
        expected_seq = self.seq + 1
        expected_link = [self.seq] if self.seq else []
        gap = seq > expected_seq
        if gap:
            last = seq - 1
            missing = f"{expected_seq}..{last}" if last > expected_seq else str(expected_seq)
            found.add(ProblemKind.DELETED, expected_seq, f"seq {missing} missing")
        # Across a gap the deleted event's successor may have been relinked, or not.
        links = event.linked_from
        links_ok = links in ([], expected_link) if gap else links == expected_link
        malformed = not event.computed
        if seq < expected_seq or not links_ok:
            found.add(ProblemKind.REORDERED, seq, _linked(links, expected_link))
        elif malformed:
            found.add(ProblemKind.EDITED, seq, f"not an event's properties: {event.problem}")
        elif event.computed != event.hash:
            found.add(ProblemKind.EDITED, seq, "its properties do not match its hash")
        elif event.legacy and self.versioned is None:
            self.undecided.append(Undecided(seq, None if gap else self._unchained(event)))
        elif event.legacy and self.versioned:
            found.add(ProblemKind.EDITED, seq, LEGACY_AFTER_VERSION)
        elif not gap and (problem := self._unchained(event)) is not None:
            found.add(problem.kind, problem.seq, problem.detail)
        if not malformed and not event.legacy:
            self.versioned = True
        self.seq = seq
        self.hash = None if malformed else event.hash

    def _unchained(self, event: CheckedEvent) -> Problem | None:
        """The problem when an intact `event` chains to another hash than the one before
        it: that one was changed and re-hashed."""
        if self.hash in (None, event.prev_hash):
            return None
        where = self.seq or event.seq
        return Problem(ProblemKind.EDITED, where, f"event {event.seq} chains to another hash")


@dataclass
class Segment:
    """What checking the events of one seq range found, for joining with the others."""

    first: CheckedEvent
    """Its first event, whose checks need the position the ranges before reached."""
    end: ChainPosition
    """The position after its last event (`versioned` None: no event of a later hash
    version in the range)."""
    last_hash: str
    """The stored hash of its last event ("" when it has none)."""
    events: int
    legacy_events: int
    findings: Findings
    """Problems of its events after the first."""
    tree: MerkleAccumulator
    """Over its events' hashes."""
    leaf_hashes: bytes
    """Each event's `leaf_hash`, 32 bytes each (to join the tree when the ranges before
    hold a number of events its subtrees do not line up with)."""
    covered: dict[int, int]
    """For each checkpoint seq asked about, how many of its events have a seq up to it."""

    def leaf_hash(self, index: int) -> bytes:
        """The `leaf_hash` of its `index`-th event."""
        return self.leaf_hashes[index * 32 : index * 32 + 32]


def check_segment(
    chain: str, rows: list[list[Any]], checkpoint_seqs: Sequence[int] = ()
) -> Segment:
    """Check a seq range's `audit/events_page` rows (at least one), in seq order."""
    first = CheckedEvent.of_row(chain, rows[0])
    first_ok = bool(first.computed)
    position = ChainPosition(
        first.seq,
        first.hash if first_ok else None,
        True if first_ok and not first.legacy else None,
    )
    findings = Findings()
    walked = _walk_intact(chain, rows, position) or _walk_each(chain, rows, position, findings)
    leaves = [_leaf_hash(first.hash), *walked.leaves]
    return Segment(
        first=first,
        end=position,
        last_hash=walked.last_hash if len(rows) > 1 else first.hash,
        events=len(rows),
        legacy_events=walked.legacy_events + (first_ok and first.legacy),
        findings=findings,
        tree=MerkleAccumulator.of_leaf_hashes(leaves),
        leaf_hashes=b"".join(leaves),
        covered={seq: bisect_right(walked.seqs, seq) for seq in checkpoint_seqs},
    )


@dataclass
class _Walked:
    """What walking the events after a range's first one gave, besides its problems."""

    leaves: list[bytes]
    """Their `leaf_hash`es."""
    legacy_events: int
    last_hash: str
    """The stored hash of the last one ("" when it has none, or there is none)."""
    seqs: list[int]
    """Every seq of the range, the first one's included."""


def _walk_intact(chain: str, rows: list[list[Any]], position: ChainPosition) -> _Walked | None:
    """The events after the first when every one is well-formed and follows the one
    before it by seq, NEXT link and hash, with no legacy event after one of a later
    version: a sixth less work than `_walk_each` (no object per event), which must give
    the same for them. None (`position` untouched) at the first event that is not so."""
    seq, hash_, versioned = position.seq, position.hash, position.versioned
    if hash_ is None:
        return None
    leaves, seqs, undecided, legacy = [], [seq], [], 0
    at_seq, at_prev, at_hash, at_version, at_links = SEQ, PREV_HASH, HASH, VERSION, LINKED_FROM
    for row in islice(rows, 1, None):
        digest = well_formed_digest(chain, row)
        if (
            digest is None
            or row[at_seq] != seq + 1
            or row[at_links] != [seq]
            or row[at_prev] != hash_
            or digest.hex() != row[at_hash]
        ):
            return None
        seq, hash_ = row[at_seq], row[at_hash]
        if row[at_version] is not None:
            versioned = True
        elif versioned:
            return None
        else:
            legacy += 1
            if versioned is None:
                undecided.append(Undecided(seq, None))
        seqs.append(seq)
        leaves.append(_sha256(LEAF_PREFIX + digest).digest())
    position.seq, position.hash, position.versioned = seq, hash_, versioned
    position.undecided += undecided
    return _Walked(leaves, legacy, hash_, seqs)


def _walk_each(
    chain: str, rows: list[list[Any]], position: ChainPosition, findings: Findings
) -> _Walked:
    """The events after the first, each parsed and checked in full."""
    events = [CheckedEvent.of_row(chain, row) for row in islice(rows, 1, None)]
    for event in events:
        position.check(event, findings)
    return _Walked(
        [_leaf_hash(event.hash) for event in events],
        sum(1 for event in events if event.computed and event.legacy),
        events[-1].hash if events else "",
        [rows[0][SEQ], *(event.seq for event in events)],
    )


def _leaf_hash(hash_text: str) -> bytes:
    """The Merkle leaf hash of an event's stored hash (hex; any other text as it is)."""
    try:
        leaf = bytes.fromhex(hash_text)
    except ValueError:
        leaf = hash_text.encode("utf-8", "surrogatepass")
    return _sha256(LEAF_PREFIX + leaf).digest()


def _linked(linked_from: list[int], expected: list[int]) -> str:
    found = ", ".join(str(seq) for seq in sorted(linked_from)) or "none"
    wanted = ", ".join(str(seq) for seq in expected) or "none"
    return f"NEXT links from seq {found}, expected {wanted}"
