"""Time `trust.truth.discover` (numpy + scipy.sparse) against `trust.reference` (networkx).

Synthetic claim sets: sources with accuracies in [0.4, 0.95], each item with 4 candidate
values, 10 claims per item, and one source in COPIERS copying another's claims (80 % of
them, errors included). The reference (plain ACCU) runs only up to REFERENCE_MAX_CLAIMS
(about 30 s here); the ratio is taken at the largest size both ran, on the same data. At
every size `discover` also runs without dependence detection: its cost is the ratio.
Runs in-process, no services: `python -c "from bench import trust_compute as b; b.run()"`.
"""

from __future__ import annotations

import time

import numpy as np

from bench.api_support import machine_load
from trust import reference
from trust.truth import ClaimSet, TruthResult, discover

SIZES = (
    (10_000, 1_000, 50),
    (100_000, 10_000, 200),
    (300_000, 30_000, 500),
    (1_000_000, 100_000, 1_000),
)
REFERENCE_MAX_CLAIMS = 300_000
VALUES_PER_ITEM = 4
COPIERS = 10
"""One source in this many copies another."""


def claim_set(n_claims: int, n_items: int, n_sources: int, seed: int = 0) -> ClaimSet:
    """Random claims: value 0 of each item is true; a source states it with its accuracy."""
    rng = np.random.default_rng(seed)
    accuracy = rng.uniform(0.4, 0.95, n_sources)
    item = np.repeat(np.arange(n_items), n_claims // n_items)
    source = rng.integers(0, n_sources, len(item))
    wrong = rng.integers(1, VALUES_PER_ITEM, len(item))
    value = item * VALUES_PER_ITEM + np.where(rng.random(len(item)) < accuracy[source], 0, wrong)
    copier = np.arange(0, n_sources, COPIERS)
    original = (copier + 1) % n_sources
    copied = np.isin(source, original) & (rng.random(len(item)) < 0.8)
    copier_of = np.zeros(n_sources, dtype=np.int64)
    copier_of[original] = copier
    return ClaimSet(
        np.concatenate((source, copier_of[source[copied]])).astype(np.int64),
        np.concatenate((value, value[copied])).astype(np.int64),
        np.repeat(np.arange(n_items, dtype=np.int64), VALUES_PER_ITEM),
        n_sources,
    )


def _timed(claims: ClaimSet, detect_copying: bool) -> tuple[TruthResult, float, float]:
    """`discover` on `claims`, with its wall-clock and CPU seconds (the CPU figure holds on a
    shared machine, where the wall clock also counts other programs' turns)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = discover(claims, detect_copying=detect_copying)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run() -> list[str]:
    """One line per size: seconds for discover with and without dependence detection (and
    the reference where it ran), with the machine's load."""
    lines = []
    ratio = ""
    for n_claims, n_items, n_sources in SIZES:
        claims = claim_set(n_claims, n_items, n_sources)
        fast, seconds, cpu = _timed(claims, True)
        plain, independent, independent_cpu = _timed(claims, False)
        line = (
            f"{n_claims:>9,} claims {n_items:>7,} items {n_sources:>5,} sources: "
            f"discover {seconds:7.3f} s, CPU {cpu:6.3f} s ({fast.iterations} iterations, "
            f"{len(fast.copying)} copying pairs), without dependence {independent:7.3f} s, "
            f"CPU {independent_cpu:6.3f} s ({plain.iterations} it.): {seconds / independent:.2f}x"
            f" (CPU {cpu / independent_cpu:.2f}x), {machine_load()}"
        )
        if n_claims <= REFERENCE_MAX_CLAIMS:
            start = time.perf_counter()
            slow = reference.discover(claims)
            base = time.perf_counter() - start
            gap = float(np.max(np.abs(slow.source_trust - plain.source_trust)))
            line += f", reference {base:7.3f} s ({slow.iterations} it., max trust gap {gap:.1e})"
            speedup = base / independent
            ratio = f"at {n_claims:,} claims plain discover is {speedup:.0f}x the reference"
        lines.append(line)
    lines.append(ratio)
    for line in lines:
        print(line)
    return lines
