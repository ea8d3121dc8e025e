"""The provenance explorer (`#/provenance/<kind>/<id>`) in Debian's chromium against the real
app on the real Neo4j and Redis, over the demo's own files (`examples/sources/`: the
registry's cities and organizations, the open data's cities, which disagree on Tampere's
area): from a conflict's row, walk to its document, its source and back to the conflict, by
mouse and by keyboard; open a trust explanation there; check the Neo4j Browser link; a
source's copying partner (a `COPIES` edge) shown with its probability both ways; a viewer
restricted to `cities` sees nothing of the organizations through the explorer; axe-core
finds no serious violation at 1280 and 390 px and nothing is wider than the window.
Screenshots go to `var/screenshots/web/`."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Page

from governance.audit import AuditLog
from graph.browser_links import browser_url
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import Callers
from tests.integration.chromium_support import UI_TIMEOUT_MS, Offsite, chromium_page
from tests.integration.conftest import SourceFolder
from tests.integration.test_web_app import AXE, PHONE, log_in, serious_violations, shot
from trust.detector import ConflictDetector
from trust.engine import TrustEngine
from trust.rows import read_entity_rows

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

DEMO = Path(__file__).resolve().parents[2] / "examples" / "sources"
TAMPERE = "cities:tampere-fi"
AREA_CONFLICT = f"conflict:value:{TAMPERE}:area_km2"


@dataclass(frozen=True)
class Demo:
    """The demo's files as two sources wrote them: the rows of Tampere by source name, the
    organizations' row ids and keys, and the sources' ids."""

    tampere: dict[str, str]
    organization_rows: list[str]
    organization_keys: list[str]
    registry: str
    open_data: str


def demo_keys(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8") as file:
        return [record[column] for record in csv.DictReader(file)]


@pytest.fixture
async def demo(
    graph: Graph, bus: EventBus, service: IngestionService, tmp_path: Path, unique: str
) -> AsyncIterator[Demo]:
    registry = SourceFolder(tmp_path, f"registry_{unique}")
    open_data = SourceFolder(tmp_path, f"open-data_{unique}")
    cities = [f"cities:{k}" for k in demo_keys(DEMO / "registry" / "cities.csv", "city_id")]
    orgs = [
        f"organizations:{k}" for k in demo_keys(DEMO / "registry" / "organizations.csv", "org_id")
    ]
    audit = AuditLog(graph, chain=f"test-{unique}")
    try:
        for folder, name in (
            (registry, "registry/cities.csv"),
            (registry, "registry/organizations.csv"),
            (open_data, "open-data/cities.json"),
        ):
            text = (DEMO / name).read_text(encoding="utf-8")
            outcome = await service.ingest_file(folder.write(Path(name).name, text), folder.root)
            assert outcome.status is OutcomeStatus.INGESTED, outcome.error
        engine = await TrustEngine.create(graph, bus)
        await ConflictDetector(graph, bus, audit, engine.tables).scan_entities(cities + orgs)
        await engine.update_entities(cities + orgs)
        names = {registry.id: "registry", open_data.id: "open-data"}
        # The test's own rows: other tests (and the demo) may describe the same entities.
        rows = [r for r in await read_entity_rows(graph, cities + orgs) if r.source in names]
        yield Demo(
            tampere={names[r.source]: r.id for r in rows if f"cities:{r.key}" == TAMPERE},
            organization_rows=[r.id for r in rows if r.table == "organizations"],
            organization_keys=[key.split(":", 1)[1] for key in orgs],
            registry=registry.id,
            open_data=open_data.id,
        )
    finally:
        entities = cities + orgs
        cleanup = {"entities": entities, "snapshots": [], "conflicts": []}
        await graph.write("testing/review_cleanup", cleanup)
        await graph.write("testing/delete_conflicts", {"entities": entities})
        for folder in (registry, open_data):
            await graph.write("testing/delete_source", {"source": folder.id})
        await graph.write("testing/audit_delete_chain", {"chain": f"test-{unique}"})


def explore(browser_page: Page, origin: str, kind: str, node: str) -> None:
    """Open the explorer at a node by its address and wait for its tables."""
    browser_page.goto(f"{origin}/#/provenance/{kind}%2F{node.replace(':', '%3A')}")
    browser_page.locator("section[data-kind]").first.wait_for(timeout=UI_TIMEOUT_MS)


def heading(browser_page: Page) -> str:
    text: str = browser_page.get_by_role("heading", level=1).inner_text()
    return text


def test_walk_from_a_demo_row_to_its_document_source_and_conflict(
    callers: Callers,
    demo: Demo,
    served: str,
    settings: Settings,
    page: tuple[Page, Offsite, list[str]],
) -> None:
    browser_page, offsite, errors = page
    assert callers.admin.token is not None
    log_in(browser_page, served, callers.admin.token)
    browser_page.goto(f"{served}/#/conflicts/{AREA_CONFLICT}")
    row = demo.tampere["open-data"]
    browser_page.locator(f'li[data-row="{row}"] a').first.click()  # the row's key
    browser_page.locator("section[data-kind]").first.wait_for(timeout=UI_TIMEOUT_MS)
    shot(browser_page, "provenance-row")
    assert heading(browser_page) == "Provenance of row cities tampere-fi"
    graph = browser_page.get_by_role("group", name="Provenance graph")
    for node in (TAMPERE, AREA_CONFLICT, demo.open_data):
        assert graph.locator(f'[data-node="{node}"]').count() == 1, node
    shot(browser_page, "provenance-row")

    documents = browser_page.locator('section[data-kind="document"] tbody a')
    assert documents.count() == 1
    assert "cities.json v1" in documents.first.inner_text()
    documents.first.click()
    browser_page.get_by_role("heading", level=1).filter(has_text="Provenance of document").wait_for(
        timeout=UI_TIMEOUT_MS
    )
    rows = browser_page.locator('section[data-kind="row"] tbody tr')
    cities = json.loads((DEMO / "open-data" / "cities.json").read_text(encoding="utf-8"))
    assert rows.count() == len(cities)  # every city of the open data file
    browser_page.locator('section[data-kind="source"] tbody a').first.click()
    browser_page.get_by_role("heading", level=1).filter(
        has_text=f"Provenance of source {demo.open_data}"
    ).wait_for(timeout=UI_TIMEOUT_MS)
    assert browser_page.locator('section[data-kind="document"] tbody tr').count() == 1
    shot(browser_page, "provenance-source")

    browser_page.go_back()
    browser_page.go_back()
    browser_page.get_by_role("heading", name="Provenance of row cities tampere-fi").wait_for(
        timeout=UI_TIMEOUT_MS
    )
    browser_page.locator(f'section[data-kind="conflict"] tr[data-node="{AREA_CONFLICT}"] a').click()
    browser_page.get_by_role("heading", name="Provenance of conflict on area_km2").wait_for(
        timeout=UI_TIMEOUT_MS
    )
    involved = browser_page.locator('section[data-kind="row"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.dataset.node)"
    )
    # Its rows include the test's two (the demo, ingested by other tests, may add its own).
    assert set(demo.tampere.values()) <= set(involved)

    link = browser_page.locator("a[data-browser-link]")
    link.wait_for(timeout=UI_TIMEOUT_MS)
    href = link.get_attribute("href")
    assert href is not None
    assert href.startswith(browser_url(settings).rstrip("/") + "/?cmd=edit&arg=")
    lines = [unquote(arg) for arg in href.split("&arg=")[1:]]
    assert lines[0] == f":param node => '{AREA_CONFLICT}';"
    assert lines[1].startswith("// Neo4j Browser")
    assert "MATCH (c:Conflict {id: $node})" in lines

    trust = browser_page.locator(f'section[data-kind="row"] tr[data-node="{row}"] button.trust')
    trust.click()
    dialog = browser_page.get_by_role("dialog")
    dialog.get_by_role("table").wait_for(timeout=UI_TIMEOUT_MS)
    assert "propagated" in dialog.inner_text()
    assert dialog.locator("li").count() >= 1
    shot(browser_page, "provenance-explanation")
    browser_page.keyboard.press("Escape")
    assert browser_page.get_by_role("dialog").count() == 0
    assert browser_page.evaluate("document.activeElement.classList.contains('trust')")
    assert offsite.requests == []
    assert errors == []


def test_the_graph_walks_by_keyboard_and_every_trust_number_explains_itself(
    callers: Callers, demo: Demo, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, _, errors = page
    assert callers.admin.token is not None
    log_in(browser_page, served, callers.admin.token)
    explore(browser_page, served, "row", demo.tampere["registry"])
    entity = browser_page.locator(f'svg a[data-node="{TAMPERE}"]')
    entity.focus()
    browser_page.keyboard.press("Enter")
    browser_page.get_by_role("heading", name=f"Provenance of entity {TAMPERE}").wait_for(
        timeout=UI_TIMEOUT_MS
    )
    listed = browser_page.locator('section[data-kind="row"] tbody tr').evaluate_all(
        "rows => rows.map(r => r.dataset.node)"
    )
    assert set(demo.tampere.values()) <= set(listed)  # the demo may describe Tampere too
    numbers = browser_page.locator("main button.trust")
    assert numbers.count() >= 4  # the two rows, their documents and sources
    for index in range(numbers.count()):
        numbers.nth(index).focus()
        browser_page.keyboard.press("Enter")
        dialog = browser_page.get_by_role("dialog")
        dialog.get_by_role("table").wait_for(timeout=UI_TIMEOUT_MS)
        browser_page.keyboard.press("Escape")
        assert browser_page.get_by_role("dialog").count() == 0
    assert errors == []


@pytest.fixture
async def copying(graph: Graph, demo: Demo) -> Demo:
    """The demo with the edge a full trust pass writes (`trust/write_copies`) when it finds
    the open data copying the registry (gone with the sources)."""
    pair = {"copier": demo.open_data, "original": demo.registry, "probability": 0.87}
    await graph.write(
        "trust/write_copies", {"pairs": [{**pair, "shared_true": 3.0, "shared_false": 1.0}]}
    )
    return demo


def test_a_source_shows_its_copying_partner_with_the_probability_and_walks_to_it(
    copying: Demo, callers: Callers, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    demo = copying
    assert callers.viewer.token is not None
    log_in(browser_page, served, callers.viewer.token)
    explore(browser_page, served, "source", demo.open_data)
    sources = browser_page.locator('section[data-kind="source"] tbody')
    partner = sources.locator("tr").filter(has_text=demo.registry)
    partner.wait_for(timeout=UI_TIMEOUT_MS)
    assert "its original, probability 0.87" in partner.inner_text()
    assert "COPIES p 0.87" in partner.inner_text()
    edge = browser_page.locator("svg line title", has_text="COPIES p 0.87")
    assert edge.count() == 1
    shot(browser_page, "provenance-copies")
    partner.get_by_role("link").first.click()
    browser_page.get_by_role("heading", level=1).filter(
        has_text=f"Provenance of source {demo.registry}"
    ).wait_for(timeout=UI_TIMEOUT_MS)
    copier = browser_page.locator('section[data-kind="source"] tbody tr').filter(
        has_text=demo.open_data
    )
    copier.wait_for(timeout=UI_TIMEOUT_MS)
    assert "copies it, probability 0.87" in copier.inner_text()
    assert offsite.requests == []
    assert errors == []


def test_a_viewer_of_one_table_sees_nothing_of_another_through_the_explorer(
    callers: Callers, demo: Demo, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    assert callers.restricted.token is not None
    log_in(browser_page, served, callers.restricted.token)
    browser_page.goto(
        f"{served}/#/provenance/row%2F{demo.organization_rows[0].replace(':', '%3A')}"
    )
    browser_page.get_by_text("that you may read").wait_for(timeout=UI_TIMEOUT_MS)
    explore(browser_page, served, "source", demo.registry)
    listed = browser_page.locator('section[data-kind="document"] tbody').inner_text()
    assert "cities.csv" in listed
    assert "organizations" not in listed
    browser_page.locator('section[data-kind="document"] tbody a').first.click()
    browser_page.get_by_role("heading", level=1).filter(has_text="Provenance of document").wait_for(
        timeout=UI_TIMEOUT_MS
    )
    body = browser_page.locator("body").inner_text()
    assert "organizations" not in body
    for key in demo.organization_keys:
        assert key not in body
    shot(browser_page, "provenance-restricted")
    assert offsite.requests == []
    assert errors == []


@pytest.mark.parametrize("width", [1280, PHONE])
def test_the_explorer_has_no_serious_violation_and_nothing_overflows(
    callers: Callers, demo: Demo, served: str, width: int
) -> None:
    assert AXE.is_file(), f"{AXE} is missing: cd web && npm ci"
    assert callers.admin.token is not None
    for browser_page, offsite, errors in chromium_page(served, width):
        log_in(browser_page, served, callers.admin.token)
        for kind, node in (("row", demo.tampere["open-data"]), ("conflict", AREA_CONFLICT)):
            explore(browser_page, served, kind, node)
            browser_page.locator("a[data-browser-link]").wait_for(timeout=UI_TIMEOUT_MS)
            assert serious_violations(browser_page) == [], (kind, width)
            overflow = browser_page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"the {kind} page is {overflow} px wide at {width} px"
            shot(browser_page, f"provenance-{kind}-{width}")
        assert offsite.requests == []
        assert errors == []
