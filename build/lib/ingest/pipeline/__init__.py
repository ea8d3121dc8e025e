"""The pipeline that runs after a file is ingested: declared in YAML, steps registered by name.

`load_pipeline` reads `deploy/pipelines/<name>.yaml`; `Pipeline(spec, registry)` binds it to
the registered steps; `await pipeline.run(PipelineInput(document_id))` runs it.
"""

from ingest.pipeline.conditions import Comparison, Condition, StepOutput, parse_condition
from ingest.pipeline.results import (
    PipelineRun,
    RunStatus,
    StepEvent,
    StepPhase,
    StepResult,
    StepStatus,
)
from ingest.pipeline.runner import (
    NOT_REGISTERED,
    EventCallback,
    Pipeline,
    PipelineInput,
    StepContext,
    StepFunction,
    StepRegistry,
)
from ingest.pipeline.spec import PIPELINES_DIR, PipelineSpec, StepSpec, load_pipeline

__all__ = [
    "NOT_REGISTERED",
    "PIPELINES_DIR",
    "Comparison",
    "Condition",
    "EventCallback",
    "Pipeline",
    "PipelineInput",
    "PipelineRun",
    "PipelineSpec",
    "RunStatus",
    "StepContext",
    "StepEvent",
    "StepFunction",
    "StepOutput",
    "StepPhase",
    "StepRegistry",
    "StepResult",
    "StepSpec",
    "StepStatus",
    "load_pipeline",
    "parse_condition",
]
