"""Worker throughput with 1, 2 and 4 worker processes: the same files dropped into the
watched folder of real processes (watcher, workers; one Redis of their own, the bench's
Neo4j), one every `SPACING_SECONDS` so each is a job of its own (files arriving together
share one batch job, which one worker runs), timed until every file has its active document.
1 worker is the baseline."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

from graph.graph import Graph
from graph.settings import Settings
from tests.integration.process_stack import ProcessStack
from tests.integration.test_survival import until

FILES = 16
ROWS_PER_FILE = 500
SPACING_SECONDS = 0.2
WORKERS = (1, 2, 4)


async def _active(graph: Graph, source: str) -> int:
    [record] = await graph.read("bench/active_documents", {"source": source})
    return int(record["active"])


async def _files_per_second(graph: Graph, settings: Settings, workers: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        stack = ProcessStack(settings, Path(folder), workers=workers, apis=0)
        async with stack.running():
            name = f"bench-scale-{workers}-{uuid.uuid4().hex[:6]}"
            source = stack.inbox / name
            source.mkdir()
            start = time.perf_counter()
            for index in range(FILES):
                rows = "".join(f"w{index}x{i}-zz,City {i},{i}\n" for i in range(ROWS_PER_FILE))
                (source / f"part-{index}.csv").write_text("city_id,name,population\n" + rows)
                await asyncio.sleep(SPACING_SECONDS)

            async def done() -> bool:
                return await _active(graph, f"folder:{name}") == FILES

            await until(done, [p.managed for p in stack.processes.values()])
            return FILES / (time.perf_counter() - start)


async def run(graph: Graph, settings: Settings) -> list[str]:
    """Files per second with each number of workers, against one worker."""
    rates = {workers: await _files_per_second(graph, settings, workers) for workers in WORKERS}
    lines = [f"1 worker (baseline): {rates[1]:.2f} files/s ({FILES} files x {ROWS_PER_FILE} rows)"]
    lines += [
        f"{workers} workers: {rates[workers]:.2f} files/s = {rates[workers] / rates[1]:.2f}x"
        for workers in WORKERS[1:]
    ]
    return lines
