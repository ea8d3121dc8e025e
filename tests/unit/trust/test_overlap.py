"""What pairs of sources share (`trust.overlap`), against counting pair by pair."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp  # type: ignore[import-untyped]

from trust.arrays import ClaimSet, Floats
from trust.overlap import MIN_SHARED, Overlap, PairIndex
from trust.truth import discover

VALUES = 3  # values per item


def grouped(n_groups: int, per_group: int, items_per_group: int, seed: int) -> ClaimSet:
    """Groups of sources that each claim only their own group's items (random values and
    written forms; now and then a source claims a second value of an item)."""
    rng = np.random.default_rng(seed)
    source: list[int] = []
    value: list[int] = []
    form: list[int] = []
    for group in range(n_groups):
        for item in range(group * items_per_group, (group + 1) * items_per_group):
            for member in range(per_group):
                if rng.random() < 0.8:
                    picked = [int(rng.integers(VALUES))]
                    if rng.random() < 0.05:
                        picked.append((picked[0] + 1) % VALUES)
                    for v in picked:
                        source.append(group * per_group + member)
                        value.append(item * VALUES + v)
                        form.append((item * VALUES + v) * 2 + int(rng.integers(2)))
    n_items = n_groups * items_per_group
    return ClaimSet(
        np.array(source, dtype=np.int64),
        np.array(value, dtype=np.int64),
        np.repeat(np.arange(n_items, dtype=np.int64), VALUES),
        n_groups * per_group,
        np.array(form, dtype=np.int64),
    )


def incidence(claims: ClaimSet) -> sp.csr_matrix:
    """The values x sources 0/1 matrix of the claims."""
    shape = (len(claims.item_of_value), claims.n_sources)
    ones = np.ones(len(claims.source))
    return sp.csr_matrix(sp.csr_matrix((ones, (claims.value, claims.source)), shape).sign())


def without_forms(claims: ClaimSet) -> ClaimSet:
    return ClaimSet(claims.source, claims.value, claims.item_of_value, claims.n_sources)


def counted(claims: ClaimSet, confidence: Floats) -> dict[tuple[int, int], tuple[float, ...]]:
    """Per pair sharing MIN_SHARED items or more, counted one pair at a time: (items, values,
    forms, coincidence, summed confidence of shared values, of shared forms)."""
    item_of = claims.item_of_value
    forms = claims.form if claims.form is not None else claims.value
    value_of_form = dict(zip(forms.tolist(), claims.value.tolist(), strict=True))
    users = {(f, s) for f, s in zip(forms.tolist(), claims.source.tolist(), strict=True)}
    per_form = {f: sum(1 for g, _ in users if g == f) for f in set(forms.tolist())}
    per_value: dict[int, int] = {}
    for f, n in per_form.items():
        per_value[value_of_form[f]] = per_value.get(value_of_form[f], 0) + n
    alike = {v: 0.0 for v in per_value}
    for f, n in per_form.items():
        alike[value_of_form[f]] += (n / per_value[value_of_form[f]]) ** 2
    out: dict[tuple[int, int], tuple[float, ...]] = {}
    for a, b in combinations(range(claims.n_sources), 2):
        mine = [claims.source == a, claims.source == b]
        values = [set(claims.value[m].tolist()) for m in mine]
        written = [set(forms[m].tolist()) for m in mine]
        items = [set(item_of[claims.value[m]].tolist()) for m in mine]
        shared = len(items[0] & items[1])
        if shared >= MIN_SHARED:
            same, same_form = values[0] & values[1], written[0] & written[1]
            out[(a, b)] = (
                float(shared),
                float(len(same)),
                float(len(same_form)),
                float(sum(alike[v] for v in same)),
                float(sum(confidence[v] for v in same)),
                float(sum(confidence[value_of_form[f]] for f in same_form)),
            )
    return out


def co_claims(claims: ClaimSet) -> int:
    """Pairs of distinct sources claiming one item, over all items."""
    per_item = np.bincount(
        np.unique(claims.item_of_value[claims.value] * claims.n_sources + claims.source)
        // claims.n_sources
    )
    return int(np.sum(per_item * (per_item - 1) // 2))


@pytest.mark.parametrize(
    ("shape", "dense"),
    [((1, 6, 80), True), ((12, 4, 10), False)],
    ids=["few sources sharing much", "many sources sharing little"],
)
@pytest.mark.parametrize("forms", [True, False], ids=["written forms", "canonical values"])
def test_overlap_matches_counting_pair_by_pair(
    shape: tuple[int, int, int], dense: bool, forms: bool
) -> None:
    claims = grouped(*shape, seed=5)
    claims = claims if forms else without_forms(claims)
    # the two ways PairIndex numbers pairs: a table when the key space is small enough
    assert (claims.n_sources**2 <= co_claims(claims)) is dense
    confidence = np.random.default_rng(1).random(len(claims.item_of_value))
    overlap = Overlap.of(claims, incidence(claims))
    same_true, same_form_true = overlap.summed(confidence)
    found = {
        (a, b): (s, v, f, c, t, ft)
        for a, b, s, v, f, c, t, ft in zip(
            overlap.a.tolist(),
            overlap.b.tolist(),
            overlap.shared.tolist(),
            overlap.same.tolist(),
            overlap.same_form.tolist(),
            overlap.coincide.tolist(),
            same_true.tolist(),
            same_form_true.tolist(),
            strict=True,
        )
    }
    expected = counted(claims, confidence)
    assert found.keys() == expected.keys()
    assert len(found) > 10
    for pair, numbers in expected.items():
        assert np.allclose(found[pair], numbers, rtol=1e-12, atol=1e-12), pair


def test_only_pairs_sharing_items_are_assessed() -> None:
    """Four groups of five sources, each claiming only its own items: dependence is weighed
    for the 4 x 10 pairs inside the groups, never for the 150 pairs across them."""
    claims = without_forms(grouped(4, 5, 30, seed=2))
    overlap = Overlap.of(claims, incidence(claims))
    group = np.arange(claims.n_sources) // 5
    assert len(overlap.a) == 4 * 10
    assert np.array_equal(group[overlap.a], group[overlap.b])
    assert all(group[a] == group[b] for a, b, _ in discover(claims).copying)


def test_pairs_sharing_fewer_than_min_shared_items_are_not_assessed() -> None:
    n = 4
    keys = np.array([0 * n + 1] * MIN_SHARED + [0 * n + 2] * (MIN_SHARED - 1) + [2 * n + 3] * 12)
    for index in (PairIndex(keys, n), PairIndex(keys, 100)):  # a table, then sorted keys
        assert index.dense is (index.n_sources == n)
        position, found = index.find(np.array([0 * n + 1, 0 * n + 2, 2 * n + 3, 1 * n + 2]))
        assert found.tolist() == [True, False, True, False]
        assert position[found].tolist() == [0, 1]
        assert index.shared.tolist() == [MIN_SHARED, 12]
