"""The trust engine on the real graph: resolution into facts, tolerance, lists, decay,
explanations, incremental updates."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from api.gql.trust_views import SourceTrustRecord, source_explanation
from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder
from trust.calibration import stored as stored_calibration
from trust.claims import RowRecord, build_claims
from trust.detector import ConflictDetector
from trust.engine import INCREMENTAL_TOLERANCE, TRUST_EPSILON, TrustEngine, stored_dependence
from trust.pass_inputs import calibration_records
from trust.rows import ScoredBy, read_document_rows, read_source_trust
from trust.scoring import RowScores, score_rows, stored_parts
from trust.signals import Signal
from trust.truth import INITIAL_TRUST, resolve

pytestmark = pytest.mark.integration

HEADER = "city_id,name,population,updated_at\n"


@pytest.fixture
async def sources(
    graph: Graph, tmp_path: Path, unique: str
) -> AsyncIterator[dict[str, SourceFolder]]:
    folders = {name: SourceFolder(tmp_path, f"{name}_{unique}") for name in "abcde"}
    yield folders
    for folder in folders.values():
        await graph.write("testing/delete_source", {"source": folder.id})


@pytest.fixture
async def engine(graph: Graph, bus: EventBus) -> TrustEngine:
    return await TrustEngine.create(graph, bus)


def cities(unique: str, rows: list[tuple[str, int, str]]) -> str:
    return HEADER + "".join(f"{key}-{unique},{key},{pop},{at}\n" for key, pop, at in rows)


async def ingest(service: IngestionService, folder: SourceFolder, text: str) -> str:
    outcome = await service.ingest_file(folder.write("cities.csv", text), folder.root)
    assert outcome.status is OutcomeStatus.INGESTED, outcome
    assert outcome.document_id is not None
    return outcome.document_id


async def fact(graph: Graph, unique: str, key: str, attribute: str) -> dict[str, Any]:
    [record] = await graph.read("testing/fact", {"id": f"fact:cities:{key}-{unique}:{attribute}"})
    return {**record["fact"], "sources": sorted(record["sources"]), "rows": record["rows"]}


async def incremental_scores(
    graph: Graph, engine: TrustEngine, document: str
) -> tuple[list[RowRecord], RowScores]:
    """What an incremental pass after `document` computes: the rows of its entities (as
    stored now) resolved with the stored source trust, and their scores."""
    _, records = await read_document_rows(graph, document, ScoredBy("propagated"))
    prior = await read_source_trust(graph)
    index = build_claims(records, engine.tables)
    result = resolve(index.claims, np.array([prior.get(s, INITIAL_TRUST) for s in index.sources]))
    return records, score_rows(records, index, result, engine.tables, now=datetime.now(UTC))


async def test_agreeing_sources_win_and_earn_trust(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    truth = [(f"t{i}", 10_000 + i * 100, now) for i in range(8)]
    await ingest(service, sources["a"], cities(unique, truth))
    await ingest(service, sources["b"], cities(unique, truth))
    # c gets half of the populations wrong, far beyond the 1 % tolerance
    wrong = [(k, p * 2 if i % 2 else p, at) for i, (k, p, at) in enumerate(truth)]
    await ingest(service, sources["c"], cities(unique, wrong))
    # d is off by 0.5 %: within tolerance, it supports the truth
    close = [(k, round(p * 1.005), at) for k, p, at in truth]
    await ingest(service, sources["d"], cities(unique, close))
    report = await engine.recompute()
    assert report.converged
    resolved = await fact(graph, unique, "t1", "population")
    assert json.loads(resolved["value"]) == 10_100
    assert resolved["supporting_sources"] == 3
    assert resolved["contradicting_sources"] == 1
    assert resolved["sources"] == sorted(sources[n].id for n in ("a", "b", "d"))
    assert resolved["confidence"] > 0.9
    trust = {
        r["id"]: r["trust"]
        for r in await graph.read(
            "testing/source_trust", {"sources": [f.id for f in sources.values()]}
        )
    }
    assert trust[sources["c"].id] < trust[sources["a"].id]
    assert trust[sources["d"].id] > trust[sources["c"].id]
    rows_c = {
        r["key"]: r for r in await graph.read("testing/row_trust", {"source": sources["c"].id})
    }
    rows_a = {
        r["key"]: r for r in await graph.read("testing/row_trust", {"source": sources["a"].id})
    }
    assert rows_c[f"t1-{unique}"]["trust"] < rows_a[f"t1-{unique}"]["trust"]


async def test_a_fact_follows_its_winning_rows_when_the_winner_changes(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    await ingest(service, sources["a"], cities(unique, [("w", 100, now)]))
    await ingest(service, sources["b"], cities(unique, [("w", 100, now)]))
    await engine.recompute()
    before = await fact(graph, unique, "w", "population")
    assert before["sources"] == sorted(sources[n].id for n in "ab")
    # b changes its mind and two more sources side with it: the fact moves to 500, its
    # edge to b's old row (retracted) and to a's row (now contradicting) both go
    await ingest(service, sources["b"], cities(unique, [("w", 500, now)]))
    await ingest(service, sources["c"], cities(unique, [("w", 500, now)]))
    await ingest(service, sources["d"], cities(unique, [("w", 500, now)]))
    await engine.recompute()
    after = await fact(graph, unique, "w", "population")
    assert json.loads(after["value"]) == 500
    assert after["sources"] == sorted(sources[n].id for n in "bcd")
    assert after["rows"] == 3  # b's retracted row is gone too, not only a's


async def test_a_fact_lists_its_winning_rows_and_has_one_edge_about_its_entity(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    documents = {}
    for name, population in (("a", 100), ("b", 100)):
        rows = cities(unique, [("w", population, now)])
        documents[name] = await ingest(service, sources[name], rows)
    await engine.recompute()
    fact_id, entity = f"fact:cities:w-{unique}:population", f"cities:w-{unique}"
    [first] = await graph.read("testing/fact_shapes", {"ids": [fact_id]})
    assert first["rows"] == sorted(await document_row_ids(graph, documents, "ab"))
    assert (first["about"], first["edges"]) == ([entity], 1)
    # the winner moves to three other rows: the fact is rewritten, its edge is not doubled
    for name in "bcd":
        documents[name] = await ingest(service, sources[name], cities(unique, [("w", 500, now)]))
    await engine.recompute()
    [moved] = await graph.read("testing/fact_shapes", {"ids": [fact_id]})
    assert moved["rows"] == sorted(await document_row_ids(graph, documents, "bcd"))
    assert (moved["about"], moved["edges"]) == ([entity], 1)


async def document_row_ids(graph: Graph, documents: dict[str, str], names: str) -> list[str]:
    """The ids of the rows of the documents of some sources."""
    found = []
    for name in names:
        found += [
            r["id"]
            for r in await graph.read("testing/document_rows", {"document_id": documents[name]})
        ]
    return found


async def test_a_fact_whose_rows_all_left_is_retracted_by_the_full_pass(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    for name in "ab":
        await ingest(service, sources[name], cities(unique, [("kept", 7, now), ("gone", 9, now)]))
    await engine.recompute()
    assert (await fact(graph, unique, "gone", "population"))["status"] == "active"
    for name in "ab":  # new versions without the row: it is retracted, the fact has no rows
        await ingest(service, sources[name], cities(unique, [("kept", 7, now)]))
    await engine.recompute()
    assert (await fact(graph, unique, "gone", "population"))["status"] == "retracted"
    assert (await fact(graph, unique, "kept", "population"))["status"] == "active"


async def test_explanations_add_up_and_old_values_decay(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    await ingest(
        service,
        sources["a"],
        cities(
            unique,
            [("fresh", 1000, "2026-11-20T00:00:00Z"), ("stale", 1000, "2016-11-20T00:00:00Z")],
        ),
    )
    await engine.recompute()
    rows = {r["key"]: r for r in await graph.read("testing/row_trust", {"source": sources["a"].id})}
    parts = {key: stored_parts(row["signals"], row["propagated"]) for key, row in rows.items()}
    for key, row in rows.items():
        assert math.fsum(parts[key].values()) == pytest.approx(row["trust"], abs=1e-12)
    fresh, stale = rows[f"fresh-{unique}"], rows[f"stale-{unique}"]
    assert parts[f"stale-{unique}"]["freshness"] < parts[f"fresh-{unique}"]["freshness"]
    assert stale["trust"] < fresh["trust"]


async def test_an_incremental_update_matches_the_full_recompute_on_its_part(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    rows = [(f"i{i}", 5_000 + i, now) for i in range(4)]
    await ingest(service, sources["a"], cities(unique, rows))
    document = await ingest(
        service, sources["b"], cities(unique, [(k, p * 3, at) for k, p, at in rows])
    )
    await engine.recompute()
    full = await graph.read("testing/row_trust", {"source": sources["b"].id})
    full_fact = await fact(graph, unique, "i1", "population")
    report = await engine.update_document(document)
    assert report.rows == 8  # the rows of both sources about the document's entities
    # what the pass computed (it writes only moves of INCREMENTAL_TOLERANCE), equal to the
    # full pass up to the convergence tolerance of the full pass (1e-6)
    records, computed = await incremental_scores(graph, engine, document)
    computed_b = {
        r.key: float(trust)
        for r, trust in zip(records, computed.trust, strict=True)
        if r.source == sources["b"].id
    }
    assert sorted(computed_b) == [r["key"] for r in full]
    for old in full:
        assert computed_b[old["key"]] == pytest.approx(old["trust"], abs=1e-5)
    again = await fact(graph, unique, "i1", "population")
    assert again["value"] == full_fact["value"]
    assert again["confidence"] == pytest.approx(full_fact["confidence"], abs=1e-5)


async def test_an_incremental_update_leaves_only_moves_below_its_tolerance_unwritten(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    rows = [(f"k{i}", 7_000 + i, now) for i in range(6)]
    await ingest(service, sources["a"], cities(unique, rows))
    await ingest(service, sources["b"], cities(unique, [*rows[:3], ("k3", 1, now)]))
    await engine.recompute()
    document = await ingest(service, sources["c"], cities(unique, rows[1:5]))
    report = await engine.update_document(document)
    assert 0 < report.rows_written < report.rows
    records, computed = await incremental_scores(graph, engine, document)
    stored = [r.trust for r in records]
    assert None not in stored
    moves = np.abs(computed.trust - np.array(stored, dtype=np.float64))
    assert moves.max() < INCREMENTAL_TOLERANCE
    assert moves.max() >= TRUST_EPSILON  # some moves were left for the full pass


async def test_rows_scored_without_stored_features_are_scored_again(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    await ingest(service, sources["a"], cities(unique, [("f1", 100, now), ("f2", 200, now)]))
    await engine.recompute()
    await graph.write("testing/drop_row_features", {"source": sources["a"].id})
    report = await engine.recompute()
    assert report.rows_written >= 2  # their trust did not move; their features were missing
    for row in await graph.read("testing/row_trust", {"source": sources["a"].id}):
        assert len(row["signals"]) == len(Signal)
        assert row["propagated"] is not None


async def test_an_incremental_update_touches_only_the_affected_rows(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    await ingest(service, sources["a"], cities(unique, [("x1", 100, now), ("x2", 200, now)]))
    await engine.recompute()
    before = {
        r["key"]: r["trust"]
        for r in await graph.read("testing/row_trust", {"source": sources["a"].id})
    }
    document = await ingest(service, sources["b"], cities(unique, [("x1", 150, now)]))
    report = await engine.update_document(document)
    assert report.rows == 2  # the two rows about x1; x2's row is not even read
    after = {
        r["key"]: r["trust"]
        for r in await graph.read("testing/row_trust", {"source": sources["a"].id})
    }
    assert after[f"x2-{unique}"] == before[f"x2-{unique}"]
    assert after[f"x1-{unique}"] != before[f"x1-{unique}"]  # b disagrees on x1 population


async def conflict_and_fact(graph: Graph, unique: str, key: str) -> tuple[float, float]:
    """The suggestion confidence of a stored value conflict about population, and the
    confidence of the fact of the same item."""
    conflict_id = f"conflict:value:cities:{key}-{unique}:population"
    [record] = await graph.read("conflicts/get", {"id": conflict_id})
    suggested = json.loads(record["conflict"]["suggestion"])
    assert record["conflict"]["score"] == suggested["confidence"]
    stored = await fact(graph, unique, key, "population")
    return float(suggested["confidence"]), float(stored["confidence"])


async def test_conflicts_facts_and_source_explanations_agree_after_every_pass(
    graph: Graph,
    bus: EventBus,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    rows = [(f"k{i}", 7_000 + i, now) for i in range(3)]
    detector = ConflictDetector(graph, bus, AuditLog(graph), engine.tables)
    documents = [await ingest(service, sources["a"], cities(unique, rows))]
    documents.append(await ingest(service, sources["c"], cities(unique, rows)))
    contradicting = cities(unique, [(k, p * 2, at) for k, p, at in rows])
    documents.append(await ingest(service, sources["b"], contradicting))
    # the after-ingest pass of each: detection, then the incremental trust pass with facts
    for document in documents:
        await detector.scan_document(document)
        await engine.update_document(document)
    suggestion, confidence = await conflict_and_fact(graph, unique, "k1")
    assert suggestion == pytest.approx(confidence, abs=1e-9)
    # a source is explained right after its first ingest: its parts add up to its trust
    [record] = await graph.read("api/trust_sources", {"ids": [sources["b"].id]})
    held = (await read_source_trust(graph))[sources["b"].id]  # the trust the pass held fixed
    explained = source_explanation(SourceTrustRecord.model_validate(dict(record)), top=3)
    assert explained.score == held
    assert math.fsum(part.value for part in explained.contributions) == pytest.approx(held)
    assert explained.summary.startswith("the starting trust of a source")

    # a full pass re-estimates source trust: the conflict follows its fact
    await engine.recompute()
    after, confidence = await conflict_and_fact(graph, unique, "k1")
    [record] = await graph.read("api/trust_sources", {"ids": [sources["b"].id]})
    explained = source_explanation(SourceTrustRecord.model_validate(dict(record)), top=3)
    assert explained.summary.startswith("the mean confidence of its claims")
    assert after != pytest.approx(suggestion, abs=1e-3)  # the recompute moved it
    assert after == pytest.approx(confidence, abs=1e-9)

    # a change (another source backs the contradicting value), then a full pass again
    documents.append(await ingest(service, sources["d"], contradicting))
    await detector.scan_document(documents[-1])
    await engine.recompute()
    again, confidence = await conflict_and_fact(graph, unique, "k1")
    assert again == pytest.approx(confidence, abs=1e-9)


async def copies(graph: Graph, folders: dict[str, SourceFolder]) -> list[dict[str, Any]]:
    ids = [folder.id for folder in folders.values()]
    return [dict(r) for r in await graph.read("testing/copies", {"sources": ids})]


async def test_a_copier_is_stored_as_copies_and_its_votes_discounted_in_every_pass(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    truth = [(f"p{i}", 20_000 + i * 100, now) for i in range(20)]
    for honest in "abc":
        await ingest(service, sources[honest], cities(unique, truth))
    # d is wrong on every odd city; e copies d, mistakes included
    wrong = [(k, p * 2 if i % 2 else p, at) for i, (k, p, at) in enumerate(truth)]
    await ingest(service, sources["d"], cities(unique, wrong))
    copied = await ingest(service, sources["e"], cities(unique, wrong))
    report = await engine.recompute()
    [edge] = await copies(graph, sources)
    assert {edge["copier"], edge["original"]} == {sources["d"].id, sources["e"].id}
    assert edge["probability"] > 0.9
    assert edge["shared_false"] > 5
    assert edge["shared_true"] > 5
    ours = {folder.id for folder in sources.values()}  # the full pass sees other tests' too
    found = [(a, b) for a, b, _ in report.copying if {a, b} & ours]
    assert found == [(edge["original"], edge["copier"])]
    resolved = await fact(graph, unique, "p1", "population")
    assert json.loads(resolved["value"]) == 20_100
    # without the discount the copy would have weighed as an independent source
    _, records = await read_document_rows(graph, copied, ScoredBy("propagated"))
    index = build_claims(records, engine.tables)
    stored = await read_source_trust(graph)
    kept = await graph.read("trust/source_attribute_trust", {"sources": index.sources})
    calibration = stored_calibration([calibration_records(kept).get(s) for s in index.sources])
    assert calibration.fitted  # the full pass stored it on every source
    trust = np.array([stored[s] for s in index.sources])
    copying = await graph.read("trust/copies_among", {"sources": index.sources})
    [item] = [
        i
        for i, it in enumerate(index.items)
        if (it.key, it.attribute) == (f"p1-{unique}", "population")
    ]
    with_discount, without = (
        resolve(index.claims, trust, dependence, calibration=calibration)
        for dependence in (stored_dependence(index, copying), None)
    )
    discounted = float(with_discount.fact_confidence[with_discount.winner[item]])
    assert discounted == pytest.approx(resolved["confidence"], abs=1e-6)
    undiscounted = float(without.fact_confidence[without.winner[item]])
    assert 1 - undiscounted > 1 - discounted  # the copied error weighs more
    posterior = [float(r.value_confidence[r.winner[item]]) for r in (with_discount, without)]
    assert 1 - posterior[1] > 5 * (1 - posterior[0])  # its vote, before calibration
    # the incremental pass after a document reuses the stored dependence
    await engine.update_document(copied)
    again = await fact(graph, unique, "p1", "population")
    assert again["confidence"] == pytest.approx(resolved["confidence"], abs=1e-4)
    # the copier's explanation names the discount
    [record] = await graph.read("api/trust_sources", {"ids": [edge["copier"]]})
    explained = source_explanation(SourceTrustRecord.model_validate(dict(record)), top=5)
    assert any(
        f"copies source {edge['original']}" in path.description for path in explained.evidence
    )

    # e stops copying: the next full pass retracts the edge
    await ingest(service, sources["e"], cities(unique, truth))
    await engine.recompute()
    assert await copies(graph, sources) == []


async def test_a_source_is_trusted_per_attribute_in_full_and_incremental_passes(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    def listing(mayor: Callable[[int], str]) -> str:
        lines = [f"m{i}-{unique},m{i},{30_000 + i * 100},{mayor(i)}\n" for i in range(100)]
        return "city_id,name,population,mayor\n" + "".join(lines)

    await ingest(service, sources["a"], listing(lambda i: f"Mayor{i}"))
    # b names the mayors of half the cities; c is exact on populations, wrong on mayors
    await ingest(service, sources["b"], listing(lambda i: f"Mayor{i}" if i < 6 else ""))
    last = await ingest(service, sources["c"], listing(lambda i: f"Nobody{i}"))
    await engine.recompute()
    [record] = await graph.read("trust/source_attribute_trust", {"sources": [sources["c"].id]})
    by_attribute = json.loads(record["attributes"])
    for half in "01":  # the halves of each attribute (`trust.attribute_trust`)
        population, mayor = (
            by_attribute[f"cities.{name}#{half}"] for name in ("population", "mayor")
        )
        assert population > 0.5 > 0.1 > mayor  # population: its overall trust, c's agreeing
        # with b on every population and name reads as partly copied, weak evidence
    # on m8 only a and c name a mayor: c's record on mayors decides it
    mayor = await fact(graph, unique, "m8", "mayor")
    assert json.loads(mayor["value"]) == "Mayor8"
    # the incremental pass after a document votes with the stored accuracy by attribute
    await engine.update_document(last)
    again = await fact(graph, unique, "m8", "mayor")
    assert again["confidence"] == pytest.approx(mayor["confidence"], abs=1e-4)


async def test_the_evidence_of_each_source_is_stored_for_incremental_passes_to_decide_ties(
    graph: Graph,
    service: IngestionService,
    engine: TrustEngine,
    sources: dict[str, SourceFolder],
    unique: str,
) -> None:
    now = "2026-11-01T00:00:00Z"
    shared = [(f"q{i}", 40_000 + i * 100, now) for i in range(20)]
    tie = {"a": 1_000, "b": 1_000, "c": 5_000, "d": 5_000}
    for name, population in tie.items():
        rows = [*shared, ("qtie", population, now)]
        last = await ingest(service, sources[name], cities(unique, rows))
    await engine.recompute()
    kept = await graph.read(
        "trust/source_attribute_trust", {"sources": [sources[n].id for n in "abcd"]}
    )
    # claims on items another source claims too: 21 cities x name, population, updated_at
    assert [r["evidence"] for r in kept] == [63.0] * 4
    # the incremental pass tests the item's claimers with the same evidence
    # (`trust.tie_break`; the rule itself: tests/unit/trust/test_tie_break.py)
    full = await fact(graph, unique, "qtie", "population")
    await engine.update_document(last)
    again = await fact(graph, unique, "qtie", "population")
    assert again["value"] == full["value"]
    assert again["confidence"] == pytest.approx(full["confidence"], abs=1e-5)
