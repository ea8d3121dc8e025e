"""Sources through the API and `grace sources`: trust, claims, accuracy against the active
facts, the COPIES edges both ways with the caller's rights, pages, and the dependence
discount a fact's explanation names (the one the engine applies)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.events import EventBus
from graph.graph import Graph
from graph.settings import Settings
from ingest.extract import Limits
from ingest.service import IngestionService, OutcomeStatus
from tests.integration.api_support import EXPLANATION_QUERY, Callers, gql
from tests.integration.conftest import SourceFolder
from trust.dependence import COPY_RATE
from trust.engine import TrustEngine
from trust.truth import FALSE_VALUES

pytestmark = pytest.mark.integration

GRACE = str(Path(sys.executable).parent / "grace")
CITY_HEADER = "city_id,name,population,updated_at\n"
ORG_HEADER = "org_id,name,country,employees\n"
NOW = "2026-11-01T00:00:00Z"
SOURCE_FIELDS = """
  id trust estimated tables claims
  accuracyByTable { table attribute claims checked agreeing accuracy votesWith }
  accuracyByAttribute { table attribute claims checked agreeing accuracy votesWith }
  copies { source probability sharedTrue sharedFalse since }
  copiedBy { source probability sharedTrue sharedFalse since }
"""
SOURCE_QUERY = f"query($id: ID!) {{ source(id: $id) {{ {SOURCE_FIELDS} }} }}"
PAGE_QUERY = """
query($first: Int, $after: String, $order: SourceOrder, $table: String) {
  sources(first: $first, after: $after, orderBy: $order, table: $table) {
    totalCount nodes { id trust tables } pageInfo { hasNextPage endCursor }
  }
}"""


@dataclass(frozen=True)
class Seeded:
    """Five city sources (c_d wrong on every odd city, c_e copying it) and, in
    organizations, o_d wrong on every odd org with o_e copying it; o_d also lists the
    cities right, so it is seen through cities too."""

    folders: dict[str, SourceFolder]
    unique: str

    def id(self, name: str) -> str:
        return self.folders[name].id


async def _ingest(service: IngestionService, folder: SourceFolder, name: str, text: str) -> None:
    outcome = await service.ingest_file(folder.write(name, text), folder.root)
    assert outcome.status is OutcomeStatus.INGESTED, outcome


@pytest.fixture(scope="module")
async def seeded(
    graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Seeded]:
    unique = os.urandom(5).hex()
    root = tmp_path_factory.mktemp("sources")
    names = ("c_a", "c_b", "c_c", "c_d", "c_e", "o_a", "o_b", "o_c", "o_d", "o_e")
    folders = {name: SourceFolder(root, f"{name}_{unique}") for name in names}
    bus = EventBus.from_url(settings.redis_url)
    try:
        service = await IngestionService.create(graph, bus, limits=Limits(), batch_size=100)
        truth = [(f"p{i}-{unique}", f"p{i}", 20_000 + i * 100) for i in range(20)]
        wrong = [(k, n, p * 2 if i % 2 else p) for i, (k, n, p) in enumerate(truth)]
        right_cities = CITY_HEADER + "".join(f"{k},{n},{p},{NOW}\n" for k, n, p in truth)
        wrong_cities = CITY_HEADER + "".join(f"{k},{n},{p},{NOW}\n" for k, n, p in wrong)
        orgs = [(f"o{i}-{unique}", f"o{i}", 100 + i) for i in range(20)]
        right_orgs = ORG_HEADER + "".join(f"{k},{n},FR,{e}\n" for k, n, e in orgs)
        wrong_orgs = ORG_HEADER + "".join(
            f"{k},{n},FR,{e * 3 if i % 2 else e}\n" for i, (k, n, e) in enumerate(orgs)
        )
        for name in ("c_a", "c_b", "c_c", "o_d"):
            await _ingest(service, folders[name], "cities.csv", right_cities)
        for name in ("c_d", "c_e"):
            await _ingest(service, folders[name], "cities.csv", wrong_cities)
        for name in ("o_a", "o_b", "o_c"):
            await _ingest(service, folders[name], "organizations.csv", right_orgs)
        for name in ("o_d", "o_e"):
            await _ingest(service, folders[name], "organizations.csv", wrong_orgs)
        await (await TrustEngine.create(graph, bus)).recompute()
        yield Seeded(folders, unique)
    finally:
        for folder in folders.values():
            await graph.write("testing/delete_source", {"source": folder.id})
        await bus.close()


def _source(client: TestClient, caller: Any, source_id: str) -> dict[str, Any] | None:
    body = gql(client, caller, SOURCE_QUERY, {"id": source_id})
    assert "errors" not in body, body
    found: dict[str, Any] | None = body["data"]["source"]
    return found


def _pair(
    client: TestClient, caller: Any, one: str, other: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(copier, original) of the two sources, whichever way the full pass found the copying
    (on identical values the direction is a toss-up)."""
    first, second = _source(client, caller, one), _source(client, caller, other)
    assert first is not None
    assert second is not None
    return (first, second) if other in _partners(first["copies"]) else (second, first)


def _partners(edges: list[dict[str, Any]]) -> set[str]:
    return {edge["source"] for edge in edges}


def test_copies_and_copied_by_show_the_stored_edges_with_claims_and_accuracy(
    api_client: TestClient, callers: Callers, seeded: Seeded
) -> None:
    copier, original = _pair(api_client, callers.viewer, seeded.id("c_e"), seeded.id("c_d"))
    [edge] = [e for e in copier["copies"] if e["source"] == original["id"]]
    assert edge["probability"] > 0.9
    assert edge["sharedFalse"] > 5
    assert edge["since"]
    [back] = [e for e in original["copiedBy"] if e["source"] == copier["id"]]
    assert back == edge | {"source": copier["id"]}
    # 20 cities x 3 attributes (name, population, updated_at): wrong on 10 populations
    assert copier["claims"] == 60
    [cities] = copier["accuracyByTable"]
    assert (cities["table"], cities["attribute"]) == ("cities", None)
    by_attribute = {a["attribute"]: a for a in copier["accuracyByAttribute"]}
    assert by_attribute["name"]["checked"] == by_attribute["name"]["agreeing"] > 0
    population = by_attribute["population"]
    assert population["checked"] > 0
    assert population["accuracy"] == pytest.approx(population["agreeing"] / population["checked"])
    assert population["accuracy"] < by_attribute["name"]["accuracy"]
    assert cities["checked"] == sum(a["checked"] for a in by_attribute.values())
    honest = _source(api_client, callers.viewer, seeded.id("c_a"))
    assert honest is not None
    assert honest["trust"] > copier["trust"]


def test_a_restricted_caller_sees_nothing_of_another_tables_sources_or_their_copying(
    api_client: TestClient, callers: Callers, seeded: Seeded
) -> None:
    o_d, o_e = seeded.id("o_d"), seeded.id("o_e")
    # o_d and o_e copy in organizations, which the restricted caller may not read
    assert _source(api_client, callers.restricted, o_e) is None
    both = _source(api_client, callers.restricted, o_d)  # seen through cities
    assert both is not None
    assert both["tables"] == ["cities"]
    assert o_e not in _partners(both["copies"]) | _partners(both["copiedBy"])
    assert {a["table"] for a in both["accuracyByAttribute"]} == {"cities"}
    full = _source(api_client, callers.viewer, o_d)
    assert full is not None
    assert o_e in _partners(full["copies"]) | _partners(full["copiedBy"])
    assert full["tables"] == ["cities", "organizations"]
    listed = _all_pages(api_client, callers.restricted, "TRUST", 500)
    assert o_e not in {s["id"] for s in listed}
    assert all(s["tables"] == ["cities"] for s in listed)
    # a person of no workspace reads no table: no source
    assert _source(api_client, callers.stranger, seeded.id("c_e")) is None


def _all_pages(client: TestClient, caller: Any, order: str, first: int) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"first": first, "after": after, "order": order, "table": "cities"}
        body = gql(client, caller, PAGE_QUERY, variables)
        assert "errors" not in body, body
        page = body["data"]["sources"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            assert len(nodes) == page["totalCount"]
            return nodes
        after = page["pageInfo"]["endCursor"]


def test_pages_of_sources_follow_their_order_without_repeats(
    api_client: TestClient, callers: Callers, seeded: Seeded
) -> None:
    by_trust = _all_pages(api_client, callers.viewer, "TRUST", 2)
    keys = [(-s["trust"], s["id"]) for s in by_trust]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    by_id = _all_pages(api_client, callers.viewer, "ID", 3)
    assert [s["id"] for s in by_id] == sorted(s["id"] for s in by_trust)
    ours = {seeded.id(n) for n in ("c_a", "c_b", "c_c", "c_d", "c_e", "o_d")}
    assert ours <= {s["id"] for s in by_id}
    bad = gql(api_client, callers.viewer, PAGE_QUERY, {"first": 2, "after": "nonsense"})
    assert bad["errors"][0]["extensions"]["code"] == "invalid_cursor"
    too_many = gql(api_client, callers.viewer, PAGE_QUERY, {"first": 0})
    assert too_many["errors"][0]["extensions"]["code"] == "page_size"
    unknown = gql(api_client, callers.viewer, PAGE_QUERY, {"first": 2, "table": "no_such_table"})
    assert unknown["errors"][0]["extensions"]["code"] in ("not_found", "access_denied")


def test_a_facts_explanation_names_the_discount_the_engine_applied(
    api_client: TestClient, callers: Callers, seeded: Seeded
) -> None:
    copier, original = _pair(api_client, callers.viewer, seeded.id("c_e"), seeded.id("c_d"))
    probability = copier["copies"][0]["probability"]
    fact_id = f"fact:cities:p1-{seeded.unique}:population"
    body = gql(api_client, callers.restricted, EXPLANATION_QUERY, {"id": fact_id, "top": 20})
    assert "errors" not in body, body
    explained = body["data"]["trustExplanation"]
    assert explained["sumsTo"] == "VOTES"
    pair = {copier["id"], original["id"]}
    [path] = [p for p in explained["evidence"] if pair <= set(p["nodeIds"])]
    discounted = path["nodeIds"][1]  # the less trusted of the two, whichever copies
    # one partner before it: the vote keeps 1 - c p (trust.dependence.discount)
    assert f"x{1 - COPY_RATE * probability:.2f}" in path["description"]
    assert path["weight"] == pytest.approx(COPY_RATE * probability)
    assert f"copying probability {probability:.2f}" in path["description"]
    votes = {c["name"]: c["value"] for c in explained["contributions"]}
    assert votes[f"{discounted} (against)"] < 0  # both claim the doubled population
    # the copier's own explanation names its original too
    own = gql(api_client, callers.viewer, EXPLANATION_QUERY, {"id": copier["id"], "top": 5})
    descriptions = [p["description"] for p in own["data"]["trustExplanation"]["evidence"]]
    [said] = [d for d in descriptions if f"copies source {original['id']}" in d]
    assert f"x{1 - COPY_RATE * probability:.2f}" in said
    theirs = gql(api_client, callers.viewer, EXPLANATION_QUERY, {"id": original["id"], "top": 5})
    descriptions = [p["description"] for p in theirs["data"]["trustExplanation"]["evidence"]]
    [said] = [d for d in descriptions if f"is copied by source {copier['id']}" in d]
    whose = "it" if discounted == original["id"] else copier["id"]
    if copier["trust"] == original["trust"]:  # identical claims: the engine's numbering decides
        whose = "one of the two (their trust is equal)"
    assert f"{whose} keeps x{1 - COPY_RATE * probability:.2f} of its vote" in said
    # of another table, a fact is refused to the restricted caller
    other = f"fact:organizations:o1-{seeded.unique}:employees"
    refused = gql(api_client, callers.restricted, EXPLANATION_QUERY, {"id": other})
    assert refused["errors"][0]["extensions"]["code"] == "access_denied"


def test_a_source_shows_by_attribute_the_accuracy_its_votes_on_facts_carry(
    api_client: TestClient, callers: Callers, seeded: Seeded
) -> None:
    fact_id = f"fact:cities:p1-{seeded.unique}:population"
    body = gql(api_client, callers.viewer, EXPLANATION_QUERY, {"id": fact_id, "top": 20})
    assert "errors" not in body, body
    explained = body["data"]["trustExplanation"]
    discounted = {node for p in explained["evidence"] for node in p["nodeIds"][1:2]}
    checked = 0
    for part in explained["contributions"]:
        source, _, side = part["name"].rpartition(" (")
        if source in discounted:
            continue  # its part is its vote times the share the discount keeps
        vote = abs(part["value"])  # ln(N t / (1 - t)) for the trust t it votes with
        trust = math.exp(vote) / (FALSE_VALUES + math.exp(vote))
        shown = _source(api_client, callers.viewer, source)
        assert shown is not None
        [population] = [a for a in shown["accuracyByAttribute"] if a["attribute"] == "population"]
        assert len(population["votesWith"]) == 2  # its cities fall in both halves
        assert min(abs(trust - v) for v in population["votesWith"]) < 1e-6, (side, trust)
        [by_table] = shown["accuracyByTable"]
        assert by_table["votesWith"] == []
        checked += 1
    assert checked >= 2


def _grace(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "REDIS_URL": settings.redis_url,
    }
    return subprocess.run(
        [GRACE, *args], capture_output=True, text=True, check=False, timeout=120, env=env
    )


def test_grace_sources_lists_and_shows_trust_accuracy_and_copying(
    settings: Settings, seeded: Seeded
) -> None:
    c_d, c_e = seeded.id("c_d"), seeded.id("c_e")
    shown = _grace(settings, "sources", "show", c_e, "--json")
    assert shown.returncode == 0, shown.stderr
    source = json.loads(shown.stdout)
    assert c_d in {e["source"] for e in source["copies"] + source["copiedBy"]}
    assert source["claims"] == 60
    copier, original = (c_e, c_d) if source["copies"] else (c_d, c_e)
    listed = _grace(settings, "sources", "list", "--table", "cities", "--json", "--limit", "80")
    assert listed.returncode == 0, listed.stderr
    page = json.loads(listed.stdout)
    assert copier in {s["id"] for s in page["nodes"]}
    text = _grace(settings, "sources", "show", original)
    assert text.returncode == 0, text.stderr
    assert f"copied by: {copier} (p " in " ".join(text.stdout.split())
    assert "accuracy by attribute: cities.name 1.00" in " ".join(text.stdout.split())
    [votes] = [
        a["votesWith"] for a in source["accuracyByAttribute"] if a["attribute"] == "population"
    ]
    assert len(votes) == 2  # after the full pass, one per half of the cities
    c_e_name = seeded.folders["c_e"].name  # as the folder is named: the id after `folder:`
    c_e_text = _grace(settings, "sources", "show", c_e_name)
    assert c_e_text.returncode == 0, c_e_text.stderr
    assert c_e_text.stdout.startswith(c_e)
    expected = "/".join(f"{v:.2f}" for v in votes)
    assert f"votes {expected}" in " ".join(c_e_text.stdout.split())
    missing = _grace(settings, "sources", "show", "no-such-source")
    assert missing.returncode == 1
    assert "no source with id 'no-such-source'" in " ".join(missing.stderr.split())
