from __future__ import annotations

import numpy as np

from trust.attribute_trust import SHRINK, AttributeTrust
from trust.truth import ClaimSet, discover, resolve


def flights(gate_items: int = 30) -> tuple[ClaimSet, np.ndarray]:
    """Sources 0 and 1 are exact on departures (attribute 0) and wrong on gates (1);
    sources 2, 3 and 4 are right on gates and, on departures, each wrong its own way on a
    third of the items. Value 0 of each item is true. Returns the claims and each item's
    attribute."""
    source: list[int] = []
    value: list[int] = []
    item_of_value: list[int] = []
    attribute: list[int] = []
    for item in range(30 + gate_items):
        gate = item >= 30
        base = len(item_of_value)
        item_of_value += [item] * 3
        attribute.append(int(gate))
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
    hit = (result_trust.source == source) & (result_trust.attribute == attribute)
    assert hit.sum() == 1
    return float(result_trust.trust[hit][0])


def test_a_source_exact_on_one_attribute_and_wrong_on_another() -> None:
    claims, _ = flights()
    result = discover(claims, detect_copying=False)
    trust = result.attribute_trust
    assert cell(trust, 0, 0) > 0.9 > 0.2 > cell(trust, 0, 1)
    assert cell(trust, 2, 1) > 0.9
    truth = np.arange(claims.n_items) * 3
    assert np.array_equal(result.winner, truth)


def test_without_attributes_every_cell_is_its_source() -> None:
    claims, _ = flights()
    plain = ClaimSet(claims.source, claims.value, claims.item_of_value, claims.n_sources)
    result = discover(plain, detect_copying=False)
    trust = result.attribute_trust
    assert np.allclose(trust.trust, result.source_trust[trust.source])
    assert set(trust.attribute.tolist()) == {0}


def test_an_attribute_claimed_a_few_times_keeps_about_the_overall_accuracy() -> None:
    claims, _ = flights(gate_items=1)
    result = discover(claims, detect_copying=False)
    overall = result.source_trust[0]
    gate = cell(result.attribute_trust, 0, 1)
    # one wrong claim against SHRINK pseudo-claims at the overall accuracy
    assert abs(gate - SHRINK * overall / (1 + SHRINK)) < 0.05
    assert gate > 0.5


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
