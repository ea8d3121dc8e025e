"""The votes behind one fact, as the engine weighs them: each source claiming the fact's item,
the value it claims, the trust it votes with (its accuracy on the item's attribute where the
last full pass found one, `trust.attribute_trust`, else its overall trust), and the share of
its vote the dependence discount leaves it (`trust.dependence.discount`) with the copying
partners that cost it that share.

It is what an incremental pass computes for the item: the item's active rows encoded as the
engine encodes them (`trust.claims.build_claims`), the sources' stored trust held fixed and
the `COPIES` edges, accuracies by attribute and evidence the last full pass stored
(`trust.engine.stored_dependence`, `trust.pass_inputs.attribute_priors`,
`trust.pass_inputs.evidence_records`), through the same `discount` and the same decision of
the count's ties (`trust.tie_break`). After a full pass this is that pass's discount to within
its convergence tolerance (`trust.truth.resolve`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from pydantic import JsonValue

from graph.graph import Graph
from graph.schemas import TableSchema
from trust.attribute_trust import AttributeTrust, numbered
from trust.claims import ClaimIndex, build_claims
from trust.dependence import discount
from trust.engine import stored_dependence
from trust.pass_inputs import attribute_priors, evidence_records
from trust.rows import read_entity_rows, read_source_trust
from trust.truth import EPS, FALSE_VALUES, INITIAL_TRUST, resolve


@dataclass(frozen=True)
class Discount:
    """A copying partner that claims the same value and comes first (more trusted)."""

    partner: str
    probability: float


@dataclass(frozen=True)
class Vote:
    """One source's vote on an item."""

    source: str
    value: JsonValue
    winning: bool
    trust: float
    """The trust it votes with: its accuracy on the attribute, or its overall trust."""
    vote: float
    """Its vote in log-odds, `ln(FALSE_VALUES t / (1 - t))`, before the discount."""
    kept: float
    """The share of its vote the dependence discount leaves (1: no discount)."""
    discounted_by: tuple[Discount, ...]


async def item_votes(
    graph: Graph, tables: Mapping[str, TableSchema], entity: str, attribute: str
) -> list[Vote]:
    """The votes on `attribute` of `entity`, most trusted first (none if no active row
    claims it)."""
    index = build_claims(await read_entity_rows(graph, [entity]), tables)
    wanted = [
        i
        for i, item in enumerate(index.items)
        if (item.entity, item.attribute)
        == (
            entity,
            attribute,
        )
    ]
    if not wanted:
        return []
    stored = await read_source_trust(graph)
    copying = await graph.read("trust/copies_among", {"sources": index.sources})
    kept = await graph.read("trust/source_attribute_trust", {"sources": index.sources})
    names = {name: a for a, name in enumerate(index.attributes)}
    attributes = numbered(names, attribute_priors(kept), index.sources)
    trust = np.clip([stored.get(s, INITIAL_TRUST) for s in index.sources], EPS, 1 - EPS)
    held = evidence_records(kept)
    claimed = np.array([held.get(s, 0.0) for s in index.sources])
    return votes_of(index, wanted[0], trust, copying, attributes, claimed)


def votes_of(
    index: ClaimIndex,
    item: int,
    trust: np.ndarray,
    copying: Iterable[Mapping[str, Any]],
    attributes: AttributeTrust | None = None,
    claimed: np.ndarray | None = None,
) -> list[Vote]:
    """The votes on item `item` of `index` with sources' `trust` (by index), accuracy by
    attribute (`attributes`, numbered as the index's) and evidence (`claimed`, by index) held
    fixed and the copying of `copying` (`COPIES` edges as `trust/copies_among` reads them)."""
    claims = index.claims
    dependence = stored_dependence(index, copying)
    result = resolve(claims, trust, dependence, attributes, claimed=claimed)
    winner = int(result.winner[item])
    voting = _voting_trust(claims.attribute_of_item, item, trust, result.attribute_trust)
    ones = np.ones(len(claims.source))
    incidence = sp.csr_matrix(
        (ones, (claims.value, claims.source)), shape=(len(claims.item_of_value), claims.n_sources)
    )
    incidence.sum_duplicates()
    incidence.data[:] = 1.0
    kept = discount(incidence, trust, dependence).tocoo()
    pairs = {
        frozenset((int(a), int(b))): float(p)
        for a, b, p in zip(
            dependence.original, dependence.copier, dependence.probability, strict=True
        )
    }
    votes = []
    for value, source, share in zip(
        kept.row.tolist(), kept.col.tolist(), kept.data.tolist(), strict=True
    ):
        if claims.item_of_value[value] != item:
            continue
        before = [
            other
            for other in incidence.getrow(value).indices.tolist()
            if (trust[other], -other) > (trust[source], -source)
        ]
        partners = tuple(
            Discount(index.sources[other], pairs[frozenset((source, other))])
            for other in before
            if frozenset((source, other)) in pairs
        )
        votes.append(
            Vote(
                source=index.sources[source],
                value=index.representatives[value],
                winning=value == winner,
                trust=float(voting[source]),
                vote=float(np.log(FALSE_VALUES * voting[source] / (1 - voting[source]))),
                kept=share,
                discounted_by=partners,
            )
        )
    return sorted(votes, key=lambda vote: (-vote.trust, vote.source))


def _voting_trust(
    attribute_of_item: np.ndarray | None, item: int, trust: np.ndarray, cells: AttributeTrust
) -> np.ndarray:
    """Per source, the trust it votes with on `item`: its cell's on the item's attribute
    (`cells`, as `resolve` held them) where it has one, else `trust`."""
    voting = np.asarray(trust, dtype=np.float64).copy()
    if attribute_of_item is None:
        return voting
    mine = cells.attribute == attribute_of_item[item]
    voting[cells.source[mine]] = cells.trust[mine]
    return voting
