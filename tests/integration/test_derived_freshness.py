"""Freshness derived where it is read (`trust.features`): a full pass a week later, where only
freshness moved, rewrites `trust` alone, and every explanation still adds up to the trust
stored."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.gql.trust_views import TrustNodeRecord
from graph.events import EventBus
from graph.graph import Graph
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.conftest import SourceFolder
from trust.engine import TrustEngine
from trust.scoring import stored_parts

pytestmark = pytest.mark.integration

HEADER = "city_id,name,population,updated_at\n"
START = datetime(2026, 12, 1, tzinfo=UTC)
WEEK = timedelta(days=7)


@pytest.fixture
async def engine(graph: Graph, bus: EventBus) -> TrustEngine:
    return await TrustEngine.create(graph, bus)


@pytest.fixture
async def folder(graph: Graph, tmp_path: Path, unique: str) -> AsyncIterator[SourceFolder]:
    folder = SourceFolder(tmp_path, f"fresh_{unique}")
    yield folder
    await graph.write("testing/delete_source", {"source": folder.id})


async def ingest_cities(service: IngestionService, folder: SourceFolder, unique: str) -> None:
    """Cities (a table with a half-life) updated a month and ten years before `START`."""
    text = HEADER + "".join(
        f"{key}-{unique},{key},{1000 + i},{at}\n"
        for i, (key, at) in enumerate(
            [("new", "2026-11-01T00:00:00Z"), ("old", "2016-11-01T00:00:00Z")]
        )
    )
    outcome = await service.ingest_file(folder.write("cities.csv", text), folder.root)
    assert outcome.status is OutcomeStatus.INGESTED, outcome


Scored = dict[str, dict[str, Any]]
"""The rows of the test's source as stored by row id: trust, features read in Cypher, the list."""


@pytest.fixture
async def before(
    graph: Graph,
    bus: EventBus,
    service: IngestionService,
    engine: TrustEngine,
    folder: SourceFolder,
    unique: str,
) -> Scored:
    """The rows of cities updated a month and ten years ago, scored by a full pass at `START`."""
    await ingest_cities(service, folder, unique)
    await engine_at(engine, bus, START).recompute()
    return await stored(graph, folder)


def engine_at(engine: TrustEngine, bus: EventBus, moment: datetime) -> TrustEngine:
    return TrustEngine(engine.graph, bus, engine.tables, clock=lambda: moment)


async def stored(graph: Graph, source: SourceFolder) -> Scored:
    """The source's rows as stored."""
    ids = [r["id"] for r in await graph.read("testing/row_trust", {"source": source.id})]
    return {r["id"]: r for r in await graph.read("testing/row_scores", {"ids": ids})}


async def explained(graph: Graph, ids: list[str]) -> dict[str, TrustNodeRecord]:
    """The rows as the API explains them (features read in Python)."""
    records = await graph.read("api/trust_nodes", {"ids": ids})
    return {r["id"]: TrustNodeRecord.model_validate(r) for r in records}


def assert_adds_up(row: dict[str, Any], record: TrustNodeRecord) -> None:
    assert record.signals is not None
    assert record.propagated is not None
    assert record.signals == pytest.approx(row["signals"], abs=1e-12)  # Cypher reads as Python
    parts = stored_parts(record.signals, record.propagated)
    assert math.fsum(parts.values()) == pytest.approx(row["trust"], abs=1e-9)


async def test_a_week_later_only_trust_moves_and_explanations_add_up(
    graph: Graph, bus: EventBus, engine: TrustEngine, folder: SourceFolder, before: Scored
) -> None:
    assert len(before) == 2
    await engine_at(engine, bus, START + WEEK).recompute()
    after = await stored(graph, folder)
    records = await explained(graph, list(after))
    for row_id, row in after.items():
        assert row["features"] == before[row_id]["features"]  # the list was not rewritten
        assert row["features"][8] == 0.0  # read at the full pass's time
        assert row["trust"] < before[row_id]["trust"]  # a week older
        assert row["signals"][0] < before[row_id]["signals"][0]
        assert_adds_up(row, records[row_id])


async def test_a_pass_within_the_clock_step_takes_freshness_at_the_last_one(
    graph: Graph, bus: EventBus, engine: TrustEngine, folder: SourceFolder, before: Scored
) -> None:
    await engine_at(engine, bus, START + timedelta(minutes=10)).recompute()
    assert await stored(graph, folder) == before


async def test_a_row_that_leaves_keeps_the_freshness_its_trust_was_scored_with(
    graph: Graph, bus: EventBus, engine: TrustEngine, folder: SourceFolder, before: Scored
) -> None:
    [row_id] = [i for i, row in before.items() if row["signals"][0] < 0.5]  # the old city
    await graph.write(
        "rows/quarantine", {"rows": [{"id": row_id, "reason": "test"}], "actor": "user:test"}
    )
    await engine_at(engine, bus, START + WEEK).recompute()
    [row] = await graph.read("testing/row_scores", {"ids": [row_id]})
    assert row["status"] == "quarantined"
    assert row["trust"] == before[row_id]["trust"]  # not rescored
    assert row["signals"] == before[row_id]["signals"]  # its freshness did not move
    assert row["features"][8] == pytest.approx(START.timestamp())
    assert_adds_up(row, (await explained(graph, [row_id]))[row_id])
