"""Time `trust.truth.discover` (numpy + scipy.sparse) against `trust.reference` (networkx).

Synthetic claim sets: sources with accuracies in [0.4, 0.95], each item with 4 candidate
values, 10 claims per item. The reference runs only up to REFERENCE_MAX_CLAIMS (about 30 s
here); the ratio is taken at the largest size both ran, on the same data.
Runs in-process, no services: `python -c "from bench import trust_compute as b; b.run()"`.
"""

from __future__ import annotations

import time

import numpy as np

from trust import reference
from trust.truth import ClaimSet, discover

SIZES = (
    (10_000, 1_000, 50),
    (100_000, 10_000, 200),
    (300_000, 30_000, 500),
    (1_000_000, 100_000, 1_000),
)
REFERENCE_MAX_CLAIMS = 300_000
VALUES_PER_ITEM = 4


def claim_set(n_claims: int, n_items: int, n_sources: int, seed: int = 0) -> ClaimSet:
    """Random claims: value 0 of each item is true; a source states it with its accuracy."""
    rng = np.random.default_rng(seed)
    accuracy = rng.uniform(0.4, 0.95, n_sources)
    item = np.repeat(np.arange(n_items), n_claims // n_items)
    source = rng.integers(0, n_sources, len(item))
    wrong = rng.integers(1, VALUES_PER_ITEM, len(item))
    choice = np.where(rng.random(len(item)) < accuracy[source], 0, wrong)
    return ClaimSet(
        source.astype(np.int64),
        (item * VALUES_PER_ITEM + choice).astype(np.int64),
        np.repeat(np.arange(n_items, dtype=np.int64), VALUES_PER_ITEM),
        n_sources,
    )


def run() -> list[str]:
    """One line per size: seconds for discover (and the reference where it ran)."""
    lines = []
    ratio = ""
    for n_claims, n_items, n_sources in SIZES:
        claims = claim_set(n_claims, n_items, n_sources)
        start = time.perf_counter()
        fast = discover(claims)
        seconds = time.perf_counter() - start
        line = (
            f"{n_claims:>9,} claims {n_items:>7,} items {n_sources:>5,} sources: "
            f"discover {seconds:7.3f} s ({fast.iterations} iterations)"
        )
        if n_claims <= REFERENCE_MAX_CLAIMS:
            start = time.perf_counter()
            slow = reference.discover(claims)
            base = time.perf_counter() - start
            gap = float(np.max(np.abs(slow.source_trust - fast.source_trust)))
            line += f", reference {base:7.3f} s ({slow.iterations} it., max trust gap {gap:.1e})"
            ratio = f"at {n_claims:,} claims discover is {base / seconds:.0f}x the reference speed"
        lines.append(line)
    lines.append(ratio)
    for line in lines:
        print(line)
    return lines
