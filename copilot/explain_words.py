"""A trust score explained in words (issue 17, item 5), from GraphQL's `trustExplanation`:
the score, its parts largest first and the evidence paths, every number taken from the
explanation, none invented."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def trust_in_words(data: Mapping[str, Any]) -> str:
    """The explanation of `{"trustExplanation": {...}}` as a few sentences."""
    explanation = data.get("trustExplanation")
    if not explanation:
        return "Grace has no trust explanation for this node."
    node, score = explanation["nodeId"], float(explanation["score"])
    parts = sorted(explanation["contributions"], key=lambda p: -abs(float(p["value"])))
    scale = "log-odds" if explanation["sumsTo"] == "LOG_ODDS" else "score"
    lines = [f"{node} is trusted {score:.2f} (scored by the {explanation['mode']} mode)."]
    if parts:
        named = ", ".join(f"{p['name'].replace('_', ' ')} {float(p['value']):+.3f}" for p in parts)
        lines.append(f"Its parts, which add up to the {scale}: {named}.")
        lines.append(f"The largest is {parts[0]['name'].replace('_', ' ')}.")
    for path in explanation["evidence"]:
        lines.append(f"Evidence (weight {float(path['weight']):.2f}): {path['description']}.")
    if explanation.get("summary"):
        lines.append(str(explanation["summary"]))
    return " ".join(lines)
