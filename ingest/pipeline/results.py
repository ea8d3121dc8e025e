"""What a run reports: per-step results, the run's outcome, and step events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from graph.events import DomainEvent, EventType


class StepStatus(StrEnum):
    """How a step ended."""

    SUCCEEDED = "succeeded"
    SKIPPED = "skipped"
    FAILED = "failed"


class RunStatus(StrEnum):
    """How a run ended: failed when any step failed."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"


class StepResult(BaseModel):
    """One step of a run."""

    model_config = ConfigDict(frozen=True)

    name: str
    status: StepStatus
    attempts: int = 0
    duration_seconds: float = 0.0
    error: str | None = Field(default=None, description="the last attempt's error")
    reason: str | None = Field(default=None, description="why the step was skipped")
    output: dict[str, JsonValue] = Field(default_factory=dict)


class PipelineRun(BaseModel):
    """The outcome of one run, steps in declaration order."""

    model_config = ConfigDict(frozen=True)

    pipeline: str
    document_id: str
    status: RunStatus
    started_at: datetime
    duration_seconds: float
    steps: dict[str, StepResult]


class StepPhase(StrEnum):
    """When a step event is sent: at each attempt's start, and once at the end."""

    STARTED = "started"
    FINISHED = "finished"


class StepEvent(BaseModel):
    """A step started an attempt or finished (skipped steps only finish)."""

    model_config = ConfigDict(frozen=True)

    pipeline: str
    document_id: str
    step: str
    phase: StepPhase
    attempt: int
    result: StepResult | None = Field(default=None, description="set when finished")

    def to_domain_event(
        self,
        *,
        path: str | None = None,
        table: str | None = None,
        document_id: str | None = None,
        documents: int = 1,
    ) -> DomainEvent:
        """The `pipeline.step` domain event about the document (file `path`, rows of `table`):
        the run's own, or `document_id`, one of the `documents` a coalesced run passes over
        (the payload's `pass` names the run's own document, the first of them)."""
        payload = self.model_dump(mode="json", exclude={"document_id"})
        return DomainEvent(
            type=EventType.PIPELINE_STEP,
            subject=document_id or self.document_id,
            payload={
                **payload,
                "path": path,
                "table": table,
                "pass": self.document_id,
                "documents": documents,
            },
        )
