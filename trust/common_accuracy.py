"""One common accuracy until the data show that sources differ.

Each source's accuracy `A(s)` is estimated from its claims' confidences: `r(s)` of its
`n(s)` claims are right (summed confidences). When every source is in truth equally accurate,
those estimates still differ by sampling noise, and votes cast with them break an item's
ties (two sources against two) by that noise instead of by count; majority vote, which
counts, then does as well or better. So the sources vote with one common accuracy, the
pooled `p0 = sum r / sum n`, unless a chi-square test of homogeneity rejects it:

    X2 = sum over sources of (r(s) - n(s) p0)^2 / (n(s) p0 (1 - p0)),   df = sources - 1

at the `LEVEL` significance (the binomial variance makes the test conservative for the
summed confidences, whose variance is smaller). Where the accuracies differ more than chance
allows, as on any real data set with copiers and careless sources, every source votes with
its own. It is the rule `trust.attribute_trust` follows for a source's attributes: one
accuracy until the data show, with statistical support, that there are several.
"""

from __future__ import annotations

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from trust.arrays import Floats

LEVEL = 0.05
"""The significance at which the sources' accuracies are taken to differ."""


def voting_accuracy(accuracy: Floats, right: Floats, claimed: Floats) -> Floats:
    """Per source, the accuracy it votes with: `accuracy` (its own) where the sources with
    claims, `right` of `claimed` each, show that they differ, else the pooled one (module)."""
    active = claimed > 0
    if int(active.sum()) < 2:
        return accuracy
    r, n = right[active], claimed[active]
    pooled = float(r.sum() / n.sum())
    if not 0.0 < pooled < 1.0:
        return accuracy
    statistic = float(np.sum((r - n * pooled) ** 2 / (n * pooled * (1.0 - pooled))))
    if float(stats.chi2.sf(statistic, len(r) - 1)) < LEVEL:
        return accuracy
    out = accuracy.copy()
    out[active] = pooled
    return out
