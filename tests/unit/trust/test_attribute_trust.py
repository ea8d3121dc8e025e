from __future__ import annotations

import json

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from trust.attribute_trust import AttributeTrust, Cells, stored_votes
from trust.scenarios import encode, generate
from trust.truth import ClaimSet, discover, resolve


def flights(gate_items: int = 30) -> tuple[ClaimSet, np.ndarray]:
    """Sources 0 and 1 are exact on departures (attribute 0) and wrong on gates (1);
    sources 2, 3 and 4 are right on gates and, on departures, each wrong its own way on a
    third of the items. Value 0 of each item is true. Returns the claims and each item's
    attribute (departures 0 and 1, gates 2 and 3: the halves, `trust.attribute_trust`)."""
    source: list[int] = []
    value: list[int] = []
    item_of_value: list[int] = []
    attribute: list[int] = []
    for item in range(30 + gate_items):
        gate = item >= 30
        base = len(item_of_value)
        item_of_value += [item] * 3
        attribute.append(2 * int(gate) + item % 2)  # two halves per attribute
        for s in range(5):
            wrong = gate if s < 2 else not gate and item % 3 == s - 2
            source.append(s)
            value.append(base + (1 + (s % 2 if gate else 0) if wrong else 0))
    claims = ClaimSet(
        np.array(source, dtype=np.int64),
        np.array(value, dtype=np.int64),
        np.array(item_of_value, dtype=np.int64),
        5,
        attribute_of_item=np.array(attribute, dtype=np.int64),
    )
    return claims, np.array(attribute)


def cell(result_trust: AttributeTrust, source: int, attribute: int) -> float:
    """The source's accuracy on the first half of attribute 0 (departures) or 1 (gates)."""
    hit = (result_trust.source == source) & (result_trust.attribute == 2 * attribute)
    assert hit.sum() == 1
    return float(result_trust.trust[hit][0])


def test_a_source_exact_on_one_attribute_and_wrong_on_another() -> None:
    claims, _ = flights()
    result = discover(claims, detect_copying=False)
    trust = result.attribute_trust
    assert cell(trust, 0, 0) > 0.9 > 0.2 > cell(trust, 0, 1)
    truth = np.arange(claims.n_items) * 3
    assert np.array_equal(result.winner, truth)


def test_without_attributes_every_cell_is_its_source() -> None:
    claims, _ = flights()
    plain = ClaimSet(claims.source, claims.value, claims.item_of_value, claims.n_sources)
    result = discover(plain, detect_copying=False)
    trust = result.attribute_trust
    assert np.allclose(trust.trust, result.source_trust[trust.source])
    assert set(trust.attribute.tolist()) == {0}


def test_an_attribute_the_data_does_not_set_apart_keeps_the_overall_accuracy() -> None:
    claims, _ = flights()
    result = discover(claims, detect_copying=False)
    # sources 2-4 are wrong on a third of departures and right on every gate: 15 claims a
    # half do not set that apart from their overall 0.83 at 95 % over all the cells
    for source in (2, 3, 4):
        for attribute in (0, 1):
            assert cell(result.attribute_trust, source, attribute) == result.source_trust[source]
    # one gate claim, wrong, is not enough to tell a mostly right source apart from itself
    few, _ = flights(gate_items=2)
    again = discover(few, detect_copying=False)
    assert cell(again.attribute_trust, 0, 1) == again.source_trust[0]


def test_an_item_is_never_evidence_of_its_own_voters_accuracy() -> None:
    claims, _ = flights()
    ones = np.ones(len(claims.source))
    cells = Cells(claims, sp.csr_matrix((ones, (claims.value, claims.source))))
    overall = np.full(claims.n_sources, 0.5)
    kept = np.ones(len(cells.cell_of_claim))
    confidence = np.zeros(len(claims.item_of_value))
    confidence[np.arange(claims.n_items) * 3] = 1.0
    before = cells.accuracy(overall, confidence, 1e-3, kept)
    # the gates of one half flip to source 0's wrong value: only the other half's votes move
    flipped = confidence.copy()
    half = (np.arange(30, 60) % 2 == 0).nonzero()[0] + 30
    flipped[half * 3], flipped[half * 3 + 1] = 0.0, 1.0
    after = cells.accuracy(overall, flipped, 1e-3, kept)
    moved = cells.keys[before != after] % cells.n_attributes
    assert set(moved.tolist()) == {3}


def test_copied_claims_count_as_little_evidence_of_accuracy_by_attribute() -> None:
    claims, _ = flights()
    ones = np.ones(len(claims.source))
    cells = Cells(claims, sp.csr_matrix((ones, (claims.value, claims.source))))
    confidence = np.zeros(len(claims.item_of_value))
    confidence[np.arange(claims.n_items) * 3] = 1.0
    overall = np.full(claims.n_sources, 0.7)
    counted = cells.accuracy(overall, confidence, 1e-3, np.ones(len(cells.cell_of_claim)))
    discounted = cells.accuracy(overall, confidence, 1e-3, np.full(len(cells.cell_of_claim), 0.01))
    gates_of_0 = (cells.source == 0) & (cells.keys % cells.n_attributes == 2)
    assert counted[gates_of_0][0] < 0.1  # 15 wrong gates in the other half: set apart
    assert discounted[gates_of_0][0] == 0.7  # 0.15 of a claim: the overall accuracy


def test_resolve_votes_with_the_stored_cells() -> None:
    claims, _ = flights()
    full = discover(claims, detect_copying=False)
    again = resolve(claims, full.source_trust, attribute_trust=full.attribute_trust)
    assert np.array_equal(again.winner, full.winner)
    assert np.allclose(again.value_confidence, full.value_confidence, atol=1e-4)
    # with their overall trust only, the sources wrong on gates back wrong gates far more
    overall = resolve(claims, full.source_trust)
    wrong_gates = (claims.item_of_value >= 30) & (np.arange(len(claims.item_of_value)) % 3 > 0)
    assert (
        full.value_confidence[wrong_gates].max() < overall.value_confidence[wrong_gates].max() / 10
    )


def test_copiers_of_some_attributes_are_found_before_accuracy_splits_by_attribute() -> None:
    # a bloc that copies on some attributes looks accurate there; found first, it is
    # discounted, and its copied claims are little evidence of its accuracy by attribute
    claims, truth = encode(generate("partial_copiers", seed=1))
    assert claims.attribute_of_item is not None
    result = discover(claims)
    flat = ClaimSet(claims.source, claims.value, claims.item_of_value, claims.n_sources)
    assert {(4, 3), (6, 3)} <= {(c, o) for c, o, _ in result.copying}
    assert np.mean(result.winner == truth) >= np.mean(discover(flat).winner == truth) - 0.01


def test_stored_votes_give_each_attribute_its_halves_in_order() -> None:
    stored = json.dumps({"cities.population#1": 0.4, "cities.population#0": 0.9, "a.b#0": 0.7})
    assert stored_votes(stored) == {"cities.population": [0.9, 0.4], "a.b": [0.7]}
    assert stored_votes(None) == {}
