"""Grace's web app (`/`, Svelte, built from `web/`) in Debian's chromium against the real app
on the real Neo4j and Redis: logging in (a refused key said in words with its code), the
trust overview of the tables the caller may read with a live `trustUpdates` event shown
without a reload (also after a reload that opens it from the credential kept in session
storage), a trust number explained on click, a conflict the detector finds while
the queue is open appearing without a reload and resolved on its page for the other value,
which the fact then holds, a schema change request approved in the approvals inbox by two
users in turn (a viewer offered no vote between them), a change request opened while the
inbox is open appearing without a reload, a policy change request's settings diff and its
rejection with a note, the Ask entry shown exactly when the schema has `ask`, a viewer
restricted to one table who sees nothing of another and no action, the live link saying it
reconnects when the API goes away and comes back, axe-core (from npm, injected into the
page) finding no serious violation at 1280 and 390 px, and no request to another host.
Screenshots go to `var/screenshots/web/`."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page
from pydantic import JsonValue

from governance.approvals import Approvals
from governance.audit import AuditLog
from governance.policy_store import active_policy_set
from governance.proposals import request_schema_approvals
from graph.events import DomainEvent, EventBus, EventType
from graph.graph import Graph
from graph.schema_store import sync_tables
from graph.schemas import FieldSpec, FieldType, TableSchema
from graph.settings import Settings
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import RESTRICTED_TABLE, Callers
from tests.integration.chromium_support import (
    UI_TIMEOUT_MS,
    Offsite,
    ServedApp,
    chromium_page,
    free_port,
    publish_now,
)
from tests.integration.conftest import SourceFolder
from trust.detector import ConflictDetector
from trust.engine import TrustEngine

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "var" / "screenshots" / "web"
PHONE = 390
ACTIONS = re.compile(r"resolve|dismiss|approve|reject|quarantine|release|upload|re-?ingest", re.I)
CITIES = "city_id,name,country,population,area_km2,mayor,updated_at\n{rows}"
ORGANIZATIONS = "org_id,name,country,employees\n{rows}"


@dataclass(frozen=True)
class Ingested:
    """The rows one test wrote: cities and organizations, scored by the trust engine."""

    city_keys: list[str]
    org_keys: list[str]


@dataclass(frozen=True)
class SchemaRequest:
    """The table and the id of its change request."""

    table: str
    id: str


@pytest.fixture
async def ingested(
    graph: Graph, bus: EventBus, service: IngestionService, source: SourceFolder, unique: str
) -> Ingested:
    cities = [f"web-{i}-{unique}" for i in range(3)]
    orgs = [f"webo-{i}-{unique}" for i in range(2)]
    for file, text in (
        (
            "cities.csv",
            CITIES.format(
                rows="".join(
                    f"{k},City {k},FR,{1000 + i},12.5,M,2025-01-01T00:00:00Z\n"
                    for i, k in enumerate(cities)
                )
            ),
        ),
        (
            "organizations.csv",
            ORGANIZATIONS.format(rows="".join(f"{k},Org {k},FR,10\n" for k in orgs)),
        ),
    ):
        outcome = await service.ingest_file(source.write(file, text), source.root)
        assert outcome.status is OutcomeStatus.INGESTED, outcome.error
    engine = await TrustEngine.create(graph, bus)
    await engine.update_entities(
        [f"cities:{k}" for k in cities] + [f"organizations:{k}" for k in orgs]
    )
    return Ingested(cities, orgs)


@pytest.fixture
async def disputed(
    graph: Graph, bus: EventBus, service: IngestionService, tmp_path: Path, unique: str
) -> AsyncIterator[str]:
    """A city two sources give different populations, scored, its conflict not yet detected."""
    key = f"webc-{unique}"
    folders = [SourceFolder(tmp_path, f"{name}_{unique}") for name in ("weba", "webb")]
    try:
        for folder, population in zip(folders, (1000, 2000), strict=True):
            text = CITIES.format(rows=f"{key},City,FR,{population},12.5,M,2025-01-01T00:00:00Z\n")
            outcome = await service.ingest_file(folder.write("cities.csv", text), folder.root)
            assert outcome.status is OutcomeStatus.INGESTED, outcome.error
        await (await TrustEngine.create(graph, bus)).update_entities([f"cities:{key}"])
        yield key
    finally:
        entities = [f"cities:{key}"]
        cleanup = {"entities": entities, "snapshots": [], "conflicts": []}
        await graph.write("testing/review_cleanup", cleanup)
        await graph.write("testing/delete_conflicts", {"entities": entities})
        for folder in folders:
            await graph.write("testing/delete_source", {"source": folder.id})
        await graph.write("testing/audit_delete_chain", {"chain": f"test-{unique}"})


def in_thread(settings: Settings, work: Callable[[Graph, EventBus], Awaitable[None]]) -> None:
    """Run `work` on a graph and bus of its own, in a thread (Playwright's loop is here)."""

    async def run() -> None:
        graph, bus = await Graph.connect(settings), EventBus.from_url(settings.redis_url)
        try:
            await work(graph, bus)
        finally:
            await bus.close()
            await graph.close()

    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(asyncio.run, run()).result()


def log_in(browser_page: Page, origin: str, token: str) -> None:
    browser_page.goto(f"{origin}/")
    browser_page.get_by_label("API key or bearer token").fill(token)
    browser_page.get_by_role("button", name="Log in").click()
    browser_page.get_by_role("heading", name="Trust overview").wait_for(timeout=UI_TIMEOUT_MS)


def open_screen(browser_page: Page, origin: str, token: str, name: str) -> None:
    """Log in and open the screen `name` from the navigation, its live link up."""
    log_in(browser_page, origin, token)
    browser_page.get_by_role("link", name=name).click()
    browser_page.get_by_role("heading", name=name).wait_for(timeout=UI_TIMEOUT_MS)
    browser_page.get_by_role("status").filter(has_text="Live").wait_for(timeout=UI_TIMEOUT_MS)


def table_cards(browser_page: Page) -> list[str]:
    browser_page.locator("section[data-table]").first.wait_for(timeout=UI_TIMEOUT_MS)
    names: list[str] = browser_page.locator("section[data-table]").evaluate_all(
        "cards => cards.map(card => card.dataset.table)"
    )
    return names


def shot(browser_page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def serious_violations(browser_page: Page) -> list[dict[str, Any]]:
    """What axe-core finds of impact serious or critical on the page as it is."""
    browser_page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = browser_page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_refused_key_is_said_in_words_with_its_code(
    served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    browser_page.goto(f"{served}/")
    browser_page.get_by_label("API key or bearer token").fill("grace_nobody_nothing")
    browser_page.get_by_role("button", name="Log in").click()
    alert = browser_page.get_by_role("alert")
    alert.wait_for(timeout=UI_TIMEOUT_MS)
    assert alert.inner_text() == "invalid or expired credentials (invalid_credentials)"
    assert browser_page.evaluate("sessionStorage.length") == 0
    shot(browser_page, "login-refused")
    assert offsite.requests == []
    assert errors == []


def test_the_overview_shows_every_table_and_a_live_update_without_reload(
    callers: Callers,
    ingested: Ingested,
    settings: Settings,
    served: str,
    page: tuple[Page, Offsite, list[str]],
) -> None:
    browser_page, offsite, errors = page
    assert callers.admin.token is not None
    log_in(browser_page, served, callers.admin.token)
    assert {"cities", "organizations", "people", "datasets", "publications", "decisions"} <= set(
        table_cards(browser_page)
    )
    cities = browser_page.locator('section[data-table="cities"]')
    assert int(cities.locator("dd").nth(1).inner_text().split()[0]) >= len(ingested.city_keys)
    assert "0.50 → 0.75" in shown_trust_update(browser_page, settings, 0.5, 0.75)
    shot(browser_page, "trust-overview-1280")
    has_ask = "ask" in query_fields(served, callers.admin.token)
    assert browser_page.get_by_role("link", name="Ask").count() == int(has_ask)
    assert offsite.requests == []
    assert errors == []


def test_a_reload_opens_the_overview_from_the_kept_credential_and_stays_live(
    callers: Callers,
    ingested: Ingested,
    settings: Settings,
    served: str,
    page: tuple[Page, Offsite, list[str]],
) -> None:
    browser_page, offsite, errors = page
    assert callers.admin.token is not None
    log_in(browser_page, served, callers.admin.token)
    browser_page.reload()
    browser_page.get_by_role("heading", name="Trust overview").wait_for(timeout=UI_TIMEOUT_MS)
    assert browser_page.get_by_label("API key or bearer token").count() == 0
    assert "cities" in table_cards(browser_page)
    browser_page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    assert "0.25 → 0.50" in shown_trust_update(browser_page, settings, 0.25, 0.5)
    assert browser_page.evaluate("window.__sameDocument") is True
    assert offsite.requests == []
    assert errors == []


def shown_trust_update(browser_page: Page, settings: Settings, before: float, after: float) -> str:
    """Once the live link is up, publish a cities document's `trust.updated` (as the trust
    engine does) and return the overview's line about it when it shows."""
    browser_page.get_by_role("status").filter(has_text="Live").wait_for(timeout=UI_TIMEOUT_MS)
    subject = f"document:web-{uuid.uuid4().hex}"
    payload: dict[str, JsonValue] = {
        "table": "cities",
        "kind": "document",
        "before": before,
        "after": after,
    }
    publish_now(
        settings.redis_url,
        DomainEvent(type=EventType.TRUST_UPDATED, subject=subject, payload=payload),
    )
    line = browser_page.get_by_text(subject)
    line.wait_for(timeout=UI_TIMEOUT_MS)
    text: str = line.inner_text()
    return text


def test_the_overview_ranks_sources_by_trust_with_their_copying_partners(
    callers: Callers, ingested: Ingested, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, _, errors = page
    assert callers.admin.token is not None
    log_in(browser_page, served, callers.admin.token)
    section = browser_page.get_by_role("region", name="Sources by trust")
    section.locator("tbody tr").first.wait_for(timeout=UI_TIMEOUT_MS)
    expected = ranked_sources(served, callers.admin.token)
    shown = section.locator("tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.innerText))"
    )
    assert [row[0] for row in shown] == [s["id"] for s in expected]
    for row, source in zip(shown, expected, strict=True):
        assert row[1].split()[0] == f"{source['trust']:.2f}"  # then its explain button's label
        assert row[2] == (", ".join(partners(source)) or "none found")
    shot(browser_page, "trust-overview-sources")
    assert errors == []


def test_a_tables_mean_trust_opens_its_explanation(
    callers: Callers, ingested: Ingested, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, _, errors = page
    assert callers.admin.token is not None
    log_in(browser_page, served, callers.admin.token)
    mean = browser_page.locator('section[data-table="cities"] dd button.trust').first
    mean.wait_for(timeout=UI_TIMEOUT_MS)
    mean.focus()
    browser_page.keyboard.press("Enter")
    dialog = browser_page.get_by_role("dialog")
    dialog.get_by_role("table").wait_for(timeout=UI_TIMEOUT_MS)
    assert "the mean of" in dialog.inner_text()
    assert dialog.locator("li").count() >= 1  # the least trusted rows as evidence
    shot(browser_page, "explanation-table")
    browser_page.keyboard.press("Escape")
    assert browser_page.get_by_role("dialog").count() == 0
    assert errors == []


def ranked_sources(origin: str, token: str) -> list[dict[str, Any]]:
    """The first page of `sources` the overview shows, most trusted first."""
    query = """{ sources(orderBy: TRUST, first: 20) { nodes { id trust
      copies { source probability } copiedBy { source probability } } } }"""
    response = httpx.post(
        f"{origin}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    nodes: list[dict[str, Any]] = response.json()["data"]["sources"]["nodes"]
    return nodes


def partners(source: dict[str, Any]) -> list[str]:
    """A source's copying partners as the overview words them, most probable first."""
    both = [("copies", e) for e in source["copies"]] + [
        ("copied by", e) for e in source["copiedBy"]
    ]
    both.sort(key=lambda pair: (-pair[1]["probability"], pair[1]["source"]))
    return [f"{verb} {e['source']} (p {e['probability']:.2f})" for verb, e in both]


def test_a_trust_number_opens_its_explanation(
    callers: Callers, ingested: Ingested, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, _, errors = page
    assert callers.admin.token is not None
    log_in(browser_page, served, callers.admin.token)
    weakest = browser_page.locator('section[data-table="cities"] tbody tr').first
    weakest.wait_for(timeout=UI_TIMEOUT_MS)
    least = least_trusted_city(served, callers.admin.token)  # the graph holds other tests' too
    assert least["key"] in weakest.inner_text()
    assert least["source"]["id"] in weakest.inner_text()  # whose row it is, beside its key
    weakest.get_by_role("button").click()
    dialog = browser_page.get_by_role("dialog")
    dialog.wait_for(timeout=UI_TIMEOUT_MS)
    dialog.get_by_role("table").wait_for(timeout=UI_TIMEOUT_MS)
    box = dialog.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= browser_page.viewport_size["width"]  # type: ignore[index]
    text = dialog.inner_text()
    assert "propagated" in text
    evidence = least["explanation"]["evidence"]
    assert dialog.locator("li").count() == len(evidence)
    assert all(path["description"] in text for path in evidence)
    shot(browser_page, "explanation")
    browser_page.keyboard.press("Escape")
    assert browser_page.get_by_role("dialog").count() == 0
    assert errors == []


def test_a_viewer_of_one_table_sees_nothing_of_another_and_no_action(
    callers: Callers, ingested: Ingested, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    assert callers.restricted.token is not None
    log_in(browser_page, served, callers.restricted.token)
    assert table_cards(browser_page) == [RESTRICTED_TABLE]
    body = browser_page.locator("body").inner_text()
    for key in ingested.org_keys:
        assert key not in body
    assert "organizations" not in body
    buttons = browser_page.get_by_role("button").all_inner_texts()
    assert not [b for b in buttons if ACTIONS.search(b)], buttons
    shot(browser_page, "restricted-viewer")
    assert offsite.requests == []
    assert errors == []


@pytest.mark.parametrize("width", [1280, PHONE])
def test_axe_finds_no_serious_violation_and_nothing_overflows(
    callers: Callers, ingested: Ingested, served: str, width: int
) -> None:
    assert AXE.is_file(), f"{AXE} is missing: cd web && npm ci"
    assert callers.admin.token is not None
    for browser_page, offsite, errors in chromium_page(served, width):
        browser_page.goto(f"{served}/")
        assert serious_violations(browser_page) == []  # the login form
        log_in(browser_page, served, callers.admin.token)
        table_cards(browser_page)
        assert serious_violations(browser_page) == []
        overflow = browser_page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"the page is {overflow} px wide at {width} px"
        shot(browser_page, f"trust-overview-{width}")
        assert offsite.requests == []
        assert errors == []


def test_the_live_link_says_it_reconnects_when_the_api_comes_back(
    callers: Callers, settings: Settings
) -> None:
    app = ServedApp(settings, free_port())
    app.start()
    assert callers.viewer.token is not None
    try:
        for browser_page, _, errors in chromium_page(app.url):
            log_in(browser_page, app.url, callers.viewer.token)
            status = browser_page.get_by_role("status")
            status.filter(has_text="Live").wait_for(timeout=UI_TIMEOUT_MS)
            app.stop()
            status.filter(has_text="reconnecting").wait_for(timeout=UI_TIMEOUT_MS)
            shot(browser_page, "reconnecting")
            app.start()
            status.filter(has_text=re.compile("^Live$")).wait_for(timeout=UI_TIMEOUT_MS)
            assert json.loads(browser_page.evaluate("JSON.stringify(sessionStorage.length)")) == 1
            assert errors == []
    finally:
        app.stop()


def test_a_conflict_appears_live_and_keeping_the_other_value_changes_the_fact(
    callers: Callers,
    disputed: str,
    settings: Settings,
    served: str,
    unique: str,
    page: tuple[Page, Offsite, list[str]],
) -> None:
    browser_page, offsite, errors = page
    assert callers.admin.token is not None
    open_screen(browser_page, served, callers.admin.token, "Conflicts")
    assert browser_page.get_by_role("link", name=disputed).count() == 0

    async def detect(graph: Graph, bus: EventBus) -> None:
        engine = await TrustEngine.create(graph, bus)
        audit = AuditLog(graph, chain=f"test-{unique}")
        report = await ConflictDetector(graph, bus, audit, engine.tables).scan_entities(
            [f"cities:{disputed}"]
        )
        assert report.new == 1

    in_thread(settings, detect)
    link = browser_page.get_by_role("link", name=disputed)
    link.wait_for(timeout=UI_TIMEOUT_MS)  # no reload: the conflictEvents subscription
    assert browser_page.get_by_text(re.compile("^New conflict: ")).count() == 1
    shot(browser_page, "conflicts-queue")
    assert serious_violations(browser_page) == []
    link.click()
    suggestion = browser_page.get_by_role("heading", name=re.compile("^Suggestion: "))
    suggestion.wait_for(timeout=UI_TIMEOUT_MS)
    suggested = suggestion.inner_text().removeprefix("Suggestion: ")
    other = "2000" if suggested == "1000" else "1000"
    assert fact_value(served, callers.admin.token, disputed) == int(suggested)
    shot(browser_page, "conflict-open")
    assert serious_violations(browser_page) == []
    side = browser_page.get_by_role("region", name=f"value {other}")
    side.get_by_role("button", name="Keep this value").click()
    browser_page.get_by_text(f"Keep {other}: done.").wait_for(timeout=UI_TIMEOUT_MS)
    browser_page.get_by_text("resolved", exact=True).wait_for(timeout=UI_TIMEOUT_MS)
    shot(browser_page, "conflict-resolved")
    assert fact_value(served, callers.admin.token, disputed) == int(other)
    assert offsite.requests == []
    assert errors == []


def least_trusted_city(origin: str, token: str) -> dict[str, Any]:
    """The active cities row of least trust, with its explanation's evidence paths."""
    query = """{ rows(table: "cities", status: ACTIVE, orderBy: TRUST, first: 1) {
      nodes { id key source { id } } } }"""
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.post(f"{origin}/graphql", json={"query": query}, headers=headers)
    [row] = response.json()["data"]["rows"]["nodes"]
    explain = """query Explain($id: ID!) { trustExplanation(nodeId: $id, top: 5) {
      evidence { description } } }"""
    response = httpx.post(
        f"{origin}/graphql",
        json={"query": explain, "variables": {"id": row["id"]}},
        headers=headers,
    )
    return {**row, "explanation": response.json()["data"]["trustExplanation"]}


def fact_value(origin: str, token: str, key: str) -> object:
    query = """query Fact($key: String!) {
      facts(table: "cities", key: $key, attribute: "population") { nodes { value } } }"""
    response = httpx.post(
        f"{origin}/graphql",
        json={"query": query, "variables": {"key": key}},
        headers={"Authorization": f"Bearer {token}"},
    )
    [fact] = response.json()["data"]["facts"]["nodes"]
    return fact["value"]


def query_fields(origin: str, token: str) -> set[str]:
    """The root query fields the server's schema has (by introspection, as the app asks)."""
    response = httpx.post(
        f"{origin}/graphql",
        json={"query": "{ __schema { queryType { fields { name } } } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    return {field["name"] for field in response.json()["data"]["__schema"]["queryType"]["fields"]}


@pytest.fixture
async def schema_request(graph: Graph, bus: EventBus, unique: str) -> AsyncIterator[SchemaRequest]:
    """A table whose second version (adding a personal `email`) waits on a `schema` change
    request, which the shipped approvals policy gives two editor approvals."""
    name = f"webapp_{unique}"
    code = FieldSpec(type=FieldType.STRING, required=True)
    fields = ({"code": code}, {"code": code, "email": FieldSpec(type=FieldType.STRING, pii=True)})
    versions = [
        TableSchema(
            name=name, description=f"v{n}", owner="o@grace.example", entity_key=["code"], fields=f
        )
        for n, f in enumerate(fields, start=1)
    ]
    await sync_tables(graph, versions[:1])
    requests = await request_schema_approvals(graph, bus, await sync_tables(graph, versions[1:]))
    try:
        [request] = requests
        yield SchemaRequest(name, request)
    finally:
        await graph.write("testing/api_catalog_delete_requests", {"ids": requests})
        await graph.write("testing/delete_tables", {"names": [name]})


def open_inbox(
    browser_page: Page, origin: str, token: str, request_id: str, show: str = "mine"
) -> Locator:
    """Log in, open the approvals inbox showing `show`, and find the request's card."""
    open_screen(browser_page, origin, token, "Approvals")
    browser_page.get_by_label("Show").select_option(show)
    card = browser_page.locator(f'article[data-request="{request_id}"]')
    card.wait_for(timeout=UI_TIMEOUT_MS)
    card.locator("tr[data-change]").first.wait_for(timeout=UI_TIMEOUT_MS)  # its diff
    return card


def test_approve_a_schema_change_request_as_two_different_users(
    callers: Callers,
    schema_request: SchemaRequest,
    served: str,
    page: tuple[Page, Offsite, list[str]],
) -> None:
    browser_page, offsite, errors = page
    editor, viewer, admin = callers.editor, callers.viewer, callers.admin
    assert editor.token is not None
    assert viewer.token is not None
    assert admin.token is not None

    card = open_inbox(browser_page, served, editor.token, schema_request.id)
    added = card.locator('tr[data-change="added"]')
    assert added.locator("th").inner_text() == "email"
    assert "string, pii" in added.inner_text()
    assert card.locator('tr[data-change="same"] th').inner_text() == "code"
    assert card.locator(".tally").inner_text() == "0 of 2 approvals"
    assert serious_violations(browser_page) == []
    card.get_by_label(re.compile("^Note")).fill("the e-mail field is needed for invoices")
    card.get_by_role("button", name="Approve").click()
    card.get_by_text("Approved: done, 1 of 2 approvals.").wait_for(timeout=UI_TIMEOUT_MS)
    assert card.locator(".tally").inner_text() == "1 of 2 approvals"
    votes = card.locator("ul.votes li").all_inner_texts()
    assert votes == [f"{editor.user_id} approved: “the e-mail field is needed for invoices”"]
    assert card.get_by_role("button", name="Approve").count() == 0  # one vote each
    card.get_by_role("button", name="Write a comment").click()
    card.get_by_label("Add a comment").fill("please have a look at the invoices")
    card.get_by_role("button", name="Post comment").click()
    card.locator("ul.comments li").filter(has_text="please have a look").wait_for(
        timeout=UI_TIMEOUT_MS
    )
    shot(browser_page, "approvals-first-vote")
    browser_page.get_by_role("button", name="Log out").click()

    browser_page.goto(f"{served}/")
    card = open_inbox(browser_page, served, viewer.token, schema_request.id, show="open")
    assert card.locator(".tally").inner_text() == "1 of 2 approvals"
    buttons = browser_page.get_by_role("button").all_inner_texts()
    assert not [b for b in buttons if ACTIONS.search(b) or "comment" in b.lower()], buttons
    assert card.get_by_role("textbox").count() == 0
    shot(browser_page, "approvals-viewer")
    browser_page.get_by_role("button", name="Log out").click()

    browser_page.goto(f"{served}/")
    card = open_inbox(browser_page, served, admin.token, schema_request.id)
    assert card.locator(".tally").inner_text() == "1 of 2 approvals"
    card.get_by_role("button", name="Approve").click()
    card.get_by_text("Approved: done, applied.").wait_for(timeout=UI_TIMEOUT_MS)
    assert card.locator(".tally").inner_text() == "applied"
    assert len(card.locator("ul.votes li").all_inner_texts()) == 2
    shot(browser_page, "approvals-applied")
    assert request_status(served, admin.token, schema_request.id) == "APPLIED"
    assert offsite.requests == []
    assert errors == []


def test_the_approvals_inbox_has_no_serious_violation_at_phone_width(
    callers: Callers, schema_request: SchemaRequest, served: str
) -> None:
    assert callers.editor.token is not None
    for browser_page, offsite, errors in chromium_page(served, PHONE):
        open_inbox(browser_page, served, callers.editor.token, schema_request.id)
        assert serious_violations(browser_page) == []
        overflow = browser_page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= PHONE, f"the page is {overflow} px wide at {PHONE} px"
        shot(browser_page, f"approvals-{PHONE}")
        assert offsite.requests == []
        assert errors == []


@pytest.fixture
async def policy_request(graph: Graph, bus: EventBus, unique: str) -> AsyncIterator[str]:
    """An open `policy` change request as a sync opens one: both definitions in its payload."""
    name = f"webpol_{unique}"
    previous: dict[str, JsonValue] = {"name": name, "thresholds": {"low": 0.2, "high": 0.8}}
    proposed: dict[str, JsonValue] = {"name": name, "thresholds": {"low": 0.25, "high": 0.8}}
    opened = await Approvals(graph, bus, AuditLog(graph)).open(
        kind="policy",
        title=f"put policy {name} version 2 in force",
        payload={
            "name": name,
            "version": 2,
            "definition": proposed,
            "previous": previous,
        },
        requested_by="system:policy",
        workspace="default",
        rule=(await active_policy_set(graph)).approval_rule("policy"),
    )
    try:
        yield opened.id
    finally:
        await graph.write("testing/api_catalog_delete_requests", {"ids": [opened.id]})


def test_a_policy_change_request_shows_its_settings_diff_and_is_rejected_with_a_note(
    callers: Callers, policy_request: str, served: str, page: tuple[Page, Offsite, list[str]]
) -> None:
    browser_page, offsite, errors = page
    assert callers.admin.token is not None
    card = open_inbox(browser_page, served, callers.admin.token, policy_request)
    changed = card.locator('tr[data-change="changed"]')
    assert changed.inner_text().split("\t") == ["thresholds.low", "changed", "0.2", "0.25"]
    assert card.locator('tr[data-change="same"] th').all_inner_texts() == [
        "name",
        "thresholds.high",
    ]
    card.get_by_label(re.compile("^Note")).fill("0.25 quarantines too much")
    card.get_by_role("button", name="Reject").click()
    card.get_by_text("Rejected: done, rejected.").wait_for(timeout=UI_TIMEOUT_MS)
    assert card.locator("ul.votes li").all_inner_texts() == [
        f"{callers.admin.user_id} rejected: “0.25 quarantines too much”"
    ]
    shot(browser_page, "approvals-policy-rejected")
    assert request_status(served, callers.admin.token, policy_request) == "REJECTED"
    assert offsite.requests == []
    assert errors == []


@pytest.fixture
async def opened_requests(graph: Graph) -> AsyncIterator[list[str]]:
    """Ids of change requests a test opens; deleted after it."""
    opened: list[str] = []
    yield opened
    await graph.write("testing/api_catalog_delete_requests", {"ids": opened})


def test_a_change_request_opened_while_the_inbox_is_open_appears_without_reload(
    callers: Callers,
    opened_requests: list[str],
    settings: Settings,
    served: str,
    page: tuple[Page, Offsite, list[str]],
) -> None:
    browser_page, offsite, errors = page
    assert callers.editor.token is not None
    open_screen(browser_page, served, callers.editor.token, "Approvals")
    listed = browser_page.get_by_text(re.compile(r"^\d+ change requests? waiting for your vote"))
    listed.wait_for(timeout=UI_TIMEOUT_MS)  # the first load is done before the request opens

    async def open_request(graph: Graph, bus: EventBus) -> None:
        request = await Approvals(graph, bus, AuditLog(graph)).open(
            kind="reconciliation",
            title=f"merge two cities ({uuid.uuid4().hex})",
            payload={"keep": "cities:a", "merge": "cities:b"},
            requested_by="system:tests",
            workspace="default",
            rule=(await active_policy_set(graph)).approval_rule("reconciliation"),
        )
        opened_requests.append(request.id)

    in_thread(settings, open_request)
    card = browser_page.locator(f'article[data-request="{opened_requests[0]}"]')
    card.wait_for(timeout=UI_TIMEOUT_MS)  # no reload: the changeRequestEvents subscription
    lines = card.locator("dl").inner_text().split("\n")
    assert lines == ["keep", "cities:a", "merge", "cities:b"]
    assert card.get_by_role("button", name="Approve").count() == 1
    assert offsite.requests == []
    assert errors == []


def request_status(origin: str, token: str, request_id: str) -> str:
    query = "query($id: ID!) { changeRequest(id: $id) { status } }"
    response = httpx.post(
        f"{origin}/graphql",
        json={"query": query, "variables": {"id": request_id}},
        headers={"Authorization": f"Bearer {token}"},
    )
    status: str = response.json()["data"]["changeRequest"]["status"]
    return status
