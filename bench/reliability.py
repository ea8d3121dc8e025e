"""Where a confidence is off: the reliability diagram of resolved items and its breakdowns.

Each breakdown groups the scored items (those with a gold or planted answer) and gives, per
group, how many there are, their mean confidence and the share right: a group whose mean
confidence is above its accuracy is overconfident. Groups:

- `diagram`: ten equal-width confidence bins (what `expected_calibration_error` sums over);
- `by_shape`: how the item's claims split: one claim, unanimous, the winner tied on claims
  with another value, ahead by one claim, ahead by two or more;
- `by_rival_gap`: for numbers, how far the nearest losing value is from the winner
  (`|x - y| / max(|x|, |y|)`, by decade): a close rival is a competing figure, a far one a
  slip.

`Agreement` says what the claims alone show of one source: how often another source claims
the value it claims, on the items they share, and how many of its items are contested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import JsonValue

from trust.arrays import ClaimSet, Floats, Ints

GAPS = ((1e-3, "<0.1%"), (1e-2, "0.1-1%"), (1e-1, "1-10%"), (0.5, "10-50%"))
"""Upper bounds (exclusive) of the rival gap's groups; the rest is `>=50%`."""
SHAPES = ("one claim", "unanimous", "tied", "ahead by one", "ahead by 2+")
"""The groups of `by_shape`, in the order printed."""


@dataclass(frozen=True)
class Group:
    """Items of one group: how many, their mean confidence and the share right."""

    label: str
    count: int
    confidence: float
    accuracy: float


@dataclass(frozen=True)
class Agreement:
    """One source's claims, those on items another source claims too (`shared`), those
    another source claims the same value on (`agreed`) and those on items with two values or
    more (`contested`)."""

    claims: int
    shared: int
    agreed: int
    contested: int

    @classmethod
    def of(cls, claims: ClaimSet, source: int) -> Agreement:
        """What `claims` show of `source` (distinct claims: a repeated one counts once)."""
        value, who = _distinct(claims)
        item = claims.item_of_value[value]
        backers = np.bincount(value, minlength=len(claims.item_of_value))
        on_item = np.bincount(item, minlength=claims.n_items)
        own = np.bincount(item[who == source], minlength=claims.n_items)
        values = np.bincount(claims.item_of_value, minlength=claims.n_items)
        mine = who == source
        return cls(
            int(mine.sum()),
            int((mine & (on_item[item] > own[item])).sum()),
            int((mine & (backers[value] >= 2)).sum()),
            int((mine & (values[item] >= 2)).sum()),
        )


def _distinct(claims: ClaimSet) -> tuple[Ints, Ints]:
    """(value, source) of each distinct claim."""
    pairs = np.unique(claims.value * claims.n_sources + claims.source)
    return pairs // claims.n_sources, pairs % claims.n_sources


def diagram(confidence: Floats, hits: Floats, bins: int = 10) -> list[Group]:
    """The reliability diagram: the items by equal-width confidence bins (empty bins left out)."""
    which = np.minimum((confidence * bins).astype(np.int64), bins - 1)
    labels = [f"{b / bins:.1f}-{(b + 1) / bins:.1f}" for b in which.tolist()]
    return groups(labels, confidence, hits, sorted(set(labels)))


def by_shape(
    claims: ClaimSet, winner: Ints, items: Ints, confidence: Floats, hits: Floats
) -> list[Group]:
    """The items by how their claims split (module docstring); `winner` per item."""
    backers = np.bincount(_distinct(claims)[0], minlength=len(claims.item_of_value))
    item_claims = np.bincount(claims.item_of_value, weights=backers, minlength=claims.n_items)
    values = np.bincount(claims.item_of_value, minlength=claims.n_items)
    rival = backers.astype(np.float64)
    rival[winner[winner >= 0]] = -1.0  # the runner-up among the other values
    runner_up = np.zeros(claims.n_items)
    np.maximum.at(runner_up, claims.item_of_value, rival)
    labels = [
        _shape(int(item_claims[i]), int(values[i]), int(backers[winner[i]]), int(runner_up[i]))
        for i in items.tolist()
    ]
    return groups(labels, confidence, hits, SHAPES)


def _shape(claimed: int, values: int, won: int, runner_up: int) -> str:
    if claimed == 1:
        return "one claim"
    if values == 1:
        return "unanimous"
    lead = won - runner_up
    return "tied" if lead <= 0 else "ahead by one" if lead == 1 else "ahead by 2+"


def by_rival_gap(
    representatives: Sequence[JsonValue],
    item_of_value: Ints,
    winner: Ints,
    items: Ints,
    confidence: Floats,
    hits: Floats,
) -> list[Group]:
    """The items with a numeric winner and a rival, by the nearest rival's relative gap."""
    values_of: dict[int, list[int]] = {}
    for value, item in enumerate(item_of_value.tolist()):
        values_of.setdefault(item, []).append(value)
    labels = [_gap_label(representatives, values_of[i], int(winner[i])) for i in items.tolist()]
    keep = np.array([label is not None for label in labels], dtype=bool)
    kept = [label for label in labels if label is not None]
    return groups(kept, confidence[keep], hits[keep], [label for _, label in GAPS] + [">=50%"])


def _gap_label(representatives: Sequence[JsonValue], values: list[int], winner: int) -> str | None:
    won = _number(representatives[winner]) if winner >= 0 else None
    rivals = [_number(representatives[v]) for v in values if v != winner]
    if won is None or not rivals or None in rivals:
        return None
    gap = min(abs(won - r) / max(abs(won), abs(r), 1e-12) for r in rivals if r is not None)
    return next((label for bound, label in GAPS if gap < bound), ">=50%")


def _number(value: JsonValue) -> float | None:
    """A number as a float; None for anything else (a bool is no number here)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def groups(
    labels: Sequence[str], confidence: Floats, hits: Floats, order: Sequence[str]
) -> list[Group]:
    """One `Group` per label of `order` that some item has, in that order."""
    found = np.array(labels, dtype=object)
    return [
        Group(
            label,
            int(inside.sum()),
            float(confidence[inside].mean()),
            float(hits[inside].mean()),
        )
        for label in order
        if (inside := found == label).any()
    ]


def render(title: str, found: Sequence[Group]) -> str:
    """One line: the title, then `label n conf/acc` per group."""
    parts = [f"{g.label} {g.count} {g.confidence:.3f}/{g.accuracy:.3f}" for g in found]
    return f"  {title}: " + "; ".join(parts)
