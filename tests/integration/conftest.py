"""Fixtures for ingestion tests: a service on the real graph and private source folders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.extract import Limits
from ingest.service import IngestionService
from tests.integration.api_support import Callers, make_callers


@pytest.fixture
async def service(graph: Graph, bus: EventBus) -> IngestionService:
    """An ingestion service over the test graph, matching the project's tables."""
    return await IngestionService.create(graph, bus, limits=Limits(), batch_size=100)


class SourceFolder:
    """A folder `<root>/<name>/` that is one source; removed from the graph afterwards."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.name = name
        self.folder = root / name
        self.folder.mkdir(parents=True)
        self.id = f"folder:{name}"

    def write(self, file: str, text: str) -> Path:
        path = self.folder / file
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
async def source(graph: Graph, tmp_path: Path, unique: str) -> AsyncIterator[SourceFolder]:
    """A fresh source folder for one test."""
    folder = SourceFolder(tmp_path, f"src_{unique}")
    yield folder
    await graph.write("testing/delete_source", {"source": folder.id})


@pytest.fixture(scope="module")
def api_client(settings: Settings) -> Iterator[TestClient]:
    """The real app (real Neo4j and Redis) behind an in-process HTTP client, per module."""
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
async def callers(graph: Graph, unique: str) -> AsyncIterator[Callers]:
    """Fresh users for every role, removed afterwards."""
    yield await make_callers(graph, unique)
    await graph.write("testing/accounts_delete", {"marker": unique})
