"""A seed for the co-pilot's tests: two tables, each with one entity that two sources
contradict (rows, a conflict with CONTRADICTS and INVOLVES edges, facts ABOUT the entity),
every text value carrying its table's marker; and the views of an unrestricted and a
restricted caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from copilot.visibility import View
from governance.audit import AuditLog
from graph.events import EventBus
from graph.graph import Graph
from ingest.extract import Limits
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import RESTRICTED_TABLE
from trust.detector import ConflictDetector
from trust.engine import TrustEngine

OTHER_TABLE = "organizations"
FILES = {
    RESTRICTED_TABLE: (
        "city_id,name,country,population,mayor\n{key},{marker} town,FR,{n},{marker}\n"
    ),
    OTHER_TABLE: "org_id,name,country,employees,ceo\n{key},{marker} corp,FR,{n},{marker}\n",
}


@dataclass(frozen=True)
class CopilotSeed:
    """What was seeded: per table its marker and entity id; the source folders."""

    markers: dict[str, str]
    entities: dict[str, str]
    sources: tuple[str, ...]
    key: str


async def seed_tables(
    graph: Graph, bus: EventBus, root: Path, unique: str
) -> AsyncIterator[CopilotSeed]:
    """Seed both tables through the real ingestion, detector and trust engine; removed after."""
    service = await IngestionService.create(graph, bus, limits=Limits(), batch_size=100)
    engine = await TrustEngine.create(graph, bus)
    detector = ConflictDetector(graph, bus, AuditLog(graph), engine.tables)
    key = f"copilot-{unique}"
    sources = (f"copilot_a_{unique}", f"copilot_b_{unique}")
    markers = {table: f"LEAK-{table}-{unique}" for table in FILES}
    entities = {table: f"{table}:{key}" for table in FILES}
    try:
        for table, text in FILES.items():
            for source, number in zip(sources, (900_000, 100_000), strict=True):
                folder = root / source
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"{table}.csv"
                path.write_text(text.format(key=key, marker=markers[table], n=number))
                outcome = await service.ingest_file(path, root)
                assert outcome.status is OutcomeStatus.INGESTED, outcome
        await detector.scan_entities(list(entities.values()))
        await engine.update_entities(list(entities.values()))
        yield CopilotSeed(markers, entities, tuple(f"folder:{s}" for s in sources), key)
    finally:
        await graph.write("testing/delete_conflicts", {"entities": list(entities.values())})
        for source in sources:
            await graph.write("testing/delete_source", {"source": f"folder:{source}"})


def restricted_view(known: frozenset[str]) -> View:
    """A viewer of the restricted table only, without personal fields or the workspace."""
    readable = frozenset({RESTRICTED_TABLE})
    return View(readable, frozenset(), False, known, {RESTRICTED_TABLE: frozenset({"mayor"})})


def full_view(known: frozenset[str]) -> View:
    """A caller who reads everything, personal fields included."""
    return View(known, known, True, known, {})
