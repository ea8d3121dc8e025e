"""What may enter Grace: the pre-ingestion policy checks, and the admin approval a high-risk
file needs before it is ingested.

`Admission.admit` evaluates the ingestion policies on one file (source, type, size, personal
data). A refused file becomes a failed run with the violations named; a high-risk file waits
for an `ingestion` change request: one per file content, opened once, and ingested when an
admin approves it (`ingest.approved.ingestion_applier` queues it again at once). A rejected
request keeps it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import JsonValue

from governance.approvals import Approvals, ChangeRequestRecord
from governance.policy import PolicySet
from governance.policy_checks import FileVerdict, Violation, check_file
from graph.errors import GraceError
from graph.model import ReviewStatus
from ingest.extract.detect import sniff
from ingest.sources import SourceRef

REQUESTER = "system:ingest"
DEFAULT_WORKSPACE = "default"


class PolicyRefusedError(GraceError):
    """A file broke an ingestion policy (source, type, size or personal data)."""

    code = "policy_refused"

    def __init__(self, path: str, violations: tuple[Violation, ...]) -> None:
        self.path = path
        self.violations = violations
        reasons = "; ".join(f"{v.policy}/{v.rule}: {v.detail}" for v in violations)
        super().__init__(f"{path} refused by policy: {reasons}")


class IngestionRejectedError(GraceError):
    """An admin rejected the ingestion of this file content."""

    code = "ingestion_rejected"

    def __init__(self, path: str, request_id: str) -> None:
        self.path = path
        self.request_id = request_id
        super().__init__(f"{path}: ingestion was rejected in change request {request_id}")


class Verdict(StrEnum):
    """What happens to a file."""

    ADMITTED = "admitted"
    AWAITING_APPROVAL = "awaiting_approval"


@dataclass(frozen=True)
class Admitted:
    """The outcome of admission: go ahead (encrypting these fields too), or wait."""

    verdict: Verdict
    encrypt_fields: frozenset[str] = frozenset()
    change_request: str | None = None


class Admission:
    """Applies the ingestion policies to files before anything is written."""

    def __init__(
        self,
        policies: PolicySet,
        approvals: Approvals | None = None,
        workspace: str = DEFAULT_WORKSPACE,
    ) -> None:
        self._policies = policies
        self._approvals = approvals
        self._workspace = workspace

    async def admit(
        self, data: bytes, source: SourceRef, relative: str, root: Path, sha256: str
    ) -> Admitted:
        """Raises `PolicyRefusedError`, `IngestionRejectedError` or `UndecodableTextError`;
        else admitted or waiting."""
        verdict = self.check(data, source, relative)
        if not verdict.allowed:
            raise PolicyRefusedError(relative, verdict.violations)
        if not verdict.high_risk or self._approvals is None:
            return Admitted(Verdict.ADMITTED, verdict.encrypt_fields)
        request = await _request_for(self._approvals, source.id, relative, sha256)
        if request is not None and request.status is ReviewStatus.APPLIED:
            return Admitted(Verdict.ADMITTED, verdict.encrypt_fields, request.id)
        if request is not None and request.status in (ReviewStatus.REJECTED,):
            raise IngestionRejectedError(relative, request.id)
        if request is None or request.status is not ReviewStatus.OPEN:
            request = await self._approvals.open(
                kind="ingestion",
                title=f"ingest {relative} from {source.id}",
                payload=_payload(source.id, relative, root, sha256, len(data), verdict),
                requested_by=REQUESTER,
                workspace=self._workspace,
                rule=self._policies.approval_rule("ingestion"),
            )
        return Admitted(Verdict.AWAITING_APPROVAL, verdict.encrypt_fields, request.id)

    def check(self, data: bytes, source: SourceRef, relative: str) -> FileVerdict:
        """The policies' verdict on one file (pure; reads a sample of its start).

        Raises `UndecodableTextError` for a file that is not text in any supported encoding.
        """
        sniffed = sniff(data, relative)
        return check_file(
            self._policies,
            source=source.id,
            path=relative,
            mime=sniffed.mime,
            size=len(data),
            sample_text=sniffed.sample,
        )


async def _request_for(
    approvals: Approvals, source: str, relative: str, sha256: str
) -> ChangeRequestRecord | None:
    """The latest ingestion request for this file content, if any (lists are newest first)."""
    return next(
        (
            request
            for request in await approvals.list(kind="ingestion", limit=1000)
            if request.payload.get("source") == source
            and request.payload.get("path") == relative
            and request.payload.get("sha256") == sha256
        ),
        None,
    )


def _payload(
    source: str, relative: str, root: Path, sha256: str, size: int, verdict: FileVerdict
) -> dict[str, JsonValue]:
    return {
        "source": source,
        "path": relative,
        "root": str(root),
        "sha256": sha256,
        "size": size,
        "reasons": list(verdict.high_risk),
    }
