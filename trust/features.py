"""What a row stores of its score (`Row.trust_features`), and its features read back from it.

Freshness is not stored: it moves with every pass, and rewriting every row's list when only
freshness moved cost a full pass 2-3.5x writing `trust` alone (docs/BENCHMARKS.md). The list
holds what freshness is derived from instead, which does not move:

`[governance, usage, consistency, extraction_quality, source_reputation, propagated, since,
half_life, scored_at]`: the five other signals (in `Signal` order), the propagated score, the
epoch second the row's age counts from, its table's half-life in days (0: its values do not
age) and the epoch second it was scored at. `scored_at` is 0 for a row a full pass scored:
its freshness is that of the time of the last full pass, `TrustClock.at` (`trust/clock`), so
a full pass where only freshness moved writes `trust` alone. A row that leaves the rows full
passes score keeps the time its score was taken at (`rows/quarantine`,
`ingest/activate_document` set `scored_at` to the clock). A list of seven numbers is the
older layout, with freshness stored first; the next full pass rewrites it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trust import signals as signal

SECONDS_PER_DAY = 86_400.0

STORED_COUNT = 9
"""Numbers in a stored list."""

LEGACY_COUNT = len(signal.Signal) + 1
"""Numbers in a list of the older layout: the six signals, then the propagated score."""

FROM_CLOCK = 0.0
"""`scored_at` of a row a full pass scored: its freshness is taken at `TrustClock.at`."""


def freshness_since(since: signal.Array, half_life_days: signal.Array, now: float) -> signal.Array:
    """Freshness at epoch second `now` of rows whose age counts from `since` (epoch seconds),
    with their table's half-life in days (0 or `inf`: they do not age)."""
    half = np.where(half_life_days > 0, half_life_days, np.inf)
    return signal.freshness_array((now - since) / SECONDS_PER_DAY, half)


def stored_lists(
    signals: signal.Array,
    propagated: signal.Array,
    since: signal.Array,
    half_life_days: signal.Array,
    scored_at: float,
) -> list[list[float]]:
    """The stored lists of scored rows (`signals` one column per `Signal`, freshness first)."""
    n = len(propagated)
    stored: list[list[float]] = np.column_stack(
        (signals[:, 1:], propagated, since, half_life_days, np.full(n, scored_at))
    ).tolist()
    return stored


def read_features(
    stored: Sequence[float] | None, clock: float | None
) -> tuple[list[float], float] | None:
    """A row's six signals (in `Signal` order) and propagated score, from its stored list and
    the time of the last full pass (`clock`, epoch seconds); None when it has none."""
    if stored is None:
        return None
    if len(stored) == LEGACY_COUNT:
        return [float(v) for v in stored[:-1]], float(stored[-1])
    if len(stored) != STORED_COUNT:
        return None
    *others, propagated, since, half_life, scored_at = (float(v) for v in stored)
    now = scored_at if scored_at != FROM_CLOCK else clock
    if now is None:
        return None
    [fresh] = freshness_since(np.array([since]), np.array([half_life]), now).tolist()
    return [fresh, *others], propagated
