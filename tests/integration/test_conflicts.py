"""Value conflicts and self-healing on the real graph: detection over the labelled corpus,
the guards, each healing action with its reversal, and the audit record of each."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.conflicts import conflicts_app
from governance.audit import AuditLog
from governance.policy import PolicySet, TrustThresholds, load_policies
from graph.errors import AmbiguousIdError
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.settings import PROJECT_ROOT
from ingest.service import IngestionService, OutcomeStatus
from tests.corpus.value_corpus import Case, csv_files, load_cases, score
from tests.integration.conftest import SourceFolder
from tests.integration.hearing import hearing
from trust.detector import ConflictDetector
from trust.engine import TrustEngine
from trust.healing import ConflictStateError, Healer, UnknownChoiceError
from trust.signals import Signal

pytestmark = pytest.mark.integration

SOURCES = ("registry", "opendata", "wiki", "blog")


class FixedThresholds(PolicySet):
    """The project's policies with one threshold set for every table (tests pin them)."""

    def __init__(self, thresholds: TrustThresholds) -> None:
        super().__init__(load_policies(PROJECT_ROOT / "policies").policies.values())
        self.fixed = thresholds

    def thresholds(self, table: str) -> TrustThresholds:
        return self.fixed


class Corpus:
    """The labelled corpus ingested from four source folders."""

    def __init__(self, cases: list[Case], folders: dict[str, SourceFolder]) -> None:
        self.cases = cases
        self.folders = folders
        self.rows: dict[tuple[str, str], str] = {}

    @property
    def entities(self) -> list[str]:
        return [f"{case.table}:{case.key}" for case in self.cases]

    def conflict_id(self, key: str, attribute: str) -> str:
        [case] = [c for c in self.cases if c.key.startswith(key + "-")]
        return f"conflict:value:{case.table}:{case.key}:{attribute}"

    def row_id(self, source: str, key: str) -> str:
        [case] = [c for c in self.cases if c.key.startswith(key + "-")]
        return self.rows[(source, case.key)]

    async def read_rows(self, graph: Graph) -> None:
        """Learn the id of every row (ids are digests of where they came from)."""
        names = {folder.id: name for name, folder in self.folders.items()}
        records = await graph.read("testing/entity_rows", {"entities": self.entities})
        for record in records:
            key = record["entity"].split(":", 1)[1]
            self.rows[(names[record["source"]], key)] = record["id"]


@pytest.fixture
async def engine(graph: Graph, bus: EventBus) -> TrustEngine:
    return await TrustEngine.create(graph, bus)


@pytest.fixture
def audit(graph: Graph, unique: str) -> AuditLog:
    return AuditLog(graph, chain=f"test-{unique}")


@pytest.fixture
def detector(graph: Graph, bus: EventBus, audit: AuditLog, engine: TrustEngine) -> ConflictDetector:
    return ConflictDetector(graph, bus, audit, engine.tables)


def healer_with(
    graph: Graph,
    bus: EventBus,
    audit: AuditLog,
    engine: TrustEngine,
    detector: ConflictDetector,
    *,
    quarantine_below: float = 0.0,
    auto_resolve_above: float = 1.01,
) -> Healer:
    thresholds = TrustThresholds(quarantine_below, 0.8, auto_resolve_above)
    return Healer(graph, bus, audit, FixedThresholds(thresholds), engine, detector)


@pytest.fixture
def healer(
    graph: Graph, bus: EventBus, audit: AuditLog, engine: TrustEngine, detector: ConflictDetector
) -> Healer:
    return healer_with(graph, bus, audit, engine, detector)


@pytest.fixture
async def corpus(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    tmp_path: Path,
    unique: str,
) -> AsyncIterator[Corpus]:
    cases = load_cases(suffix=f"-{unique}")
    folders = {name: SourceFolder(tmp_path, f"{name}_{unique}") for name in SOURCES}
    loaded = Corpus(cases, folders)
    for (source, table), text in csv_files(cases, engine.tables).items():
        folder = folders[source]
        outcome = await service.ingest_file(folder.write(f"{table}.csv", text), folder.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
    await loaded.read_rows(graph)
    yield loaded
    await graph.write("testing/delete_conflicts", {"entities": loaded.entities})
    for folder in folders.values():
        await graph.write("testing/delete_source", {"source": folder.id})


async def conflict(graph: Graph, conflict_id: str) -> dict[str, Any]:
    [record] = await graph.read("conflicts/get", {"id": conflict_id})
    return {**record["conflict"], "rows": record["rows"]}


async def test_detection_finds_every_labelled_conflict_and_nothing_else(
    graph: Graph, detector: ConflictDetector, corpus: Corpus, engine: TrustEngine
) -> None:
    report = await detector.scan_entities(corpus.entities)
    found = await detector.findings(corpus.entities)
    scores = score(corpus.cases, engine.tables, found, [])
    assert scores.misses == []
    assert (scores.precision, scores.recall) == (1.0, 1.0)
    assert report.conflicts == report.new == len(found)
    lyon = await conflict(graph, corpus.conflict_id("lyon-fr", "population"))
    assert lyon["status"] == "open"
    assert len(lyon["rows"]) == 4  # every row takes part, the near-miss included
    suggestion = json.loads(lyon["suggestion"])
    assert suggestion["value"] == 522250
    assert suggestion["would_reject"] == [corpus.row_id("blog", "lyon-fr")]
    edges = await graph.read("testing/contradicts_edges", {"conflict": lyon["id"]})
    assert [(e["loser"], e["attribute"], e["kind"]) for e in edges] == [
        (corpus.row_id("blog", "lyon-fr"), "population", "value")
    ]


async def test_a_second_scan_changes_nothing(detector: ConflictDetector, corpus: Corpus) -> None:
    first = await detector.scan_entities(corpus.entities)
    second = await detector.scan_entities(corpus.entities)
    assert second.conflicts == first.conflicts
    assert (second.new, second.reopened, second.closed) == (0, 0, 0)


async def test_detection_publishes_and_audits_new_conflicts(
    bus: EventBus, audit: AuditLog, detector: ConflictDetector, corpus: Corpus
) -> None:
    subject = corpus.cases[0].key + ":population"

    def about_it(events: list[DomainEvent]) -> list[DomainEvent]:
        return [event for event in events if event.subject.endswith(subject)]

    async with hearing(bus, [EventType.CONFLICT_DETECTED]) as heard:
        report = await detector.scan_entities(corpus.entities)
        await heard.until(lambda events: bool(about_it(events)))
    assert about_it(heard.events)[0].payload["attribute"] == "population"
    events = await audit.events()
    assert [e.action for e in events] == ["conflict.detect"] * report.new
    assert {e.actor for e in events} == {"system:detector"}


async def test_reconcile_rejects_the_losing_value_and_reopen_restores_it(
    graph: Graph,
    detector: ConflictDetector,
    healer: Healer,
    audit: AuditLog,
    corpus: Corpus,
    unique: str,
) -> None:
    await detector.scan_entities(corpus.entities)
    conflict_id = corpus.conflict_id("lyon-fr", "population")
    await healer.reconcile(conflict_id, actor="user:ada", note="register wins")
    resolved = await conflict(graph, conflict_id)
    assert resolved["status"] == "resolved"
    assert resolved["resolved_by"] == "user:ada"
    blog = next(r for r in resolved["rows"] if r["id"] == corpus.row_id("blog", "lyon-fr"))
    assert blog["rejected"] == ["population"]
    assert blog["status"] == "active"  # nothing deleted, the row's other values still count
    fact_id = f"fact:cities:lyon-fr-{unique}:population"
    [record] = await graph.read("testing/fact", {"id": fact_id})
    assert record["fact"]["contradicting_sources"] == 0
    again = await detector.scan_entities(corpus.entities)
    assert again.reopened == 0
    assert again.closed == 0
    assert (await conflict(graph, conflict_id))["status"] == "resolved"

    restored = await healer.reopen(conflict_id, actor="user:ada")
    assert restored == [corpus.row_id("blog", "lyon-fr")]
    reopened = await conflict(graph, conflict_id)
    assert reopened["status"] == "open"
    assert all(row["rejected"] == [] for row in reopened["rows"])
    [record] = await graph.read("testing/fact", {"id": fact_id})
    assert record["fact"]["contradicting_sources"] == 1
    actions = [e.action for e in await audit.events() if e.target == conflict_id]
    assert actions == ["conflict.detect", "conflict.reconcile", "conflict.reopen"]


async def test_a_reviewer_can_choose_another_row(
    graph: Graph, detector: ConflictDetector, healer: Healer, corpus: Corpus
) -> None:
    await detector.scan_entities(corpus.entities)
    conflict_id = corpus.conflict_id("aarhus-dk", "population")
    register = corpus.row_id("registry", "aarhus-dk")
    await healer.reconcile(conflict_id, actor="user:ada", choose_row=register)
    resolved = await conflict(graph, conflict_id)
    rejected = sorted(r["id"] for r in resolved["rows"] if r["rejected"])
    assert rejected == sorted(corpus.row_id(s, "aarhus-dk") for s in ("wiki", "blog"))
    assert json.loads(resolved["resolution"])["value"] == 367095


async def test_resolving_refuses_bad_choices_and_closed_conflicts(
    detector: ConflictDetector, healer: Healer, corpus: Corpus
) -> None:
    await detector.scan_entities(corpus.entities)
    conflict_id = corpus.conflict_id("graz-at", "population")
    with pytest.raises(UnknownChoiceError):
        await healer.reconcile(conflict_id, actor="user:ada", choose_row="row:nowhere")
    await healer.dismiss(conflict_id, actor="user:ada", note="census years differ")
    with pytest.raises(ConflictStateError):
        await healer.reconcile(conflict_id, actor="user:ada")
    with pytest.raises(ConflictStateError):
        await healer.dismiss(conflict_id, actor="user:ada")
    with pytest.raises(ConflictStateError):
        await healer.reopen("conflict:value:nothing:here:at-all", actor="user:ada")


async def test_auto_reconcile_decides_only_above_the_policy_threshold(
    graph: Graph,
    bus: EventBus,
    audit: AuditLog,
    engine: TrustEngine,
    detector: ConflictDetector,
    corpus: Corpus,
) -> None:
    await detector.scan_entities(corpus.entities)
    healer = healer_with(graph, bus, audit, engine, detector, auto_resolve_above=0.95)
    reconciled, left = await healer.auto_reconcile(corpus.entities)
    # with no learned source trust every source counts the same: a one-against-one split
    # (bergen) has no majority and waits for a person; two or more against one is decided
    assert corpus.conflict_id("bergen-no", "area_km2") in left
    assert corpus.conflict_id("lyon-fr", "population") in reconciled
    statuses = {cid: (await conflict(graph, cid))["status"] for cid in reconciled + left}
    assert {statuses[c] for c in reconciled} == {"resolved"}
    assert {statuses[c] for c in left} == {"open"}
    decided = [e for e in await audit.events() if e.action == "conflict.reconcile"]
    assert sorted(e.target for e in decided) == sorted(reconciled)
    assert {e.actor for e in decided} == {"system:healer"}


async def test_changed_rows_reopen_a_decided_conflict_and_agreement_closes_it(
    graph: Graph,
    service: IngestionService,
    detector: ConflictDetector,
    healer: Healer,
    engine: TrustEngine,
    corpus: Corpus,
) -> None:
    await detector.scan_entities(corpus.entities)
    conflict_id = corpus.conflict_id("lyon-fr", "population")
    await healer.reconcile(conflict_id, actor="user:ada")
    folder = corpus.folders["blog"]
    blog_cities = [c for c in corpus.cases if c.table == "cities" and "blog" in c.rows]
    # the blog publishes a third population for Lyon: the decision no longer covers it
    third = [
        Case(**{**vars(c), "rows": {"blog": {**c.rows["blog"], "population": 600000}}})
        if c.key.startswith("lyon-fr")
        else c
        for c in blog_cities
    ]
    text = csv_files(third, engine.tables)[("blog", "cities")]
    await service.ingest_file(folder.write("cities.csv", text), folder.root)
    report = await detector.scan_entities(corpus.entities)
    assert report.reopened == 1
    assert (await conflict(graph, conflict_id))["status"] == "open"
    # then it corrects itself: every source agrees, the conflict closes by itself
    fixed = [
        Case(**{**vars(c), "rows": {"blog": c.truth}}) if c.key.startswith("lyon-fr") else c
        for c in blog_cities
    ]
    text = csv_files(fixed, engine.tables)[("blog", "cities")]
    await service.ingest_file(folder.write("cities.csv", text), folder.root)
    report = await detector.scan_entities(corpus.entities)
    assert report.closed >= 1
    closed = await conflict(graph, conflict_id)
    assert closed["status"] == "resolved"
    assert closed["resolved_by"] == "system:detector"


async def test_quarantine_hides_a_row_from_resolution_and_release_restores_it(
    graph: Graph,
    detector: ConflictDetector,
    healer: Healer,
    engine: TrustEngine,
    audit: AuditLog,
    bus: EventBus,
    corpus: Corpus,
    unique: str,
) -> None:
    await detector.scan_entities(corpus.entities)
    row = corpus.row_id("blog", "graz-at")
    async with hearing(bus, [EventType.ROW_QUARANTINED]) as heard:
        assert await healer.quarantine({row: "stale census"}, actor="user:ada") == [row]
        await heard.until(lambda _: bool(heard.about([row])))
    assert await healer.quarantine({row: "again"}, actor="user:ada") == []  # already
    graz = await conflict(graph, corpus.conflict_id("graz-at", "population"))
    assert next(r for r in graz["rows"] if r["id"] == row)["status"] == "quarantined"
    [record] = await graph.read("testing/fact", {"id": f"fact:cities:graz-at-{unique}:population"})
    assert record["fact"]["contradicting_sources"] == 0  # it counts for nothing
    report = await detector.scan_entities(corpus.entities)
    assert report.closed == 1  # without the stale row nobody disagrees

    assert await healer.release([row], actor="user:ada") == [row]
    [record] = await graph.read("testing/fact", {"id": f"fact:cities:graz-at-{unique}:population"})
    assert record["fact"]["contradicting_sources"] == 1
    actions = [(e.action, e.actor) for e in await audit.events() if e.target == row]
    assert actions == [("row.quarantine", "user:ada"), ("row.release", "user:ada")]


async def test_low_trust_rows_are_quarantined_unless_a_person_released_them(
    graph: Graph,
    bus: EventBus,
    audit: AuditLog,
    engine: TrustEngine,
    detector: ConflictDetector,
    corpus: Corpus,
) -> None:
    await engine.update_entities(corpus.entities)
    [leeds] = [c for c in corpus.cases if c.key.startswith("leeds-gb")]
    rows = await graph.read("testing/entity_rows", {"entities": [f"cities:{leeds.key}"]})
    trust = {r["id"]: r["trust"] for r in rows}
    blog = corpus.row_id("blog", "leeds-gb")
    assert trust[blog] < min(t for r, t in trust.items() if r != blog)
    threshold = (trust[blog] + min(t for r, t in trust.items() if r != blog)) / 2
    healer = healer_with(graph, bus, audit, engine, detector, quarantine_below=threshold)
    quarantined = await healer.quarantine_low_trust([f"cities:{leeds.key}"])
    assert quarantined == [blog]
    await healer.release([blog], actor="user:ada")
    assert await healer.quarantine_low_trust([f"cities:{leeds.key}"]) == []


async def test_two_active_versions_of_one_file_are_a_version_conflict(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    detector: ConflictDetector,
    audit: AuditLog,
    corpus: Corpus,
) -> None:
    folder = corpus.folders["wiki"]
    wiki_cities = [c for c in corpus.cases if c.table == "cities" and "wiki" in c.rows]
    text = csv_files(wiki_cities[1:], engine.tables)[("wiki", "cities")]
    await service.ingest_file(folder.write("cities.csv", text), folder.root)  # version 2
    path = f"{folder.name}/cities.csv"  # relative to the watched root
    file = {"source": folder.id, "path": path}
    await graph.write("testing/set_document_status", {**file, "version": 1, "status": "active"})
    report = await detector.scan_versions()
    conflict_id = f"conflict:version:document:{folder.id}:{path}"
    assert report.new >= 1
    found = await conflict(graph, conflict_id)
    assert (found["kind"], found["status"]) == ("version", "open")
    assert json.loads(found["suggestion"])["value"] == 2
    assert (await detector.scan_versions(folder.id, path)).new == 0  # still the same
    await graph.write("testing/set_document_status", {**file, "version": 1, "status": "superseded"})
    assert (await detector.scan_versions(folder.id, path)).closed == 1
    assert (await conflict(graph, conflict_id))["status"] == "resolved"
    actions = [e.action for e in await audit.events() if e.target == conflict_id]
    assert actions == ["conflict.detect", "conflict.close"]


async def test_two_active_versions_of_one_table_are_a_version_conflict(
    graph: Graph, detector: ConflictDetector, unique: str
) -> None:
    table = f"t_{unique}"
    await graph.write("testing/two_active_schema_versions", {"table": table})
    try:
        await detector.scan_versions()
        found = await conflict(graph, f"conflict:version:schema:{table}")
        assert (found["kind"], found["status"], found["table"]) == ("version", "open", table)
    finally:
        await graph.write("testing/delete_tables", {"names": [table]})
        await graph.write("testing/delete_conflicts", {"entities": [table]})


def test_the_command_line_lists_shows_resolves_and_reopens(corpus: Corpus) -> None:
    runner = CliRunner()  # not a terminal: whole ids, never cut
    scanned = runner.invoke(conflicts_app, ["scan"])
    assert scanned.exit_code == 0, scanned.output
    assert "conflict(s)" in scanned.output
    assert "policies:" in scanned.output
    conflict_id = corpus.conflict_id("leeds-gb", "mayor")
    shown = runner.invoke(conflicts_app, ["show", conflict_id[:-2]])  # a unique prefix
    assert shown.exit_code == 0, shown.output
    assert "Tracy Brabin" in shown.output
    assert "Judith Blake" in shown.output
    listed = runner.invoke(conflicts_app, ["list", "--table", "cities", "--limit", "10000"])
    assert conflict_id in listed.output
    resolved = runner.invoke(conflicts_app, ["resolve", conflict_id, "--as", "ada"])
    assert resolved.exit_code == 0, resolved.output
    assert '"Tracy Brabin"' in resolved.output
    closed = runner.invoke(conflicts_app, ["show", conflict_id])
    assert 'resolution: kept "Tracy Brabin" (the suggestion; Grace gave it 0.' in closed.output
    assert "ada" in closed.output.split("resolution:")[1]  # who decided
    assert "{'" not in closed.output  # words, not a raw mapping
    again = runner.invoke(conflicts_app, ["resolve", conflict_id, "--as", "ada"])
    assert again.exit_code != 0  # no longer open: a clear error, nothing changed
    ambiguous = runner.invoke(conflicts_app, ["show", "conflict:"])
    assert ambiguous.exit_code != 0
    assert isinstance(ambiguous.exception, AmbiguousIdError)
    reopened = runner.invoke(conflicts_app, ["reopen", conflict_id, "--as", "ada"])
    assert reopened.exit_code == 0, reopened.output
    assert "1 row value(s) restored" in reopened.output


async def test_a_policy_violation_lowers_the_rows_governance_signal(
    graph: Graph, engine: TrustEngine, corpus: Corpus
) -> None:
    registry = corpus.row_id("registry", "tartu-ee")
    wiki = corpus.row_id("wiki", "tartu-ee")
    await graph.write("testing/violates", {"row": wiki, "policy": "compliance", "rule": "test"})
    [case] = [c for c in corpus.cases if c.key.startswith("tartu-ee")]
    await engine.update_entities([f"cities:{case.key}"])
    scores = {r["id"]: r for r in await graph.read("testing/row_scores", {"ids": [registry, wiki]})}
    governance = list(Signal).index(Signal.GOVERNANCE)
    assert scores[registry]["signals"][governance] == pytest.approx(0.5)
    assert scores[wiki]["signals"][governance] == pytest.approx(0.25)  # halved per violation
    assert scores[wiki]["trust"] < scores[registry]["trust"]
