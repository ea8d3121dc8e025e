"""Trust explained in words uses the explanation's numbers and nothing else."""

from __future__ import annotations

import re

from copilot.explain_words import conflict_in_words, trust_in_words

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


def test_a_facts_votes_are_not_said_to_add_up_to_its_confidence() -> None:
    votes = {**EXPLANATION["trustExplanation"], "nodeId": "fact:cities:k:population"}
    votes |= {"sumsTo": "VOTES", "contributions": [{"name": "feed-a (for)", "value": 3.2}]}
    text = trust_in_words({"trustExplanation": votes})
    assert "add up" not in text
    assert "votes in log-odds after the dependence discount" in text


def test_no_explanation_says_so() -> None:
    assert trust_in_words({"trustExplanation": None}).startswith("Grace has no trust")


CONFLICT = {
    "conflict": {
        "id": "conflict:value:cities:tampere-fi:area_km2",
        "kind": "VALUE",
        "status": "OPEN",
        "attribute": "area_km2",
        "suggestion": {
            "value": 525.03,
            "valueRedacted": False,
            "confidence": 0.71,
            "supportingSources": ["folder:registry"],
            "contradictingSources": ["folder:open-data"],
            "reason": "the registry is trusted more",
        },
    }
}


def test_a_conflict_summary_names_the_suggestion_and_both_sides() -> None:
    text = conflict_in_words(CONFLICT)
    assert "a value conflict on area_km2, open" in text
    assert "Grace suggests 525.03 with confidence 0.71: the registry is trusted more." in text
    assert "For it: folder:registry. Against it: folder:open-data." in text


def test_a_redacted_suggestion_is_never_shown() -> None:
    hidden = {"conflict": {**CONFLICT["conflict"]}}
    hidden["conflict"]["suggestion"] = {
        **CONFLICT["conflict"]["suggestion"],  # type: ignore[dict-item]
        "value": None,
        "valueRedacted": True,
    }
    assert "a personal value (redacted)" in conflict_in_words(hidden)
