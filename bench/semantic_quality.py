"""Semantic-contradiction quality on the labelled corpus, against "similar means contradicting".

The classifier (`trust.semantic.ContradictionClassifier`, word rules, no NLI model) and a
baseline that flags a pair when its token Jaccard similarity is at least 0.5 are scored on
`tests/corpus/semantic_pairs.yaml`: precision, recall and F1 per kind and overall (per kind,
contradiction kinds show recall, agreement kinds show false positives). Then throughput:
pairs judged per second with an empty feature cache (every text read afresh) and with a
warm one, next to the baseline's. Runs in-process, no services.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.corpus.semantic_corpus import Pair, evaluate, load_pairs, similarity_baseline
from trust.semantic import ContradictionClassifier
from trust.text_features import features

ROUNDS = 20
THRESHOLD = 0.5


def _rate(predict: Callable[[str, str], bool], pairs: list[Pair], cold: bool) -> float:
    """Pairs per second over ROUNDS passes of the corpus."""
    started = time.perf_counter()
    for _ in range(ROUNDS):
        if cold:
            features.cache_clear()
        for pair in pairs:
            predict(pair.a, pair.b)
    return ROUNDS * len(pairs) / (time.perf_counter() - started)


def run() -> list[str]:
    """The quality tables, then throughput."""
    pairs = load_pairs()
    classifier = ContradictionClassifier()

    def ours(a: str, b: str) -> bool:
        return classifier.judge(a, b).contradicts

    baseline = similarity_baseline(THRESHOLD)
    report, reference = evaluate(ours, pairs), evaluate(baseline, pairs)
    lines = [f"{len(pairs)} labelled pairs, {sum(p.contradicts for p in pairs)} contradictions"]
    lines += report.table("classifier (rules)")
    lines += reference.table(f"baseline jaccard>={THRESHOLD}")
    f1, base_f1 = report.overall.f1 or 0.0, reference.overall.f1 or 0.0
    lines.append(
        f"overall F1 {f1:.3f} vs baseline {base_f1:.3f}; false positives "
        f"{report.overall.fp} vs {reference.overall.fp}"
    )
    cold, warm = _rate(ours, pairs, cold=True), _rate(ours, pairs, cold=False)
    base_rate = _rate(baseline, pairs, cold=False)
    lines.append(
        f"classifier {cold:,.0f} pairs/s (texts read afresh), {warm:,.0f} pairs/s (cached "
        f"texts); baseline {base_rate:,.0f} pairs/s ({base_rate / cold:.1f}x the cold rate)"
    )
    return lines
