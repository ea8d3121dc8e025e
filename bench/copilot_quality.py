"""The co-pilot's evaluation over the demo graph and a larger generated one (issue 17).

- Execution accuracy of the deterministic answerer on the labelled questions of
  `bench/copilot/questions.yaml`: an answer is right when its rows equal the rows of the
  question's gold Cypher (as sets), both run in this run on the same graph. Baseline in the
  same run: the same answerer with a bag-of-words matcher instead of Grace's embedder.
- Latency per question (median, p95), beside the gold query alone.
- With a model configured (`GRACE_LLM_URL`, e.g. llama.cpp's server over Gemma 3 270M from
  the `llama` extra): the execution accuracy of the model alone on the same questions.
- The adversarial corpus (the guard's unit corpus, the access tests' queries) run as a caller
  restricted to one table: refusals, and leaks (any node of another table shown; aim 0).

Ingests the demo first (unchanged files are skipped). Then the curated answerer and the
baseline again on a larger graph: the demo and the generated sources of
`bench.generated_sources`, in a Neo4j of the bench's own.
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from api.prestart import prestart
from bench.generated_sources import TELLERS, write_generated_sources
from bench.private_neo4j import PrivateNeo4j
from copilot.answers import Answer
from copilot.errors import CopilotError
from copilot.runner import run_generated
from copilot.service import Copilot
from copilot.visibility import View
from graph.graph import Graph
from graph.settings import PROJECT_ROOT, Settings
from ingest.demo import demo_sources
from ingest.once import ingest_once
from tests.integration.test_copilot_access import ADVERSARIAL, SCALARS
from tests.unit.test_copilot_guard import REFUSED
from trust.embedding import Vectors, load_embedder

QUESTIONS = Path(__file__).with_name("copilot") / "questions.yaml"
RESTRICTED_TABLE = "cities"
GENERATED_CITIES = 2_000
"""The generated graph's size: with its organizations and people, about 9,000 rows."""


class BagOfWords:
    """The baseline matcher's "embedding": hashed word counts, L2-normalised (cosine is then
    word overlap)."""

    name = "bag-of-words"
    dimensions = 4096

    def encode(self, texts: Sequence[str]) -> Vectors:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                vectors[row, hash(word) % self.dimensions] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: Vectors = (vectors / np.maximum(norms, 1e-9)).astype(np.float32)
        return normalised


def _rows(rows: Sequence[Sequence[Any]]) -> set[str]:
    return {json.dumps([_plain(v) for v in row], default=str) for row in rows}


def _plain(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


async def _gold(graph: Graph, cypher: str) -> tuple[set[str], float]:
    started = time.perf_counter()
    result = await graph.read_checked(cypher, {}, seconds=30, max_rows=10_000)
    return _rows(result.records), time.perf_counter() - started


Ask = Callable[[str, View, str], Awaitable[Answer]]
Measured = tuple[int, list[float], list[float], list[str]]
"""Right answers, latencies, the gold queries' latencies, and what was answered wrong."""


async def _accuracy(ask: Ask, graph: Graph, view: View, cases: list[tuple[str, str]]) -> Measured:
    right, latencies, gold_latencies, wrong = 0, [], [], []
    for question, gold in cases:
        expected, gold_seconds = await _gold(graph, gold)
        started = time.perf_counter()
        answer = await ask(question, view, "system:bench")
        latencies.append(time.perf_counter() - started)
        gold_latencies.append(gold_seconds)
        if answer.answered and _rows(answer.rows) == expected:
            right += 1
        else:
            wrong.append(f"{question!r} -> {answer.matched or answer.text[:60]}")
    return right, latencies, gold_latencies, wrong


async def _adversarial(graph: Graph, known: frozenset[str]) -> tuple[int, int, int]:
    view = View(frozenset({RESTRICTED_TABLE}), frozenset(), False, known, {})
    queries = [q for q, _ in REFUSED] + list(ADVERSARIAL) + list(SCALARS)
    refused = leaks = 0
    for query in queries:
        try:
            visible = await run_generated(graph, query, {"tables": [RESTRICTED_TABLE]}, view)
        except CopilotError:
            refused += 1
            continue
        shown = json.dumps(visible.rows)
        leaks += sum(f'"table": "{t}"' in shown for t in known - {RESTRICTED_TABLE})
    return len(queries), refused, leaks


async def _labelled(graph: Graph) -> tuple[list[tuple[str, str]], frozenset[str], View]:
    """The labelled (question, gold Cypher) pairs, the graph's tables, and a view of all."""
    entries = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    cases = [(q, str(e["gold"])) for e in entries for q in e["questions"]]
    known = frozenset(str(r["table"]) for r in await graph.read("api/table_workspaces", {}))
    view = await View.load(
        graph, readable=known, readable_pii=known, whole_workspace=True, known_tables=known
    )
    return cases, known, view


def _accuracy_lines(
    graph_name: str, cases: list[tuple[str, str]], grace: Measured, baseline: Measured
) -> list[str]:
    right, latencies, gold_latencies, wrong = grace
    median, gold_median = statistics.median(latencies), statistics.median(gold_latencies)
    p95 = sorted(latencies)[int(0.95 * (len(latencies) - 1))]
    return [
        f"copilot execution accuracy on {graph_name} (curated, {len(cases)} labelled "
        f"questions): {right}/{len(cases)} = {right / len(cases):.1%}; baseline bag-of-words "
        f"matcher: {baseline[0]}/{len(cases)} = {baseline[0] / len(cases):.1%}",
        f"copilot latency per question on {graph_name}: median {median * 1000:.0f} ms, p95 "
        f"{p95 * 1000:.0f} ms; the gold query alone: median {gold_median * 1000:.1f} ms "
        f"(ratio {median / max(gold_median, 1e-9):.0f}x)",
        *(f"  wrong: {w}" for w in wrong),
    ]


async def _both_answerers(graph: Graph, graph_name: str) -> tuple[list[str], int]:
    """Grace's curated answerer and the bag-of-words baseline on the labelled questions:
    the report's lines and the curated answerer's right answers."""
    cases, _, view = await _labelled(graph)
    grace = await _accuracy(Copilot(graph, load_embedder("numpy")).ask, graph, view, cases)
    baseline = await _accuracy(Copilot(graph, BagOfWords()).ask, graph, view, cases)
    return _accuracy_lines(graph_name, cases, grace, baseline), grace[0]


async def run(graph: Graph, settings: Settings) -> list[str]:
    await ingest_once(settings, [demo_sources(PROJECT_ROOT)])
    lines, curated = await _both_answerers(graph, "the demo graph")
    cases, known, view = await _labelled(graph)
    total, refused, leaks = await _adversarial(graph, known)
    lines.append(
        f"copilot adversarial corpus as a caller restricted to {RESTRICTED_TABLE}: {total} "
        f"queries, {refused} refused, {total - refused} answered filtered, {leaks} leaks"
    )
    if settings.llm_url:
        lines.append(await _model_accuracy(graph, settings, view, cases, curated))
    return lines + await _on_generated_graph(graph, settings)


async def _on_generated_graph(graph: Graph, settings: Settings) -> list[str]:
    """The same questions on a larger graph: the demo and the generated sources, ingested
    into a Neo4j of the bench's own (the one it was pointed at stays as it was)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generated = write_generated_sources(root / "generated", cities=GENERATED_CITIES)
        private = PrivateNeo4j(settings, root / "neo4j", heap="1g", pagecache="512m")
        try:
            larger = await private.start(graph.registry)
            try:
                await prestart(larger, private.settings)
                await ingest_once(private.settings, [demo_sources(PROJECT_ROOT)])
                started = time.perf_counter()
                report = await ingest_once(private.settings, [root / "generated"])
                ingest_seconds = time.perf_counter() - started
                assert not report.failed, "a generated file failed to ingest"
                size = (await larger.read("bench/count_everything", {}))[0]
                lines, _ = await _both_answerers(larger, "the generated graph")
            finally:
                await larger.close()
        finally:
            private.stop()
    rows = ", ".join(f"{count:,} {table}" for table, count in generated.items())
    return [
        f"generated graph: the demo and {len(TELLERS)} generated folders ({rows} rows), "
        f"{size['nodes']:,} nodes, {size['relationships']:,} relationships; the generated "
        f"folders ingested with their after-ingest passes in {ingest_seconds:.0f} s",
        *lines,
    ]


async def _model_accuracy(
    graph: Graph, settings: Settings, view: View, cases: list[tuple[str, str]], curated: int
) -> str:
    """The configured model alone (every question to the model, no curated answer), on the
    same questions and graph, beside the curated answerer's figure of this run."""
    copilot = await Copilot.open(settings, graph)
    model = copilot.model
    assert model is not None
    try:
        right, latencies, _, _ = await _accuracy(model.answer, graph, view, cases)
    finally:
        await copilot.close()
    return (
        f"copilot execution accuracy of the model alone ({settings.llm_model} at "
        f"{settings.llm_url}): {right}/{len(cases)} = {right / len(cases):.1%}, median "
        f"{statistics.median(latencies):.1f} s per question; the curated answerer, same "
        f"run: {curated}/{len(cases)} = {curated / len(cases):.1%}"
    )
