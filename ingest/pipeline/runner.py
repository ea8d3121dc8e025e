"""Running a pipeline: steps registered by name, bound to a declaration, run as asyncio tasks.

A step starts as soon as every step it runs after has succeeded, so independent branches
run concurrently. A step is skipped when one of those did not succeed, when its condition
is false, or when it has no implementation and the pipeline was bound with
`allow_missing=True`. A step that raises is retried with exponential backoff, then failed;
the other branches go on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from opentelemetry import trace
from pydantic import JsonValue

from graph.errors import PipelineDefinitionError
from ingest.metrics import WORKER
from ingest.pipeline.conditions import StepOutput
from ingest.pipeline.results import (
    PipelineRun,
    RunStatus,
    StepEvent,
    StepPhase,
    StepResult,
    StepStatus,
)
from ingest.pipeline.spec import PipelineSpec, StepSpec, load_pipeline

log = logging.getLogger(__name__)
_TRACER = trace.get_tracer(__name__)

NOT_REGISTERED = "not registered"


@dataclass(frozen=True)
class PipelineInput:
    """What a pipeline runs on: the ingested document and any data the caller adds."""

    document_id: str
    data: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True)
class StepContext:
    """What a step receives: the input and the outputs of every step it runs after."""

    step: str
    attempt: int
    input: PipelineInput
    outputs: Mapping[str, StepOutput]


StepFunction = Callable[[StepContext], Awaitable[StepOutput]]


class StepRegistry:
    """Step implementations by name; modules register theirs at import or start-up."""

    def __init__(self) -> None:
        self._steps: dict[str, StepFunction] = {}

    def register(self, name: str, run: StepFunction) -> None:
        """Add one implementation; a name can be registered once."""
        if name in self._steps:
            raise PipelineDefinitionError(f"a step named {name!r} is already registered")
        self._steps[name] = run

    def get(self, name: str) -> StepFunction | None:
        """The implementation registered as `name`, if any."""
        return self._steps.get(name)


EventCallback = Callable[[StepEvent], Awaitable[None]]


class Pipeline:
    """A checked declaration bound to the implementations of its steps."""

    def __init__(
        self, spec: PipelineSpec, registry: StepRegistry, *, allow_missing: bool = False
    ) -> None:
        """Raises `PipelineDefinitionError` for an invalid declaration, and for steps with no
        implementation unless `allow_missing` (they are then skipped as "not registered")."""
        spec.check()
        functions = {step.name: registry.get(step.implementation) for step in spec.steps}
        missing = [step.implementation for step in spec.steps if functions[step.name] is None]
        if missing and not allow_missing:
            names = ", ".join(repr(name) for name in missing)
            raise PipelineDefinitionError(f"pipeline {spec.name!r}: no step registered as {names}")
        self.spec = spec
        self._functions = functions
        self._ancestors = spec.ancestors()

    @classmethod
    def from_file(
        cls, path: Path, registry: StepRegistry, *, allow_missing: bool = False
    ) -> Pipeline:
        """Load `path` (see `load_pipeline`) and bind it."""
        return cls(load_pipeline(path), registry, allow_missing=allow_missing)

    async def run(
        self, context_input: PipelineInput, *, on_event: EventCallback | None = None
    ) -> PipelineRun:
        """Run every step once (with retries); never raises for a failing step."""
        started_at = datetime.now(UTC)
        start = time.perf_counter()
        execution = _Execution(
            self.spec.name, self._functions, self._ancestors, context_input, on_event
        )
        tasks: dict[str, asyncio.Task[StepResult]] = {}
        steps = {step.name: step for step in self.spec.steps}

        def task(name: str) -> asyncio.Task[StepResult]:
            if name not in tasks:
                dependencies = [task(before) for before in steps[name].after]
                tasks[name] = group.create_task(execution.step(steps[name], dependencies))
            return tasks[name]

        async with asyncio.TaskGroup() as group:
            for name in steps:
                task(name)
        results = {name: tasks[name].result() for name in steps}
        failed = any(result.status is StepStatus.FAILED for result in results.values())
        return PipelineRun(
            pipeline=self.spec.name,
            document_id=context_input.document_id,
            status=RunStatus.FAILED if failed else RunStatus.SUCCEEDED,
            started_at=started_at,
            duration_seconds=time.perf_counter() - start,
            steps=results,
        )


class _Execution:
    """The state of one run: outputs so far, and where events go."""

    def __init__(
        self,
        pipeline: str,
        functions: Mapping[str, StepFunction | None],
        ancestors: Mapping[str, frozenset[str]],
        context_input: PipelineInput,
        on_event: EventCallback | None,
    ) -> None:
        self._pipeline = pipeline
        self._functions = functions
        self._ancestors = ancestors
        self._input = context_input
        self._on_event = on_event
        self._outputs: dict[str, StepOutput] = {}

    async def step(
        self, step: StepSpec, dependencies: list[asyncio.Task[StepResult]]
    ) -> StepResult:
        """Wait for the dependencies, then skip or run the step."""
        for dependency in [await task for task in dependencies]:
            # A step that is not registered yet passes through: its dependents still run.
            passed = (
                dependency.status is StepStatus.SUCCEEDED or dependency.reason == NOT_REGISTERED
            )
            if not passed:
                return await self._skip(step, f"dependency {dependency.name} {dependency.status}")
        function = self._functions[step.name]
        if function is None:
            return await self._skip(step, NOT_REGISTERED)
        condition = step.condition()
        if condition is not None and not condition.holds(self._outputs):
            return await self._skip(step, f"condition is false: {step.when}")
        outputs = {
            name: self._outputs[name]
            for name in self._ancestors[step.name]
            if name in self._outputs
        }
        start = time.perf_counter()
        error = ""
        for attempt in range(1, step.retries + 2):
            if attempt > 1:
                await asyncio.sleep(step.backoff_seconds * 2 ** (attempt - 2))
            await self._emit(step, StepPhase.STARTED, attempt)
            try:
                with _TRACER.start_as_current_span(
                    f"step {step.name}", attributes={"pipeline.step.attempt": attempt}
                ):
                    context = StepContext(step.name, attempt, self._input, outputs)
                    output = dict(await function(context))
            except Exception as caught:
                error = f"{type(caught).__name__}: {caught}"
                log.warning("step %s attempt %d failed: %s", step.name, attempt, error)
                continue
            self._outputs[step.name] = output
            result = StepResult(
                name=step.name,
                status=StepStatus.SUCCEEDED,
                attempts=attempt,
                duration_seconds=time.perf_counter() - start,
                output=output,
            )
            return await self._finish(step, attempt, result)
        result = StepResult(
            name=step.name,
            status=StepStatus.FAILED,
            attempts=step.retries + 1,
            duration_seconds=time.perf_counter() - start,
            error=error,
        )
        return await self._finish(step, step.retries + 1, result)

    async def _skip(self, step: StepSpec, reason: str) -> StepResult:
        result = StepResult(name=step.name, status=StepStatus.SKIPPED, reason=reason)
        return await self._finish(step, 0, result)

    async def _finish(self, step: StepSpec, attempt: int, result: StepResult) -> StepResult:
        if result.status is not StepStatus.SKIPPED:
            WORKER.steps.labels(step.name, result.status.value).observe(result.duration_seconds)
        await self._emit(step, StepPhase.FINISHED, attempt, result)
        return result

    async def _emit(
        self, step: StepSpec, phase: StepPhase, attempt: int, result: StepResult | None = None
    ) -> None:
        """Send one event (a failing callback is logged, never fails the run)."""
        if self._on_event is not None:
            event = StepEvent(
                pipeline=self._pipeline,
                document_id=self._input.document_id,
                step=step.name,
                phase=phase,
                attempt=attempt,
                result=result,
            )
            try:
                await self._on_event(event)
            except Exception:
                log.exception("the pipeline event callback failed for step %s", step.name)
