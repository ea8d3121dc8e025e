"""Shared benchmark helpers: the service under test, CSV files, clean-up."""

from __future__ import annotations

from pathlib import Path

from graph.events import EventBus
from graph.graph import Graph
from ingest.extract import Limits
from ingest.service import IngestionService

CITY_HEADER = "city_id,name,country,population,area_km2,updated_at\n"


def city_rows(prefix: str, count: int) -> str:
    """A cities CSV body of `count` rows with keys unique to `prefix`."""
    return "".join(
        f"{prefix}-{i}-xx,City {i},XX,{10_000 + i},{10 + i % 90}.5,2026-01-01T00:00:00Z\n"
        for i in range(count)
    )


def write_csv(folder: Path, name: str, prefix: str, rows: int) -> Path:
    """Write one cities CSV file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(CITY_HEADER + city_rows(prefix, rows), encoding="utf-8")
    return path


async def service(graph: Graph, bus: EventBus, batch_size: int = 5000) -> IngestionService:
    """An ingestion service as the worker builds it."""
    return await IngestionService.create(graph, bus, limits=Limits(), batch_size=batch_size)


async def delete_source(graph: Graph, source: str) -> None:
    """Remove everything one source brought in, in batches."""
    for statement in ("bench/delete_source_rows", "bench/delete_source"):
        params = {"source": source, "limit": 10_000}
        while (await graph.write(statement, params))[0]["deleted"]:
            pass
