from __future__ import annotations

import numpy as np
from pydantic import JsonValue

from bench.truth_data import _same_authors, expected_calibration_error, spearman_ceiling


def test_an_author_list_is_right_when_it_names_the_gold_people() -> None:
    gold: JsonValue = ["aiken, peter", "allen, m. david"]
    claimed: list[JsonValue] = [
        ["Peter Aiken, M. David Allen"],
        ["Aiken, Peter", "Allen, M. D."],
        ["Aiken, Peter/ Allen, David M."],  # first initial + last name, as published
        ["Aiken, Peter"],
    ]
    assert [_same_authors(authors, gold) for authors in claimed] == [True, True, False, False]
    assert not _same_authors("Peter Aiken", gold)


def test_calibration_error_is_the_gap_between_confidence_and_accuracy() -> None:
    confidence = np.array([0.95, 0.95, 0.95, 0.95, 0.55, 0.55])
    hits = np.array([1.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    # bin 0.9-1: 0.95 against 0.75 on 4 of 6; bin 0.5-0.6: 0.55 against 0.5 on 2 of 6
    assert np.isclose(expected_calibration_error(confidence, hits), (0.2 * 4 + 0.05 * 2) / 6)


def test_the_spearman_ceiling_falls_with_the_gold_items_each_source_claims() -> None:
    trust = np.linspace(0.3, 0.95, 40)
    many = spearman_ceiling(trust, np.full(40, 2000.0))
    one = spearman_ceiling(trust, np.ones(40))
    assert many > 0.95  # exact trust ranks sources as their gold accuracy does
    assert one < 0.6  # a gold accuracy of 0 or 1 ranks them only roughly
    assert spearman_ceiling(trust, np.ones(40)) == one  # seeded: the same every run
