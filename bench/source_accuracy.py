"""The accuracy of a page of sources (`api/source_accuracy`, what `sources { accuracyBy... }`
reads) against reading the same facts without parsing their evidence, in the same run.

FACTS facts of one table, each naming SUPPORTING sources for its value and CONTRADICTING
against it out of SOURCES; one page of PAGE sources is counted. The floor reads every fact's
evidence, attribute and status and aggregates them without parsing the JSON; the ratio is
what parsing and counting the claims cost on top.
"""

from __future__ import annotations

import json
import random
import statistics
import time
import uuid
from typing import Any

from graph.graph import Graph

FACTS = 100_000
SOURCES = 200
SUPPORTING = 5
CONTRADICTING = 2
PAGE = 50
RUNS = 5
BATCH = 10_000
ATTRIBUTES = ("population", "area", "mayor", "founded")


def facts(table: str, sources: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """FACTS facts naming sources for and against their value (80 % of them active)."""
    out = []
    for i in range(FACTS):
        named = rng.sample(sources, SUPPORTING + CONTRADICTING)
        evidence = {"supporting": named[:SUPPORTING], "contradicting": named[SUPPORTING:]}
        attribute = ATTRIBUTES[i % len(ATTRIBUTES)]
        out.append(
            {
                "id": f"fact:{table}:k{i}:{attribute}",
                "entity": f"{table}:k{i}",
                "attribute": attribute,
                "status": "active" if rng.random() < 0.8 else "candidate",
                "evidence": json.dumps(evidence),
            }
        )
    return out


async def _median(graph: Graph, name: str, params: dict[str, Any]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await graph.read(name, params)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def run(graph: Graph) -> list[str]:
    """Seed, measure both, clean up; the figures as lines."""
    table = f"bench_sources_{uuid.uuid4().hex[:8]}"
    sources = [f"folder:bench-{i}" for i in range(SOURCES)]
    seeded = facts(table, sources, random.Random(7))
    try:
        for start in range(0, len(seeded), BATCH):
            chunk = seeded[start : start + BATCH]
            await graph.write("bench/source_facts_seed", {"table": table, "facts": chunk})
        page = {"ids": sources[:PAGE], "tables": [table]}
        floor = await _median(graph, "bench/source_facts_floor", {"tables": [table]})
        counted = await _median(graph, "api/source_accuracy", page)
        records = await graph.read("api/source_accuracy", page)
    finally:
        while (await graph.write("bench/source_facts_delete", {"table": table, "limit": BATCH}))[0][
            "deleted"
        ]:
            pass
    claims = sum(int(r["claims"]) for r in records)
    return [
        f"{FACTS:,} facts, {SOURCES} sources, a page of {PAGE}: {claims:,} claims counted "
        f"by table and attribute in {counted * 1000:.0f} ms (median of {RUNS})",
        f"baseline, the same facts read without parsing their evidence: "
        f"{floor * 1000:.0f} ms ({counted / floor:.1f}x)",
    ]
