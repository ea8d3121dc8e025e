"""The trust dashboard (held per table by the API process, `api.gql.dashboard_cache`; the
caller and the table map its permission check needs are held too, `api.auth` and
`api.gql.shared_tables`, so a request reads nothing from Neo4j while they are fresh) and a
provenance query under `CLIENTS` concurrent clients for `SECONDS` s against the running API
(uvicorn in a subprocess, one worker, prod profile), driven by `hey` (Debian's HTTP load
generator): requests per second, p50 and p99 latency.

Floors, measured in the same run on the same data:
- driver: the Cypher statements a request sends (what the resolvers run), sent straight
  through the Neo4j driver by `CLIENTS` concurrent asyncio tasks for `SECONDS` s (statements
  sent together by a request are sent together); for the dashboard, which sends none, the
  statements it sent before the caller and the table map were held (`AUTHORIZE`) and before
  the dashboard was held (`BEFORE`);
- HTTP, dashboard only, the same hey load: `GET /empty` of a bare FastAPI app in its own
  uvicorn (`bench.api_support.bare_app`: FastAPI and uvicorn alone), `GET /health/live` of
  the API (its middleware, no GraphQL), and `{ __typename }` over GraphQL without a key
  (parse, validate, execute, no Neo4j) and with the bench user's key (its caller held).

Data: a table of `ROWS` rows with trust scores (Beta(5, 2), 5 % quarantined), all from
one document of one source, so the provenance query has a source, versions and rows.
Every request is checked once for data and no errors before the load starts. Requests
per second count the requests completed in the run (from hey's per-request CSV; no client
timeout), latencies are theirs. The machine's load average is printed with each figure.

Settings: `BENCH_LOAD_SECONDS` (default 30), `BENCH_LOAD_CLIENTS` (default 50),
`BENCH_LOAD_ROWS` (default 5,000). Needs `hey` on the PATH (`apt-get install hey`; the
bench installs it when it can, and says so when it cannot).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from neo4j import AsyncDriver, AsyncGraphDatabase, RoutingControl
from neo4j.exceptions import DriverError, Neo4jError

from api.gql.access import Access
from bench.api_support import (
    BenchTable,
    BenchUser,
    bench_table,
    bench_user,
    machine_load,
    quantile,
    running_api,
)
from governance.accounts import load_principal
from governance.rbac import Authorizer
from graph.graph import Graph
from graph.settings import Settings
from trust.overview import refresh_table_trust

TABLE = "bench_load"
PAGE = 50
"""Rows the provenance query asks for."""


@dataclass(frozen=True)
class Scene:
    """What the queries are about: the bench table, its document, the tables the bench user
    may read (the API sends them with every catalog read) and the user's key."""

    table: BenchTable
    readable: list[str]
    key: str
    """The bench user's key id."""


Params = Callable[[Scene], dict[str, Any]]


@dataclass(frozen=True)
class Statement:
    """One Cypher statement a resolver runs, with the parameters it sends."""

    name: str
    params: Params


@dataclass(frozen=True)
class LoadQuery:
    """A GraphQL operation, and what its resolvers send to Neo4j, in stages (the statements
    of one stage are sent together, as the request's DataLoaders batch them)."""

    label: str
    text: str
    variables: Params
    stages: Sequence[Sequence[Statement]]


def _document(scene: Scene) -> dict[str, Any]:
    return {"ids": [scene.table.document]}


def _readable_document(scene: Scene) -> dict[str, Any]:
    return {**_document(scene), "tables": scene.readable, "rowless": True}


def _key(scene: Scene) -> dict[str, Any]:
    return {"id": scene.key}


AUTHORIZE = [
    [Statement("governance/key_for_auth", _key)],
    [Statement("api/table_workspaces", lambda s: {})],
]
"""What every authenticated request read before its resolvers until the API held them: the
caller's key with its memberships, then the table -> workspace map its permission check
decides with (now read at most once per `auth_cache_seconds` per process)."""

BEFORE = [
    *AUTHORIZE,
    [Statement("policy/active_versions", lambda s: {})],
    [Statement("api/trust_aggregate", lambda s: {"table": s.table.name})],
    [
        Statement("api/trust_trend", lambda s: {"table": s.table.name, "limit": 30}),
        Statement("trust/model_in_force", lambda s: {}),
    ],
]
"""What the dashboard sent per request before the API held it: the authorization, then its
resolvers' reads of the policy, the stored aggregate, the trend and the model in force."""

# The queries measured: the one place their text and their floor are written.
QUERIES = [
    LoadQuery(
        label="trust dashboard",
        text="""
        query Dashboard($table: String!) {
          trustDashboard(table: $table) {
            table rows scored mean lowThreshold highThreshold lowCount highCount asOf
            distribution { lower upper count }
            trend(points: 30) { at rows mean low high }
            scoring { mode modelVersion }
          }
        }""",
        variables=lambda s: {"table": s.table.name},
        stages=[],
    ),
    LoadQuery(
        label=f"provenance (a document with its source, versions, runs, first {PAGE} rows)",
        text="""
        query Provenance($id: ID!, $first: Int!) {
          document(id: $id) {
            id path status version
            source { id kind trust }
            versions { id version status }
            ingestionRuns { id status }
            rows(first: $first) { totalCount nodes { id key trust status values } }
          }
        }""",
        variables=lambda s: {"id": s.table.document, "first": PAGE},
        stages=[
            [Statement("api/catalog_documents_by_id", _readable_document)],
            [
                Statement("api/catalog_document_sources", _document),
                Statement("api/catalog_document_versions", _readable_document),
                Statement("api/catalog_document_runs", _document),
                Statement(
                    "api/catalog_document_rows",
                    lambda s: {
                        "pages": [{"document": s.table.document, "after": ""}],
                        "tables": s.readable,
                        "limit": PAGE + 1,
                    },
                ),
                Statement(
                    "api/catalog_document_row_counts",
                    lambda s: {**_document(s), "tables": s.readable},
                ),
            ],
        ],
    ),
]


@dataclass(frozen=True)
class Load:
    """Requests completed in a run, their latencies (s, sorted), failures, wall time, and
    how busy the machine was at its end."""

    latencies: list[float]
    failures: int
    seconds: float
    load: str = field(default_factory=machine_load)

    def line(self) -> str:
        """Requests/s, p50 and p99, and the machine's load."""
        return (
            f"{len(self.latencies) / self.seconds:,.1f} req/s ({len(self.latencies):,} in "
            f"{self.seconds:.0f} s), "
            f"p50 {quantile(self.latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {quantile(self.latencies, 0.99) * 1000:.1f} ms ({self.load})"
        )


async def ensure_hey() -> str | None:
    """The path of `hey`, installing Debian's package when missing and possible."""
    found = shutil.which("hey")
    apt = shutil.which("apt-get")
    if found is None and apt is not None and os.geteuid() == 0:
        print("  hey not found: apt-get install -y hey", flush=True)
        process = await asyncio.create_subprocess_exec(
            apt, "install", "-y", "-qq", "hey",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await process.wait()
        found = shutil.which("hey")
    return found


async def _check(client: httpx.AsyncClient, query: LoadQuery, scene: Scene) -> None:
    """One request, refusing to measure an operation that errs or returns nothing."""
    response = await client.post(
        "/graphql", json={"query": query.text, "variables": query.variables(scene)}
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors") or not any(body["data"].values()):
        raise RuntimeError(f"{query.label}: the API answered {response.status_code}: {body}")


async def _hey(
    hey: str, url: str, clients: int, seconds: int, body: str | None, token: str | None
) -> Load:
    """`clients` hey clients sending to `url` for `seconds` s: POST `body` as JSON, or GET
    without one; with `token` as the bearer credential."""
    post = ["-m", "POST", "-T", "application/json", "-d", body] if body is not None else []
    credential = ["-H", f"Authorization: Bearer {token}"] if token is not None else []
    process = await asyncio.create_subprocess_exec(
        hey,
        "-z", f"{seconds}s",
        "-c", str(clients),
        "-t", "0",
        *post,
        *credential,
        "-o", "csv",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"hey failed ({process.returncode}): {err.decode()[-500:]}")
    latencies, failures, end = [], 0, 0.0
    for record in csv.DictReader(io.StringIO(out.decode())):
        took = float(record["response-time"])
        end = max(end, float(record["offset"]) + took)
        if record["status-code"] == "200":
            latencies.append(took)
        else:
            failures += 1
    return Load(sorted(latencies), failures, end or float(seconds))


async def _through_driver(
    driver: AsyncDriver,
    graph: Graph,
    statements: Sequence[Sequence[Statement]],
    scene: Scene,
    clients: int,
    seconds: int,
) -> Load:
    stages = [[(graph.registry[s.name], s.params(scene)) for s in stage] for stage in statements]
    latencies: list[float] = []
    failures = 0

    async def request() -> None:
        for stage in stages:
            await asyncio.gather(
                *(
                    driver.execute_query(
                        text, params, database_=graph.database, routing_=RoutingControl.READ
                    )
                    for text, params in stage
                )
            )

    async def client(deadline: float) -> None:
        nonlocal failures
        while (start := time.perf_counter()) < deadline:
            try:
                await request()
            except (Neo4jError, DriverError):  # counted, like a non-200 from the API
                failures += 1
                continue
            latencies.append(time.perf_counter() - start)

    await request()  # every statement parses and runs before the clock starts
    begin = time.perf_counter()
    await asyncio.gather(*(client(begin + seconds) for _ in range(clients)))
    return Load(sorted(latencies), failures, time.perf_counter() - begin)


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


async def run(graph: Graph, settings: Settings) -> list[str]:
    """Seed, then load each query through the API and its floors."""
    hey = await ensure_hey()
    if hey is None:
        return [
            "SKIPPED: `hey` (the load generator) is not installed and could not be installed "
            "here; run `apt-get install hey` and try again"
        ]
    seconds, clients = _env("BENCH_LOAD_SECONDS", 30), _env("BENCH_LOAD_CLIENTS", 50)
    rows = _env("BENCH_LOAD_ROWS", 5_000)
    driver = AsyncGraphDatabase.driver(
        settings.neo4j_uri,
        auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        max_connection_pool_size=max(clients, settings.neo4j_pool_size),
        notifications_min_severity="OFF",
    )
    lines = [
        f"{clients} concurrent clients for {seconds} s each; one uvicorn worker (prod profile) "
        f"in a subprocess, driven by hey; a table of {rows:,} rows from one document (seeded "
        f"directly, not timed); {machine_load()} at the start"
    ]
    try:
        async with (
            bench_table(graph, TABLE, rows) as table,
            bench_user(graph) as user,
            running_api() as base,
            httpx.AsyncClient(base_url=base, headers=user.headers(), timeout=30) as http,
        ):
            principal = await load_principal(graph, user.id)
            readable = sorted(await Access(graph, Authorizer(), principal).tables())
            scene = Scene(table, readable, user.key_id)
            await refresh_table_trust(graph, [table.name])  # as a trust pass does
            for query in QUERIES:
                await _check(http, query, scene)
                body = json.dumps({"query": query.text, "variables": query.variables(scene)})
                api = await _hey(hey, f"{base}/graphql", clients, seconds, body, user.token)
                lines += [f"{query.label}:", f"  API: {api.line()} ({api.failures} non-200)"]
                if query is QUERIES[0]:
                    lines += await _http_floors(hey, base, user, api, clients, seconds)
                floors = [(query.stages, "what a request reads")] if query.stages else []
                if query is QUERIES[0]:
                    floors += [
                        (AUTHORIZE, "what a request read before its caller was held"),
                        (BEFORE, "what a request read before the dashboard was held"),
                    ]
                for stages, label in floors:
                    floor = await _through_driver(driver, graph, stages, scene, clients, seconds)
                    lines.append(
                        f"  {_beside(api, floor)}: driver, {label} ({floor.failures} failed)"
                    )
    finally:
        await driver.close()
    return lines


TYPENAME = json.dumps({"query": "{ __typename }"})


async def _http_floors(
    hey: str, base: str, user: BenchUser, api: Load, clients: int, seconds: int
) -> list[str]:
    """The same load on requests that do less and less than the dashboard's."""
    async with running_api("bare_app", "/empty") as bare:
        empty = await _hey(hey, f"{bare}/empty", clients, seconds, None, None)
    floors = [
        (empty, "a bare FastAPI app's GET /empty (uvicorn alone)"),
        (
            await _hey(hey, f"{base}/health/live", clients, seconds, None, None),
            "GET /health/live (the API's middleware)",
        ),
        (
            await _hey(hey, f"{base}/graphql", clients, seconds, TYPENAME, None),
            "{ __typename } without a key (GraphQL, no Neo4j)",
        ),
        (
            await _hey(hey, f"{base}/graphql", clients, seconds, TYPENAME, user.token),
            "{ __typename } with the key (its caller held)",
        ),
    ]
    return [f"  {_beside(api, floor)}: {label}" for floor, label in floors]


def _beside(api: Load, floor: Load) -> str:
    """A floor's figures and how far the API is from them."""
    return (
        f"{floor.line()}; the API's p50 {_ratio(api, floor, 0.5)}, p99 "
        f"{_ratio(api, floor, 0.99)} this"
    )


def _ratio(api: Load, floor: Load, q: float) -> str:
    return f"{quantile(api.latencies, q) / max(quantile(floor.latencies, q), 1e-9):.1f}x"
