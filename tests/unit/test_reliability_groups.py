"""The breakdowns of `bench.reliability`: where a confidence is off, by bin, shape and gap."""

from __future__ import annotations

import numpy as np
from pydantic import JsonValue

from bench.reliability import Agreement, Group, by_rival_gap, by_shape, diagram, render
from trust.arrays import ClaimSet


def test_the_diagram_groups_items_by_confidence_bin() -> None:
    confidence = np.array([0.95, 0.99, 0.55, 0.58, 1.0])
    hits = np.array([1.0, 0.0, 1.0, 1.0, 1.0])
    assert diagram(confidence, hits) == [
        Group("0.5-0.6", 2, 0.565, 1.0),
        Group("0.9-1.0", 3, (0.95 + 0.99 + 1.0) / 3, 2 / 3),  # 1.0 falls in the last bin
    ]


def test_items_are_grouped_by_how_their_claims_split() -> None:
    # item 0: one claim; 1: two agree; 2: one against one; 3: two against one;
    # 4: three against one (source 0 claims value 7 twice: it counts once)
    claims = ClaimSet(
        source=np.array([0, 0, 1, 0, 1, 0, 1, 2, 0, 0, 1, 2, 3]),
        value=np.array([0, 1, 1, 2, 3, 4, 4, 5, 6, 6, 6, 6, 7]),
        item_of_value=np.array([0, 1, 2, 2, 3, 3, 4, 4]),
        n_sources=4,
    )
    winner = np.array([0, 1, 2, 4, 6])
    items = np.arange(5)
    confidence = np.array([0.7, 0.9, 0.5, 0.8, 0.99])
    hits = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    found = by_shape(claims, winner, items, confidence, hits)
    assert [(g.label, g.count, g.confidence, g.accuracy) for g in found] == [
        ("one claim", 1, 0.7, 0.0),
        ("unanimous", 1, 0.9, 1.0),
        ("tied", 1, 0.5, 1.0),
        ("ahead by one", 1, 0.8, 0.0),
        ("ahead by 2+", 1, 0.99, 1.0),
    ]


def test_numeric_winners_are_grouped_by_their_nearest_rival() -> None:
    representatives: list[JsonValue] = [1000, 1002, 100000, 1000, 2100, 500, "a", "b", 7]
    item_of_value = np.array([0, 0, 0, 1, 1, 2, 3, 3, 4])
    winner = np.array([0, 3, 5, 6, 8])
    items = np.arange(5)
    confidence = np.array([0.6, 0.9, 0.8, 0.7, 0.5])
    hits = np.array([0.0, 1.0, 1.0, 1.0, 1.0])
    found = by_rival_gap(representatives, item_of_value, winner, items, confidence, hits)
    # item 0: 1002 is 0.2 % away; item 1: 2100 is 52 % away; item 2: no rival;
    # item 3: not numbers; item 4: no rival
    assert found == [Group("0.1-1%", 1, 0.6, 0.0), Group(">=50%", 1, 0.9, 1.0)]


def test_a_breakdown_renders_as_one_line() -> None:
    line = render("by claims", [Group("tied", 3, 0.8, 2 / 3)])
    assert line == "  by claims: tied 3 0.800/0.667"


def test_agreement_counts_what_the_claims_show_of_one_source() -> None:
    # source 0: alone on item 0, agreed with on item 1, contested on item 2 (claiming value
    # 2 twice: once counted); source 1 agrees on item 1 and disputes item 2 with value 3
    claims = ClaimSet(
        source=np.array([0, 0, 1, 0, 0, 1]),
        value=np.array([0, 1, 1, 2, 2, 3]),
        item_of_value=np.array([0, 1, 2, 2]),
        n_sources=2,
    )
    assert Agreement.of(claims, 0) == Agreement(claims=3, shared=2, agreed=1, contested=1)
    assert Agreement.of(claims, 1) == Agreement(claims=2, shared=2, agreed=1, contested=1)
