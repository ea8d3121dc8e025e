"""A trust score explained in words (issue 17, item 5), from GraphQL's `trustExplanation`:
the score, its parts largest first and the evidence paths, every number taken from the
explanation, none invented."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PARTS = {
    "SCORE": "Its parts, which add up to the score",
    "LOG_ODDS": "Its parts, which add up to the log-odds",
    "VOTES": "Its parts, the sources' votes in log-odds after the dependence discount, for the "
    "value (+) or against it (-)",
}
"""How the parts of an explanation are introduced, by what they add up to (`sumsTo`)."""


def trust_in_words(data: Mapping[str, Any]) -> str:
    """The explanation of `{"trustExplanation": {...}}` as a few sentences."""
    explanation = data.get("trustExplanation")
    if not explanation:
        return "Grace has no trust explanation for this node."
    node, score = explanation["nodeId"], float(explanation["score"])
    parts = sorted(explanation["contributions"], key=lambda p: -abs(float(p["value"])))
    lines = [f"{node} is trusted {score:.2f} (scored by the {explanation['mode']} mode)."]
    if parts:
        named = ", ".join(f"{p['name'].replace('_', ' ')} {float(p['value']):+.3f}" for p in parts)
        lines.append(f"{PARTS[explanation['sumsTo']]}: {named}.")
        lines.append(f"The largest is {parts[0]['name'].replace('_', ' ')}.")
    for path in explanation["evidence"]:
        lines.append(f"Evidence (weight {float(path['weight']):.2f}): {path['description']}.")
    if explanation.get("summary"):
        lines.append(str(explanation["summary"]))
    return " ".join(lines)


def conflict_in_words(data: Mapping[str, Any]) -> str:
    """A conflict of `{"conflict": {...}}` (GraphQL's `conflict`) summarised for a reviewer:
    what disagrees, what Grace suggests with which confidence, and who stands on each side."""
    conflict = data.get("conflict")
    if not conflict:
        return "Grace has no such conflict."
    about = conflict.get("attribute") or "its content"
    lines = [f"{conflict['id']} is a {conflict['kind'].lower()} conflict on {about}, "
             f"{conflict['status'].lower()}."]  # fmt: skip
    suggestion = conflict.get("suggestion")
    if suggestion:
        value = (
            "a personal value (redacted)" if suggestion["valueRedacted"] else suggestion["value"]
        )
        confidence = suggestion.get("confidence")
        sure = f" with confidence {float(confidence):.2f}" if confidence is not None else ""
        lines.append(f"Grace suggests {value}{sure}: {suggestion['reason']}.")
        for side, sources in (
            ("For it", suggestion["supportingSources"]),
            ("Against it", suggestion["contradictingSources"]),
        ):
            if sources:
                lines.append(f"{side}: {', '.join(sources)}.")
    return " ".join(lines)
