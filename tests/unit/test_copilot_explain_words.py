"""Trust explained in words uses the explanation's numbers and nothing else."""

from __future__ import annotations

import re

from copilot.explain_words import trust_in_words

EXPLANATION = {
    "trustExplanation": {
        "nodeId": "row:0774",
        "table": "cities",
        "score": 0.4213,
        "mode": "combined",
        "sumsTo": "SCORE",
        "summary": "Below the table's median.",
        "contributions": [
            {"name": "source_reliability", "value": 0.12},
            {"name": "contradictions", "value": -0.25},
            {"name": "freshness", "value": 0.05},
        ],
        "evidence": [
            {"description": "contradicted by row:0a1b on area_km2", "weight": 0.8, "nodeIds": []}
        ],
    }
}


def test_the_words_carry_the_score_the_parts_largest_first_and_the_evidence() -> None:
    text = trust_in_words(EXPLANATION)
    assert text.startswith("row:0774 is trusted 0.42")
    assert text.index("contradictions -0.250") < text.index("source reliability +0.120")
    assert "The largest is contradictions." in text
    assert "Evidence (weight 0.80): contradicted by row:0a1b on area_km2." in text


def test_every_number_in_the_words_comes_from_the_explanation() -> None:
    numbers = {float(n) for n in re.findall(r"[-+]?\d+\.\d+", trust_in_words(EXPLANATION))}
    given = {0.42, 0.12, -0.25, 0.05, 0.8}
    assert numbers == {round(n, 2) for n in given} | {0.120, -0.250, 0.050}


def test_no_explanation_says_so() -> None:
    assert trust_in_words({"trustExplanation": None}).startswith("Grace has no trust")
