"""Several workers and API processes against one Redis and one Neo4j: two worker processes,
two API processes and the watcher (real processes). Files dropped together are each ingested
once (one run, one active document, each row written once), every job runs on exactly one
worker, and a subscriber on each API process receives every file's `ingestion.completed`."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets

from governance.rbac import Role
from graph.graph import Graph
from graph.settings import Settings
from tests.integration.api_support import make_caller
from tests.integration.process_stack import ProcessStack
from tests.integration.test_operations_metrics import runs_of, samples_of
from tests.integration.test_survival import until

pytestmark = pytest.mark.integration

FILES = 8
ROWS_PER_FILE = 50
SUBSCRIPTION = "subscription { ingestionProgress { type path } }"


@pytest.fixture(scope="module")
async def stack(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ProcessStack]:
    processes = ProcessStack(settings, tmp_path_factory.mktemp("scale"), workers=2, apis=2)
    async with processes.running():
        yield processes


async def completed_paths(url: str, token: str, ready: asyncio.Event, want: int) -> set[str]:
    """Subscribe on one API process; the paths of the first `want` completed ingestions."""
    paths: set[str] = set()
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        )
        ready.set()
        while len(paths) < want:
            message: dict[str, Any] = json.loads(await socket.recv())
            assert message["type"] == "next", message
            event = message["payload"]["data"]["ingestionProgress"]
            if event["type"] == "INGESTION_COMPLETED":
                paths.add(event["path"])
    return paths


async def test_each_file_once_each_job_on_one_worker_events_on_every_api(
    stack: ProcessStack, graph: Graph
) -> None:
    unique = uuid.uuid4().hex[:10]
    caller = await make_caller(graph, unique, "scale", Role.VIEWER)
    assert caller.token is not None
    apis = [stack[f"api-{index}"] for index in range(2)]
    readies = [asyncio.Event() for _ in apis]
    listeners = [
        asyncio.create_task(
            completed_paths(f"ws://127.0.0.1:{api.port}/graphql", caller.token, ready, FILES)
        )
        for api, ready in zip(apis, readies, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 60)
    await asyncio.sleep(1)  # the subscriptions are registered on Redis
    name = f"scale-{unique}"
    folder = stack.inbox / name
    folder.mkdir()
    for index in range(FILES):
        rows = "".join(f"s{index}x{i}-zz,City {i},{i}\n" for i in range(ROWS_PER_FILE))
        (folder / f"part-{index}.csv").write_text("city_id,name,population\n" + rows)
        await asyncio.sleep(0.3)  # each file a job of its own, for either worker to take

    async def all_active() -> bool:
        return (await runs_of(graph, f"folder:{name}")).count("active") == FILES

    await until(all_active, [p.managed for p in stack.processes.values()])
    received = await asyncio.wait_for(asyncio.gather(*listeners), 120)
    expected = {f"{name}/part-{index}.csv" for index in range(FILES)}
    for paths in received:
        assert paths == expected

    [record] = await graph.read("testing/source_graph", {"source": f"folder:{name}"})
    assert sorted(d["version"] for d in record["documents"]) == [1] * FILES
    keys = [row["key"] for row in record["rows"]]
    assert len(keys) == len(set(keys)) == FILES * ROWS_PER_FILE

    def files_run() -> float:
        """Files the workers finished (counted once their job, pass included, returned)."""
        return sum(
            value
            for index in range(2)
            for (metric, _), value in samples_of(stack[f"worker-{index}"].scrape()).items()
            if metric == "grace_ingest_files_total"
        )

    async def all_run() -> bool:
        return files_run() >= FILES

    await until(all_run, [p.managed for p in stack.processes.values()])
    await asyncio.sleep(2)  # a second run of any job would show by now
    assert files_run() == FILES  # every file ran on exactly one worker, once
