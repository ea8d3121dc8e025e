"""Truth-discovery quality on the labelled scenarios of `trust.scenarios`, against majority vote.

Per scenario (mean over SEEDS): the share of items resolved to the true value, and the
Spearman rank correlation between estimated and true source accuracy. Majority voting has no
source trust; its estimate is each source's agreement rate with the majority winners. Beside
Grace: the same engine without copy detection, and with one accuracy per source (the claims'
attributes withheld, so no accuracy by attribute). Calibration: the expected calibration error
of the winners' confidence, the engine's posterior and the calibrated one facts carry
(`trust.calibration`), in the same run.
Runs in-process, no services: `python -c "from bench import trust_quality as b; b.run()"`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.stats import spearmanr  # type: ignore[import-untyped]

from bench.api_support import machine_load
from bench.truth_data import expected_calibration_error
from trust.scenarios import SCENARIOS, encode, generate
from trust.truth import ClaimSet, Floats, Ints, discover, majority_vote

SEEDS = (0, 1, 2)


def _agreement(claims: ClaimSet, winner: Ints) -> Floats:
    hits = (winner[claims.item_of_value[claims.value]] == claims.value).astype(np.float64)
    counts = np.bincount(claims.source, minlength=claims.n_sources)
    return np.bincount(claims.source, weights=hits, minlength=claims.n_sources) / np.maximum(
        counts, 1
    )


def _rho(estimate: Floats, truth: Floats) -> float:
    return float(spearmanr(estimate, truth).statistic)


def _ece(confidence: Floats, winner: Ints, truth: Ints) -> float:
    """The calibration error of the winners' `confidence` against the planted truth."""
    return expected_calibration_error(confidence[winner], (winner == truth).astype(np.float64))


def run() -> list[str]:
    """One line per scenario: accuracy and rank correlation, Grace vs. majority."""
    lines = [
        f"{'scenario':22} {'acc grace':>9} {'no-copy':>8} {'one-acc':>8} {'majority':>8} "
        f"{'rho grace':>9} {'rho maj':>8} {'ece raw':>7} {'ece cal':>7}  copiers found (seed 0)"
    ]
    for name in SCENARIOS:
        rows = []
        found = ""
        for seed in SEEDS:
            scenario = generate(name, seed=seed)
            claims, truth = encode(scenario)
            result = discover(claims)
            plain = discover(claims, detect_copying=False)
            overall = discover(replace(claims, attribute_of_item=None))
            majority = majority_vote(claims)
            rows.append(
                (
                    np.mean(result.winner == truth),
                    np.mean(plain.winner == truth),
                    np.mean(overall.winner == truth),
                    np.mean(majority == truth),
                    _rho(result.source_trust, scenario.accuracy),
                    _rho(_agreement(claims, majority), scenario.accuracy),
                    _ece(result.value_confidence, result.winner, truth),
                    _ece(result.fact_confidence, result.winner, truth),
                )
            )
            if seed == SEEDS[0]:
                found = ", ".join(f"{b}<-{a}" for a, b, _ in result.copying) or "-"
                planted = ", ".join(f"{c}<-{o}" for c, o in scenario.copies.items())
                found += f" (planted {planted})" if planted else ""
        g, p, o, m, rg, rm, raw, cal = np.mean(rows, axis=0)
        lines.append(
            f"{name:22} {g:9.3f} {p:8.3f} {o:8.3f} {m:8.3f} {rg:9.2f} {rm:8.2f} "
            f"{raw:7.3f} {cal:7.3f}  {found}"
        )
    lines.append(machine_load())
    for line in lines:
        print(line)
    return lines
