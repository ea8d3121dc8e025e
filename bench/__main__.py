"""Run benchmarks against the services named by NEO4J_URI / REDIS_URL (`make bench`).

`python -m bench` runs all; `python -m bench NAME...` runs some (names below).
"""

from __future__ import annotations

import asyncio
import platform
import sys
from collections.abc import Awaitable, Callable

from bench import (
    after_ingest,
    api_export,
    api_load,
    audit,
    backup_restore,
    batched_writes,
    comment_fanout,
    conflict_quality,
    conflict_scan,
    copilot_quality,
    embedding_throughput,
    ingest_latency,
    ingest_throughput,
    notification_fanout,
    ops_observability,
    policy_eval,
    readiness_recovery,
    reingest_unchanged,
    semantic_quality,
    source_accuracy,
    token_keys,
    trust_compute,
    trust_incremental,
    trust_quality,
    trust_recompute,
    truth_data,
    web_timing,
    worker_idle,
    worker_scaling,
)
from graph.cypher_registry import CypherRegistry
from graph.events import EventBus
from graph.graph import Graph
from graph.settings import PROJECT_ROOT, Settings, load_settings

Benchmark = Callable[[Graph, EventBus, Settings], Awaitable[list[str]]]

BENCHMARKS: dict[str, Benchmark] = {
    "batched_writes": lambda graph, bus, settings: batched_writes.run(graph),
    "ingest_throughput": ingest_throughput.run,
    "reingest_unchanged": lambda graph, bus, settings: reingest_unchanged.run(graph, bus),
    "ingest_latency": ingest_latency.run,
    "after_ingest": after_ingest.run,
    "trust_quality": lambda graph, bus, settings: _offline(trust_quality.run),
    "truth_data": lambda graph, bus, settings: _offline(truth_data.run),
    "trust_compute": lambda graph, bus, settings: _offline(trust_compute.run),
    "trust_recompute": lambda graph, bus, settings: trust_recompute.run(graph, bus),
    "trust_incremental": lambda graph, bus, settings: trust_incremental.run(graph, bus),
    "conflict_scan": lambda graph, bus, settings: conflict_scan.run(graph, bus),
    "conflict_quality": lambda graph, bus, settings: _offline(conflict_quality.run),
    "semantic_quality": lambda graph, bus, settings: _offline(semantic_quality.run),
    "embedding_throughput": lambda graph, bus, settings: _offline(embedding_throughput.run),
    "audit": lambda graph, bus, settings: audit.run(graph, settings),
    "backup_restore": lambda graph, bus, settings: backup_restore.run(graph, settings),
    "policy_eval": lambda graph, bus, settings: policy_eval.run(graph, bus),
    "api_export": lambda graph, bus, settings: api_export.run(graph, settings),
    "readiness_recovery": lambda graph, bus, settings: readiness_recovery.run(graph, settings),
    "api_load": lambda graph, bus, settings: api_load.run(graph, settings),
    "metrics_scrape": lambda graph, bus, settings: ops_observability.scrape_cost(graph, settings),
    "tracing_overhead": lambda graph, bus, settings: ops_observability.tracing_overhead(graph, bus),
    "worker_scaling": lambda graph, bus, settings: worker_scaling.run(graph, settings),
    "worker_idle": lambda graph, bus, settings: worker_idle.run(settings),
    "copilot_quality": lambda graph, bus, settings: copilot_quality.run(graph, settings),
    "notification_fanout": notification_fanout.run,
    "comment_fanout": comment_fanout.run,
    "token_keys": lambda graph, bus, settings: token_keys.run(graph),
    "source_accuracy": lambda graph, bus, settings: source_accuracy.run(graph),
    "web_timing": web_timing.run,
}


async def _offline(run: Callable[[], list[str]]) -> list[str]:
    """A benchmark that needs no services, run off the event loop."""
    return await asyncio.to_thread(run)


async def main(names: list[str]) -> None:
    """Print each benchmark's figures, with the machine they were measured on."""
    settings = load_settings()
    registry = CypherRegistry(
        {
            **CypherRegistry.load(settings.cypher_dir),
            **CypherRegistry.load(PROJECT_ROOT / "bench" / "cypher"),
        }
    )
    graph = await Graph.connect(settings, registry)
    bus = EventBus.from_url(settings.redis_url)
    print(
        f"machine: {platform.machine()}, python {platform.python_version()}, {settings.neo4j_uri}"
    )
    try:
        for name in names or list(BENCHMARKS):
            print(f"== {name} (bench/{name}.py)", flush=True)
            for line in await BENCHMARKS[name](graph, bus, settings):
                print("  " + line, flush=True)
    finally:
        await bus.close()
        await graph.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
