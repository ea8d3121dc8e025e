"""Set-up shared by the API benchmarks: the running API (uvicorn in a subprocess, one
worker, prod-like), a bench user with an API key, and a bench table of seeded rows, all
removed afterwards.

Prod-like: the app is built with the `prod` profile (no GraphiQL, no introspection, masked
errors, the prod limits) from the development settings, because the services the benches
run against use the development password that `prod` refuses; uvicorn runs one worker with
uvloop and httptools, no access log, no reload.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from api.app import create_app
from bench.common import delete_source
from governance.accounts import Accounts
from governance.api_keys import ApiKeys
from governance.audit import AuditLog
from governance.rbac import DEFAULT_WORKSPACE, Principal, Role
from graph.graph import Graph
from graph.schema_store import sync_tables
from graph.schemas import FieldSpec, FieldType, TableSchema
from graph.settings import PROJECT_ROOT, Profile, load_settings

AUDIT_CHAIN = "bench-api"
USER_PREFIX = "bench-api-"
ROW_PREFIX = "bench-api:"
QUARANTINED = 0.05
SEED_BATCH = 5_000
TREND_DAYS = 30
STARTUP_SECONDS = 90.0
SYSTEM = Principal.system("bench")


def prod_like_app() -> FastAPI:
    """`uvicorn --factory bench.api_support:prod_like_app`: the app under the `prod` profile."""
    settings = load_settings("dev").model_copy(update={"profile": Profile.PROD})
    return create_app(settings)


def bare_app() -> FastAPI:
    """`uvicorn --factory bench.api_support:bare_app`: one endpoint, `GET /empty`, answering
    `{}`: FastAPI and uvicorn alone, the floor of any request on this machine."""
    app = FastAPI()

    @app.get("/empty")
    async def empty() -> dict[str, str]:
        return {}

    return app


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def running_api(
    factory: str = "prod_like_app", ready: str = "/health/ready"
) -> AsyncIterator[str]:
    """Start the app `factory` of this module (the API, by default) in a subprocess with
    this process's environment (on `BENCH_API_PORT`, else a free port); yield its base URL
    once `ready` answers 200."""
    port = int(os.environ.get("BENCH_API_PORT", "0")) or free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"bench.api_support:{factory}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = await asyncio.create_subprocess_exec(*command, cwd=PROJECT_ROOT, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_ready(process, base, ready)
        yield base
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_until_ready(process: asyncio.subprocess.Process, base: str, ready: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"the API exited with {process.returncode} while starting")
            try:
                if (await client.get(ready)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the API was not ready within {STARTUP_SECONDS:.0f} s")


@dataclass(frozen=True)
class BenchUser:
    """A user of the default workspace and its API key."""

    id: str
    token: str

    def headers(self) -> dict[str, str]:
        """The headers that authenticate as this user."""
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def key_id(self) -> str:
        """The id of the user's key (its token is `grace_<id>_<secret>`)."""
        return self.token.split("_")[1]


@asynccontextmanager
async def bench_user(graph: Graph, role: Role = Role.VIEWER) -> AsyncIterator[BenchUser]:
    """A fresh user with `role` in the default workspace and a key; removed afterwards, with
    the audit events its creation wrote (to a chain of their own)."""
    audit = AuditLog(graph, chain=AUDIT_CHAIN)
    accounts, keys = Accounts(graph, audit), ApiKeys(graph, audit)
    user_id = USER_PREFIX + secrets.token_hex(4)
    try:
        await accounts.ensure_default_workspace(by=SYSTEM)
        await accounts.create_user(
            user_id, name="bench", email=f"{user_id}@bench.invalid", by=SYSTEM
        )
        await accounts.grant(DEFAULT_WORKSPACE, user_id, role, by=SYSTEM)
        issued = await keys.create_key(
            user_id, name="bench", scopes=None, expires_at=None, by=SYSTEM
        )
        yield BenchUser(user_id, issued.token.get_secret_value())
    finally:
        await graph.write("bench/api_delete_users", {"prefix": user_id})
        params = {"chain": AUDIT_CHAIN, "limit": 20_000}
        while (await graph.write("bench/audit_delete_events", params))[0]["deleted"]:
            pass
        await graph.write("bench/audit_delete_head", {"chain": AUDIT_CHAIN})


def machine_load() -> str:
    """How busy the machine is: the figures of a shared machine need it next to them."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def quantile(sorted_values: list[float], q: float) -> float:
    """The `q` quantile (nearest rank) of already sorted values."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))
    return sorted_values[index]


@dataclass(frozen=True)
class BenchTable:
    """A table of seeded rows, all extracted from one document of one source."""

    name: str
    document: str
    rows: int


@asynccontextmanager
async def bench_table(graph: Graph, name: str, rows: int) -> AsyncIterator[BenchTable]:
    """Sync a table definition `name`, seed `rows` rows (trust drawn from Beta(5, 2), 5 %
    quarantined) from one document and `TREND_DAYS` points of its trust trend; everything
    is removed afterwards."""
    source, document = f"{ROW_PREFIX}{name}:source", f"{ROW_PREFIX}{name}:document"
    await _drop_table(graph, name, source)  # what an interrupted run may have left
    try:
        await sync_tables(graph, [_schema(name)])
        await graph.write("bench/seed_trust_document", {"source": source, "document_id": document})
        await graph.write_batches(
            "bench/api_seed_rows",
            _rows(name, rows),
            batch_size=SEED_BATCH,
            params={"table": name, "document_id": document},
        )
        await graph.write(
            "bench/api_seed_snapshots", {"table": name, "days": TREND_DAYS, "rows": rows}
        )
        yield BenchTable(name, document, rows)
    finally:
        await _drop_table(graph, name, source)


async def _drop_table(graph: Graph, name: str, source: str) -> None:
    await delete_source(graph, source)
    await graph.write("bench/api_delete_table", {"name": name})


def _schema(name: str) -> TableSchema:
    text, number = FieldSpec(type=FieldType.STRING), FieldSpec(type=FieldType.INTEGER)
    return TableSchema(
        name=name,
        description="API benchmark table.",
        owner="bench@grace.example",
        entity_key=["code"],
        fields={
            "code": FieldSpec(type=FieldType.STRING, required=True),
            "name": text,
            "country": text,
            "population": number,
            "area_km2": FieldSpec(type=FieldType.FLOAT),
            "note": text,
        },
    )


def _rows(table: str, count: int) -> Iterator[dict[str, object]]:
    rng = random.Random(7)
    for i in range(count):
        code = f"{table}-{i:06d}"
        values = {
            "code": code,
            "name": f"Place {i}",
            "country": ("FR", "PT", "AT", "DE", "NL")[i % 5],
            "population": 1_000 + i * 37,
            "area_km2": round(10 + rng.random() * 500, 2),
            "note": f'seeded row {i}, with a comma and "quotes"',
        }
        yield {
            "id": f"{ROW_PREFIX}{code}",
            "key": code,
            "values": json.dumps(values),
            "trust": round(rng.betavariate(5, 2), 4),
            "status": "quarantined" if rng.random() < QUARANTINED else "active",
            "locator": f"line {i + 2}",
        }
