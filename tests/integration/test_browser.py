"""Neo4j Browser on the real graph: the API serves the style and guide across origins, the
guide's queries plan on Neo4j, captions name properties ingestion really writes, a link's
parameter reaches the entity whatever its key holds, and older stores are backfilled."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import AsyncIterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.browser import GUIDE, STYLE
from governance.audit import AuditLog
from graph.browser_links import ENTITY_STATEMENT, cypher_string, entity_link
from graph.cypher_registry import CypherRegistry
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import PROJECT_ROOT, Settings
from ingest.backfill import Backfill, backfill_provenance
from ingest.service import IngestionService, OutcomeStatus
from tests.browser_support import HOSTILE_KEYS, editor_content, parse_grass
from tests.integration.conftest import SourceFolder
from trust.detector import ConflictDetector
from trust.engine import TrustEngine

pytestmark = pytest.mark.integration

BROWSER_ORIGIN = "http://127.0.0.1:7474"
HEADER = "city_id,name,country,population,area_km2,mayor,updated_at\n"
KEY = "l'aquila-it"
"""A real city whose key holds a quote: it must reach Neo4j as one string."""
REGISTER = HEADER + f"{KEY},L'Aquila,IT,69439,473.91,Pierluigi Biondi,2025-06-01T10:00:00Z\n"
BLOG = HEADER + f"{KEY},L'Aquila,IT,90000,473.91,Pierluigi Biondi,2025-06-01T10:00:00Z\n"


class RunnableQueries(HTMLParser):
    """The text of every `<pre class="runnable">` of a guide (what a click puts in the editor)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.queries: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre" and "runnable" in (dict(attrs).get("class") or ""):
            self._inside = True
            self.queries.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.queries[-1] += data


def real_browser(tmp_path: Path, payload: dict[str, object]) -> dict[str, Any]:
    """Neo4j Browser's own functions, from the jar the launcher serves, run by Node."""
    node = shutil.which("node")
    jars = sorted(
        (PROJECT_ROOT / "deploy" / "neo4j" / "target" / "lib").glob("neo4j-browser-*.jar")
    )
    if node is None or not jars:
        pytest.skip("needs `node` on PATH and the launcher built (its neo4j-browser jar)")
    with zipfile.ZipFile(jars[-1]) as jar:
        jar.extractall(tmp_path, [n for n in jar.namelist() if n.startswith("browser/")])
    result = subprocess.run(
        [node, str(PROJECT_ROOT / "tests" / "browser_harness.js")],
        input=json.dumps({**payload, "bundle": str(tmp_path / "browser")}),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def guide_queries() -> list[str]:
    parser = RunnableQueries()
    parser.feed((PROJECT_ROOT / "deploy" / "browser" / GUIDE).read_text("utf-8"))
    return [unescape(query).strip() for query in parser.queries]


@pytest.fixture
async def aquila(
    graph: Graph, bus: EventBus, service: IngestionService, tmp_path: Path, unique: str
) -> AsyncIterator[dict[str, SourceFolder]]:
    """One city from a register and a blog that disagree on its population, with the
    conflict a scan finds."""
    folders = {name: SourceFolder(tmp_path, f"{name}_{unique}") for name in ("register", "blog")}
    for name, text in (("register", REGISTER), ("blog", BLOG)):
        folder = folders[name]
        outcome = await service.ingest_file(folder.write("cities.csv", text), folder.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome
    engine = await TrustEngine.create(graph, bus)
    detector = ConflictDetector(graph, bus, AuditLog(graph, chain=f"test-{unique}"), engine.tables)
    report = await detector.scan_entities([f"cities:{KEY}"])
    assert report.new == 1
    yield folders
    await graph.write("testing/delete_conflicts", {"entities": [f"cities:{KEY}"]})
    for folder in folders.values():
        await graph.write("testing/delete_source", {"source": folder.id})


@pytest.mark.parametrize(("name", "media_type"), [(STYLE, "text/plain"), (GUIDE, "text/html")])
def test_the_api_serves_the_file_to_browsers_origin(
    api_client: TestClient, name: str, media_type: str
) -> None:
    response = api_client.get(f"/browser/{name}", headers={"Origin": BROWSER_ORIGIN})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert response.content == (PROJECT_ROOT / "deploy" / "browser" / name).read_bytes()


def test_the_guides_preflight_allows_browsers_no_cache_headers(api_client: TestClient) -> None:
    """Browser fetches a guide with `pragma` and `cache-control`: the browser asks first."""
    response = api_client.options(
        f"/browser/{GUIDE}",
        headers={
            "Origin": BROWSER_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "pragma,cache-control",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"pragma", "cache-control"} <= allowed


def test_other_names_under_browser_are_not_found(api_client: TestClient) -> None:
    assert api_client.get("/browser/..%2Fapi%2Fapp.py").status_code == 404
    assert api_client.get("/browser/secrets.yaml").status_code == 404


async def test_neo4j_plans_every_query_of_the_guide(settings: Settings) -> None:
    queries = guide_queries()
    cypher = [q for q in queries if not q.startswith(":")]
    params = [q for q in queries if q.startswith(":param ")]
    assert len(cypher) == 9
    assert {re.match(r":param (\w+) =>", p).group(1) for p in params} == {  # type: ignore[union-attr]
        "entity",
        "conflict",
        "source",
    }
    assert {name for q in cypher for name in re.findall(r"\$(\w+)", q)} == {
        "entity",
        "conflict",
        "source",
    }
    registry = CypherRegistry({f"guide/{i}": query for i, query in enumerate(cypher)})
    graph = await Graph.connect(settings, registry)
    try:
        for name in registry:
            await graph.explain(name)
    finally:
        await graph.close()


async def test_every_caption_names_properties_the_ingested_nodes_hold(
    graph: Graph, aquila: dict[str, SourceFolder]
) -> None:
    rules = parse_grass((PROJECT_ROOT / "deploy" / "browser" / STYLE).read_text("utf-8"))
    records = await graph.read("testing/browser_nodes", {"entity": f"cities:{KEY}"})
    labels = sorted({r["label"] for r in records})
    assert labels == ["Conflict", "Document", "Entity", "Row", "Source"]
    for record in records:
        caption = rules[f"node.{record['label']}"]["caption"]
        for name in re.findall(r"\{([^{}]*)\}", caption):
            assert record["properties"].get(name) not in (None, ""), (record["label"], name)
    sources = {r["properties"]["name"] for r in records if r["label"] == "Source"}
    assert sources == {folder.name for folder in aquila.values()}


async def test_a_row_says_where_it_is_in_its_file(
    graph: Graph, aquila: dict[str, SourceFolder]
) -> None:
    folder = aquila["register"]
    places = await graph.read("testing/browser_row_places", {"source": folder.id})
    assert places == [
        {
            "source": folder.name,
            "key": KEY,
            "path": f"{folder.name}/cities.csv",
            "locator": "line 2",
        }
    ]


async def test_the_links_parameter_reaches_the_entity_its_key_names(
    graph: Graph, settings: Settings, registry: CypherRegistry, aquila: dict[str, SourceFolder]
) -> None:
    link = entity_link(settings, registry, f"cities:{KEY}")
    param_line, *_ = editor_content(link).split("\n")
    match = re.fullmatch(r":param entity => (.*);", param_line)
    assert match is not None
    # Browser evaluates a `:param name => expression` on the server as `RETURN expression AS name`
    browser = CypherRegistry({"browser/param": f"RETURN {match.group(1)} AS entity"})
    reader = await Graph.connect(settings, browser)
    try:
        [evaluated] = await reader.read("browser/param")
    finally:
        await reader.close()
    assert evaluated["entity"] == f"cities:{KEY}"
    [found] = await graph.read(ENTITY_STATEMENT, evaluated)
    assert len(found["origins"]) == 2
    assert len(found["conflicts"]) == 1


async def test_neo4j_reads_every_literal_as_the_key_it_carries(settings: Settings) -> None:
    # what Browser runs for `:param entity => LITERAL`, once per key
    statements = {
        f"literal/{i}": f"RETURN {cypher_string(k)} AS v" for i, k in enumerate(HOSTILE_KEYS)
    }
    reader = await Graph.connect(settings, CypherRegistry(statements))
    try:
        for i, key in enumerate(HOSTILE_KEYS):
            assert await reader.read(f"literal/{i}") == [{"v": key}]
    finally:
        await reader.close()


async def test_the_real_browser_reads_grace_files_and_links_as_intended(
    settings: Settings, registry: CypherRegistry, tmp_path: Path
) -> None:
    """Browser's own code splits each link's editor into the `:param` and the statement and
    turns the `:param` into the query Neo4j then answers with the entity id; it parses the
    style as the tests' port does and shows the guide unchanged."""
    folder = PROJECT_ROOT / "deploy" / "browser"
    links = [entity_link(settings, registry, f"cities:{key}") for key in HOSTILE_KEYS]
    browser = real_browser(
        tmp_path,
        {
            "editors": [editor_content(link) for link in links],
            "grass": (folder / STYLE).read_text("utf-8"),
            "guide": (folder / GUIDE).read_text("utf-8"),
        },
    )
    statement = "\n".join(
        line for line in registry[ENTITY_STATEMENT].splitlines() if not line.startswith("//")
    )
    queries = {}
    for i, editor in enumerate(browser["editors"]):
        assert editor["multi"] is True
        assert editor["statements"][1] == statement
        [param] = editor["params"]
        assert (param["name"], param["variant"]) == ("entity", "implicit")
        queries[f"browser/{i}"] = param["query"]
    assert browser["grass"] == parse_grass((folder / STYLE).read_text("utf-8"))
    assert browser["guide"] == (folder / GUIDE).read_text("utf-8")
    neo4j = await Graph.connect(settings, CypherRegistry(queries))
    try:
        for i, key in enumerate(HOSTILE_KEYS):
            [record] = await neo4j.read(f"browser/{i}")
            assert list(record.values()) == [f"cities:{key}"]
    finally:
        await neo4j.close()


async def test_a_store_from_before_is_backfilled_once(
    graph: Graph, aquila: dict[str, SourceFolder]
) -> None:
    folder = aquila["blog"]
    before = await graph.read("testing/browser_row_places", {"source": folder.id})
    [forgotten] = await graph.write("testing/browser_forget_provenance", {"source": folder.id})
    assert forgotten["rows"] == 1
    assert await backfill_provenance(graph) == Backfill(sources=0, rows=0)  # recorded as done
    await graph.write("testing/browser_forget_backfill")
    assert await graph.read("testing/browser_row_places", {"source": folder.id}) == [
        {"source": None, "key": KEY, "path": None, "locator": None}
    ]
    first = await backfill_provenance(graph, batch_rows=1)
    assert first.sources >= 1
    assert first.rows >= 1  # other tests' rows from before may be among them
    assert await graph.read("testing/browser_row_places", {"source": folder.id}) == before
    assert await backfill_provenance(graph) == Backfill(sources=0, rows=0)
