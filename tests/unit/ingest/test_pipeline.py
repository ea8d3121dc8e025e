from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from graph.errors import InvalidDefinitionsError, PipelineDefinitionError
from graph.events import EventType
from ingest.pipeline import (
    NOT_REGISTERED,
    PIPELINES_DIR,
    Pipeline,
    PipelineInput,
    PipelineSpec,
    RunStatus,
    StepContext,
    StepEvent,
    StepOutput,
    StepPhase,
    StepRegistry,
    StepStatus,
    load_pipeline,
    parse_condition,
)

INPUT = PipelineInput("doc-1", {"path": "examples/cities.csv"})


def spec(*steps: dict[str, Any]) -> PipelineSpec:
    return PipelineSpec.model_validate({"name": "test", "steps": list(steps)})


def constant(output: StepOutput, calls: list[str] | None = None) -> Any:
    async def run(context: StepContext) -> StepOutput:
        if calls is not None:
            calls.append(context.step)
        return output

    return run


def registry(**steps: Any) -> StepRegistry:
    found = StepRegistry()
    for name, run in steps.items():
        found.register(name, run)
    return found


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


def refused(path: Path) -> list[str]:
    with pytest.raises(InvalidDefinitionsError) as error:
        load_pipeline(path)
    return [str(problem) for problem in error.value.problems]


# Running


async def test_independent_branches_run_concurrently() -> None:
    a_ready, b_ready = asyncio.Event(), asyncio.Event()

    async def a(context: StepContext) -> StepOutput:
        a_ready.set()
        await b_ready.wait()
        return {"side": "a"}

    async def b(context: StepContext) -> StepOutput:
        b_ready.set()
        await a_ready.wait()
        return {"side": "b"}

    pipeline = Pipeline(spec({"name": "a"}, {"name": "b"}), registry(a=a, b=b))
    async with asyncio.timeout(10):  # would deadlock if the branches ran one after the other
        run = await pipeline.run(INPUT)
    assert run.status is RunStatus.SUCCEEDED
    assert {name: step.output for name, step in run.steps.items()} == {
        "a": {"side": "a"},
        "b": {"side": "b"},
    }


async def test_steps_run_after_their_dependencies_and_see_every_ancestor_output() -> None:
    calls: list[str] = []
    seen: dict[str, Mapping[str, StepOutput]] = {}

    async def join(context: StepContext) -> StepOutput:
        calls.append(context.step)
        seen[context.step] = context.outputs
        assert context.input == INPUT
        return {"joined": True}

    declared = spec(
        {"name": "join", "after": ["left", "right"]},
        {"name": "left", "after": ["root"]},
        {"name": "right", "after": ["root"]},
        {"name": "root"},
    )
    steps = registry(
        root=constant({"n": 1}, calls),
        left=constant({"n": 2}, calls),
        right=constant({"n": 3}, calls),
        join=join,
    )
    run = await Pipeline(declared, steps).run(INPUT)
    assert calls[0] == "root"
    assert calls[-1] == "join"
    assert sorted(calls[1:3]) == ["left", "right"]
    assert seen["join"] == {"root": {"n": 1}, "left": {"n": 2}, "right": {"n": 3}}
    assert list(run.steps) == ["join", "left", "right", "root"]
    assert all(step.status is StepStatus.SUCCEEDED for step in run.steps.values())
    assert run.steps["join"].attempts == 1


@pytest.mark.parametrize(
    ("output", "status"),
    [
        ({"trust": 0.9}, StepStatus.SUCCEEDED),
        ({"trust": 0.8}, StepStatus.SKIPPED),
        ({"other": 0.9}, StepStatus.SKIPPED),
        ({"trust": "0.9"}, StepStatus.SKIPPED),
    ],
    ids=["true", "false", "missing", "other-type"],
)
async def test_a_condition_decides_whether_a_step_runs(
    output: StepOutput, status: StepStatus
) -> None:
    declared = spec(
        {"name": "score"},
        {"name": "publish", "after": ["score"], "when": "score.trust > 0.8"},
        {"name": "announce", "after": ["publish"]},
    )
    steps = registry(score=constant(output), publish=constant({}), announce=constant({}))
    run = await Pipeline(declared, steps).run(INPUT)
    assert run.steps["publish"].status is status
    assert run.status is RunStatus.SUCCEEDED
    if status is StepStatus.SKIPPED:
        assert run.steps["publish"].reason == "condition is false: score.trust > 0.8"
        assert run.steps["announce"].status is StepStatus.SKIPPED
        assert run.steps["announce"].reason == "dependency publish skipped"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("a.x > 1 and b.y == 'yes'", True),
        ("a.x > 1 and b.y == 'no'", False),
        ("a.x > 5 or b.y == 'yes'", True),
        ("a.x > 5 or b.y != 'yes'", False),
        # `and` binds tighter: true or (false and false)
        ("a.x == 2 or a.x > 5 and b.y == 'no'", True),
        # (false and true) or false
        ("a.x > 5 and b.y == 'yes' or b.flag == false", False),
        ('b.flag == true and a.ratio <= 0.5 and a.x >= 2 and a.x < 3 and b.y != "no"', True),
        ("a.x == 2.0 and a.x >= -1e3", True),
        ("a.x == true", False),
        ("b.flag == 1", False),
        ("a.missing != 1", False),
        ("c.x != 1", False),
    ],
)
def test_conditions_combine_with_and_or(condition: str, expected: bool) -> None:
    outputs: dict[str, StepOutput] = {"a": {"x": 2, "ratio": 0.5}, "b": {"y": "yes", "flag": True}}
    assert parse_condition(condition).holds(outputs) is expected


@pytest.mark.parametrize(
    "condition",
    [
        "__import__('os').system('x')",
        "a.x > 1; import os",
        "a.x > 1 and (b.y < 2)",
        "a.x",
        "a.x > ",
        "a.x > 1 and",
        "a.x = 1",
        "a.x > b.y",
        "a.x > true",
        "a.x.y > 1",
        "a.x > 1 xor b.y > 2",
        "",
    ],
)
def test_conditions_outside_the_grammar_are_refused(condition: str) -> None:
    with pytest.raises(ValueError, match=r"column|expected"):
        parse_condition(condition)


async def test_a_failing_step_is_retried_until_it_succeeds() -> None:
    attempts: list[int] = []

    async def flaky(context: StepContext) -> StepOutput:
        attempts.append(context.attempt)
        if context.attempt < 3:
            raise RuntimeError("not yet")
        return {"ok": True}

    declared = spec({"name": "flaky", "retries": 2, "backoff_seconds": 0})
    run = await Pipeline(declared, registry(flaky=flaky)).run(INPUT)
    assert attempts == [1, 2, 3]
    assert run.steps["flaky"].status is StepStatus.SUCCEEDED
    assert run.steps["flaky"].attempts == 3
    assert run.steps["flaky"].error is None


async def test_exhausted_retries_fail_the_step_skip_its_dependents_and_spare_other_branches() -> (
    None
):
    async def broken(context: StepContext) -> StepOutput:
        raise ValueError(f"attempt {context.attempt} broke")

    declared = spec(
        {"name": "broken", "retries": 1, "backoff_seconds": 0},
        {"name": "dependent", "after": ["broken"]},
        {"name": "indirect", "after": ["dependent"]},
        {"name": "independent"},
    )
    calls: list[str] = []
    steps = registry(
        broken=broken,
        dependent=constant({}, calls),
        indirect=constant({}, calls),
        independent=constant({"fine": True}, calls),
    )
    run = await Pipeline(declared, steps).run(INPUT)
    assert run.status is RunStatus.FAILED
    failed = run.steps["broken"]
    assert (failed.status, failed.attempts) == (StepStatus.FAILED, 2)
    assert failed.error == "ValueError: attempt 2 broke"
    assert run.steps["dependent"].status is StepStatus.SKIPPED
    assert run.steps["dependent"].reason == "dependency broken failed"
    assert run.steps["indirect"].reason == "dependency dependent skipped"
    assert run.steps["independent"].status is StepStatus.SUCCEEDED
    assert calls == ["independent"]


async def test_steps_report_started_and_finished_events() -> None:
    events: list[StepEvent] = []

    async def record(event: StepEvent) -> None:
        events.append(event)

    async def once_broken(context: StepContext) -> StepOutput:
        if context.attempt == 1:
            raise RuntimeError("first try")
        return {"trust": 0.5}

    declared = spec(
        {"name": "score", "retries": 1, "backoff_seconds": 0},
        {"name": "publish", "after": ["score"], "when": "score.trust > 0.8"},
    )
    steps = registry(score=once_broken, publish=constant({}))
    await Pipeline(declared, steps).run(INPUT, on_event=record)
    seen = [(e.step, e.phase, e.attempt, e.result and e.result.status) for e in events]
    assert seen == [
        ("score", StepPhase.STARTED, 1, None),
        ("score", StepPhase.STARTED, 2, None),
        ("score", StepPhase.FINISHED, 2, StepStatus.SUCCEEDED),
        ("publish", StepPhase.FINISHED, 0, StepStatus.SKIPPED),
    ]
    domain = events[-1].to_domain_event()
    assert domain.type is EventType.PIPELINE_STEP
    assert domain.subject == "doc-1"
    assert domain.payload["step"] == "publish"
    assert domain.payload["pipeline"] == "test"
    assert (domain.payload["pass"], domain.payload["documents"]) == ("doc-1", 1)
    other = events[-1].to_domain_event(document_id="doc-2", documents=3)
    assert (other.subject, other.payload["pass"], other.payload["documents"]) == (
        "doc-2",
        "doc-1",
        3,
    )


async def test_a_failing_event_callback_does_not_fail_the_run() -> None:
    async def broken(event: StepEvent) -> None:
        raise RuntimeError("bus down")

    pipeline = Pipeline(spec({"name": "only"}), registry(only=constant({"x": 1})))
    run = await pipeline.run(INPUT, on_event=broken)
    assert run.steps["only"].status is StepStatus.SUCCEEDED


async def test_uses_names_the_registered_implementation() -> None:
    declared = spec({"name": "first"}, {"name": "second", "uses": "first", "after": ["first"]})
    calls: list[str] = []
    run = await Pipeline(declared, registry(first=constant({"n": 1}, calls))).run(INPUT)
    assert calls == ["first", "second"]
    assert run.status is RunStatus.SUCCEEDED


# Binding


def test_a_step_can_be_registered_once() -> None:
    steps = registry(embed=constant({}))
    with pytest.raises(PipelineDefinitionError, match="'embed' is already registered"):
        steps.register("embed", constant({}))


def test_unregistered_steps_are_an_error_unless_allowed() -> None:
    declared = spec({"name": "embed"}, {"name": "heal", "uses": "healer"})
    with pytest.raises(PipelineDefinitionError, match="no step registered as 'embed', 'healer'"):
        Pipeline(declared, StepRegistry())


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"name": "a", "after": ["b"]}, {"name": "b", "after": ["a"]}], "cycle.*a -> b -> a"),
        ([{"name": "a", "after": ["nowhere"]}], "'a' runs after 'nowhere', which is not a step"),
        ([{"name": "a"}, {"name": "a"}], "step 'a' is declared twice"),
        ([{"name": "a"}, {"name": "b", "when": "a.x > 1"}], "'b': condition reads 'a'"),
    ],
)
def test_binding_checks_a_pipeline_built_in_code(steps: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        Pipeline(spec(*steps), StepRegistry(), allow_missing=True)


# Loading


def test_the_shipped_pipeline_loads_and_binds_with_missing_steps_allowed() -> None:
    declared = load_pipeline(PIPELINES_DIR / "after_ingest.yaml")
    assert [step.name for step in declared.steps] == [
        "embed",
        "detect_contradictions",
        "update_trust",
        "heal",
        "sync_facts",
    ]
    assert declared.steps[-1].after == ["heal"]
    with pytest.raises(PipelineDefinitionError, match="no step registered"):
        Pipeline(declared, StepRegistry())
    Pipeline(declared, StepRegistry(), allow_missing=True)


async def test_the_shipped_pipeline_skips_unregistered_steps() -> None:
    path = PIPELINES_DIR / "after_ingest.yaml"
    run = await Pipeline.from_file(path, StepRegistry(), allow_missing=True).run(INPUT)
    assert run.status is RunStatus.SUCCEEDED
    assert run.steps["embed"].status is StepStatus.SKIPPED
    assert run.steps["embed"].reason == NOT_REGISTERED
    assert run.steps["sync_facts"].reason == NOT_REGISTERED


async def test_an_unregistered_step_does_not_block_the_steps_after_it() -> None:
    registry = StepRegistry()
    ran: list[str] = []

    async def update_trust(context: StepContext) -> StepOutput:
        ran.append(context.step)
        return {"trust": 0.9}

    registry.register("update_trust", update_trust)
    path = PIPELINES_DIR / "after_ingest.yaml"
    run = await Pipeline.from_file(path, registry, allow_missing=True).run(INPUT)
    assert ran == ["update_trust"]  # embed and detect_contradictions are not registered yet
    assert run.steps["update_trust"].status is StepStatus.SUCCEEDED
    assert run.steps["heal"].reason == NOT_REGISTERED


async def test_the_shipped_pipeline_runs_every_step_in_order() -> None:
    calls: list[str] = []
    steps = registry(
        embed=constant({"chunks": 3}, calls),
        detect_contradictions=constant({"conflicts": 1}, calls),
        update_trust=constant({"trust": 0.6}, calls),
        heal=constant({"healed": 1}, calls),
        sync_facts=constant({}, calls),
    )
    run = await Pipeline.from_file(PIPELINES_DIR / "after_ingest.yaml", steps).run(INPUT)
    assert calls == ["embed", "detect_contradictions", "update_trust", "heal", "sync_facts"]
    assert run.status is RunStatus.SUCCEEDED


def test_a_malicious_condition_is_refused_at_load_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "evil",
        """\
        name: evil
        steps:
          - name: embed
          - name: sync
            after: [embed]
            when: "__import__('os').system('x')"
        """,
    )
    [problem] = refused(path)
    assert problem.startswith(f"{path}:6: ")
    assert "steps.1.when" in problem
    assert "unexpected" in problem


def test_a_cycle_is_refused_at_load_naming_the_cycle(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "loop",
        """\
        name: loop
        steps:
          - name: start
          - name: a
            after: [start, c]
          - name: b
            after: [a]
          - name: c
            after: [b]
        """,
    )
    [problem] = refused(path)
    assert problem == (f"{path}:5: steps form a cycle (each runs after the next): a -> c -> b -> a")


def test_structural_problems_are_refused_at_load_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "wrong",
        """\
        name: wrong
        steps:
          - name: embed
          - name: embed
          - name: heal
            after: [embed, trust]
          - name: sync
            when: "heal.done == true"
        """,
    )
    assert refused(path) == [
        f"{path}:4: step 'embed' is declared twice",
        f"{path}:6: step 'heal' runs after 'trust', which is not a step",
    ]
    path.write_text(path.read_text().replace("  - name: embed\n", "", 1).replace(", trust", ""))
    assert refused(path) == [
        f"{path}:7: step 'sync': condition reads 'heal', which it does not run after",
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("name: bad\nsteps:\n  - name: embed\n    after: [unclosed\n", 5, "not valid YAML"),
        ("name: bad\nsteps:\n  - name: embed\n    retry: 2\n", 4, "Extra inputs"),
        ("name: bad\nsteps:\n  - name: embed\n    retries: -1\n", 4, "greater than or equal"),
        ("name: bad\nsteps:\n  - name: Embed\n", 3, "should match pattern"),
        ("name: bad\nsteps:\n  - name: a\n  - name: a\n    name: b\n", 5, "duplicate key"),
        ("name: other\nsteps:\n  - name: a\n", 1, "must match the file name 'bad'"),
        ("name: bad\nsteps: []\n", 2, "at least 1 item"),
    ],
)
def test_a_bad_file_is_refused_with_its_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, "bad", text)
    [problem] = refused(path)
    assert problem.startswith(f"{path}:{line}: ")
    assert message in problem
