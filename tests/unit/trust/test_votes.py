"""The votes behind one fact: each claimer's share after the dependence discount and the
partners that cost it, as `trust.dependence.discount` weighs them."""

from __future__ import annotations

import numpy as np
import pytest

from graph.schemas import TableSchema
from trust.attribute_trust import numbered
from trust.claims import ClaimIndex, RowRecord, build_claims
from trust.dependence import COPY_RATE
from trust.votes import votes_of

CITIES = TableSchema.model_validate(
    {
        "name": "cities",
        "description": "d",
        "owner": "o",
        "entity_key": ["city_id"],
        "fields": {"city_id": {"type": "string"}, "population": {"type": "integer"}},
    }
)
CLAIMS = {"a": 500, "b": 500, "c": 900, "d": 900, "e": 900}
TRUST = {"a": 0.9, "b": 0.8, "c": 0.7, "d": 0.6, "e": 0.5}


def edge(copier: str, original: str, probability: float) -> dict[str, object]:
    return {
        "copier": copier,
        "original": original,
        "probability": probability,
        "shared_true": 0.0,
        "shared_false": 5.0,
    }


def lyon() -> tuple[ClaimIndex, int, np.ndarray]:
    """The claims of CLAIMS on Lyon's population, its item and the sources' TRUST."""
    rows = [
        RowRecord(f"r{s}", "cities", "lyon", {"city_id": "lyon", "population": v}, s, f"doc-{s}")
        for s, v in CLAIMS.items()
    ]
    index = build_claims(rows, {"cities": CITIES})
    [item] = [i for i, it in enumerate(index.items) if it.attribute == "population"]
    return index, item, np.array([TRUST[s] for s in index.sources])


def test_each_claimer_keeps_one_minus_cp_per_dependent_claimer_before_it() -> None:
    index, item, trust = lyon()
    copying = [edge("e", "d", 0.9), edge("d", "c", 0.5), edge("b", "e", 0.99)]
    votes = {vote.source: vote for vote in votes_of(index, item, trust, copying)}
    assert [v.source for v in votes_of(index, item, trust, copying)] == list("abcde")
    # c is the first claimer of 900; d comes after c (its partner), e after d
    assert votes["c"].kept == 1.0
    assert votes["d"].kept == pytest.approx(1 - COPY_RATE * 0.5)
    assert [(p.partner, p.probability) for p in votes["d"].discounted_by] == [("c", 0.5)]
    assert votes["e"].kept == pytest.approx(1 - COPY_RATE * 0.9)
    assert [p.partner for p in votes["e"].discounted_by] == ["d"]
    # b and e are dependent but claim different values: no discount between them
    assert votes["b"].kept == 1.0
    assert votes["b"].discounted_by == ()
    # two accurate sources outvote a discounted bloc of three
    assert {s for s, v in votes.items() if v.winning} == {"a", "b"}
    assert votes["a"].vote == pytest.approx(np.log(10 * 0.9 / 0.1))


def test_independent_claimers_keep_their_whole_vote() -> None:
    rows = [
        RowRecord(f"r{s}", "cities", "nice", {"city_id": "nice", "population": 7}, s, f"doc-{s}")
        for s in "xy"
    ]
    index = build_claims(rows, {"cities": CITIES})
    [item] = [i for i, it in enumerate(index.items) if it.attribute == "population"]
    votes = votes_of(index, item, np.array([0.7, 0.7]), [])
    assert [(v.kept, v.discounted_by, v.winning) for v in votes] == [(1.0, (), True)] * 2


def test_a_source_votes_with_its_accuracy_on_the_attribute() -> None:
    index, item, trust = lyon()
    names = {name: a for a, name in enumerate(index.attributes)}
    # "a" is 0.9 accurate overall but 0.2 on this attribute, as a full pass stored it
    assert index.claims.attribute_of_item is not None
    cell = {"a": {index.attributes[int(index.claims.attribute_of_item[item])]: 0.2}}
    attributes = numbered(names, cell, index.sources)
    votes = {vote.source: vote for vote in votes_of(index, item, trust, [], attributes)}
    assert votes["a"].trust == pytest.approx(0.2)
    assert votes["a"].vote == pytest.approx(np.log(10 * 0.2 / 0.8))
    assert votes["b"].trust == pytest.approx(0.8)  # no cell stored: its overall trust
    # without a's accuracy there, three claimers of 900 outvote b alone
    assert {s for s, v in votes.items() if v.winning} == {"c", "d", "e"}
    overall = {vote.source: vote for vote in votes_of(index, item, trust, [])}
    assert {s for s, v in overall.items() if v.winning} == {"a", "b"}
