"""The `trust.truth` iteration written plainly over a networkx graph: the benchmark baseline.

Sources and values are nodes of a bipartite graph, a claim is an edge (with its vote weight);
every step loops over nodes and edges in Python. Same formulas, constants and tie rule as
`trust.truth.discover` without copy detection, so both give the same result up to float
rounding.
"""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx  # type: ignore[import-untyped]
import numpy as np

from trust.attribute_trust import AttributeTrust
from trust.calibration import Calibration
from trust.dependence import Dependence
from trust.tie_break import TIE
from trust.truth import (
    EPS,
    FALSE_VALUES,
    INITIAL_TRUST,
    ClaimSet,
    TruthResult,
)

Source = tuple[str, int]


def discover(
    claims: ClaimSet,
    *,
    max_iterations: int = 100,
    tolerance: float = 1e-6,
) -> TruthResult:
    """`trust.truth.discover(claims, detect_copying=False)`, one node at a time."""
    graph = nx.Graph()
    graph.add_nodes_from((("s", s) for s in range(claims.n_sources)), bipartite=0)
    for value, item in enumerate(claims.item_of_value.tolist()):
        graph.add_node(("v", value), bipartite=1, item=item)
    for source, value in zip(claims.source.tolist(), claims.value.tolist(), strict=True):
        graph.add_edge(("s", source), ("v", value), weight=1.0)
    trust = {("s", s): INITIAL_TRUST for s in range(claims.n_sources)}
    confidence, iterations, converged = _iterate(graph, trust, max_iterations, tolerance)
    winner = _winners(graph, confidence, claims.n_items)
    source_trust = np.array([trust[("s", s)] for s in range(claims.n_sources)])
    claiming = np.unique(claims.source)
    posterior = np.array([confidence[("v", v)] for v in range(len(claims.item_of_value))])
    return TruthResult(
        source_trust,
        posterior,
        np.array(winner, dtype=np.int64),
        iterations,
        converged,
        Dependence.none(),
        AttributeTrust(claiming, np.zeros(len(claiming), dtype=np.int64), source_trust[claiming]),
        Calibration.none(),  # the posterior only: calibration is checked on its own
        posterior,
        np.zeros(claims.n_sources),  # no evidence: the count's ties are not decided here
    )


def _values(graph: nx.Graph) -> list[tuple[str, int]]:
    return [node for node in graph if node[0] == "v"]


def _iterate(
    graph: nx.Graph, trust: dict[Source, float], max_iterations: int, tolerance: float
) -> tuple[dict[Source, float], int, bool]:
    """Run the joint iteration, updating `trust` in place; return the value confidences."""
    confidence: dict[Source, float] = {}
    for iteration in range(1, max_iterations + 1):
        votes = {s: math.log(FALSE_VALUES * a / (1 - a)) for s, a in trust.items()}
        scores = {
            v: sum(graph.edges[s, v]["weight"] * votes[s] for s in graph[v]) for v in _values(graph)
        }
        best: dict[int, float] = {}
        for v, score in scores.items():
            item = graph.nodes[v]["item"]
            best[item] = max(best.get(item, -math.inf), score)
        total: dict[int, float] = defaultdict(float)
        for v, score in scores.items():
            total[graph.nodes[v]["item"]] += math.exp(score - best[graph.nodes[v]["item"]])
        confidence = {
            v: math.exp(score - best[graph.nodes[v]["item"]]) / total[graph.nodes[v]["item"]]
            for v, score in scores.items()
        }
        change = 0.0
        for s in trust:
            if graph.degree(s):
                mean = sum(confidence[v] for v in graph[s]) / graph.degree(s)
                updated = min(max(mean, EPS), 1 - EPS)
                change = max(change, abs(updated - trust[s]))
                trust[s] = updated
        if change < tolerance:
            return confidence, iteration, True
    return confidence, max_iterations, False


def _winners(graph: nx.Graph, confidence: dict[Source, float], n_items: int) -> list[int]:
    best: dict[int, float] = {}
    for v, p in confidence.items():
        item = graph.nodes[v]["item"]
        best[item] = max(best.get(item, -math.inf), p)
    winner = [-1] * n_items
    for v, p in sorted(confidence.items()):
        item = graph.nodes[v]["item"]
        if winner[item] < 0 and p >= best[item] - TIE:
            winner[item] = v[1]
    return winner
