"""Where each document's after-ingest pass stands, kept on its Document node so that a pass a
crash or a time-out cut short is found and run again.

`pipeline` is `pending` from the activation of a completed version (same transaction), then
`running` under a lease the running pass renews, then `done`, or `failed` with the step and
the error. A pass is owed while it is pending, failed with attempts left, or running under a
lease that expired (its worker died): the re-run of the file's job and the recovery sweep
claim such a pass, one claimant at a time. A document with no `pipeline` (written before this
state existed, or awaiting a table) owes nothing. The pass lane claims pending passes waiting
behind the one it takes (`claim_waiting`) to run them as one; each keeps its own claim, so each
document's state is recorded as its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.graph import Graph

LEASE_SECONDS = 30
"""How long a claim holds without news from its pass; a dead worker's pass is owed again
this long after its last renewal."""
RENEW_SECONDS = LEASE_SECONDS / 3
MAX_ATTEMPTS = 3
"""Passes started on one document version before a failure is left for a person."""


class PassState(StrEnum):
    """Where a document's after-ingest pass stands."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class OwedPass:
    """A document whose pass is owed, with what the pass's events name."""

    document_id: str
    path: str
    table: str | None
    rows: int


@dataclass(frozen=True)
class Claim:
    """The right to run one document's pass, until its lease runs out."""

    document_id: str
    token: str
    attempt: int


class PassLedger:
    """The pass states of documents, through the process's `Graph`."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph

    async def claim(self, document_id: str) -> Claim | None:
        """Claim the document's pass when it is owed; None when it is done, running under
        a live lease, failed past its attempts, or never owed."""
        token = uuid.uuid4().hex
        records = await self._graph.write(
            "ingest/claim_pass",
            {
                "document_id": document_id,
                "claim": token,
                "seconds": LEASE_SECONDS,
                "max_attempts": MAX_ATTEMPTS,
            },
        )
        return Claim(document_id, token, records[0]["attempt"]) if records else None

    async def claim_waiting(self, document_ids: Sequence[str]) -> list[Claim]:
        """Claim the passes of those of `document_ids` that are pending (never started), each
        under its own claim; the others (done, running, failed) are left alone."""
        wanted = [
            {"document_id": document_id, "claim": uuid.uuid4().hex}
            for document_id in sorted(set(document_ids))  # one lock order for every claimant
        ]
        if not wanted:
            return []
        tokens = {entry["document_id"]: entry["claim"] for entry in wanted}
        records = await self._graph.write(
            "ingest/claim_waiting_passes", {"claims": wanted, "seconds": LEASE_SECONDS}
        )
        return [
            Claim(record["document_id"], tokens[record["document_id"]], record["attempt"])
            for record in records
        ]

    async def renew(self, claims: Sequence[Claim], step: str | None = None) -> set[str]:
        """Extend the leases (naming the step under way); returns the documents whose claim
        still holds."""
        records = await self._graph.write(
            "ingest/renew_passes",
            {"claims": _held(claims), "seconds": LEASE_SECONDS, "step": step},
        )
        return {record["id"] for record in records}

    async def finish(
        self,
        claims: Sequence[Claim],
        *,
        failed_step: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record the passes `done`, or `failed` at `failed_step` with `error`."""
        state = PassState.FAILED if failed_step is not None else PassState.DONE
        await self._graph.write(
            "ingest/finish_passes",
            {"claims": _held(claims), "state": state.value, "step": failed_step, "error": error},
        )

    async def owes(self, document_id: str) -> OwedPass | None:
        """The document's pass when it is owed (see `owed`), else None."""
        records = await self._graph.read(
            "ingest/owed_pass", {"document_id": document_id, "max_attempts": MAX_ATTEMPTS}
        )
        return _owed(records[0]) if records else None

    async def owed(self, limit: int) -> list[OwedPass]:
        """Up to `limit` documents whose pass is owed, oldest first."""
        records = await self._graph.read(
            "ingest/unfinished_passes", {"max_attempts": MAX_ATTEMPTS, "limit": limit}
        )
        return [_owed(record) for record in records]


def _held(claims: Sequence[Claim]) -> list[dict[str, str]]:
    return [{"document_id": claim.document_id, "claim": claim.token} for claim in claims]


def _owed(record: Mapping[str, Any]) -> OwedPass:
    return OwedPass(
        record["document_id"], record["path"], record["table"], int(record["rows"] or 0)
    )
