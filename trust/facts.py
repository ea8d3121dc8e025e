"""Resolved facts ("memory fusion"): per entity attribute, the winning value with its
confidence and evidence, and what changed since the facts stored in the graph.

A fact is written again only when it changed: its value, status, evidence or rows (its
`digest`), or its confidence by at least `CONFIDENCE_EPSILON`. A fact holds its rows' ids
(`rows`) and one edge, `ABOUT` its entity (`trust/write_facts`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph.graph import Graph
from trust.claims import ClaimIndex
from trust.truth import TruthResult

CONFIDENCE_EPSILON = 1e-4
"""A stored fact whose confidence moved less than this keeps its stored confidence."""

ACTIVE = "active"
CANDIDATE = "candidate"


@dataclass(frozen=True)
class StoredFact:
    """What the graph holds of a fact, to tell whether it changed."""

    digest: str | None
    confidence: float | None


@dataclass(frozen=True)
class FactChanges:
    """The writes that bring the stored facts up to date."""

    written: list[dict[str, Any]]
    """New or changed facts, written whole with their rows' ids."""
    confidences: list[dict[str, Any]]
    """Facts of which only the confidence moved."""
    retracted: list[str]
    """Stored facts no longer resolved (their rows left, were quarantined or rejected)."""


def resolve_facts(
    index: ClaimIndex, result: TruthResult, sync_above: Callable[[str], float]
) -> list[dict[str, Any]]:
    """One fact per resolved item: the winning value, its confidence, the sources and rows
    that support it and the sources that contradict it. A fact at least as confident as its
    table's `sync_above` is synced to the fact layer (`active`); the others are candidates."""
    claims = index.claims
    item_of_claim = claims.item_of_value[claims.value]
    winning = claims.value == result.winner[item_of_claim]
    names = [index.sources[s] for s in claims.source.tolist()]
    claim_bounds, claim_order = _groups(item_of_claim, len(index.items))
    at_item = item_of_claim[index.assertion_claims]
    won = winning[index.assertion_claims]
    row_bounds, row_order = _groups(at_item[won], len(index.items))
    winning_rows = [index.row_ids[p] for p in index.assertion_rows[won][row_order].tolist()]
    thresholds: dict[str, float] = {}
    quoted = {name: json.dumps(name) for name in index.sources}
    is_winning = winning.tolist()
    facts = []
    for item_id, item in enumerate(index.items):
        winner = int(result.winner[item_id])
        if winner < 0:
            continue
        group = claim_order[claim_bounds[item_id] : claim_bounds[item_id + 1]]
        supporting = sorted({names[c] for c in group if is_winning[c]})
        contradicting = sorted({names[c] for c in group if not is_winning[c]} - set(supporting))
        rows = sorted(set(winning_rows[row_bounds[item_id] : row_bounds[item_id + 1]]))
        confidence = float(result.fact_confidence[winner])
        threshold = thresholds.get(item.table)
        if threshold is None:
            threshold = thresholds[item.table] = sync_above(item.table)
        shown = index.representatives[winner]
        value = str(shown) if type(shown) is int else json.dumps(shown)  # the same text
        status = ACTIVE if confidence >= threshold else CANDIDATE
        evidence = evidence_json(supporting, contradicting, quoted)
        facts.append(
            {
                "id": f"fact:{item.entity}:{item.attribute}",
                "entity": item.entity,
                "table": item.table,
                "key": item.key,
                "attribute": item.attribute,
                "value": value,
                "confidence": confidence,
                "status": status,
                "supporting": len(supporting),
                "contradicting": len(contradicting),
                "evidence": evidence,
                "rows": rows,
                "digest": _digest(value, status, evidence, rows),
            }
        )
    return facts


def evidence_json(
    supporting: Sequence[str], contradicting: Sequence[str], quoted: Mapping[str, str]
) -> str:
    """`json.dumps({"supporting": supporting, "contradicting": contradicting})`, joined from
    each source's JSON form in `quoted` (encoding once per source, not once per fact, took a
    third of resolving a million rows' facts)."""
    return (
        '{"supporting": ['
        + ", ".join(quoted[name] for name in supporting)
        + '], "contradicting": ['
        + ", ".join(quoted[name] for name in contradicting)
        + "]}"
    )


def fact_changes(facts: Sequence[dict[str, Any]], stored: Mapping[str, StoredFact]) -> FactChanges:
    """Compare resolved facts with the stored ones (active or candidate) they replace."""
    written: list[dict[str, Any]] = []
    confidences: list[dict[str, Any]] = []
    for fact in facts:
        before = stored.get(fact["id"])
        if before is None or before.digest != fact["digest"] or before.confidence is None:
            written.append(fact)
        elif abs(before.confidence - fact["confidence"]) >= CONFIDENCE_EPSILON:
            confidences.append({"id": fact["id"], "confidence": fact["confidence"]})
    resolved = {fact["id"] for fact in facts}
    retracted = sorted(set(stored) - resolved)
    return FactChanges(written, confidences, retracted)


async def read_fact_states(graph: Graph) -> dict[str, StoredFact]:
    """Every active or candidate fact, as `fact_changes` compares it."""
    [record] = await graph.read_plain("trust/fact_states")
    return _states(record["facts"])


def _states(facts: Sequence[Sequence[Any]]) -> dict[str, StoredFact]:
    return {fact_id: StoredFact(digest, confidence) for fact_id, digest, confidence in facts}


def _groups(keys: np.ndarray, n: int) -> tuple[list[int], list[int]]:
    """Positions grouped by key (stable): group k is `order[bounds[k]:bounds[k + 1]]`."""
    order = np.argsort(keys, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(keys, minlength=n))))
    return bounds.tolist(), order.tolist()


def _digest(value: str, status: str, evidence: str, rows: Sequence[str]) -> str:
    """What identifies a fact's content apart from its confidence."""
    text = "\x1f".join((value, status, evidence, "\x1e".join(rows)))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
