"""Pipeline declarations: `deploy/pipelines/<name>.yaml` read into checked pydantic models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph.definitions import Location, line_of, load_definition
from graph.errors import DefinitionProblem, InvalidDefinitionsError, PipelineDefinitionError
from graph.settings import PROJECT_ROOT
from ingest.pipeline.conditions import Condition, parse_condition

PIPELINES_DIR = PROJECT_ROOT / "deploy" / "pipelines"

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]


class StepSpec(BaseModel):
    """One declared step."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    uses: Name | None = Field(default=None, description="registered step, when not `name`")
    after: list[Name] = Field(default_factory=list, description="steps that must succeed first")
    when: str | None = Field(default=None, description="condition on earlier steps' outputs")
    retries: int = Field(default=0, ge=0, le=10, description="extra attempts after a failure")
    backoff_seconds: float = Field(default=0.5, ge=0, le=60, description="first retry delay")

    @field_validator("when")
    @classmethod
    def _parses(cls, when: str | None) -> str | None:
        if when is not None:
            parse_condition(when)
        return when

    @property
    def implementation(self) -> str:
        """The registered step this one runs."""
        return self.uses or self.name

    def condition(self) -> Condition | None:
        """The parsed `when`, if any."""
        return None if self.when is None else parse_condition(self.when)


class PipelineSpec(BaseModel):
    """A named graph of steps; `problems` lists what makes it unrunnable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    description: str = ""
    steps: list[StepSpec] = Field(min_length=1)

    def problems(self) -> list[tuple[Location, str]]:
        """Duplicate steps, unknown `after` targets, cycles, conditions on non-ancestors."""
        found: list[tuple[Location, str]] = []
        index: dict[str, int] = {}
        names = {step.name for step in self.steps}
        for i, step in enumerate(self.steps):
            if step.name in index:
                found.append((("steps", i, "name"), f"step {step.name!r} is declared twice"))
            index.setdefault(step.name, i)
            for j, target in enumerate(step.after):
                if target not in names:
                    message = f"step {step.name!r} runs after {target!r}, which is not a step"
                    found.append((("steps", i, "after", j), message))
        if found:
            return found
        cycle = self._cycle()
        if cycle:
            return [(("steps", index[cycle[0]], "after"), _cycle_message(cycle))]
        ancestors = self.ancestors()
        for i, step in enumerate(self.steps):
            condition = step.condition()
            for name in sorted(condition.steps - ancestors[step.name] if condition else ()):
                message = (
                    f"step {step.name!r}: condition reads {name!r}, which it does not run after"
                )
                found.append((("steps", i, "when"), message))
        return found

    def check(self) -> None:
        """Raise `PipelineDefinitionError` naming every problem, if any."""
        problems = self.problems()
        if problems:
            listing = "; ".join(message for _, message in problems)
            raise PipelineDefinitionError(f"pipeline {self.name!r}: {listing}")

    def ancestors(self) -> dict[str, frozenset[str]]:
        """Every step each step runs after, directly or not (the pipeline must be acyclic)."""
        after = {step.name: step.after for step in self.steps}
        found: dict[str, frozenset[str]] = {}

        def visit(name: str) -> frozenset[str]:
            if name not in found:
                found[name] = frozenset(after[name]).union(*(visit(a) for a in after[name]))
            return found[name]

        for step in self.steps:
            visit(step.name)
        return found

    def _cycle(self) -> list[str] | None:
        after = {step.name: step.after for step in self.steps}
        done: set[str] = set()
        path: list[str] = []

        def visit(name: str) -> list[str] | None:
            if name in path:
                return [*path[path.index(name) :], name]
            if name in done:
                return None
            path.append(name)
            for target in after[name]:
                cycle = visit(target)
                if cycle:
                    return cycle
            path.pop()
            done.add(name)
            return None

        for step in self.steps:
            cycle = visit(step.name)
            if cycle:
                return cycle
        return None


def load_pipeline(path: Path) -> PipelineSpec:
    """Read and check one pipeline file; raises `InvalidDefinitionsError` with file and line."""
    spec, lines = load_definition(path, PipelineSpec)
    problems = spec.problems()
    if spec.name != path.stem:
        problems.append((("name",), f"name {spec.name!r} must match the file name {path.stem!r}"))
    if problems:
        raise InvalidDefinitionsError(
            [DefinitionProblem(path, line_of(lines, where), message) for where, message in problems]
        )
    return spec


def _cycle_message(cycle: list[str]) -> str:
    return f"steps form a cycle (each runs after the next): {' -> '.join(cycle)}"
