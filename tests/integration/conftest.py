"""Fixtures for ingestion tests (a service on the real graph and private source folders), the
API (in-process, under uvicorn) and chromium pages on it, and rows to comment on."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from fastapi.testclient import TestClient
from playwright.sync_api import Page

from api.app import create_app
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest import identity
from ingest.extract import Limits
from ingest.loader import DocumentDraft, GraphLoader, RunDraft
from ingest.queue import AFTER_INGEST_QUEUE_NAME, QUEUE_NAME, deserialize, serialize
from ingest.service import IngestionService, OutcomeStatus
from ingest.sources import SourceRef
from tests.integration.api_support import Callers, LiveApi, make_callers
from tests.integration.chromium_support import Offsite, ServedApp, chromium_page, free_port
from tests.integration.copilot_support import CopilotSeed, seed_tables


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

    async def begin_version(
        self, loader: GraphLoader, path: str, sha256: str, version: int = 2
    ) -> tuple[DocumentDraft, RunDraft]:
        """Start loading a new version (content `sha256`) of the file at `path` (phase 1)."""
        draft = DocumentDraft(
            id=identity.document_id(self.id, path, version),
            source=self.id,
            path=path,
            sha256=sha256,
            mime="text/csv",
            size=1,
            version=version,
        )
        run = RunDraft(identity.run_id(self.id, path, sha256), self.id, path, sha256)
        await loader.begin(SourceRef(self.id, "folder", str(self.folder), self.name), draft, run)
        return draft, run


@pytest.fixture
async def source(graph: Graph, tmp_path: Path, unique: str) -> AsyncIterator[SourceFolder]:
    """A fresh source folder for one test."""
    folder = SourceFolder(tmp_path, f"src_{unique}")
    yield folder
    await delete_source(graph, folder.id)


async def delete_source(graph: Graph, source: str) -> None:
    """Delete everything `source` brought in, its rows in bounded transactions."""
    params = {"source": source, "limit": 10_000}
    while (await graph.write("testing/delete_source_rows", params))[0]["deleted"]:
        pass
    await graph.write("testing/delete_source", {"source": source})


@pytest.fixture
async def queue(settings: Settings) -> AsyncIterator[ArqRedis]:
    """The ingestion queues (files and passes) on the real Redis, emptied before and after
    the test."""
    pool = await create_pool(
        RedisSettings.from_dsn(settings.redis_url),
        job_serializer=serialize,
        job_deserializer=deserialize,
    )
    await pool.delete(QUEUE_NAME, AFTER_INGEST_QUEUE_NAME)
    yield pool
    await pool.delete(QUEUE_NAME, AFTER_INGEST_QUEUE_NAME)
    await pool.aclose()


@pytest.fixture(scope="module")
def api_client(settings: Settings) -> Iterator[TestClient]:
    """The real app (real Neo4j and Redis) behind an in-process HTTP client, per module.
    It holds no callers nor table map (`auth_cache_seconds` 0): fixtures write tables and
    users straight into the graph, without the events the product's own paths publish;
    what the API holds is tested by `test_held_access` and `test_held_answers`."""
    with TestClient(create_app(settings.model_copy(update={"auth_cache_seconds": 0}))) as client:
        yield client


@pytest.fixture
async def callers(graph: Graph, unique: str) -> AsyncIterator[Callers]:
    """Fresh users for every role, removed afterwards."""
    yield await make_callers(graph, unique)
    await graph.write("testing/accounts_delete", {"marker": unique})


@pytest.fixture(scope="module")
def live_api(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """The real app served by uvicorn in its own process (`api.app:app_factory`, the way it
    is deployed) on a socket bound here, per module; stopped afterwards."""
    listener = socket.create_server(("127.0.0.1", 0))
    log = tmp_path_factory.mktemp("live_api") / "uvicorn.log"
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
        "REDIS_URL": settings.redis_url,
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:app_factory"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*command, "--fd", str(listener.fileno())],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    api = LiveApi("127.0.0.1", listener.getsockname()[1], log)
    try:
        while process.poll() is None and not _answers(api):
            pass
        assert process.poll() is None, log.read_text()
        yield api
    finally:
        process.terminate()
        process.wait(timeout=30)
        listener.close()


def _answers(api: LiveApi) -> bool:
    try:
        return httpx.get(f"{api.url}/health/live", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def served(settings: Settings) -> Iterator[str]:
    """The app under uvicorn on a free local port; its base URL."""
    app = ServedApp(settings, free_port())
    app.start()
    yield app.url
    app.stop()


@pytest.fixture
def page(served: str) -> Iterator[tuple[Page, Offsite, list[str]]]:
    """A fresh chromium page on the served app."""
    yield from chromium_page(served)


@pytest.fixture(scope="module")
async def copilot_seed(
    graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[CopilotSeed]:
    """The co-pilot's two seeded tables (`copilot_support.seed_tables`), per module."""
    bus = EventBus.from_url(settings.redis_url)
    root = tmp_path_factory.mktemp("copilot")
    async for seeded in seed_tables(graph, bus, root, uuid.uuid4().hex[:10]):
        yield seeded
    await bus.close()


@dataclass(frozen=True)
class ThreadRows:
    """One row of `cities` and one of `organizations`, unique to a test."""

    city: str
    org: str
    city_document: str


@pytest.fixture
async def thread_rows(
    graph: Graph, service: IngestionService, tmp_path: Path, unique: str
) -> AsyncIterator[ThreadRows]:
    """A row of each table and the cities document, to comment on; their threads removed
    afterwards."""
    folder = SourceFolder(tmp_path, f"comments_{unique}")
    documents = {}
    for table, text in (
        ("cities", f"city_id,name,population\nc-{unique},One,10\n"),
        ("organizations", f"org_id,name,employees\no-{unique},Org,5\n"),
    ):
        outcome = await service.ingest_file(folder.write(f"{table}.csv", text), folder.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
        assert outcome.document_id is not None
        documents[table] = outcome.document_id
    entities = [f"cities:c-{unique}", f"organizations:o-{unique}"]
    records = {
        r["entity"]: r["id"]
        for r in await graph.read("testing/entity_rows", {"entities": entities})
    }
    built = ThreadRows(records[entities[0]], records[entities[1]], documents["cities"])
    yield built
    targets = [built.city, built.org, built.city_document]
    await graph.write("testing/collab_comments_delete", {"targets": targets})
    await graph.write("testing/delete_source", {"source": folder.id})
