"""The one after-ingest pass (`trust/document_pass.py`) on the real graph: it leaves what the
step-by-step pass it replaced left (on the labelled value-conflict corpus), one pass over
several documents (a burst the pass lane coalesced) leaves what their passes one by one leave,
both agree with a recompute of the touched entities, and a pass reads no row set twice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.step_by_step import step_by_step
from governance.audit import AuditLog
from governance.policy import TrustThresholds
from graph.events import EventBus
from graph.graph import Graph
from ingest.after_ingest import AfterIngest
from ingest.service import IngestionService, OutcomeStatus
from tests.corpus.value_corpus import Case, csv_files, load_cases
from tests.integration.conftest import SourceFolder
from tests.integration.test_conflicts import FixedThresholds
from trust.document_pass import DocumentPass, load_documents
from trust.engine import INCREMENTAL_TOLERANCE, scored_by
from trust.healing import Healer
from trust.pass_inputs import read_pass_inputs
from trust.services import TrustServices, TrustTools

pytestmark = pytest.mark.integration

SOURCES = ("registry", "opendata", "wiki", "blog")
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
"""Both passes score at this time, each file's document pinned to the same ingestion time:
the corpus ingested twice scores alike."""
HEALING = TrustThresholds(quarantine_below=0.7, auto_sync_above=0.8, auto_resolve_above=0.6)
"""Thresholds under which the corpus quarantines rows and reconciles conflicts."""
BOTH_THRESHOLDS = pytest.mark.parametrize(
    "thresholds", [None, HEALING], ids=["policies in force", "healing"]
)
ROW_READS = {
    "trust/document_claims",
    "trust/entity_claims",
    "trust/document_entities",
    "trust/source_trust",
    "trust/entity_fact_states",
    "policy/document_rows",
    "policy/document_tables",
    "rows/low_trust",
    "conflicts/open_of_entities",
    "conflicts/open_value_items",
    "conflicts/document_file",
}
"""What the step-by-step pass read of a document's rows, entities, facts and conflicts: the
one pass reads all of it at once (`trust/pass_inputs`)."""


@dataclass
class Corpus:
    """The labelled corpus in four source folders, ingestible again from nothing."""

    cases: list[Case]
    folders: dict[str, SourceFolder]

    @property
    def entities(self) -> list[str]:
        return [f"{case.table}:{case.key}" for case in self.cases]

    async def ingest(
        self, graph: Graph, service: IngestionService, position: int, file: tuple[str, str, str]
    ) -> str:
        """Ingest one file; its document counts as ingested `position` minutes before `NOW`
        (the same on every ingest of it)."""
        source, table, text = file
        folder = self.folders[source]
        outcome = await service.ingest_file(folder.write(f"{table}.csv", text), folder.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
        assert outcome.document_id is not None
        at = NOW - timedelta(minutes=100 - position)
        await graph.write("testing/pin_ingested_at", {"document_id": outcome.document_id, "at": at})
        return outcome.document_id

    async def forget(self, graph: Graph) -> None:
        """Remove everything the corpus and its passes left."""
        await graph.write("testing/delete_conflicts", {"entities": self.entities})
        await graph.write("testing/delete_facts", {"entities": self.entities})
        for folder in self.folders.values():
            await graph.write("testing/delete_source", {"source": folder.id})

    async def state(self, graph: Graph) -> dict[str, Any]:
        """What the passes left, by row, conflict and fact."""
        records = await graph.read("testing/pass_state", {"entities": self.entities})
        state: dict[str, Any] = {}
        for record in records:
            entity = record["entity"]
            for row in record["rows"]:
                state[f"row {entity} {row['id']}"] = row
            for conflict in record["conflicts"]:
                state[f"conflict {entity} {conflict['attribute']}"] = conflict
            for fact in record["facts"]:
                state[f"fact {entity} {fact['attribute']}"] = fact
        return state


@pytest.fixture
async def services(graph: Graph, bus: EventBus, unique: str) -> TrustServices:
    audit = AuditLog(graph, chain=f"test-{unique}")
    return await TrustServices.open(graph, bus, audit, clock=lambda: NOW)


@pytest.fixture
async def corpus(graph: Graph, tmp_path: Path, unique: str) -> AsyncIterator[Corpus]:
    folders = {name: SourceFolder(tmp_path, f"{name}_{unique}") for name in SOURCES}
    made = Corpus(load_cases(suffix=f"-{unique}"), folders)
    yield made
    await made.forget(graph)


def files(corpus: Corpus, tools: TrustTools) -> list[tuple[str, str, str]]:
    """(source, table, text) of each file, in the order they are ingested."""
    return [
        (source, table, text)
        for (source, table), text in csv_files(corpus.cases, tools.tables).items()
    ]


def with_thresholds(
    services: TrustServices, tools: TrustTools, thresholds: TrustThresholds | None
) -> TrustTools:
    """`tools` healing under `thresholds` (None: the policies in force)."""
    if thresholds is None:
        return tools
    policies = FixedThresholds(thresholds)
    governance = services.governance
    healer = Healer(
        governance.graph, governance.bus, governance.audit, policies, tools.engine, tools.detector
    )
    return replace(tools, policies=policies, healer=healer)


async def run_pass(tools: TrustTools, services: TrustServices, *documents: str) -> DocumentPass:
    """The stages of the one pass over `documents`, as the pipeline runs them."""
    state = await load_documents(tools, documents)
    document = DocumentPass(tools, services.governance, state, NOW)
    await document.detect()
    await document.score()
    await document.heal()
    await document.sync()
    return document


def differences(
    left: Mapping[str, Any],
    right: Mapping[str, Any],
    *,
    loose: Collection[str] = (),
    set_aside: Collection[str] = (),
) -> list[str]:
    """What differs between two states: anything but numbers exactly, numbers by more than
    1e-9; the stored trust of the rows of the `loose` entities by more than
    `INCREMENTAL_TOLERANCE`; the trust and violations of the rows `set_aside` not at all."""
    found = [f"only in the first: {key}" for key in left.keys() - right.keys()]
    found += [f"only in the second: {key}" for key in right.keys() - left.keys()]
    for key in left.keys() & right.keys():
        before, after = left[key], right[key]
        aside = {"id", "document", "trust", "score", "confidence"}
        for name in before.keys() - aside - ({"violations"} if key in set_aside else set()):
            one, other = before[name], after[name]
            if sorted(one) != sorted(other) if isinstance(one, list) else one != other:
                found.append(f"{key} {name}: {one!r} != {other!r}")
        trust = INCREMENTAL_TOLERANCE if key.split()[1] in loose else 1e-9
        for name, tolerance in (("trust", trust), ("score", 1e-9), ("confidence", 1e-9)):
            if name == "trust" and key in set_aside:
                continue
            if name in before and not _close(before[name], after[name], tolerance):
                found.append(f"{key} {name}: {before[name]!r} != {after[name]!r}")
    return found


def healed_entities(state: Mapping[str, Any]) -> set[str]:
    """The entities with a quarantined row or a resolved conflict."""
    return {
        key.split()[1]
        for key, value in state.items()
        if value.get("status") in {"quarantined", "resolved"}
    }


def _close(left: float | None, right: float | None, tolerance: float) -> bool:
    if left is None or right is None:
        return left is right
    return abs(left - right) <= tolerance


@BOTH_THRESHOLDS
async def test_the_one_pass_leaves_what_the_step_by_step_pass_left(
    graph: Graph,
    service: IngestionService,
    services: TrustServices,
    corpus: Corpus,
    thresholds: TrustThresholds | None,
) -> None:
    tools = with_thresholds(services, await services.current(), thresholds)
    for position, file in enumerate(files(corpus, tools)):
        document_id = await corpus.ingest(graph, service, position, file)
        await step_by_step(tools, services.governance, document_id)
    after_steps = await corpus.state(graph)
    await corpus.forget(graph)
    for position, file in enumerate(files(corpus, tools)):
        document_id = await corpus.ingest(graph, service, position, file)
        await run_pass(tools, services, document_id)
    after_pass = await corpus.state(graph)
    # the steps stored the scores between healing actions too, and the tolerance made later
    # writes depend on them: the rows of a healed entity may differ by that tolerance
    healed = healed_entities(after_steps) | healed_entities(after_pass)
    assert differences(after_steps, after_pass, loose=healed) == []
    rows = {value["status"] for key, value in after_pass.items() if key.startswith("row ")}
    conflicts = {v["status"] for k, v in after_pass.items() if k.startswith("conflict ")}
    assert "open" in conflicts
    if thresholds is HEALING:  # the corpus takes both healing actions
        assert "quarantined" in rows
        assert "resolved" in conflicts


async def test_the_pass_agrees_with_a_recompute_of_the_entities_it_touched(
    graph: Graph, service: IngestionService, services: TrustServices, corpus: Corpus
) -> None:
    tools = with_thresholds(services, await services.current(), HEALING)
    for position, file in enumerate(files(corpus, tools)):
        document = await run_pass(
            tools, services, await corpus.ingest(graph, service, position, file)
        )
        await assert_a_recompute_agrees(graph, tools, document)


async def assert_a_recompute_agrees(graph: Graph, tools: TrustTools, done: DocumentPass) -> None:
    """A recompute of the entities the pass touched scores their rows as the pass did and
    finds nothing to write: no score, no fact."""
    engine = tools.engine
    final = done.final
    assert final is not None
    inputs = await read_pass_inputs(
        graph, scored_by(engine.model), entities=done.state.read.entities
    )
    rows = inputs.rows
    recomputed = engine.settle(rows, inputs.source_trust, inputs.facts, set(), engine.model, NOW)
    by_id = dict(zip([r.id for r in final.rows], final.scores.trust.tolist(), strict=True))
    again = dict(zip([r.id for r in rows], recomputed.scores.trust.tolist(), strict=True))
    assert by_id.keys() == again.keys()
    assert max(abs(by_id[row] - again[row]) for row in by_id) <= 1e-9
    assert recomputed.changed == []  # what the pass stored is what a recompute finds
    assert recomputed.facts is not None
    assert recomputed.facts.written == recomputed.facts.confidences == []
    assert recomputed.facts.retracted == []


@BOTH_THRESHOLDS
async def test_one_pass_over_a_burst_leaves_what_their_passes_one_by_one_leave(
    graph: Graph,
    service: IngestionService,
    services: TrustServices,
    corpus: Corpus,
    thresholds: TrustThresholds | None,
) -> None:
    """The files all ingested before any pass runs, as in a burst: their passes one after
    the other in file order, then (the corpus ingested again) one pass over all of them."""
    tools = with_thresholds(services, await services.current(), thresholds)
    burst = files(corpus, tools)
    documents = [await corpus.ingest(graph, service, n, file) for n, file in enumerate(burst)]
    for document_id in documents:
        await run_pass(tools, services, document_id)
    one_by_one = await corpus.state(graph)
    await corpus.forget(graph)
    documents = [await corpus.ingest(graph, service, n, file) for n, file in enumerate(burst)]
    together = await run_pass(tools, services, *documents)
    assert len(together.state.documents) == len(burst) > 1
    after = await corpus.state(graph)
    counted_late = quarantined_before_their_violations_counted(one_by_one, after)
    assert differences(one_by_one, after, set_aside=counted_late) == []
    rows = {v["status"] for k, v in one_by_one.items() if k.startswith("row ")}
    conflicts = {v["status"] for k, v in one_by_one.items() if k.startswith("conflict ")}
    assert "open" in conflicts
    assert "active" in {v["status"] for k, v in one_by_one.items() if k.startswith("fact ")}
    if thresholds is HEALING:  # the corpus takes both healing actions
        assert "quarantined" in rows
        assert "resolved" in conflicts
    else:
        assert counted_late == set()


def quarantined_before_their_violations_counted(
    one_by_one: Mapping[str, Any], together: Mapping[str, Any]
) -> set[str]:
    """The rows one pass over all leaves better off, and why: one by one, the pass of an
    earlier document of the burst quarantined them before their own document's pass checked
    their policies, and that check reads only active rows, so their violations were never
    recorded and the trust they were quarantined with left them out. One pass over all checks
    every document's rows before it scores: it records their violations and quarantines them
    with the lower trust those give."""
    return {
        key
        for key, row in one_by_one.items()
        if key.startswith("row ")
        and row["status"] == together.get(key, {}).get("status") == "quarantined"
        and row["violations"] == 0 < together[key]["violations"]
        and together[key]["trust"] < row["trust"]
    }


async def test_one_pass_over_a_burst_agrees_with_a_recompute_of_the_entities_it_touched(
    graph: Graph, service: IngestionService, services: TrustServices, corpus: Corpus
) -> None:
    tools = with_thresholds(services, await services.current(), HEALING)
    burst = files(corpus, tools)
    documents = [await corpus.ingest(graph, service, n, file) for n, file in enumerate(burst)]
    together = await run_pass(tools, services, *documents)
    assert sorted(together.state.read.entities) == sorted(corpus.entities)
    await assert_a_recompute_agrees(graph, tools, together)


async def test_a_pass_reads_no_row_set_twice(
    graph: Graph, service: IngestionService, services: TrustServices, corpus: Corpus
) -> None:
    after_ingest = AfterIngest.declared(services)
    for position, file in enumerate(files(corpus, await services.current())):
        source, table, text = file
        folder = corpus.folders[source]
        outcome = await service.ingest_file(folder.write(f"{table}.csv", text), folder.root)
        graph.reads.clear()
        run = await after_ingest.run(outcome)
        assert run is not None
        assert run.status.value == "succeeded", (position, run)
        assert {name: n for name, n in graph.reads.items() if n > 1} == {}
        assert graph.reads["trust/pass_inputs"] == 1
        assert ROW_READS.isdisjoint(graph.reads)
